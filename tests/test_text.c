/* test_text.c - placeholder suite; its issue fills it. */
#include "test_util.h"

Suite *suite_text(void)
{
    return suite_create("text");
}
