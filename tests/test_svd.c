/* test_svd.c - placeholder suite; its issue fills it. */
#include "test_util.h"

Suite *suite_svd(void)
{
    return suite_create("svd");
}
