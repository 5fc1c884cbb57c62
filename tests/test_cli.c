/* test_cli.c - the command-line contract (DESIGN.md section 4): global
   flags, exit codes 0/1/2, and `mossa info`. Commands of later issues test
   their own CLI in their suites. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

START_TEST(info_json_has_the_documented_keys)
{
    char *out, *err;
    int rc = test_cli("info --json", &out, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(out, "\"version\": \"" MOSSA_VERSION_STRING "\""));
    ck_assert_ptr_nonnull(strstr(out, "\"simd\": \""));
    ck_assert_ptr_nonnull(strstr(out, "\"simd_available\": [\"scalar\""));
    ck_assert_ptr_nonnull(strstr(out, "\"threads\": "));
    ck_assert_str_eq(err, "");
    free(out); free(err);
}
END_TEST

START_TEST(info_reports_the_best_level_by_default)
{
    char *out, *err, want[64];
    int rc = test_cli("info --json", &out, &err);
    ck_assert_int_eq(rc, 0);
    snprintf(want, sizeof(want), "\"simd\": \"%s\"", mossa_simd_name(mossa_simd_active()));
    ck_assert_ptr_nonnull(strstr(out, want));
    free(out); free(err);
}
END_TEST

START_TEST(simd_flag_forces_each_available_level)
{
    mossa_simd_level lvl;
    FOR_EACH_SIMD_LEVEL(lvl) {
        char args[64], want[64], *out, *err;
        snprintf(args, sizeof(args), "info --json --simd %s", mossa_simd_name(lvl));
        snprintf(want, sizeof(want), "\"simd\": \"%s\"", mossa_simd_name(lvl));
        ck_assert_int_eq(test_cli(args, &out, &err), 0);
        ck_assert_ptr_nonnull(strstr(out, want));
        free(out); free(err);
        snprintf(args, sizeof(args), "MOSSA_SIMD=%s", mossa_simd_name(lvl));
        /* the environment variable does the same */
        {
            char cmd[128];
            snprintf(cmd, sizeof(cmd), "info --json");
            setenv("MOSSA_SIMD", mossa_simd_name(lvl), 1);
            ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
            unsetenv("MOSSA_SIMD");
            ck_assert_ptr_nonnull(strstr(out, want));
            free(out); free(err);
        }
    }
}
END_TEST

START_TEST(unknown_or_unavailable_simd_level_exits_1)
{
    char *out, *err;
    int l;
    ck_assert_int_eq(test_cli("info --simd avx3", &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: --simd avx3: unknown SIMD level"));
    free(out); free(err);
    setenv("MOSSA_SIMD", "sse9", 1);
    ck_assert_int_eq(test_cli("info", &out, &err), 1);
    unsetenv("MOSSA_SIMD");
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: MOSSA_SIMD=sse9"));
    free(out); free(err);
    for (l = MOSSA_SIMD_SCALAR; l < (int)MOSSA_SIMD_LEVEL_COUNT; ++l) {
        char args[64];
        if (mossa_simd_available((mossa_simd_level)l)) continue;
        snprintf(args, sizeof(args), "info --simd %s", mossa_simd_name((mossa_simd_level)l));
        ck_assert_int_eq(test_cli(args, &out, &err), 1);
        ck_assert_ptr_nonnull(strstr(err, "not supported by this CPU"));
        free(out); free(err);
    }
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    char *out, *err;
    ck_assert_int_eq(test_cli("", &out, &err), 2);
    free(out); free(err);
    ck_assert_int_eq(test_cli("frobnicate", &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown command 'frobnicate'"));
    free(out); free(err);
    ck_assert_int_eq(test_cli("info --threads", &out, &err), 2);
    free(out); free(err);
    ck_assert_int_eq(test_cli("info --threads -3", &out, &err), 2);
    free(out); free(err);
    ck_assert_int_eq(test_cli("info extra", &out, &err), 2);
    free(out); free(err);
}
END_TEST

START_TEST(threads_flag_is_reported)
{
    char *out, *err;
    ck_assert_int_eq(test_cli("--threads 3 info --json", &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"threads\": 3"));
    free(out); free(err);
}
END_TEST

START_TEST(help_lists_every_command)
{
    char *out, *err;
    const char *cmds[] = {"info", "cka X.npy", "cka-matrix", "rank", "svd", "tsne", "readability", "syllables", "analyze", "demo"};
    size_t i;
    ck_assert_int_eq(test_cli("help", &out, &err), 0);
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); ++i) ck_assert_ptr_nonnull(strstr(out, cmds[i]));
    free(out); free(err);
}
END_TEST

Suite *suite_cli(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, info_json_has_the_documented_keys);
    tcase_add_test(tc, info_reports_the_best_level_by_default);
    tcase_add_test(tc, simd_flag_forces_each_available_level);
    tcase_add_test(tc, unknown_or_unavailable_simd_level_exits_1);
    tcase_add_test(tc, usage_errors_exit_2);
    tcase_add_test(tc, threads_flag_is_reported);
    tcase_add_test(tc, help_lists_every_command);
    suite_add_tcase(s, tc);
    return s;
}
