/* test_util.h - shared helpers for the Check suites: deterministic test
   data (independent of the library's RNG), long-double references, SIMD
   level loops, temporary files and running the CLI. */
#ifndef MOSSA_TEST_UTIL_H
#define MOSSA_TEST_UTIL_H

#include "mossa.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

/* Suites, one per area (tests/test_<area>.c). */
Suite *suite_core(void);
Suite *suite_kernels(void);
Suite *suite_npy(void);
Suite *suite_cli(void);
Suite *suite_cka(void);
Suite *suite_svd(void);
Suite *suite_tsne(void);
Suite *suite_text(void);
Suite *suite_analysis(void);
Suite *suite_alloc(void);
Suite *suite_hostile(void);
Suite *suite_pool(void);

/* Test-build hook from the implementation (MOSSA_TEST_HOOKS). */
unsigned long mossa_test_kernel_calls(mossa_simd_level level);

/* Runs the block once per SIMD level this CPU supports, with the level
   forced; `lvl` names the level inside. */
#define FOR_EACH_SIMD_LEVEL(lvl)                                                  \
    for (lvl = MOSSA_SIMD_SCALAR; lvl < MOSSA_SIMD_LEVEL_COUNT;                   \
         lvl = (mossa_simd_level)(lvl + 1))                                       \
        if (mossa_simd_available(lvl) && mossa_simd_force(lvl) == MOSSA_OK)

/* xorshift64* - the tests' own generator, so that references do not share
   code with the library. */
typedef struct test_rng { unsigned long long s; } test_rng;
static inline test_rng test_rng_make(unsigned long long seed)
{
    test_rng r; r.s = seed * 0x9E3779B97F4A7C15ULL + 1; return r;
}
static inline unsigned long long test_rng_next(test_rng *r)
{
    r->s ^= r->s >> 12; r->s ^= r->s << 25; r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}
static inline double test_uniform(test_rng *r) /* [0, 1) */
{
    return (double)(test_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
static inline double test_normal(test_rng *r)
{
    double u1 = 1.0 - test_uniform(r), u2 = test_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
/* n values, normal(0, scale) */
static inline float *test_random_floats(size_t n, unsigned long long seed, double scale)
{
    float *x = (float *)malloc((n ? n : 1) * sizeof(float));
    test_rng r = test_rng_make(seed);
    size_t i;
    for (i = 0; i < n; ++i) x[i] = (float)(scale * test_normal(&r));
    return x;
}

/* Distance in units in the last place between two floats (same sign
   handling as SLEEF's tester: through the ordered integer mapping). */
static inline double test_ulp_diff(float got, double want)
{
    float w = (float)want;
    double ulp;
    int e;
    if (isnan(got) && isnan(want)) return 0;
    if (isinf(want) || isinf(got)) return (got == w) ? 0 : INFINITY;
    if (want == 0) return got == 0 ? 0 : INFINITY;
    frexp(want, &e);
    if (e - 1 < -126) e = -126 + 1;    /* subnormal: fixed spacing */
    ulp = ldexp(1.0, e - 1 - 23);
    return fabs((double)got - want) / ulp;
}

/* A fresh temporary directory (removed by the OS eventually; tests fork). */
const char *test_tmpdir(void);
/* Joins test_tmpdir() and name into a static buffer rotation (8 slots). */
const char *test_path(const char *name);
/* Writes bytes to a file; returns 0 on success. */
int test_write_file(const char *path, const void *data, size_t len);

/* Runs the CLI ($MOSSA_CLI, default build/mossa) with the given argument
   string (shell syntax). Captures stdout and stderr (caller frees) and
   returns the exit status (-1 if it did not exit normally). */
int test_cli(const char *args, char **out, char **err);

#endif
