/* test_main.c - runs every suite. CK_RUN_SUITE / CK_RUN_CASE select. */
#include "test_util.h"

int main(void)
{
    int failed;
    SRunner *sr = srunner_create(suite_core());
    srunner_add_suite(sr, suite_kernels());
    srunner_add_suite(sr, suite_npy());
    srunner_add_suite(sr, suite_cli());
    srunner_add_suite(sr, suite_cka());
    srunner_add_suite(sr, suite_svd());
    srunner_add_suite(sr, suite_tsne());
    srunner_add_suite(sr, suite_text());
    srunner_add_suite(sr, suite_analysis());
    srunner_add_suite(sr, suite_alloc());
    srunner_add_suite(sr, suite_hostile());
    srunner_add_suite(sr, suite_pool());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
