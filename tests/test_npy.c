/* test_npy.c - placeholder suite; its issue fills it. */
#include "test_util.h"

Suite *suite_npy(void)
{
    return suite_create("npy");
}
