/* test_cka.c - placeholder suite; its issue fills it. */
#include "test_util.h"

Suite *suite_cka(void)
{
    return suite_create("cka");
}
