/* test_kernels.c - placeholder suite; its issue fills it. */
#include "test_util.h"

Suite *suite_kernels(void)
{
    return suite_create("kernels");
}
