/* fuzz_kernels.c - differential fuzzing of the foundation kernels: each
   SIMD level the CPU has (forced with mossa_simd_force) against the
   scalar level on the same input, plus exactness and libm checks.

   Input layout: byte 0 picks the value mode, byte 1 the sqdist shape,
   byte 2 a misalignment (0..15 floats), bytes 3..6 alpha; the rest are the
   vectors (a | b). Every buffer is an exactly-sized heap block so a vector
   load past the end is an ASan report.

   Modes and tolerances (NaN-aware throughout: NaN in <=> NaN out):
   0 raw float bits    - every value class (NaN, Inf, subnormals, huge);
   1 moderate values   - int16 / 256;
   2 small integers    - [-64, 63]: every product and partial sum is an
                         exact float, so every level must equal the exact
                         result bit for bit (catches any dropped or
                         repeated element, however small).
   dot:    |level - scalar| <= 96 * 2^-24 * sum|a_i b_i| (+ 2^-126 n): both
           are within gamma_k sum|a_i b_i| of the truth with k ~ 256/lanes
           + log2(lanes) + 2 <= 40 (blocks of 256, double block sums).
           Compared only when sum|a_i b_i| < FLT_MAX / 4 (no overflow in any
           summation order); with NaN input every level must give NaN.
   axpy:   per element |level - scalar| <= 2^-23 (|alpha x| + |y|) + 2^-149
           (FMA vs multiply-then-add: one extra rounding of alpha x), when
           |alpha x| is finite in double below FLT_MAX.
   sqdist: |level - scalar| <= 2 (d + 4) 2^-24 sum (x - y)^2, when that sum
           is below FLT_MAX / 4; NaN in => NaN out.
   expf, logf: every level within 2 ULP of the scalar level (ordered-
           integer distance, exact across subnormals), special values exact
           (exp: NaN, +inf above 88.72, 0 below -103.97; log: 0 -> -inf,
           x < 0 -> NaN, +inf -> +inf); every level (scalar included)
           within 2 ULP of libm's double exp/log rounded to float on the
           documented ranges (exp on [-87.3, 88.7], log on positive finite
           values); computing in place (x == y) gives the same bits. */
#include "fuzz_util.h"
#include <float.h>

/* the checkers' own comparisons should not steer the fuzzer (and cost most
   of the time when traced): coverage goes to the library only */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

#define ULP_LEVELS 2.0
#define ULP_LIBM 2.0

typedef struct inputs {
    int mode;
    size_t n;          /* length of a and b */
    size_t d, m, ldy;  /* sqdist: x = a[0..d), Y = m rows of b with stride ldy */
    float alpha;
    float *a, *b;
} inputs;

static float value(const uint8_t *p, int mode)
{
    if (mode == 0) { float f; memcpy(&f, p, 4); return f; }
    if (mode == 1) { int16_t v; memcpy(&v, p, 2); return (float)v / 256.0f; }
    return (float)((int)(int8_t)p[0] >> 1);
}

NO_COVERAGE static int has_nan(const float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) if (x[i] != x[i]) return 1;
    return 0;
}

NO_COVERAGE static void check_dot(const inputs *in, double got, double ref, mossa_simd_level lvl)
{
    double mag = 0, exact = 0;
    size_t i;
    int nan_in = has_nan(in->a, in->n) || has_nan(in->b, in->n);
    for (i = 0; i < in->n; ++i) {
        mag += fabs((double)in->a[i] * in->b[i]);
        exact += (double)in->a[i] * in->b[i];
    }
    if (nan_in) {
        FUZZ_CHECK(got != got && ref != ref, "dot with NaN input: %s gives %g, scalar %g",
                   mossa_simd_name(lvl), got, ref);
        return;
    }
    if (!(mag < FLT_MAX / 4)) return;   /* overflow regime: order-dependent */
    if (in->mode == 2) {
        FUZZ_CHECK(got == exact && ref == exact, "dot of small integers n=%zu: %s %.17g scalar %.17g exact %.17g",
                   in->n, mossa_simd_name(lvl), got, ref, exact);
        return;
    }
    FUZZ_CHECK(fabs(got - ref) <= 96 * 0x1p-24 * mag + 0x1p-126 * (double)in->n,
               "dot n=%zu: %s %.9g scalar %.9g (sum|ab| %.3g)", in->n, mossa_simd_name(lvl), got, ref, mag);
}

NO_COVERAGE static void check_axpy(const inputs *in, const float *got, const float *ref, mossa_simd_level lvl)
{
    size_t i;
    for (i = 0; i < in->n; ++i) {
        double ax = (double)in->alpha * in->a[i];
        double y = in->b[i];
        if (in->alpha != in->alpha || in->a[i] != in->a[i] || y != y) {
            FUZZ_CHECK(got[i] != got[i] && ref[i] != ref[i], "axpy NaN in, element %zu: %s %g scalar %g",
                       i, mossa_simd_name(lvl), (double)got[i], (double)ref[i]);
            continue;
        }
        if (!(fabs(ax) < FLT_MAX) || isinf(y)) {
            /* infinite operands: both levels see the same infinities unless
               an FMA absorbs an overflowing product, so only NaN-ness of a
               true inf - inf must agree */
            if (isinf(y) && isinf(ax) && (y > 0) != (ax > 0))
                FUZZ_CHECK(got[i] != got[i] && ref[i] != ref[i], "axpy inf - inf, element %zu", i);
            continue;
        }
        if (in->mode == 2) {
            FUZZ_CHECK((double)got[i] == ax + y && (double)ref[i] == ax + y,
                       "axpy of small integers, element %zu: %s %g scalar %g exact %g",
                       i, mossa_simd_name(lvl), (double)got[i], (double)ref[i], ax + y);
            continue;
        }
        FUZZ_CHECK(fabs((double)got[i] - ref[i]) <= 0x1p-23 * (fabs(ax) + fabs(y)) + 0x1p-149
                   || (isinf(got[i]) && isinf(ref[i]) && got[i] == ref[i]),
                   "axpy element %zu (alpha %a x %a y %a): %s %a scalar %a", i, (double)in->alpha,
                   (double)in->a[i], y, mossa_simd_name(lvl), (double)got[i], (double)ref[i]);
    }
}

NO_COVERAGE static void check_sqdist(const inputs *in, const float *got, const float *ref, mossa_simd_level lvl)
{
    size_t j, k;
    for (j = 0; j < in->m; ++j) {
        const float *y = in->b + j * in->ldy;
        double exact = 0;
        int nan_in = 0;
        for (k = 0; k < in->d; ++k) {
            double t = (double)in->a[k] - y[k];
            exact += t * t;
            if (in->a[k] != in->a[k] || y[k] != y[k]) nan_in = 1;
        }
        if (nan_in || exact != exact) {  /* inf - inf in a difference is NaN too */
            FUZZ_CHECK(got[j] != got[j] && ref[j] != ref[j], "sqdist row %zu: NaN in, %s %g scalar %g",
                       j, mossa_simd_name(lvl), (double)got[j], (double)ref[j]);
            continue;
        }
        if (!(exact < FLT_MAX / 4)) continue;
        if (in->mode == 2) {
            FUZZ_CHECK(got[j] == exact && ref[j] == exact, "sqdist of small integers row %zu (d %zu): %s %g scalar %g exact %g",
                       j, in->d, mossa_simd_name(lvl), (double)got[j], (double)ref[j], exact);
            continue;
        }
        FUZZ_CHECK(fabs((double)got[j] - ref[j]) <= 2.0 * (double)(in->d + 4) * 0x1p-24 * exact + 0x1p-140,
                   "sqdist row %zu (d %zu): %s %a scalar %a exact %a", j, in->d, mossa_simd_name(lvl),
                   (double)got[j], (double)ref[j], exact);
    }
}

NO_COVERAGE static void check_exp_log(const float *x, size_t n, const float *got, const float *ref, int is_log,
                          mossa_simd_level lvl)
{
    size_t i;
    const char *f = is_log ? "logf" : "expf";
    for (i = 0; i < n; ++i) {
        float xi = x[i], want;
        double dist = fuzz_ulp_distance(got[i], ref[i]);
        FUZZ_CHECK(dist <= ULP_LEVELS, "%s(%a): %s %a, scalar %a (%.0f ulp apart)", f, (double)xi,
                   mossa_simd_name(lvl), (double)got[i], (double)ref[i], dist);
        if (xi != xi) { FUZZ_CHECK(got[i] != got[i], "%s(NaN) = %a", f, (double)got[i]); continue; }
        if (!is_log) {
            if (xi > 88.72283935546875f) FUZZ_CHECK(isinf(got[i]) && got[i] > 0, "expf(%a) = %a", (double)xi, (double)got[i]);
            if (xi < -103.97208404541015625f) FUZZ_CHECK(got[i] == 0, "expf(%a) = %a", (double)xi, (double)got[i]);
            if (xi < -87.3f || xi > 88.7f) continue;
            want = (float)exp((double)xi);
        } else {
            if (xi == 0) { FUZZ_CHECK(isinf(got[i]) && got[i] < 0, "logf(0) = %a", (double)got[i]); continue; }
            if (xi < 0) { FUZZ_CHECK(got[i] != got[i], "logf(%a) = %a", (double)xi, (double)got[i]); continue; }
            if (isinf(xi)) { FUZZ_CHECK(isinf(got[i]) && got[i] > 0, "logf(inf) = %a", (double)got[i]); continue; }
            want = (float)log((double)xi);
        }
        dist = fuzz_ulp_distance(got[i], want);
        FUZZ_CHECK(dist <= ULP_LIBM, "%s(%a): %s %a, libm %a (%.0f ulp)", f, (double)xi, mossa_simd_name(lvl),
                   (double)got[i], (double)want, dist);
    }
}

typedef struct outputs {
    double dot;
    float *axpy, *sqdist, *ex, *lg, *inplace;
} outputs;

static void run_level(const inputs *in, outputs *o)
{
    o->dot = mossa_dot_f32(in->a, in->b, in->n);
    memcpy(o->axpy, in->b, in->n * sizeof(float));
    mossa_axpy_f32(in->n, in->alpha, in->a, o->axpy);
    if (in->m) mossa_sqdist_f32(in->a, in->b, in->m, in->d, in->ldy, o->sqdist);
    mossa_expf_array(in->a, o->ex, in->n);
    mossa_logf_array(in->a, o->lg, in->n);
    /* in place gives the same bits */
    memcpy(o->inplace, in->a, in->n * sizeof(float));
    mossa_expf_array(o->inplace, o->inplace, in->n);
    FUZZ_CHECK(memcmp(o->inplace, o->ex, in->n * sizeof(float)) == 0, "expf in place differs");
    memcpy(o->inplace, in->a, in->n * sizeof(float));
    mossa_logf_array(o->inplace, o->inplace, in->n);
    FUZZ_CHECK(memcmp(o->inplace, o->lg, in->n * sizeof(float)) == 0, "logf in place differs");
}

static void outputs_alloc(outputs *o, const inputs *in)
{
    size_t n = in->n ? in->n : 1;
    o->axpy = (float *)malloc(n * sizeof(float));
    o->sqdist = (float *)malloc((in->m ? in->m : 1) * sizeof(float));
    o->ex = (float *)malloc(n * sizeof(float));
    o->lg = (float *)malloc(n * sizeof(float));
    o->inplace = (float *)malloc(n * sizeof(float));
}

static void outputs_free(outputs *o)
{
    free(o->axpy); free(o->sqdist); free(o->ex); free(o->lg); free(o->inplace);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    inputs in;
    outputs ref, got;
    size_t width, count, i, shift;
    float *abuf, *bbuf;
    int l;
    if (size < 7) return 0;
    in.mode = data[0] % 3;
    memcpy(&in.alpha, data + 3, 4);
    if (in.mode != 0) in.alpha = value(data + 3, in.mode);
    width = in.mode == 0 ? 4 : in.mode == 1 ? 2 : 1;
    count = (size - 7) / width;
    if (count > 8192) count = 8192;
    in.n = count / 2;
    shift = data[2] % 16;
    /* exactly-sized blocks; the shift moves the start off vector alignment */
    abuf = (float *)malloc((in.n + shift) * sizeof(float));
    bbuf = (float *)malloc((in.n + shift) * sizeof(float));
    in.a = abuf + shift;
    in.b = bbuf + shift;
    for (i = 0; i < in.n; ++i) {
        in.a[i] = value(data + 7 + i * width, in.mode);
        in.b[i] = value(data + 7 + (in.n + i) * width, in.mode);
    }
    in.d = in.n ? 1 + (size_t)data[1] % MOSSA__MIN(in.n, 70) : 0;
    in.ldy = in.d + (size_t)(data[1] / 70) % 3;
    /* m rows fit in b: (m - 1) * ldy + d <= n */
    in.m = (in.n >= in.d && in.d) ? (in.n - in.d) / in.ldy + 1 : 0;

    outputs_alloc(&ref, &in);
    outputs_alloc(&got, &in);
    FUZZ_CHECK(mossa_simd_force(MOSSA_SIMD_SCALAR) == MOSSA_OK, "force scalar");
    run_level(&in, &ref);
    check_exp_log(in.a, in.n, ref.ex, ref.ex, 0, MOSSA_SIMD_SCALAR);
    check_exp_log(in.a, in.n, ref.lg, ref.lg, 1, MOSSA_SIMD_SCALAR);
    check_dot(&in, ref.dot, ref.dot, MOSSA_SIMD_SCALAR);
    check_axpy(&in, ref.axpy, ref.axpy, MOSSA_SIMD_SCALAR);
    check_sqdist(&in, ref.sqdist, ref.sqdist, MOSSA_SIMD_SCALAR);
    for (l = MOSSA_SIMD_SCALAR + 1; l < (int)MOSSA_SIMD_LEVEL_COUNT; ++l) {
        mossa_simd_level lvl = (mossa_simd_level)l;
        if (!mossa_simd_available(lvl)) continue;
        FUZZ_CHECK(mossa_simd_force(lvl) == MOSSA_OK, "force %s", mossa_simd_name(lvl));
        run_level(&in, &got);
        check_dot(&in, got.dot, ref.dot, lvl);
        check_axpy(&in, got.axpy, ref.axpy, lvl);
        check_sqdist(&in, got.sqdist, ref.sqdist, lvl);
        check_exp_log(in.a, in.n, got.ex, ref.ex, 0, lvl);
        check_exp_log(in.a, in.n, got.lg, ref.lg, 1, lvl);
    }
    outputs_free(&ref);
    outputs_free(&got);
    free(abuf);
    free(bbuf);
    return 0;
}
