/* test_kernels.c - the foundation kernels (dot, axpy, sqdist, expf, logf)
   at every SIMD level this CPU has, against independent references:
   long-double sums for the linear algebra, SLEEF's 1-ULP functions for
   exp/log (long-double expl/logl where SLEEF is absent: the aarch64 build
   defines MOSSA_NO_SLEEF).

   Stated tolerances (what the tests assert):
     dot     |got - ref| <= 3e-6 * sum|a_i b_i| at every level (float lanes
             over blocks of 256, each block promoted to double: at most ~40
             float roundings touch any product); levels agree within the
             same bound, i.e. relative 1e-6-ish for sums without heavy
             cancellation. n = 1e6 stays within 1e-6 relative.
     axpy    exact: y + fl(alpha x) rounded once more (the unfused form all
             levels use), so bit-identical across levels.
     sqdist  relative error <= (d/4 + 8) * 2^-24 (float accumulation over
             at most d/4 terms per lane); 0 exactly for identical rows.
     expf    max error <= 2 ULP over the whole useful range [-104, 89]
             (measured ~0.85 ULP on AVX2/AVX-512/NEON, ~1.2 ULP scalar).
     logf    max error <= 2 ULP over all positive floats incl. subnormals
             (measured ~1.0 ULP).
   The max ULP per level is printed. */
#include "test_util.h"
#include <stdint.h>
#include <float.h>
#ifndef MOSSA_NO_SLEEF
#include <sleef.h>
#endif

static int emulated(void)
{
    const char *e = getenv("MOSSA_TEST_EMULATED");
    return e && *e && *e != '0';
}

static const size_t lengths[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65,
                                 255, 256, 257, 511, 513, 1000, 4099};
#define N_LENGTHS (sizeof(lengths) / sizeof(lengths[0]))

static float bits_to_float(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint32_t float_to_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* ---- references ------------------------------------------------------- */
static long double ref_dot(const float *a, const float *b, size_t n, long double *abs_sum)
{
    long double s = 0, sa = 0;
    size_t i;
    for (i = 0; i < n; ++i) {
        long double p = (long double)a[i] * (long double)b[i];
        s += p;
        sa += fabsl(p);
    }
    if (abs_sum) *abs_sum = sa;
    return s;
}

static long double ref_sqdist(const float *x, const float *y, size_t d)
{
    long double s = 0;
    size_t k;
    for (k = 0; k < d; ++k) {
        long double t = (long double)x[k] - (long double)y[k];
        s += t * t;
    }
    return s;
}

/* exp/log in double from an independent implementation: SLEEF's 1-ULP
   double functions (error 2^-29 float ULP, i.e. exact for this purpose),
   or long double libm. */
static double ref_exp(float x)
{
#ifdef MOSSA_NO_SLEEF
    return (double)expl((long double)x);
#else
    return Sleef_exp_u10((double)x);
#endif
}

static double ref_log(float x)
{
#ifdef MOSSA_NO_SLEEF
    return (double)logl((long double)x);
#else
    return Sleef_log_u10((double)x);
#endif
}

/* ---- dot ---------------------------------------------------------------- */
START_TEST(dot_matches_long_double_for_all_lengths_and_offsets)
{
    mossa_simd_level lvl;
    float *a = test_random_floats(4099 + 8, 11, 1.0), *b = test_random_floats(4099 + 8, 12, 1.0);
    FOR_EACH_SIMD_LEVEL(lvl) {
        size_t li;
        int oa, ob;
        for (li = 0; li < N_LENGTHS; ++li)
            for (oa = 0; oa < 4; oa += 3)
                for (ob = 0; ob < 3; ++ob) {
                    size_t n = lengths[li];
                    long double sa, ref = ref_dot(a + oa, b + ob, n, &sa);
                    double got = mossa_dot_f32(a + oa, b + ob, n);
                    ck_assert_msg(fabsl((long double)got - ref) <= 3e-6L * sa + 1e-30L,
                                  "%s n=%zu: %.9g vs %.9Lg", mossa_simd_name(lvl), n, got, ref);
                }
    }
    free(a); free(b);
}
END_TEST

START_TEST(dot_of_small_integers_is_exact)
{
    /* products and every partial sum are small integers, exact in float:
       any summation order must give the exact total */
    const size_t n = 100003;
    float *a = (float *)malloc(n * sizeof(float)), *b = (float *)malloc(n * sizeof(float));
    test_rng r = test_rng_make(13);
    mossa_simd_level lvl;
    long long want = 0;
    size_t i;
    for (i = 0; i < n; ++i) {
        a[i] = (float)((int)(test_rng_next(&r) % 7) - 3);
        b[i] = (float)((int)(test_rng_next(&r) % 5) - 2);
        want += (long long)a[i] * (long long)b[i];
    }
    FOR_EACH_SIMD_LEVEL(lvl) ck_assert(mossa_dot_f32(a, b, n) == (double)want);
    free(a); free(b);
}
END_TEST

START_TEST(dot_every_pair_of_misalignments)
{
    /* offsets 0..15 floats on both arguments: no alignment assumption */
    mossa_simd_level lvl;
    const size_t n = 1000;
    float *a = test_random_floats(n + 16, 14, 1.0), *b = test_random_floats(n + 16, 15, 1.0);
    FOR_EACH_SIMD_LEVEL(lvl) {
        int oa, ob;
        for (oa = 0; oa < 16; ++oa)
            for (ob = 0; ob < 16; ++ob) {
                long double sa, ref = ref_dot(a + oa, b + ob, n, &sa);
                ck_assert(fabsl((long double)mossa_dot_f32(a + oa, b + ob, n) - ref) <= 3e-6L * sa);
            }
    }
    free(a); free(b);
}
END_TEST

START_TEST(dot_of_nothing_is_zero)
{
    mossa_simd_level lvl;
    float a = 1.0f;
    FOR_EACH_SIMD_LEVEL(lvl) ck_assert(mossa_dot_f32(&a, &a, 0) == 0.0);
}
END_TEST

START_TEST(dot_block_promotion_keeps_long_sums_accurate)
{
    /* 1e6 positive products summing to ~2.5e5: one float accumulator would
       lose ~1e-4 relative; 256-element float blocks promoted to double keep
       mossa within 1e-6. The naive float sum is computed here too, to show
       the data really does defeat plain float accumulation. */
    const size_t n = 1000000;
    float *a = (float *)malloc(n * sizeof(float)), *b = (float *)malloc(n * sizeof(float));
    test_rng r = test_rng_make(99);
    mossa_simd_level lvl;
    long double ref;
    volatile float naive = 0;
    size_t i;
    for (i = 0; i < n; ++i) {
        a[i] = (float)test_uniform(&r);
        b[i] = (float)test_uniform(&r);
    }
    ref = ref_dot(a, b, n, NULL);
    for (i = 0; i < n; ++i) naive = naive + a[i] * b[i];
    ck_assert(fabsl((long double)naive - ref) / ref > 2e-5L);
    FOR_EACH_SIMD_LEVEL(lvl) {
        double got = mossa_dot_f32(a, b, n);
        long double rel = fabsl((long double)got - ref) / ref;
        printf("  dot n=%zu %-7s relative error %.2Le (naive float %.2Le)\n", n,
               mossa_simd_name(lvl), rel, fabsl((long double)naive - ref) / ref);
        ck_assert_msg(rel < 1e-6L, "%s: rel %Lg", mossa_simd_name(lvl), rel);
    }
    free(a); free(b);
}
END_TEST

START_TEST(dot_levels_agree_within_tolerance)
{
    /* all levels within 1e-6 * sum|ab| of the scalar level (in practice
       they agree to ~1e-7) */
    const size_t n = 3001;
    float *a = test_random_floats(n, 21, 3.0), *b = test_random_floats(n, 22, 0.5);
    long double sa;
    double scalar;
    mossa_simd_level lvl;
    ref_dot(a, b, n, &sa);
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_SCALAR), MOSSA_OK);
    scalar = mossa_dot_f32(a, b, n);
    FOR_EACH_SIMD_LEVEL(lvl) ck_assert(fabsl((long double)mossa_dot_f32(a, b, n) - scalar) <= 1e-6L * sa);
    free(a); free(b);
}
END_TEST

START_TEST(dot_propagates_inf_and_nan_from_any_position)
{
    /* a NaN in the masked tail or an Inf in the middle must not be lost */
    mossa_simd_level lvl;
    float a[37], b[37];
    int i, pos;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (pos = 0; pos < 37; pos += 6) {
            for (i = 0; i < 37; ++i) { a[i] = 1.0f; b[i] = 0.5f; }
            a[pos] = (float)NAN;
            ck_assert(isnan(mossa_dot_f32(a, b, 37)));
            a[pos] = (float)INFINITY;
            ck_assert(isinf(mossa_dot_f32(a, b, 37)) && mossa_dot_f32(a, b, 37) > 0);
        }
        a[36] = (float)NAN;
        ck_assert(!isnan(mossa_dot_f32(a, b, 36)));   /* n excludes it */
    }
}
END_TEST

/* ---- axpy --------------------------------------------------------------- */
START_TEST(axpy_is_exact_and_writes_only_n_elements)
{
    /* y + fl(alpha x) with one more rounding, computed in double (exact:
       the operands have similar magnitudes, so the double sum is exact) */
    mossa_simd_level lvl;
    const float alpha = 0.7f;
    float *x = test_random_floats(4099 + 8, 31, 1.0), *y0 = test_random_floats(4099 + 8, 32, 1.0);
    float *y = (float *)malloc((4099 + 16) * sizeof(float));
    FOR_EACH_SIMD_LEVEL(lvl) {
        size_t li, i;
        int off;
        for (li = 0; li < N_LENGTHS; ++li)
            for (off = 0; off < 3; ++off) {
                size_t n = lengths[li];
                for (i = 0; i < 4099 + 16; ++i) y[i] = -12345.0f;
                memcpy(y + off, y0, n * sizeof(float));
                mossa_axpy_f32(n, alpha, x + 1, y + off);
                for (i = 0; i < n; ++i) {
                    float p = alpha * x[1 + i];
                    float want = (float)((double)y0[i] + (double)p);
                    ck_assert_msg(float_to_bits(y[off + i]) == float_to_bits(want),
                                  "%s n=%zu i=%zu", mossa_simd_name(lvl), n, i);
                }
                for (i = 0; i < (size_t)off; ++i) ck_assert(y[i] == -12345.0f);
                for (i = off + n; i < 4099 + 16; ++i) ck_assert(y[i] == -12345.0f);
            }
    }
    free(x); free(y0); free(y);
}
END_TEST

START_TEST(axpy_with_alpha_minus_one_and_x_equal_y_gives_zeros)
{
    mossa_simd_level lvl;
    float *x = test_random_floats(1000, 33, 10.0), *y = (float *)malloc(1000 * sizeof(float));
    size_t i;
    FOR_EACH_SIMD_LEVEL(lvl) {
        memcpy(y, x, 1000 * sizeof(float));
        mossa_axpy_f32(1000, -1.0f, x, y);
        for (i = 0; i < 1000; ++i) ck_assert(y[i] == 0.0f);
        mossa_axpy_f32(1000, 0.0f, x, y);
        for (i = 0; i < 1000; ++i) ck_assert(y[i] == 0.0f);
    }
    free(x); free(y);
}
END_TEST

/* ---- sqdist ------------------------------------------------------------- */
static void check_sqdist(size_t m, size_t d, size_t ldy, int xoff, unsigned long long seed)
{
    /* Y's padding columns (ldy > d) hold NaN: reading them would poison
       the result. out[m] is a guard that must stay untouched. */
    float *x = test_random_floats(d + 4, seed, 1.0);
    float *Yb = test_random_floats(m * ldy + 4, seed + 1, 1.0);
    float *out = (float *)malloc((m + 1) * sizeof(float));
    const float *Y = Yb + 1;
    mossa_simd_level lvl;
    size_t j, k;
    for (j = 0; j < m; ++j)
        for (k = d; k < ldy; ++k) Yb[1 + j * ldy + k] = (float)NAN;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (j = 0; j <= m; ++j) out[j] = -1.0f;
        mossa_sqdist_f32(x + xoff, Y, m, d, ldy, out);
        for (j = 0; j < m; ++j) {
            long double ref = ref_sqdist(x + xoff, Y + j * ldy, d);
            long double tol = ((long double)d / 4 + 8) * 5.9604644775390625e-8L * ref;
            ck_assert_msg(fabsl((long double)out[j] - ref) <= tol,
                          "%s m=%zu d=%zu ldy=%zu row %zu: %.9g vs %.9Lg",
                          mossa_simd_name(lvl), m, d, ldy, j, out[j], ref);
        }
        ck_assert(out[m] == -1.0f);
    }
    free(x); free(Yb); free(out);
}

START_TEST(sqdist_matches_long_double_for_all_lengths_with_padding)
{
    static const size_t ms[] = {1, 3, 4, 5, 8, 9, 17};
    size_t li, mi;
    for (li = 0; li < N_LENGTHS; ++li)
        for (mi = 0; mi < sizeof(ms) / sizeof(ms[0]); ++mi) {
            size_t d = lengths[li];
            if (d > 1000 && ms[mi] > 5) continue;
            check_sqdist(ms[mi], d, d + 5, 1, 40 + li);
        }
}
END_TEST

START_TEST(sqdist_many_rows_dense)
{
    check_sqdist(1000, 50, 50, 0, 51);
    check_sqdist(67, 256, 256, 3, 52);
    check_sqdist(9, 4099, 4100, 2, 53);
}
END_TEST

START_TEST(sqdist_is_exactly_zero_for_identical_rows)
{
    mossa_simd_level lvl;
    const size_t d = 77, m = 11;
    float *x = test_random_floats(d, 61, 5.0), *Y = (float *)malloc(m * d * sizeof(float));
    float out[11];
    size_t j;
    for (j = 0; j < m; ++j) memcpy(Y + j * d, x, d * sizeof(float));
    FOR_EACH_SIMD_LEVEL(lvl) {
        mossa_sqdist_f32(x, Y, m, d, d, out);
        for (j = 0; j < m; ++j) ck_assert(out[j] == 0.0f);
    }
    free(x); free(Y);
}
END_TEST

START_TEST(sqdist_with_zero_features_is_zero_and_zero_rows_write_nothing)
{
    mossa_simd_level lvl;
    float x[1] = {1}, Y[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[9];
    int j;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (j = 0; j < 9; ++j) out[j] = -1.0f;
        mossa_sqdist_f32(x, Y, 8, 0, 1, out);
        for (j = 0; j < 8; ++j) ck_assert(out[j] == 0.0f);
        ck_assert(out[8] == -1.0f);
        mossa_sqdist_f32(x, Y, 0, 1, 1, out + 8);
        ck_assert(out[8] == -1.0f);
    }
}
END_TEST

START_TEST(sqdist_propagates_nan_in_the_tail)
{
    mossa_simd_level lvl;
    const size_t d = 37, m = 9;
    float *x = test_random_floats(d, 71, 1.0), *Y = test_random_floats(m * d, 72, 1.0);
    float out[9];
    size_t j;
    Y[4 * d + d - 1] = (float)NAN;   /* last feature of row 4 */
    FOR_EACH_SIMD_LEVEL(lvl) {
        mossa_sqdist_f32(x, Y, m, d, d, out);
        for (j = 0; j < m; ++j) ck_assert(j == 4 ? isnan(out[j]) : !isnan(out[j]));
    }
    free(x); free(Y);
}
END_TEST

START_TEST(sqdist_levels_agree_within_tolerance)
{
    const size_t d = 129, m = 23;
    float *x = test_random_floats(d, 81, 2.0), *Y = test_random_floats(m * d, 82, 2.0);
    float ref[23], out[23];
    mossa_simd_level lvl;
    size_t j;
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_SCALAR), MOSSA_OK);
    mossa_sqdist_f32(x, Y, m, d, d, ref);
    FOR_EACH_SIMD_LEVEL(lvl) {
        mossa_sqdist_f32(x, Y, m, d, d, out);
        /* twice the per-level bound (d/4 + 8) 2^-24 */
        for (j = 0; j < m; ++j) ck_assert(fabsf(out[j] - ref[j]) <= 4.8e-6f * ref[j]);
    }
    free(x); free(Y);
}
END_TEST

/* ---- exp / log: the whole range ------------------------------------------ */
typedef float (*test_unary)(float);
typedef void (*test_array_fn)(const float *, float *, size_t);

#define CHUNK 4096

typedef struct ulp_stats {
    double max_ulp[MOSSA_SIMD_LEVEL_COUNT];       /* vs the double reference */
    float worst[MOSSA_SIMD_LEVEL_COUNT];
    double max_vs_float[MOSSA_SIMD_LEVEL_COUNT];  /* vs SLEEF's float u10 */
    size_t count;
} ulp_stats;

/* Evaluates fn at every level on xs[0..n) and folds the errors in. */
static void ulp_chunk(test_array_fn fn, double (*ref)(float), test_unary sleef_f,
                      const float *xs, size_t n, ulp_stats *st)
{
    static double want[CHUNK];
    static float wantf[CHUNK], got[CHUNK];
    mossa_simd_level lvl;
    size_t i;
    for (i = 0; i < n; ++i) {
        want[i] = ref(xs[i]);
        wantf[i] = sleef_f ? sleef_f(xs[i]) : 0.0f;
    }
    FOR_EACH_SIMD_LEVEL(lvl) {
        fn(xs, got, n);
        for (i = 0; i < n; ++i) {
            double e = test_ulp_diff(got[i], want[i]);
            if (e > st->max_ulp[lvl]) { st->max_ulp[lvl] = e; st->worst[lvl] = xs[i]; }
            if (sleef_f) {
                e = test_ulp_diff(got[i], (double)wantf[i]);
                if (e > st->max_vs_float[lvl]) st->max_vs_float[lvl] = e;
            }
        }
    }
    st->count += n;
}

/* Every stride-th float bit pattern in [lo_bits, hi_bits]. */
static void ulp_sweep(test_array_fn fn, double (*ref)(float), test_unary sleef_f,
                      uint32_t lo_bits, uint32_t hi_bits, uint32_t stride, ulp_stats *st)
{
    float xs[CHUNK];
    size_t k = 0;
    uint64_t b;
    for (b = lo_bits; b <= hi_bits; b += stride) {
        xs[k++] = bits_to_float((uint32_t)b);
        if (k == CHUNK) { ulp_chunk(fn, ref, sleef_f, xs, k, st); k = 0; }
    }
    if (k) ulp_chunk(fn, ref, sleef_f, xs, k, st);
}

static void ulp_report(const char *what, const ulp_stats *st, double limit)
{
    mossa_simd_level lvl;
    FOR_EACH_SIMD_LEVEL(lvl) {
        printf("  %s %-7s max %.3f ULP at %a (%zu points)", what, mossa_simd_name(lvl),
               st->max_ulp[lvl], (double)st->worst[lvl], st->count);
#ifndef MOSSA_NO_SLEEF
        printf("; vs SLEEF float u10: max %.0f ULP", st->max_vs_float[lvl]);
#endif
        printf("\n");
        ck_assert_msg(st->max_ulp[lvl] <= limit, "%s %s: %.3f ULP at %a", what,
                      mossa_simd_name(lvl), st->max_ulp[lvl], (double)st->worst[lvl]);
        ck_assert_msg(st->max_vs_float[lvl] <= limit, "%s %s: %.0f ULP from SLEEF's float result",
                      what, mossa_simd_name(lvl), st->max_vs_float[lvl]);
    }
}

#ifdef MOSSA_NO_SLEEF
#define SLEEF_EXPF NULL
#define SLEEF_LOGF NULL
#else
static float sleef_expf(float x) { return Sleef_expf_u10(x); }
static float sleef_logf(float x) { return Sleef_logf_u10(x); }
#define SLEEF_EXPF sleef_expf
#define SLEEF_LOGF sleef_logf
#endif

static uint32_t sweep_stride(void)
{
    /* primes, so every residue of the low mantissa bits is visited */
    return emulated() ? 20011u : 97u;
}

START_TEST(expf_within_2_ulp_over_the_whole_range)
{
    /* [-104, 89] and a little beyond: from below the underflow-to-zero
       threshold (-103.97), through subnormal results (x < -87.3), to
       overflow (88.72). Both signs, every 97th float. */
    ulp_stats st;
    memset(&st, 0, sizeof st);
    ulp_sweep(mossa_expf_array, ref_exp, SLEEF_EXPF, 0u, float_to_bits(90.0f), sweep_stride(), &st);
    ulp_sweep(mossa_expf_array, ref_exp, SLEEF_EXPF, 0x80000000u, float_to_bits(-105.0f),
              sweep_stride(), &st);
    ulp_report("expf", &st, 2.0);
}
END_TEST

START_TEST(logf_within_2_ulp_over_all_positive_floats)
{
    /* every 97th bit pattern from the smallest subnormal to FLT_MAX */
    ulp_stats st;
    memset(&st, 0, sizeof st);
    ulp_sweep(mossa_logf_array, ref_log, SLEEF_LOGF, 1u, 0x7f7fffffu, sweep_stride(), &st);
    ulp_report("logf", &st, 2.0);
}
END_TEST

START_TEST(expf_dense_where_results_are_subnormal_or_overflow)
{
    /* every float in [-104, -86] (results from 0 through the subnormals to
       the smallest normals) and in [88, 89] (around overflow) */
    ulp_stats st;
    uint32_t step = emulated() ? 101u : 1u;
    memset(&st, 0, sizeof st);
    ulp_sweep(mossa_expf_array, ref_exp, SLEEF_EXPF, float_to_bits(-86.0f), float_to_bits(-104.0f), step, &st);
    ulp_sweep(mossa_expf_array, ref_exp, SLEEF_EXPF, float_to_bits(88.0f), float_to_bits(89.0f), step, &st);
    ulp_report("expf tails", &st, 2.0);
}
END_TEST

START_TEST(logf_dense_near_one_and_over_subnormals)
{
    /* every float in [0.9, 1.1] (log near 0: no absolute-error excuse) and
       every 7th subnormal */
    ulp_stats st;
    uint32_t step = emulated() ? 101u : 1u;
    memset(&st, 0, sizeof st);
    ulp_sweep(mossa_logf_array, ref_log, SLEEF_LOGF, float_to_bits(0.9f), float_to_bits(1.1f), step, &st);
    ulp_sweep(mossa_logf_array, ref_log, SLEEF_LOGF, 1u, 0x007fffffu, step * 7, &st);
    ulp_report("logf near 1 and subnormal", &st, 2.0);
}
END_TEST

/* ---- exp / log: special values ---------------------------------------- */
static float expf_level(float x)
{
    float y;
    mossa_expf_array(&x, &y, 1);
    return y;
}

static float logf_level(float x)
{
    float y;
    mossa_logf_array(&x, &y, 1);
    return y;
}

START_TEST(expf_special_values)
{
    mossa_simd_level lvl;
    FOR_EACH_SIMD_LEVEL(lvl) {
        ck_assert(isnan(expf_level((float)NAN)));
        ck_assert(isnan(expf_level(-(float)NAN)));
        ck_assert(expf_level((float)INFINITY) == (float)INFINITY);
        ck_assert(float_to_bits(expf_level(-(float)INFINITY)) == 0u);   /* +0 */
        ck_assert(expf_level(0.0f) == 1.0f);
        ck_assert(expf_level(-0.0f) == 1.0f);
        ck_assert(expf_level(1e-30f) == 1.0f);
        ck_assert(expf_level(-1e-30f) == 1.0f || expf_level(-1e-30f) == bits_to_float(0x3f7fffffu));
        /* overflow threshold: log(FLT_MAX) = 88.7228391... */
        ck_assert(expf_level(88.72283f) < (float)INFINITY);
        ck_assert(expf_level(88.72284f) == (float)INFINITY);
        ck_assert(expf_level(1e30f) == (float)INFINITY);
        ck_assert(expf_level(FLT_MAX) == (float)INFINITY);
        /* underflow: exp(-103.97) ~ 2^-150 rounds to 0 below, 2^-149 above */
        ck_assert(expf_level(-103.9f) == bits_to_float(1u));
        ck_assert(expf_level(-104.0f) == 0.0f);
        ck_assert(expf_level(-1e30f) == 0.0f);
        ck_assert(expf_level(-FLT_MAX) == 0.0f);
        /* a subnormal result: exp(-100) = 3.72e-44 = 26.55 * 2^-149 */
        ck_assert(expf_level(-100.0f) == bits_to_float(27u));
        /* and a smallest-normal neighbourhood one: exp(-87.5) */
        ck_assert(test_ulp_diff(expf_level(-87.5f), ref_exp(-87.5f)) <= 2.0);
    }
}
END_TEST

START_TEST(logf_special_values)
{
    mossa_simd_level lvl;
    FOR_EACH_SIMD_LEVEL(lvl) {
        int k;
        ck_assert(isnan(logf_level((float)NAN)));
        ck_assert(isnan(logf_level(-1.0f)));
        ck_assert(isnan(logf_level(-FLT_MIN)));
        ck_assert(isnan(logf_level(-bits_to_float(1u))));
        ck_assert(isnan(logf_level(-(float)INFINITY)));
        ck_assert(logf_level(0.0f) == -(float)INFINITY);
        ck_assert(logf_level(-0.0f) == -(float)INFINITY);
        ck_assert(logf_level((float)INFINITY) == (float)INFINITY);
        ck_assert(float_to_bits(logf_level(1.0f)) == 0u);   /* exactly +0 */
        ck_assert(test_ulp_diff(logf_level(FLT_MAX), ref_log(FLT_MAX)) <= 1.0);
        ck_assert(test_ulp_diff(logf_level(FLT_MIN), ref_log(FLT_MIN)) <= 1.0);
        ck_assert(test_ulp_diff(logf_level(bits_to_float(1u)), ref_log(bits_to_float(1u))) <= 1.0);
        /* powers of two: k ln 2 */
        for (k = -149; k <= 127; ++k) {
            float x = (float)ldexp(1.0, k);
            ck_assert_msg(test_ulp_diff(logf_level(x), ref_log(x)) <= 1.0, "log(2^%d)", k);
        }
    }
}
END_TEST

START_TEST(special_values_mixed_into_full_vectors)
{
    /* NaN, infinities, zeros, subnormal and overflowing results share
       vectors with ordinary lanes, at every lane position: each result must
       be what that value gives alone, and of the right kind. */
    static const float pool[] = {0.5f, -100.0f, 0.0f, 89.0f, -1.0f, -87.9f, 1e-40f, 3.0f,
                                 -103.5f, 20.0f, 88.5f, -0.0f, 1e30f, -1e30f, 2.0f, -95.0f};
    float x[64 + 13], y[64 + 13], one;
    mossa_simd_level lvl;
    int i, rot;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (rot = 0; rot < 13; ++rot) {
            for (i = 0; i < 64 + 13; ++i) x[i] = pool[(i * 7 + rot) % 16];
            x[(rot * 5) % 64] = (float)NAN;
            x[(rot * 11 + 3) % 64] = (float)INFINITY;
            x[(rot * 3 + 7) % 64] = -(float)INFINITY;
            x[(rot * 13 + 1) % 64] = -(float)NAN;   /* sign bit set: a different bit pattern */
            mossa_expf_array(x, y, 64 + 13);
            for (i = 0; i < 64 + 13; ++i) {
                mossa_expf_array(x + i, &one, 1);
                ck_assert(isnan(x[i]) ? isnan(y[i]) : float_to_bits(y[i]) == float_to_bits(one));
                ck_assert(isnan(x[i]) || test_ulp_diff(y[i], ref_exp(x[i])) <= 2.0);
            }
            mossa_logf_array(x, y, 64 + 13);
            for (i = 0; i < 64 + 13; ++i) {
                mossa_logf_array(x + i, &one, 1);
                ck_assert(isnan(one) ? isnan(y[i]) : float_to_bits(y[i]) == float_to_bits(one));
                if (x[i] < 0 || isnan(x[i])) ck_assert(isnan(y[i]));
                else ck_assert(test_ulp_diff(y[i], ref_log(x[i])) <= 2.0);
            }
        }
    }
}
END_TEST

/* ---- exp / log: array handling -------------------------------------------- */
/* Every length, offsets 0..2, guard values around the output, and each
   element equal to what the same level gives for that value alone. */
static void check_array_fn(test_array_fn fn, float lo, float hi, unsigned long long seed)
{
    const size_t cap = 4099 + 8;
    float *x = (float *)malloc(cap * sizeof(float)), *y = (float *)malloc(cap * sizeof(float));
    float *one = (float *)malloc(cap * sizeof(float));
    test_rng r = test_rng_make(seed);
    mossa_simd_level lvl;
    size_t i;
    for (i = 0; i < cap; ++i) x[i] = (float)(lo + (hi - lo) * test_uniform(&r));
    FOR_EACH_SIMD_LEVEL(lvl) {
        size_t li;
        int off;
        for (i = 0; i < cap; ++i) fn(x + i, one + i, 1);
        for (li = 0; li < N_LENGTHS; ++li)
            for (off = 0; off < 3; ++off) {
                size_t n = lengths[li];
                for (i = 0; i < cap; ++i) y[i] = -7.0f;
                fn(x + off, y + 1, n);
                ck_assert(y[0] == -7.0f);
                for (i = 0; i < n; ++i)
                    ck_assert_msg(float_to_bits(y[1 + i]) == float_to_bits(one[off + i]),
                                  "%s n=%zu i=%zu", mossa_simd_name(lvl), n, i);
                for (i = n + 1; i < cap; ++i) ck_assert(y[i] == -7.0f);
            }
    }
    free(x); free(y); free(one);
}

START_TEST(expf_array_all_lengths_offsets_and_tails)
{
    check_array_fn(mossa_expf_array, -95.0f, 95.0f, 91);
}
END_TEST

START_TEST(logf_array_all_lengths_offsets_and_tails)
{
    check_array_fn(mossa_logf_array, 0.0f, 50.0f, 92);
}
END_TEST

START_TEST(expf_and_logf_work_in_place)
{
    /* x and y may alias: the in-place result equals the out-of-place one */
    mossa_simd_level lvl;
    const size_t n = 1001;
    float *x = test_random_floats(n, 93, 20.0), *y = (float *)malloc(n * sizeof(float));
    float *z = (float *)malloc(n * sizeof(float)), *w = (float *)malloc(n * sizeof(float));
    size_t i;
    for (i = 0; i < n; ++i) w[i] = fabsf(x[i]);
    FOR_EACH_SIMD_LEVEL(lvl) {
        mossa_expf_array(x, y, n);
        memcpy(z, x, n * sizeof(float));
        mossa_expf_array(z, z, n);
        ck_assert(memcmp(y, z, n * sizeof(float)) == 0);
        mossa_logf_array(w, y, n);
        memcpy(z, w, n * sizeof(float));
        mossa_logf_array(z, z, n);
        ck_assert(memcmp(y, z, n * sizeof(float)) == 0);
    }
    free(x); free(y); free(z); free(w);
}
END_TEST

START_TEST(expf_logf_levels_agree_within_2_ulp)
{
    /* every level is within 2 ULP of the truth; here they are compared
       with the scalar level directly (measured: at most 1 ULP apart) */
    const size_t n = 100000;
    float *x = (float *)malloc(n * sizeof(float)), *xl = (float *)malloc(n * sizeof(float));
    float *es = (float *)malloc(n * sizeof(float)), *ls = (float *)malloc(n * sizeof(float));
    float *e = (float *)malloc(n * sizeof(float)), *l = (float *)malloc(n * sizeof(float));
    test_rng r = test_rng_make(94);
    mossa_simd_level lvl;
    size_t i;
    for (i = 0; i < n; ++i) {
        x[i] = (float)(-100 + 188 * test_uniform(&r));
        xl[i] = bits_to_float((uint32_t)(test_rng_next(&r) % 0x7f800000u));
    }
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_SCALAR), MOSSA_OK);
    mossa_expf_array(x, es, n);
    mossa_logf_array(xl, ls, n);
    FOR_EACH_SIMD_LEVEL(lvl) {
        mossa_expf_array(x, e, n);
        mossa_logf_array(xl, l, n);
        for (i = 0; i < n; ++i) {
            ck_assert(test_ulp_diff(e[i], (double)es[i]) <= 2.0);
            ck_assert(test_ulp_diff(l[i], (double)ls[i]) <= 2.0);
        }
    }
    free(x); free(xl); free(es); free(ls); free(e); free(l);
}
END_TEST

START_TEST(vector_levels_really_compute_differently_from_scalar)
{
    /* The forced level's own code must run: the vector levels use fused
       multiply-adds, so on many inputs their exp differs from the scalar
       level's in the last bit. (Counting calls is test_core's job; this
       shows the arithmetic itself changed.) */
    const size_t n = 4096;
    float *x = test_random_floats(n, 95, 10.0);
    float *ys = (float *)malloc(n * sizeof(float)), *y = (float *)malloc(n * sizeof(float));
    mossa_simd_level lvl;
    size_t i, differ;
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_SCALAR), MOSSA_OK);
    mossa_expf_array(x, ys, n);
    FOR_EACH_SIMD_LEVEL(lvl) {
        if (lvl == MOSSA_SIMD_SCALAR) continue;
        mossa_expf_array(x, y, n);
        for (i = 0, differ = 0; i < n; ++i) differ += float_to_bits(y[i]) != float_to_bits(ys[i]);
        printf("  %s expf differs from scalar in %zu of %zu results\n", mossa_simd_name(lvl), differ, n);
        ck_assert(differ > 0);
    }
    free(x); free(ys); free(y);
}
END_TEST

/* ---- column sums and the RBF median's counting (impl/cka.c, gemm.c) ------ */
float mossa_test_colsum(const float *x, size_t n, size_t ldx, size_t cols, double *s);
void mossa_test_rbf_dist_keep(const double *g, size_t n, double dr, const double *dc, float *dst,
                              uint32_t lo, uint32_t width, float *keep, size_t cap, size_t counts[3]);

/* Every level adds each column in row order onto the running sums, so the
   sums equal a plain double loop to the bit; the max |x| skips NaN. */
START_TEST(colsum_is_the_row_order_double_sum_at_every_level)
{
    static const size_t colss[] = {1, 3, 8, 15, 16, 17, 31, 33, 48, 63, 64};
    const size_t n = 301, ldx = 71;
    float *x = test_random_floats(n * ldx, 91, 3.0);
    double s[64], want[64];
    mossa_simd_level lvl;
    size_t ci, c, i;
    x[5 * ldx + 9] = 1e30f;          /* |x| max, and sums far from plain magnitudes */
    x[7 * ldx + 2] = -2.5e30f;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (ci = 0; ci < sizeof(colss) / sizeof(colss[0]); ++ci) {
            size_t cols = colss[ci], off = ci % 5;
            float m, wm = 0.0f;
            for (c = 0; c < cols; ++c) s[c] = want[c] = (double)c - 7.25;   /* running sums */
            for (i = 0; i < n; ++i)
                for (c = 0; c < cols; ++c) {
                    float a = fabsf(x[i * ldx + off + c]);
                    want[c] += (double)x[i * ldx + off + c];
                    wm = a > wm ? a : wm;
                }
            m = mossa_test_colsum(x + off, n, ldx, cols, s);
            for (c = 0; c < cols; ++c)
                ck_assert_msg(memcmp(&s[c], &want[c], sizeof(double)) == 0, "level %d cols %zu col %zu: %.17g vs %.17g",
                              (int)lvl, cols, c, s[c], want[c]);
            ck_assert_msg(m == wm, "level %d cols %zu: max %g vs %g", (int)lvl, cols, (double)m, (double)wm);
        }
    }
    free(x);
}
END_TEST

/* ---- the rank's column statistics and shifted packing (impl/svd.c, gemm.c) -- */
void mossa_test_pack_shift16(const float *x, const double *sh, double scale, float *out, size_t runs,
                             size_t ostride);
void mossa_test_colstat(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q, size_t d);

/* Every level forms c = x - shift in double and adds c and c * c (rounded,
   not fused) onto running sums, row after row: bit-identical to the plain
   loop, for every length (vector bodies and masked or scalar rests),
   offset and number of rows per call (1, 3 and 8 rows, ldx past d); a
   NaN or Inf reaches only its own column. */
START_TEST(colstat_is_the_plain_double_update_at_every_level)
{
    static const size_t nrows[3] = {1, 3, 8};
    const size_t dmax = 70, ldx = dmax + 13;
    float *x = test_random_floats(8 * ldx, 313, 2.0);
    double sh[78], s[78], q[78], ws[78], wq[78];
    mossa_simd_level lvl;
    size_t d, j, off, ri, r;
    x[3] = 3.0e30f; x[11] = -1.5e-30f; x[2 * ldx + 5] = -2.5e30f;
    for (j = 0; j < dmax + 8; ++j) sh[j] = (double)x[(j * 7) % (dmax + 8)] * 0.5 + (double)j;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (d = 1; d <= dmax; ++d)
            for (off = 0; off < 4; ++off)
                for (ri = 0; ri < 3; ++ri) {
                    size_t rows = nrows[ri];
                    for (j = 0; j < d + 4; ++j) { s[j] = ws[j] = (double)j - 3.5; q[j] = wq[j] = 0.25 * (double)j; }
                    for (r = 0; r < rows; ++r)
                        for (j = 0; j < d; ++j) {
                            double c = (double)x[r * ldx + off + j] - sh[off + j], e = c * c;
                            ws[j] += c;
                            wq[j] += e;
                        }
                    mossa_test_colstat(x + off, ldx, rows, sh + off, s, q, d);
                    ck_assert_msg(memcmp(s, ws, (d + 4) * sizeof(double)) == 0 &&
                                      memcmp(q, wq, (d + 4) * sizeof(double)) == 0,
                                  "level %d d %zu off %zu rows %zu: sums differ from the plain loop", (int)lvl, d, off,
                                  rows);
                }
        /* non-finite entries poison their own column only */
        {
            float y[19];
            for (j = 0; j < 19; ++j) { y[j] = (float)j; s[j] = q[j] = 0.0; sh[j] = 1.0; }
            y[4] = NAN; y[17] = INFINITY;
            mossa_test_colstat(y, 19, 1, sh, s, q, 19);
            for (j = 0; j < 19; ++j) {
                int bad = j == 4 || j == 17;
                ck_assert_msg(bad ? !(s[j] - s[j] == 0.0) && !(q[j] - q[j] == 0.0)
                                  : s[j] == (double)j - 1.0 && q[j] == ((double)j - 1.0) * ((double)j - 1.0),
                              "level %d column %zu: %g %g", (int)lvl, j, s[j], q[j]);
            }
        }
    }
    free(x);
}
END_TEST

/* Every level packs the same floats as the plain expression, runs of 16
   written ostride apart (nothing in between touched), with and without a
   shift, at scales 1 and 2^+-40. */
START_TEST(pack_shift16_is_the_plain_rounding_at_every_level)
{
    const size_t runs_max = 9, ostride = 37;
    float *x = test_random_floats(16 * runs_max, 515, 4.0), out[9 * 37 + 16], want[9 * 37 + 16];
    double sh[16 * 9];
    static const double scales[3] = {1.0, 0x1p-40, 0x1p40};
    mossa_simd_level lvl;
    size_t runs, r, c, si;
    int shifted;
    x[7] = -0.0f; x[20] = 1e-38f; x[33] = 3.0e30f;
    for (c = 0; c < 16 * runs_max; ++c) sh[c] = 1000.0 + (double)x[(c * 5) % (16 * runs_max)] * 0.01 - (double)c;
    sh[7] = 0.0;
    FOR_EACH_SIMD_LEVEL(lvl)
        for (si = 0; si < 3; ++si)
            for (shifted = 0; shifted < 2; ++shifted)
                for (runs = 1; runs <= runs_max; ++runs) {
                    for (c = 0; c < sizeof(out) / sizeof(out[0]); ++c) out[c] = want[c] = -7.0f;
                    for (r = 0; r < runs; ++r)
                        for (c = 0; c < 16; ++c)
                            want[r * ostride + c] = (float)(((double)x[16 * r + c] - (shifted ? sh[16 * r + c] : 0.0)) * scales[si]);
                    mossa_test_pack_shift16(x, shifted ? sh : NULL, scales[si], out, runs, ostride);
                    ck_assert_msg(memcmp(out, want, sizeof(out)) == 0, "level %d scale %g shift %d runs %zu: packed floats differ",
                                  (int)lvl, scales[si], shifted, runs);
                }
    free(x);
}
END_TEST

START_TEST(colsum_nan_poisons_its_column_only_and_inf_is_the_max)
{
    const size_t n = 40, ldx = 64, cols = 64;
    float *x = test_random_floats(n * ldx, 92, 1.0);
    double s[64];
    mossa_simd_level lvl;
    size_t c;
    x[3 * ldx + 20] = NAN;
    FOR_EACH_SIMD_LEVEL(lvl) {
        float m;
        for (c = 0; c < cols; ++c) s[c] = 0.0;
        m = mossa_test_colsum(x, n, ldx, cols, s);
        for (c = 0; c < cols; ++c) ck_assert(c == 20 ? isnan(s[c]) : isfinite(s[c]));
        ck_assert(isfinite(m) && m > 1.0f && m < 10.0f);
        x[9 * ldx + 61] = -INFINITY;
        for (c = 0; c < cols; ++c) s[c] = 0.0;
        m = mossa_test_colsum(x, n, ldx, cols, s);
        ck_assert(isinf(m) && isinf(s[61]));
        x[9 * ldx + 61] = 0.5f;
    }
    free(x);
}
END_TEST

/* dst = (float)max(dr + dc - 2 g, 0) to the bit, and the counts below and
   inside [lo, lo + width] (bit patterns) plus the values kept match a
   plain loop, at every level, with the room ample and too small. */
START_TEST(rbf_dist_counts_and_keeps_the_median_bracket_at_every_level)
{
    const size_t n = 203;
    double g[203], dc[203];
    float dst[203], keep[203 + 16], want_in[203];
    const float lof = 0.8f, hif = 1.3f;
    uint32_t lo, hi;
    test_rng r = test_rng_make(93);
    mossa_simd_level lvl;
    size_t j, len, nb, ni, counts[3];
    memcpy(&lo, &lof, 4); memcpy(&hi, &hif, 4);
    for (j = 0; j < n; ++j) {
        g[j] = (test_uniform(&r) - 0.5) * 1.2;
        dc[j] = 0.2 + test_uniform(&r);
    }
    g[4] = 5.0;    /* negative distance: clamped to 0 */
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (len = 0; len <= n; len += (len < 40 ? 1 : 37)) {
            size_t caps[2], ci;
            nb = ni = 0;
            for (j = 0; j < len; ++j) {
                double v = 0.35 + dc[j] - 2.0 * g[j];
                float f = v > 0.0 ? (float)v : 0.0f;
                uint32_t b;
                memcpy(&b, &f, 4);
                nb += b < lo;
                if (b - lo <= hi - lo) want_in[ni++] = f;
            }
            caps[0] = len; caps[1] = ni / 2;
            for (ci = 0; ci < 2; ++ci) {
                size_t a, b2, found;
                mossa_test_rbf_dist_keep(g, len, 0.35, dc, dst, lo, hi - lo, keep, caps[ci], counts);
                for (j = 0; j < len; ++j) {
                    double v = 0.35 + dc[j] - 2.0 * g[j];
                    float f = v > 0.0 ? (float)v : 0.0f;
                    ck_assert(memcmp(&dst[j], &f, 4) == 0);
                }
                ck_assert_uint_eq(counts[0], nb);
                ck_assert_uint_eq(counts[1], ni);
                if (ni <= caps[ci]) {
                    /* all kept, as a multiset */
                    ck_assert_uint_eq(counts[2], ni);
                    for (a = 0; a < ni; ++a) {
                        for (found = 0, b2 = 0; b2 < ni; ++b2) found += keep[b2] == want_in[a];
                        for (b2 = 0; b2 < ni; ++b2) found -= want_in[b2] == want_in[a];
                        ck_assert_uint_eq(found, 0);
                    }
                } else {
                    /* overflow is visible: the count exceeds the room */
                    ck_assert_uint_ge(counts[2], caps[ci]);
                    ck_assert_uint_le(counts[2], caps[ci] + 16);
                }
            }
        }
        /* without a keep state only the distances are written */
        mossa_test_rbf_dist_keep(g, n, 0.35, dc, dst, lo, hi - lo, NULL, 0, counts);
        ck_assert(dst[4] == 0.0f);
    }
}
END_TEST

Suite *suite_kernels(void)
{
    Suite *s = suite_create("kernels");
    TCase *lin = tcase_create("linear");
    TCase *math = tcase_create("math");
    tcase_set_timeout(lin, 600);
    tcase_set_timeout(math, 900);
    tcase_add_test(lin, dot_matches_long_double_for_all_lengths_and_offsets);
    tcase_add_test(lin, dot_of_nothing_is_zero);
    tcase_add_test(lin, dot_of_small_integers_is_exact);
    tcase_add_test(lin, dot_every_pair_of_misalignments);
    tcase_add_test(lin, dot_block_promotion_keeps_long_sums_accurate);
    tcase_add_test(lin, dot_levels_agree_within_tolerance);
    tcase_add_test(lin, dot_propagates_inf_and_nan_from_any_position);
    tcase_add_test(lin, axpy_is_exact_and_writes_only_n_elements);
    tcase_add_test(lin, axpy_with_alpha_minus_one_and_x_equal_y_gives_zeros);
    tcase_add_test(lin, sqdist_matches_long_double_for_all_lengths_with_padding);
    tcase_add_test(lin, sqdist_many_rows_dense);
    tcase_add_test(lin, sqdist_is_exactly_zero_for_identical_rows);
    tcase_add_test(lin, sqdist_with_zero_features_is_zero_and_zero_rows_write_nothing);
    tcase_add_test(lin, sqdist_propagates_nan_in_the_tail);
    tcase_add_test(lin, sqdist_levels_agree_within_tolerance);
    tcase_add_test(lin, colsum_is_the_row_order_double_sum_at_every_level);
    tcase_add_test(lin, colsum_nan_poisons_its_column_only_and_inf_is_the_max);
    tcase_add_test(lin, colstat_is_the_plain_double_update_at_every_level);
    tcase_add_test(lin, pack_shift16_is_the_plain_rounding_at_every_level);
    tcase_add_test(lin, rbf_dist_counts_and_keeps_the_median_bracket_at_every_level);
    suite_add_tcase(s, lin);
    tcase_add_test(math, expf_within_2_ulp_over_the_whole_range);
    tcase_add_test(math, logf_within_2_ulp_over_all_positive_floats);
    tcase_add_test(math, expf_dense_where_results_are_subnormal_or_overflow);
    tcase_add_test(math, logf_dense_near_one_and_over_subnormals);
    tcase_add_test(math, expf_special_values);
    tcase_add_test(math, logf_special_values);
    tcase_add_test(math, special_values_mixed_into_full_vectors);
    tcase_add_test(math, expf_array_all_lengths_offsets_and_tails);
    tcase_add_test(math, logf_array_all_lengths_offsets_and_tails);
    tcase_add_test(math, expf_and_logf_work_in_place);
    tcase_add_test(math, expf_logf_levels_agree_within_2_ulp);
    tcase_add_test(math, vector_levels_really_compute_differently_from_scalar);
    suite_add_tcase(s, math);
    return s;
}
