/* test_analysis.c - placeholder suite; its issue fills it. */
#include "test_util.h"

Suite *suite_analysis(void)
{
    return suite_create("analysis");
}
