/* test_core.c - status strings, dispatch, allocator plumbing, the
   counter-based RNG and the thread pool's determinism contract. */
#include "test_util.h"
#include <stdint.h>

START_TEST(status_ok_is_zero_and_every_status_has_a_message)
{
    int s;
    ck_assert_int_eq(MOSSA_OK, 0);
    for (s = 0; s < (int)MOSSA_STATUS_COUNT; ++s) {
        const char *m = mossa_status_string((mossa_status)s);
        ck_assert_ptr_nonnull(m);
        ck_assert_int_gt((int)strlen(m), 5);
    }
    ck_assert_str_eq(mossa_status_string((mossa_status)-1), "unknown status code");
    ck_assert_str_eq(mossa_status_string(MOSSA_STATUS_COUNT), "unknown status code");
}
END_TEST

START_TEST(simd_names_round_trip_and_unknown_names_fail)
{
    int l;
    mossa_simd_level out;
    for (l = 0; l < (int)MOSSA_SIMD_LEVEL_COUNT; ++l) {
        ck_assert_int_eq(mossa_simd_parse(mossa_simd_name((mossa_simd_level)l), &out), MOSSA_OK);
        ck_assert_int_eq((int)out, l);
    }
    ck_assert_int_eq(mossa_simd_parse("avx3", &out), MOSSA_ERR_SIMD_UNKNOWN);
    ck_assert_int_eq(mossa_simd_parse("", &out), MOSSA_ERR_SIMD_UNKNOWN);
    ck_assert_int_eq(mossa_simd_parse("AVX2", &out), MOSSA_ERR_SIMD_UNKNOWN);
    ck_assert_int_eq(mossa_simd_parse(NULL, &out), MOSSA_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(forcing_each_available_level_makes_it_active)
{
    mossa_simd_level lvl;
    int n = 0;
    FOR_EACH_SIMD_LEVEL(lvl) {
        ck_assert_int_eq(mossa_simd_active(), lvl);
        ++n;
    }
    ck_assert_int_ge(n, 1);
    ck_assert(mossa_simd_available(MOSSA_SIMD_SCALAR));
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_AUTO), MOSSA_OK);
}
END_TEST

START_TEST(forced_level_really_runs_its_kernels)
{
    /* The test build counts kernel calls per level: a call made while a
       level is forced must be counted for that level and no other. */
    mossa_simd_level lvl;
    float a[64], b[64];
    int i;
    for (i = 0; i < 64; ++i) { a[i] = (float)i; b[i] = 1.0f; }
    FOR_EACH_SIMD_LEVEL(lvl) {
        unsigned long before[MOSSA_SIMD_LEVEL_COUNT];
        int l;
        for (l = 0; l < (int)MOSSA_SIMD_LEVEL_COUNT; ++l) before[l] = mossa_test_kernel_calls((mossa_simd_level)l);
        ck_assert(fabs(mossa_dot_f32(a, b, 64) - 2016.0) < 1e-9);
        for (l = 0; l < (int)MOSSA_SIMD_LEVEL_COUNT; ++l)
            ck_assert_uint_eq(mossa_test_kernel_calls((mossa_simd_level)l) - before[l], l == (int)lvl ? 1u : 0u);
    }
}
END_TEST

START_TEST(forcing_an_unavailable_or_invalid_level_is_an_error)
{
    int l;
    for (l = MOSSA_SIMD_SCALAR; l < (int)MOSSA_SIMD_LEVEL_COUNT; ++l)
        if (!mossa_simd_available((mossa_simd_level)l))
            ck_assert_int_eq(mossa_simd_force((mossa_simd_level)l), MOSSA_ERR_SIMD_UNAVAILABLE);
    ck_assert_int_eq(mossa_simd_force((mossa_simd_level)99), MOSSA_ERR_SIMD_UNKNOWN);
    ck_assert_int_eq(mossa_simd_force((mossa_simd_level)-3), MOSSA_ERR_SIMD_UNKNOWN);
#if defined(__x86_64__)
    ck_assert(!mossa_simd_available(MOSSA_SIMD_NEON));
#elif defined(__aarch64__)
    ck_assert(mossa_simd_available(MOSSA_SIMD_NEON));
    ck_assert(!mossa_simd_available(MOSSA_SIMD_AVX2));
    ck_assert_int_eq(mossa_simd_active(), MOSSA_SIMD_NEON);
#endif
}
END_TEST

START_TEST(default_threads_is_online_cpus)
{
    ck_assert_int_ge(mossa_default_threads(), 1);
    ck_assert_int_le(mossa_default_threads(), 256);
}
END_TEST

START_TEST(rng_is_a_pure_function_of_seed_and_index)
{
    uint64_t i;
    ck_assert(mossa_rng_u64(1, 5) == mossa_rng_u64(1, 5));
    ck_assert(mossa_rng_u64(1, 5) != mossa_rng_u64(2, 5));
    ck_assert(mossa_rng_u64(1, 5) != mossa_rng_u64(1, 6));
    for (i = 0; i < 1000; ++i) {
        double u = mossa_rng_uniform(42, i);
        ck_assert(u >= 0.0 && u < 1.0);
    }
}
END_TEST

START_TEST(rng_uniform_and_normal_have_the_right_moments)
{
    /* 200k draws: mean and variance within 5 standard errors. */
    const uint64_t n = 200000;
    long double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
    uint64_t i;
    for (i = 0; i < n; ++i) {
        long double u = mossa_rng_uniform(7, i), z = mossa_rng_normal(7, i);
        su += u; su2 += u * u; sn += z; sn2 += z * z; sn4 += z * z * z * z;
    }
    ck_assert(fabsl(su / n - 0.5L) < 5 * sqrtl(1.0L / 12 / n));
    ck_assert(fabsl(su2 / n - su * su / n / n - 1.0L / 12) < 0.002L);
    ck_assert(fabsl(sn / n) < 5 * sqrtl(1.0L / n));
    ck_assert(fabsl(sn2 / n - 1.0L) < 5 * sqrtl(2.0L / n));
    ck_assert(fabsl(sn4 / n - 3.0L) < 0.1L); /* kurtosis of a normal */
}
END_TEST

START_TEST(rng_bits_are_balanced)
{
    /* every bit position is set about half the time over 20k draws */
    int bit;
    uint64_t i;
    unsigned counts[64] = {0};
    for (i = 0; i < 20000; ++i) {
        uint64_t v = mossa_rng_u64(123, i);
        for (bit = 0; bit < 64; ++bit) counts[bit] += (unsigned)((v >> bit) & 1);
    }
    for (bit = 0; bit < 64; ++bit) ck_assert(counts[bit] > 9600 && counts[bit] < 10400);
}
END_TEST

Suite *suite_core(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, status_ok_is_zero_and_every_status_has_a_message);
    tcase_add_test(tc, simd_names_round_trip_and_unknown_names_fail);
    tcase_add_test(tc, forcing_each_available_level_makes_it_active);
    tcase_add_test(tc, forced_level_really_runs_its_kernels);
    tcase_add_test(tc, forcing_an_unavailable_or_invalid_level_is_an_error);
    tcase_add_test(tc, default_threads_is_online_cpus);
    tcase_add_test(tc, rng_is_a_pure_function_of_seed_and_index);
    tcase_add_test(tc, rng_uniform_and_normal_have_the_right_moments);
    tcase_add_test(tc, rng_bits_are_balanced);
    suite_add_tcase(s, tc);
    return s;
}
