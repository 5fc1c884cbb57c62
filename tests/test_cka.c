/* test_cka.c - CKA against a naive long-double implementation of
   Kornblith et al.'s formulas (explicit H K H, HSIC, Song et al.'s unbiased
   HSIC), invariances, streaming, layer matrices, threads, SIMD levels,
   errors and the CLI. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

mossa_status mossa_test_select2(int n_threads, const float *u, size_t count, const size_t rank[2], int sampled,
                                float out[2]);
mossa_status mossa_test_gemm(int n_threads, int trans_a, int trans_b, size_t m, size_t n, size_t k,
                             const float *A, size_t lda, const float *B, size_t ldb,
                             double beta, double *C, size_t ldc);

static int emulated(void) { return getenv("MOSSA_TEST_EMULATED") != NULL; }

/* ---- the reference ------------------------------------------------------- */
typedef long double ld;

/* K (n x n) of X (n x d): linear on explicitly centered X, or RBF with
   sigma^2 = t^2 median of all n^2 squared distances (numpy.median). */
static int cmp_ld(const void *a, const void *b)
{
    ld x = *(const ld *)a, y = *(const ld *)b;
    return x < y ? -1 : x > y;
}

static ld *ref_kernel(const float *x, size_t n, size_t d, int rbf, double t)
{
    ld *K = (ld *)malloc(n * n * sizeof(ld)), *m = (ld *)calloc(d, sizeof(ld));
    size_t i, j, k;
    for (i = 0; i < n; ++i)
        for (k = 0; k < d; ++k) m[k] += x[i * d + k];
    for (k = 0; k < d; ++k) m[k] /= (ld)n;
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) {
            ld s = 0;
            for (k = 0; k < d; ++k) {
                ld a = x[i * d + k] - m[k], b = x[j * d + k] - m[k];
                s += rbf ? (a - b) * (a - b) : a * b;
            }
            K[i * n + j] = s;
        }
    if (rbf) {
        ld *sorted = (ld *)malloc(n * n * sizeof(ld)), med;
        memcpy(sorted, K, n * n * sizeof(ld));
        qsort(sorted, n * n, sizeof(ld), cmp_ld);
        med = (n * n) % 2 ? sorted[n * n / 2] : (sorted[n * n / 2 - 1] + sorted[n * n / 2]) / 2;
        for (i = 0; i < n * n; ++i) K[i] = expl(-K[i] / (2 * (ld)t * (ld)t * med));
        free(sorted);
    }
    free(m);
    return K;
}

/* HSIC(K, L): biased tr(K H L H) / (n-1)^2 with H K H formed explicitly;
   unbiased: Song et al. (2012) eq. (5) with K~, L~ the zero-diagonal kernels. */
static ld ref_hsic(const ld *K, const ld *L, size_t n, int unbiased)
{
    size_t i, j, k;
    ld nn = (ld)n, s = 0;
    if (!unbiased) {
        ld *H = (ld *)malloc(n * n * sizeof(ld)), *T = (ld *)malloc(n * n * sizeof(ld));
        ld *KH = (ld *)malloc(n * n * sizeof(ld)), *LH = (ld *)malloc(n * n * sizeof(ld));
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) H[i * n + j] = (i == j) - 1 / nn;
        /* KH = H K H, LH = H L H */
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) {
                ld a = 0;
                for (k = 0; k < n; ++k) a += K[i * n + k] * H[k * n + j];
                T[i * n + j] = a;
            }
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) {
                ld a = 0;
                for (k = 0; k < n; ++k) a += H[i * n + k] * T[k * n + j];
                KH[i * n + j] = a;
            }
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) {
                ld a = 0;
                for (k = 0; k < n; ++k) a += L[i * n + k] * H[k * n + j];
                T[i * n + j] = a;
            }
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) {
                ld a = 0;
                for (k = 0; k < n; ++k) a += H[i * n + k] * T[k * n + j];
                LH[i * n + j] = a;
            }
        for (i = 0; i < n * n; ++i) s += KH[i] * LH[i];
        free(H); free(T); free(KH); free(LH);
        return s / ((nn - 1) * (nn - 1));
    } else {
        ld tr = 0, sk = 0, sl = 0, kl1 = 0;
        ld *rk = (ld *)calloc(n, sizeof(ld)), *rl = (ld *)calloc(n, sizeof(ld));
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) {
                ld kt = i == j ? 0 : K[i * n + j], lt = i == j ? 0 : L[i * n + j];
                tr += kt * lt;
                sk += kt; sl += lt;
                rk[i] += kt; rl[i] += lt;
            }
        for (i = 0; i < n; ++i) kl1 += rk[i] * rl[i];
        free(rk); free(rl);
        return (tr + sk * sl / ((nn - 1) * (nn - 2)) - 2 / (nn - 2) * kl1) / (nn * (nn - 3));
    }
}

static double ref_cka(const float *x, size_t n, size_t dx, const float *y, size_t dy, int rbf, int unbiased,
                      double t)
{
    ld *K = ref_kernel(x, n, dx, rbf, t), *L = ref_kernel(y, n, dy, rbf, t);
    ld v = ref_hsic(K, L, n, unbiased) / sqrtl(ref_hsic(K, K, n, unbiased) * ref_hsic(L, L, n, unbiased));
    free(K); free(L);
    return (double)v;
}

/* Y = X W + noise, so that CKA is well inside (0, 1) */
static float *related(const float *x, size_t n, size_t dx, size_t dy, unsigned long long seed, double noise)
{
    float *w = test_random_floats(dx * dy, seed, 1.0 / sqrt((double)dx));
    float *y = test_random_floats(n * dy, seed + 1, noise);
    size_t i, j, k;
    for (i = 0; i < n; ++i)
        for (j = 0; j < dy; ++j) {
            double s = 0;
            for (k = 0; k < dx; ++k) s += (double)x[i * dx + k] * w[k * dy + j];
            y[i * dy + j] += (float)s;
        }
    free(w);
    return y;
}

static mossa_cka_options opts(int rbf, int debiased, int threads)
{
    mossa_cka_options o;
    memset(&o, 0, sizeof(o));
    o.kernel = rbf ? MOSSA_KERNEL_RBF : MOSSA_KERNEL_LINEAR;
    o.debiased = debiased;
    o.n_threads = threads;
    return o;
}

/* ---- against the reference ------------------------------------------------ */
static void check_against_reference(size_t n, size_t dx, size_t dy, double massive, unsigned long long seed)
{
    float *x = test_random_floats(n * dx, seed, 1.0), *y;
    size_t i;
    mossa_simd_level lvl;
    int rbf, deb;
    /* "massive activations": a few columns with means near 1e4 */
    if (massive != 0)
        for (i = 0; i < n; ++i) { x[i * dx] += (float)massive; x[i * dx + dx / 2] -= (float)(0.7 * massive); }
    y = related(x, n, dx, dy, seed + 7, 1.0);
    if (massive != 0)
        for (i = 0; i < n; ++i) y[i * dy + 1] += (float)(1.3 * massive);
    for (rbf = 0; rbf < 2; ++rbf)
        for (deb = 0; deb < 2; ++deb) {
            double want = ref_cka(x, n, dx, y, dy, rbf, deb, 1.0);
            FOR_EACH_SIMD_LEVEL(lvl) {
                mossa_cka_options o = opts(rbf, deb, 2);
                double got = -5;
                ck_assert_int_eq(mossa_cka(x, n, dx, y, dy, &o, &got), MOSSA_OK);
                if (fabs(got - want) > (rbf ? 1e-5 : 1e-6))
                    ck_abort_msg("n=%zu dx=%zu dy=%zu massive=%g %s%s %s: got %.10f want %.10f", n, dx, dy,
                                 massive, rbf ? "rbf" : "linear", deb ? " debiased" : "", mossa_simd_name(lvl),
                                 got, want);
            }
        }
    free(x); free(y);
}

START_TEST(gram_form_matches_reference) { check_against_reference(40, 70, 50, 0, 11); }
END_TEST
START_TEST(feature_form_matches_reference) { check_against_reference(150, 20, 35, 0, 12); }
END_TEST
START_TEST(odd_n_and_tiny_d_match_reference) { check_against_reference(33, 1, 3, 0, 13); }
END_TEST
START_TEST(massive_activations_match_reference)
{
    check_against_reference(48, 90, 40, 1e4, 14);    /* Gram form */
    check_against_reference(130, 17, 24, 1e4, 15);   /* feature form */
}
END_TEST

START_TEST(rbf_threshold_matches_reference)
{
    size_t n = 37, d = 9;
    float *x = test_random_floats(n * d, 21, 1.0), *y = related(x, n, d, 6, 22, 0.5);
    double ts[3] = {0.3, 0.8, 2.5};
    int i;
    for (i = 0; i < 3; ++i) {
        mossa_cka_options o = opts(1, 0, 1);
        double got, want = ref_cka(x, n, d, y, 6, 1, 0, ts[i]);
        o.threshold = ts[i];
        ck_assert_int_eq(mossa_cka(x, n, d, y, 6, &o, &got), MOSSA_OK);
        ck_assert_double_eq_tol(got, want, 1e-5);
    }
    free(x); free(y);
}
END_TEST

START_TEST(hsic_values_match_reference)
{
    size_t n = 30, dx = 12, dy = 8;
    float *x = test_random_floats(n * dx, 31, 2.0), *y = related(x, n, dx, dy, 32, 1.0);
    int rbf, deb;
    for (rbf = 0; rbf < 2; ++rbf)
        for (deb = 0; deb < 2; ++deb) {
            ld *K = ref_kernel(x, n, dx, rbf, 1.0), *L = ref_kernel(y, n, dy, rbf, 1.0);
            mossa_cka_options o = opts(rbf, deb, 1);
            double h[3], w[3];
            w[0] = (double)ref_hsic(K, L, n, deb); w[1] = (double)ref_hsic(K, K, n, deb);
            w[2] = (double)ref_hsic(L, L, n, deb);
            ck_assert_int_eq(mossa_cka_hsic(x, n, dx, y, dy, &o, h), MOSSA_OK);
            ck_assert_double_eq_tol(h[0], w[0], 1e-5 * fabs(w[1]));
            ck_assert_double_eq_tol(h[1], w[1], 1e-5 * fabs(w[1]));
            ck_assert_double_eq_tol(h[2], w[2], 1e-5 * fabs(w[2]));
            free(K); free(L);
        }
    free(x); free(y);
}
END_TEST

START_TEST(centered_gram_matches_reference)
{
    size_t n = 21, d = 13, i, j;
    float *x = test_random_floats(n * d, 41, 1.0);
    double *g = (double *)malloc(n * n * sizeof(double));
    int rbf, deb;
    for (i = 0; i < n; ++i) x[i * d + 2] += 5000.0f;
    for (rbf = 0; rbf < 2; ++rbf)
        for (deb = 0; deb < 2; ++deb) {
            ld *K = ref_kernel(x, n, d, rbf, 1.0), *r = (ld *)calloc(n, sizeof(ld)), tot = 0, scale = 0;
            mossa_cka_options o = opts(rbf, deb, 2);
            ck_assert_int_eq(mossa_centered_gram(x, n, d, &o, g), MOSSA_OK);
            /* reference centering: HKH, or U-centering (Szekely & Rizzo) */
            for (i = 0; i < n; ++i)
                for (j = 0; j < n; ++j)
                    if (!deb || i != j) { r[i] += K[i * n + j]; tot += K[i * n + j]; }
            for (i = 0; i < n * n; ++i) scale = fmaxl(scale, fabsl(K[i]));
            for (i = 0; i < n; ++i)
                for (j = 0; j < n; ++j) {
                    ld want;
                    if (!deb) want = K[i * n + j] - r[i] / n - r[j] / n + tot / ((ld)n * n);
                    else if (i == j) want = 0;
                    else want = K[i * n + j] - r[i] / (n - 2) - r[j] / (n - 2) + tot / ((ld)(n - 1) * (n - 2));
                    ck_assert_double_eq_tol(g[i * n + j], (double)want, 1e-6 * (double)scale);
                }
            free(K); free(r);
        }
    free(x); free(g);
}
END_TEST

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* The RBF bandwidth's exact median: the sampled bracket, its fallback and the
   plain radix select all give the order statistics a full sort gives -- on
   continuous values, heavy ties, and an array whose strided sample lies
   (every sampled position holds the maximum, so the bracket misses), and
   ascending values (the values inside the bracket fill whole chunks, which
   overflow their slots and take the second copying pass). */
START_TEST(exact_selection_matches_sorting)
{
    size_t count = emulated() ? 1100000 : 2000000, i, c;
    float *u = (float *)malloc(count * sizeof(float)), *sorted = (float *)malloc(count * sizeof(float));
    test_rng rng = test_rng_make(77);
    int kind, threads, sampled;
    for (kind = 0; kind < 4; ++kind) {
        size_t ranks[5][2];
        for (i = 0; i < count; ++i) {
            double v = test_uniform(&rng);
            u[i] = kind == 1 ? (float)(int)(v * 8.0) : kind == 3 ? (float)i * 1e-3f : (float)(v * 10.0);
        }
        if (kind == 2)
            for (i = 0; i < 16384; ++i) u[(size_t)(((double)i + 0.5) * ((double)count / 16384.0))] = 1e9f;
        memcpy(sorted, u, count * sizeof(float));
        qsort(sorted, count, sizeof(float), cmp_float);
        ranks[0][0] = (count - 1) / 2; ranks[0][1] = count / 2;
        ranks[1][0] = 0; ranks[1][1] = 0;
        ranks[2][0] = count - 1; ranks[2][1] = count - 1;
        ranks[3][0] = count / 3; ranks[3][1] = count / 3 + 1;
        ranks[4][0] = 17; ranks[4][1] = count - 18;
        for (c = 0; c < 5; ++c)
            for (threads = 1; threads <= 2; ++threads)
                for (sampled = 0; sampled < 2; ++sampled) {
                    float got[2] = {-1.0f, -1.0f};
                    ck_assert_int_eq(mossa_test_select2(threads, u, count, ranks[c], sampled, got), MOSSA_OK);
                    if (got[0] != sorted[ranks[c][0]] || got[1] != sorted[ranks[c][1]])
                        ck_abort_msg("kind %d ranks %zu %zu threads %d sampled %d: got %g %g want %g %g", kind,
                                     ranks[c][0], ranks[c][1], threads, sampled, got[0], got[1],
                                     sorted[ranks[c][0]], sorted[ranks[c][1]]);
                }
    }
    free(u); free(sorted);
}
END_TEST

/* Large enough (n (n-1)/2 > 64 * 16384) that the bandwidth's median is
   counted inside the kernel pass (a sampled bracket): the RBF kernel still
   equals Kornblith's. */
static void check_rbf_kernel_against_reference(const float *x, size_t n, size_t d)
{
    double *g = (double *)malloc(n * n * sizeof(double)), err = 0;
    ld *K = ref_kernel(x, n, d, 1, 1.0), *r = (ld *)calloc(n, sizeof(ld)), tot = 0;
    mossa_cka_options o = opts(1, 0, 2);
    size_t i, j;
    ck_assert_int_eq(mossa_centered_gram(x, n, d, &o, g), MOSSA_OK);
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) { r[i] += K[i * n + j]; tot += K[i * n + j]; }
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) {
            ld want = K[i * n + j] - r[i] / n - r[j] / n + tot / ((ld)n * n);
            err = fmax(err, fabs(g[i * n + j] - (double)want));
        }
    ck_assert_msg(err < 1e-6, "max |K - reference| = %g", err);
    free(K); free(r); free(g);
}

START_TEST(rbf_kernel_at_large_n_matches_reference)
{
    size_t n = 1500, d = 5;
    float *x = test_random_floats(n * d, 43, 1.0);
    check_rbf_kernel_against_reference(x, n, d);
    free(x);
}
END_TEST

/* Rows that are copies of four points: a handful of distinct distances, so
   the median's value is shared by a large fraction of the matrix and
   overflows the room the kernel pass keeps for the bracket (the selection
   falls back to its own passes); the kernel must not change. */
START_TEST(rbf_kernel_with_massive_ties_at_large_n_matches_reference)
{
    size_t n = 1500, d = 3, i, k;
    float *pts = test_random_floats(4 * d, 44, 1.0), *x = (float *)malloc(n * d * sizeof(float));
    for (i = 0; i < n; ++i)
        for (k = 0; k < d; ++k) x[i * d + k] = pts[(i * 7 % 4) * d + k];
    check_rbf_kernel_against_reference(x, n, d);
    free(x); free(pts);
}
END_TEST

START_TEST(centered_cross_matches_reference)
{
    size_t n = 300, dx = 19, dy = 23, i, j, k;
    float *x = test_random_floats(n * dx, 51, 1.0), *y = test_random_floats(n * dy, 52, 3.0);
    double *c = (double *)malloc(dx * dy * sizeof(double));
    ld mx[19] = {0}, my[23] = {0};
    for (i = 0; i < n; ++i) x[i * dx + 3] += 1e4f;
    for (i = 0; i < n; ++i) {
        for (k = 0; k < dx; ++k) mx[k] += x[i * dx + k] / (ld)n;
        for (k = 0; k < dy; ++k) my[k] += y[i * dy + k] / (ld)n;
    }
    ck_assert_int_eq(mossa_centered_cross(x, n, dx, y, dy, NULL, c), MOSSA_OK);
    for (j = 0; j < dx; ++j)
        for (k = 0; k < dy; ++k) {
            ld s = 0;
            for (i = 0; i < n; ++i) s += (x[i * dx + j] - mx[j]) * (y[i * dy + k] - my[k]);
            ck_assert_double_eq_tol(c[j * dy + k], (double)s, 1e-4 * sqrt((double)n) * 3.0);
        }
    free(x); free(y); free(c);
}
END_TEST

/* ---- large n: the float32 drift trap --------------------------------------- */
START_TEST(large_n_stays_within_1e6_of_double)
{
    /* n = 10,000 rows (fewer when emulated) through the feature form, with
       massive-activation columns: the double reference is the feature-form
       formula in long double (O(n d^2)). */
    size_t n = emulated() ? 1500 : 10000, dx = 24, dy = 20, i, j, k;
    float *x = test_random_floats(n * dx, 61, 1.0), *y;
    ld mx[24] = {0}, my[20] = {0}, xy = 0, xx = 0, yy = 0, want;
    double got;
    mossa_cka_options o = opts(0, 0, 2);
    for (i = 0; i < n; ++i) x[i * dx] += 3e3f;
    y = related(x, n, dx, dy, 62, 2.0);
    for (i = 0; i < n; ++i) {
        for (k = 0; k < dx; ++k) mx[k] += x[i * dx + k];
        for (k = 0; k < dy; ++k) my[k] += y[i * dy + k];
    }
    for (k = 0; k < dx; ++k) mx[k] /= n;
    for (k = 0; k < dy; ++k) my[k] /= n;
    for (j = 0; j < dx; ++j) {
        for (k = 0; k < dy; ++k) {
            ld s = 0;
            for (i = 0; i < n; ++i) s += (x[i * dx + j] - mx[j]) * (y[i * dy + k] - my[k]);
            xy += s * s;
        }
        for (k = 0; k < dx; ++k) {
            ld s = 0;
            for (i = 0; i < n; ++i) s += (x[i * dx + j] - mx[j]) * (x[i * dx + k] - mx[k]);
            xx += s * s;
        }
    }
    for (j = 0; j < dy; ++j)
        for (k = 0; k < dy; ++k) {
            ld s = 0;
            for (i = 0; i < n; ++i) s += (y[i * dy + j] - my[j]) * (y[i * dy + k] - my[k]);
            yy += s * s;
        }
    want = xy / sqrtl(xx * yy);
    ck_assert_int_eq(mossa_cka(x, n, dx, y, dy, &o, &got), MOSSA_OK);
    ck_assert_double_eq_tol(got, (double)want, 1e-6);
    free(x); free(y);
}
END_TEST

/* ---- invariances ------------------------------------------------------------ */
static double cka_of(const float *x, size_t n, size_t dx, const float *y, size_t dy, int rbf, int deb)
{
    mossa_cka_options o = opts(rbf, deb, 2);
    double v = -7;
    ck_assert_int_eq(mossa_cka(x, n, dx, y, dy, &o, &v), MOSSA_OK);
    return v;
}

START_TEST(invariances_hold)
{
    size_t shapes[2][3] = {{40, 60, 30}, {120, 16, 10}}, s, i, k;
    for (s = 0; s < 2; ++s) {
        size_t n = shapes[s][0], dx = shapes[s][1], dy = shapes[s][2];
        float *x = test_random_floats(n * dx, 70 + s, 1.0), *y = related(x, n, dx, dy, 80 + s, 1.0);
        float *xr = (float *)malloc(n * dx * sizeof(float)), *xs = (float *)malloc(n * dx * sizeof(float));
        int rbf, deb;
        test_rng r = test_rng_make(90 + s);
        memcpy(xr, x, n * dx * sizeof(float));
        /* an orthogonal transform: a chain of Givens rotations of column pairs */
        for (k = 0; k < 3 * dx; ++k) {
            size_t a = (size_t)(test_uniform(&r) * dx), b = (size_t)(test_uniform(&r) * dx);
            double th = 6.283 * test_uniform(&r), c = cos(th), sn = sin(th);
            if (a == b) continue;
            for (i = 0; i < n; ++i) {
                double u = xr[i * dx + a], v = xr[i * dx + b];
                xr[i * dx + a] = (float)(c * u - sn * v);
                xr[i * dx + b] = (float)(sn * u + c * v);
            }
        }
        for (i = 0; i < n * dx; ++i) xs[i] = 3.75f * x[i] + 2.0f;
        for (rbf = 0; rbf < 2; ++rbf)
            for (deb = 0; deb < 2; ++deb) {
                double base = cka_of(x, n, dx, y, dy, rbf, deb);
                double tol = rbf ? 1e-5 : 1e-6;
                ck_assert_double_eq_tol(cka_of(xr, n, dx, y, dy, rbf, deb), base, tol);
                ck_assert_double_eq_tol(cka_of(xs, n, dx, y, dy, rbf, deb), base, tol);
                ck_assert_double_eq_tol(cka_of(y, n, dy, x, dx, rbf, deb), base, 1e-12);
                ck_assert_double_eq_tol(cka_of(x, n, dx, x, dx, rbf, deb), 1.0, 1e-12);
                ck_assert(base > 0.05 && base < 0.999);
            }
        free(x); free(y); free(xr); free(xs);
    }
}
END_TEST

/* ---- threads and SIMD levels ---------------------------------------------------- */
START_TEST(one_and_two_threads_are_bit_identical)
{
    size_t shapes[3][3] = {{300, 400, 280}, {700, 50, 90}, {200, 33, 17}}, s;
    mossa_simd_level lvl;
    if (emulated()) { shapes[0][0] = 140; shapes[0][1] = 150; shapes[0][2] = 160; shapes[1][0] = 300; }
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (s = 0; s < 3; ++s) {
            size_t n = shapes[s][0], dx = shapes[s][1], dy = shapes[s][2];
            float *x = test_random_floats(n * dx, 100 + s, 1.0), *y = related(x, n, dx, dy, 110 + s, 1.0);
            int rbf, deb;
            for (rbf = 0; rbf < 2; ++rbf)
                for (deb = 0; deb < 2; ++deb) {
                    double h1[3], h2[3], h3[3];
                    mossa_cka_options o1 = opts(rbf, deb, 1), o2 = opts(rbf, deb, 2), o3 = opts(rbf, deb, 3);
                    ck_assert_int_eq(mossa_cka_hsic(x, n, dx, y, dy, &o1, h1), MOSSA_OK);
                    ck_assert_int_eq(mossa_cka_hsic(x, n, dx, y, dy, &o2, h2), MOSSA_OK);
                    ck_assert_int_eq(mossa_cka_hsic(x, n, dx, y, dy, &o3, h3), MOSSA_OK);
                    ck_assert(memcmp(h1, h2, sizeof(h1)) == 0);
                    ck_assert(memcmp(h1, h3, sizeof(h1)) == 0);
                }
            free(x); free(y);
        }
    }
}
END_TEST

START_TEST(simd_levels_agree_and_run)
{
    size_t n = 90, dx = 140, dy = 70;
    float *x = test_random_floats(n * dx, 120, 1.0), *y = related(x, n, dx, dy, 121, 1.0);
    mossa_simd_level lvl;
    double first = -1;
    FOR_EACH_SIMD_LEVEL(lvl) {
        double v = cka_of(x, n, dx, y, dy, 0, 0);
        if (first < 0) first = v;
        ck_assert_double_eq_tol(v, first, 1e-7);
    }
    free(x); free(y);
}
END_TEST

START_TEST(gemm_matches_reference_for_every_transpose)
{
    size_t m = 37, n = 45, k = 600, i, j, p;   /* k > 256: several float blocks */
    float *A = test_random_floats(m * k, 130, 1.0), *B = test_random_floats(k * n, 131, 1.0);
    double *C = (double *)malloc(m * n * sizeof(double)), *C2 = (double *)malloc(m * n * sizeof(double));
    int ta, tb;
    mossa_simd_level lvl;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (ta = 0; ta < 2; ++ta)
            for (tb = 0; tb < 2; ++tb) {
                /* the same numbers, stored as op(A) requires */
                size_t lda = ta ? m : k, ldb = tb ? k : n;
                for (i = 0; i < m * n; ++i) C[i] = 0.5 * (double)i;
                ck_assert_int_eq(mossa_test_gemm(2, ta, tb, m, n, k, A, lda, B, ldb, 2.0, C, n), MOSSA_OK);
                for (i = 0; i < m; ++i)
                    for (j = 0; j < n; ++j) {
                        ld s = 0;
                        for (p = 0; p < k; ++p) {
                            float a = ta ? A[p * m + i] : A[i * k + p];
                            float b = tb ? B[j * k + p] : B[p * n + j];
                            s += (ld)a * b;
                        }
                        ck_assert_double_eq_tol(C[i * n + j], (double)(s + 2.0L * 0.5L * (i * n + j)), 2e-4);
                    }
                /* beta = 0 ignores C (NaN there must not leak) and threads do not matter */
                for (i = 0; i < m * n; ++i) C[i] = NAN;
                ck_assert_int_eq(mossa_test_gemm(1, ta, tb, m, n, k, A, lda, B, ldb, 0.0, C, n), MOSSA_OK);
                ck_assert_int_eq(mossa_test_gemm(3, ta, tb, m, n, k, A, lda, B, ldb, 0.0, C2, n), MOSSA_OK);
                ck_assert(memcmp(C, C2, m * n * sizeof(double)) == 0);
            }
    }
    free(A); free(B); free(C); free(C2);
}
END_TEST

/* ---- layer matrices --------------------------------------------------------------- */
START_TEST(matrix_equals_pairwise_cka)
{
    size_t n = 50, la = 3, lb = 2, i, j;
    size_t da[3] = {20, 64, 7}, db[2] = {33, 80};
    float *a[3], *b[2];
    double out[6];
    int rbf, deb;
    for (i = 0; i < la; ++i) a[i] = test_random_floats(n * da[i], 140 + i, 1.0);
    b[0] = related(a[0], n, da[0], db[0], 150, 1.0);
    b[1] = related(a[1], n, da[1], db[1], 151, 2.0);
    for (rbf = 0; rbf < 2; ++rbf)
        for (deb = 0; deb < 2; ++deb) {
            mossa_cka_options o = opts(rbf, deb, 2);
            ck_assert_int_eq(mossa_cka_matrix((const float *const *)a, da, la, (const float *const *)b, db, lb,
                                              n, &o, out), MOSSA_OK);
            for (i = 0; i < la; ++i)
                for (j = 0; j < lb; ++j)
                    ck_assert_double_eq_tol(out[i * lb + j], ref_cka(a[i], n, da[i], b[j], n ? db[j] : 0, rbf, deb, 1.0),
                                            rbf ? 1e-5 : 1e-6);
        }
    for (i = 0; i < la; ++i) free(a[i]);
    free(b[0]); free(b[1]);
}
END_TEST

START_TEST(gram_objects_compare_and_check_sizes)
{
    size_t n = 40;
    float *x = test_random_floats(n * 10, 160, 1.0), *y = related(x, n, 10, 12, 161, 1.0);
    mossa_cka_gram *gx, *gy, *gz, *gr;
    mossa_cka_options o = opts(0, 0, 1), r = opts(1, 0, 1);
    double v;
    ck_assert_int_eq(mossa_cka_gram_create(x, n, 10, &o, &gx), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_gram_create(y, n, 12, &o, &gy), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_gram_create(y, n - 1, 12, &o, &gz), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_gram_create(y, n, 12, &r, &gr), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_gram_cka(gx, gy, NULL, &v), MOSSA_OK);
    ck_assert_double_eq_tol(v, ref_cka(x, n, 10, y, 12, 0, 0, 1.0), 1e-6);
    v = 3;
    ck_assert_int_eq(mossa_cka_gram_cka(gx, gz, NULL, &v), MOSSA_ERR_DIMENSION_MISMATCH);
    ck_assert(v == 0.0);
    ck_assert_int_eq(mossa_cka_gram_cka(gx, gr, NULL, &v), MOSSA_ERR_INVALID_ARGUMENT);
    mossa_cka_gram_destroy(gx); mossa_cka_gram_destroy(gy); mossa_cka_gram_destroy(gz); mossa_cka_gram_destroy(gr);
    mossa_cka_gram_destroy(NULL);
    free(x); free(y);
}
END_TEST

/* ---- streaming ------------------------------------------------------------------- */
static mossa_cka_stream *stream_of(const float *x, const float *y, size_t r0, size_t r1, size_t dx, size_t dy,
                                   size_t batch, int threads)
{
    mossa_cka_stream *s;
    mossa_cka_options o = opts(0, 0, threads);
    size_t r;
    ck_assert_int_eq(mossa_cka_stream_create(dx, dy, &o, &s), MOSSA_OK);
    for (r = r0; r < r1; r += batch) {
        size_t m = r + batch > r1 ? r1 - r : batch;
        ck_assert_int_eq(mossa_cka_stream_add(s, x + r * dx, y + r * dy, m), MOSSA_OK);
    }
    return s;
}

START_TEST(streaming_equals_one_shot_and_merges_in_any_grouping)
{
    size_t n = 1000, dx = 40, dy = 150, i;
    float *x = test_random_floats(n * dx, 170, 1.0), *y;
    double one, v[6];
    mossa_cka_stream *a, *b, *c, *d, *whole, *single;
    double *sa, *sb;
    size_t count = mossa_cka_stream_state_size(dx, dy);
    for (i = 0; i < n; ++i) x[i * dx + 5] += 1e4f;   /* massive activation */
    y = related(x, n, dx, dy, 171, 1.0);
    one = cka_of(x, n, dx, y, dy, 0, 0);
    /* batches of 64 in one stream */
    whole = stream_of(x, y, 0, n, dx, dy, 64, 2);
    ck_assert_int_eq(mossa_cka_stream_finish(whole, &v[0]), MOSSA_OK);
    ck_assert_double_eq_tol(v[0], one, 1e-7);
    /* rows one at a time */
    single = stream_of(x, y, 0, 200, dx, dy, 1, 1);
    /* ((a + b) + c) + d versus a + (b + (c + d)), uneven parts */
    a = stream_of(x, y, 0, 200, dx, dy, 77, 1);
    b = stream_of(x, y, 200, 230, dx, dy, 7, 2);
    c = stream_of(x, y, 230, 700, dx, dy, 500, 1);
    d = stream_of(x, y, 700, n, dx, dy, 33, 2);
    sa = (double *)malloc(count * sizeof(double));
    sb = (double *)malloc(count * sizeof(double));
    /* flat states: a+(b+(c+d)) */
    mossa_cka_stream_export(c, sa);
    mossa_cka_stream_export(d, sb);
    ck_assert_int_eq(mossa_cka_stream_merge_state(sa, sb), MOSSA_OK);
    mossa_cka_stream_export(b, sb);
    ck_assert_int_eq(mossa_cka_stream_merge_state(sb, sa), MOSSA_OK);
    mossa_cka_stream_export(a, sa);
    ck_assert_int_eq(mossa_cka_stream_merge_state(sa, sb), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_stream_state_cka(sa, &v[1]), MOSSA_OK);
    /* streams: ((a+b)+c)+d */
    ck_assert_int_eq(mossa_cka_stream_merge(a, b), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_stream_merge(a, c), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_stream_merge(a, d), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_stream_finish(a, &v[2]), MOSSA_OK);
    ck_assert_double_eq_tol(v[1], one, 1e-7);
    ck_assert_double_eq_tol(v[2], v[1], 1e-10);
    /* import reproduces the state */
    ck_assert_int_eq(mossa_cka_stream_import(b, sa), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_stream_finish(b, &v[3]), MOSSA_OK);
    ck_assert(v[3] == v[1]);
    /* single rows equal the one-shot value on those rows */
    ck_assert_int_eq(mossa_cka_stream_finish(single, &v[4]), MOSSA_OK);
    ck_assert_double_eq_tol(v[4], cka_of(x, 200, dx, y, dy, 0, 0), 1e-7);
    /* mismatched shapes */
    mossa_cka_stream_destroy(c);
    ck_assert_int_eq(mossa_cka_stream_create(dx, dy + 1, NULL, &c), MOSSA_OK);
    ck_assert_int_eq(mossa_cka_stream_merge(a, c), MOSSA_ERR_DIMENSION_MISMATCH);
    ck_assert_int_eq(mossa_cka_stream_import(c, sa), MOSSA_ERR_DIMENSION_MISMATCH);
    ck_assert_int_eq(mossa_cka_stream_finish(c, &v[5]), MOSSA_ERR_TOO_FEW_SAMPLES);
    ck_assert(v[5] == 0.0);
    mossa_cka_stream_destroy(a); mossa_cka_stream_destroy(b); mossa_cka_stream_destroy(c);
    mossa_cka_stream_destroy(d); mossa_cka_stream_destroy(whole); mossa_cka_stream_destroy(single);
    free(sa); free(sb); free(x); free(y);
}
END_TEST

START_TEST(streaming_is_thread_independent)
{
    size_t n = 400, dx = 150, dy = 140;
    float *x = test_random_floats(n * dx, 180, 1.0), *y = related(x, n, dx, dy, 181, 1.0);
    size_t count = mossa_cka_stream_state_size(dx, dy);
    double *s1 = (double *)malloc(count * sizeof(double)), *s2 = (double *)malloc(count * sizeof(double));
    mossa_cka_stream *a = stream_of(x, y, 0, n, dx, dy, 130, 1), *b = stream_of(x, y, 0, n, dx, dy, 130, 2);
    mossa_cka_stream_export(a, s1);
    mossa_cka_stream_export(b, s2);
    ck_assert(memcmp(s1, s2, count * sizeof(double)) == 0);
    mossa_cka_stream_destroy(a); mossa_cka_stream_destroy(b);
    free(s1); free(s2); free(x); free(y);
}
END_TEST

START_TEST(minibatch_averages_unbiased_hsic)
{
    size_t n = 120, dx = 15, dy = 11, bsz = 40, b;
    float *x = test_random_floats(n * dx, 190, 1.0), *y = related(x, n, dx, dy, 191, 1.5);
    int rbf;
    for (rbf = 0; rbf < 2; ++rbf) {
        mossa_cka_minibatch mb, m1, m2;
        mossa_cka_options o = opts(rbf, 0, 2);
        ld sxy = 0, sxx = 0, syy = 0;
        double got, got2;
        memset(&mb, 0, sizeof(mb)); memset(&m1, 0, sizeof(m1)); memset(&m2, 0, sizeof(m2));
        for (b = 0; b < n / bsz; ++b) {
            ld *K = ref_kernel(x + b * bsz * dx, bsz, dx, rbf, 1.0), *L = ref_kernel(y + b * bsz * dy, bsz, dy, rbf, 1.0);
            sxy += ref_hsic(K, L, bsz, 1); sxx += ref_hsic(K, K, bsz, 1); syy += ref_hsic(L, L, bsz, 1);
            free(K); free(L);
            ck_assert_int_eq(mossa_cka_minibatch_add(&mb, x + b * bsz * dx, bsz, dx, y + b * bsz * dy, dy, &o), MOSSA_OK);
            ck_assert_int_eq(mossa_cka_minibatch_add(b ? &m2 : &m1, x + b * bsz * dx, bsz, dx, y + b * bsz * dy, dy, &o),
                             MOSSA_OK);
        }
        ck_assert_int_eq(mossa_cka_minibatch_finish(&mb, &got), MOSSA_OK);
        ck_assert_double_eq_tol(got, (double)(sxy / sqrtl(sxx * syy)), rbf ? 1e-5 : 1e-6);
        mossa_cka_minibatch_merge(&m1, &m2);
        ck_assert_int_eq(mossa_cka_minibatch_finish(&m1, &got2), MOSSA_OK);
        ck_assert_double_eq_tol(got2, got, 1e-12);
        ck_assert_int_eq(mossa_cka_minibatch_add(&mb, x, 3, dx, y, dy, &o), MOSSA_ERR_TOO_FEW_SAMPLES);
    }
    free(x); free(y);
}
END_TEST

/* ---- errors --------------------------------------------------------------------- */
START_TEST(errors_have_clear_statuses)
{
    size_t n = 20, d = 6, i;
    float *x = test_random_floats(n * d, 200, 1.0), *y = test_random_floats(n * d, 201, 1.0);
    float *c = (float *)malloc(n * d * sizeof(float)), *dup = (float *)malloc(n * d * sizeof(float));
    mossa_cka_options o;
    double v;
    int rbf;
    for (i = 0; i < n * d; ++i) c[i] = (float)(i % d);           /* all rows equal */
    memcpy(dup, x, n * d * sizeof(float));
    for (i = d; i < 15 * d; ++i) dup[i] = dup[i % d];            /* 15 of 20 rows equal */
    for (rbf = 0; rbf < 2; ++rbf) {
        o = opts(rbf, 0, 2);
        v = 5; ck_assert_int_eq(mossa_cka(c, n, d, y, d, &o, &v), rbf ? MOSSA_ERR_ZERO_BANDWIDTH : MOSSA_ERR_ZERO_VARIANCE);
        ck_assert(v == 0.0);
        v = 5; ck_assert_int_eq(mossa_cka(x, n, d, c, d, &o, &v), rbf ? MOSSA_ERR_ZERO_BANDWIDTH : MOSSA_ERR_ZERO_VARIANCE);
        ck_assert(v == 0.0);
        x[17] = NAN;
        v = 5; ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, &v), MOSSA_ERR_NONFINITE);
        ck_assert(v == 0.0);
        x[17] = INFINITY;
        ck_assert_int_eq(mossa_cka(y, n, d, x, d, &o, &v), MOSSA_ERR_NONFINITE);
        x[17] = -INFINITY;
        ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, &v), MOSSA_ERR_NONFINITE);
        x[17] = 0.5f;
        o.debiased = 1;
        ck_assert_int_eq(mossa_cka(x, 3, d, y, d, &o, &v), MOSSA_ERR_TOO_FEW_SAMPLES);
        ck_assert_int_eq(mossa_cka(x, 4, d, y, d, &o, &v), MOSSA_OK);
        o.debiased = 0;
        ck_assert_int_eq(mossa_cka(x, 1, d, y, d, &o, &v), MOSSA_ERR_TOO_FEW_SAMPLES);
        o.threshold = -1;
        ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
        o.threshold = NAN;
        ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
        o.threshold = INFINITY;
        ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
        o.threshold = 0;
        ck_assert_int_eq(mossa_cka(NULL, n, d, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(mossa_cka(x, 0, d, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(mossa_cka(x, n, 0, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, NULL), MOSSA_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(mossa_cka(x, (size_t)1 << 62, (size_t)1 << 40, y, d, &o, &v), MOSSA_ERR_TOO_LARGE);
    }
    /* RBF: most rows identical makes the median distance 0, while linear is fine */
    o = opts(1, 0, 1);
    ck_assert_int_eq(mossa_cka(dup, n, d, y, d, &o, &v), MOSSA_ERR_ZERO_BANDWIDTH);
    o = opts(0, 0, 1);
    ck_assert_int_eq(mossa_cka(dup, n, d, y, d, &o, &v), MOSSA_OK);
    o.kernel = (mossa_kernel_kind)7;
    ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
    o = opts(0, 0, -2);
    ck_assert_int_eq(mossa_cka(x, n, d, y, d, &o, &v), MOSSA_ERR_INVALID_ARGUMENT);
    free(x); free(y); free(c); free(dup);
}
END_TEST

/* an allocator that fails the k-th call */
typedef struct fail_alloc { int left; long live; } fail_alloc;
static void *fa_alloc(size_t size, void *user)
{
    fail_alloc *f = (fail_alloc *)user;
    void *p;
    if (f->left-- == 0) return NULL;
    p = malloc(size);
    if (p) f->live++;
    return p;
}
static void fa_free(void *p, void *user)
{
    fail_alloc *f = (fail_alloc *)user;
    if (p) { f->live--; free(p); }
}

START_TEST(allocation_failures_return_out_of_memory_without_leaks)
{
    size_t shapes[3][3] = {{30, 50, 40}, {100, 9, 12}, {30, 5, 5}}, s;
    for (s = 0; s < 3; ++s) {
        size_t n = shapes[s][0], dx = shapes[s][1], dy = shapes[s][2];
        float *x = test_random_floats(n * dx, 210, 1.0), *y = related(x, n, dx, dy, 211, 1.0);
        int rbf;
        for (rbf = 0; rbf < 2; ++rbf) {
            int k;
            for (k = 0; k < 200; ++k) {
                fail_alloc f;
                mossa_allocator al;
                mossa_cka_options o = opts(rbf, s == 2, 2);
                mossa_status st;
                double v = 3;
                f.left = k; f.live = 0;
                al.alloc = fa_alloc; al.free = fa_free; al.user = &f;
                o.allocator = &al;
                st = mossa_cka(x, n, dx, y, dy, &o, &v);
                ck_assert_int_eq(f.live, 0);
                if (st == MOSSA_OK) break;
                ck_assert_int_eq(st, MOSSA_ERR_OUT_OF_MEMORY);
                ck_assert(v == 0.0);
            }
            ck_assert_int_lt(k, 200);
        }
        free(x); free(y);
    }
}
END_TEST

/* ---- CLI ------------------------------------------------------------------------- */
static double json_number(const char *s, const char *key)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    p = strstr(s, pat);
    ck_assert_msg(p != NULL, "no %s in %s", key, s);
    return strtod(p + strlen(pat), NULL);
}

START_TEST(cli_cka_prints_json_and_value)
{
    size_t n = 60, dx = 30, dy = 20;
    float *x = test_random_floats(n * dx, 220, 1.0), *y = related(x, n, dx, dy, 221, 1.0);
    char args[1024], *out, *err;
    const char *px = test_path("x.npy"), *py = test_path("y.npy");
    int rbf, deb;
    ck_assert_int_eq(mossa_npy_write(px, x, n, dx), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_write(py, y, n, dy), MOSSA_OK);
    for (rbf = 0; rbf < 2; ++rbf)
        for (deb = 0; deb < 2; ++deb) {
            double want = ref_cka(x, n, dx, y, dy, rbf, deb, 1.0);
            snprintf(args, sizeof(args), "--threads 2 cka %s %s --json --kernel %s%s", px, py,
                     rbf ? "rbf" : "linear", deb ? " --debiased" : "");
            ck_assert_int_eq(test_cli(args, &out, &err), 0);
            ck_assert_double_eq_tol(json_number(out, "cka"), want, 1e-5);
            ck_assert_int_eq((int)json_number(out, "n"), 60);
            ck_assert_int_eq((int)json_number(out, "dx"), 30);
            ck_assert_int_eq((int)json_number(out, "dy"), 20);
            ck_assert(json_number(out, "seconds") >= 0);
            ck_assert_ptr_nonnull(strstr(out, rbf ? "\"kernel\": \"rbf\"" : "\"kernel\": \"linear\""));
            ck_assert_ptr_nonnull(strstr(out, deb ? "\"debiased\": true" : "\"debiased\": false"));
            free(out); free(err);
        }
    snprintf(args, sizeof(args), "cka %s %s --kernel rbf --threshold 0.5", px, py);
    ck_assert_int_eq(test_cli(args, &out, &err), 0);
    ck_assert_double_eq_tol(strtod(out, NULL), ref_cka(x, n, dx, y, dy, 1, 0, 0.5), 1e-5);
    free(out); free(err);
    free(x); free(y);
}
END_TEST

START_TEST(cli_cka_matrix_prints_csv_and_json)
{
    size_t n = 40, i;
    float *a0 = test_random_floats(n * 8, 230, 1.0), *a1 = test_random_floats(n * 12, 231, 1.0);
    float *b0 = related(a0, n, 8, 5, 232, 1.0);
    char args[2048], *out, *err, *line;
    double want[2];
    ck_assert_int_eq(mossa_npy_write(test_path("a0.npy"), a0, n, 8), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_write(test_path("a1.npy"), a1, n, 12), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_write(test_path("b0.npy"), b0, n, 5), MOSSA_OK);
    want[0] = ref_cka(a0, n, 8, b0, 5, 0, 0, 1.0);
    want[1] = ref_cka(a1, n, 12, b0, 5, 0, 0, 1.0);
    snprintf(args, sizeof(args), "cka-matrix --a %s %s --b %s", test_path("a0.npy"), test_path("a1.npy"),
             test_path("b0.npy"));
    ck_assert_int_eq(test_cli(args, &out, &err), 0);
    line = out;
    for (i = 0; i < 2; ++i) {
        char *end;
        ck_assert_double_eq_tol(strtod(line, &end), want[i], 1e-6);
        ck_assert_int_eq(*end, '\n');
        line = end + 1;
    }
    ck_assert_int_eq(*line, '\0');
    free(out); free(err);
    snprintf(args, sizeof(args), "cka-matrix --json --a %s %s --b %s %s --debiased", test_path("a0.npy"),
             test_path("a1.npy"), test_path("b0.npy"), test_path("a1.npy"));
    ck_assert_int_eq(test_cli(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "{\"matrix\": [["));
    ck_assert_ptr_nonnull(strstr(out, "\"seconds\": "));
    free(out); free(err);
    free(a0); free(a1); free(b0);
}
END_TEST

START_TEST(cli_errors_exit_1_naming_the_file)
{
    size_t n = 30, d = 4, i;
    float *x = test_random_floats(n * d, 240, 1.0), *c = (float *)calloc(n * d, sizeof(float));
    char args[2048], *out, *err;
    const char *px = test_path("ex.npy"), *pshort = test_path("short.npy"), *pnan = test_path("nan.npy");
    const char *pc = test_path("const.npy");
    ck_assert_int_eq(mossa_npy_write(px, x, n, d), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_write(pshort, x, n - 1, d), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_write(pc, c, n, d), MOSSA_OK);
    x[9] = NAN;
    ck_assert_int_eq(mossa_npy_write(pnan, x, n, d), MOSSA_OK);
    snprintf(args, sizeof(args), "cka %s %s", px, pshort);
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: "));
    ck_assert_ptr_nonnull(strstr(err, "short.npy"));
    free(out); free(err);
    snprintf(args, sizeof(args), "cka %s %s", px, pnan);
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: "));
    ck_assert_ptr_nonnull(strstr(err, "nan.npy: input contains NaN"));
    free(out); free(err);
    snprintf(args, sizeof(args), "cka %s %s", pc, px);
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "const.npy: a matrix has zero variance"));
    free(out); free(err);
    snprintf(args, sizeof(args), "cka %s %s --kernel rbf", px, pc);
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: "));
    free(out); free(err);
    snprintf(args, sizeof(args), "cka %s %s --threshold -2 --kernel rbf", px, px);
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: "));
    free(out); free(err);
    snprintf(args, sizeof(args), "cka %s %s", px, test_path("missing.npy"));
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "missing.npy"));
    free(out); free(err);
    snprintf(args, sizeof(args), "cka-matrix --a %s --b %s", px, pshort);
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "short.npy"));
    free(out); free(err);
    snprintf(args, sizeof(args), "cka-matrix --a %s --b %s", pnan, px);
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "nan.npy"));
    free(out); free(err);
    /* usage errors exit 2 */
    for (i = 0; i < 5; ++i) {
        const char *bad[5] = {"cka %s", "cka %s %s --kernel poly", "cka %s %s --threshold abc",
                              "cka %s %s --bogus", "cka-matrix --a %s"};
        snprintf(args, sizeof(args), bad[i], px, px);
        ck_assert_int_eq(test_cli(args, &out, &err), 2);
        free(out); free(err);
    }
    free(x); free(c);
}
END_TEST

Suite *suite_cka(void)
{
    Suite *s = suite_create("cka");
    TCase *t = tcase_create("reference");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, gram_form_matches_reference);
    tcase_add_test(t, feature_form_matches_reference);
    tcase_add_test(t, odd_n_and_tiny_d_match_reference);
    tcase_add_test(t, massive_activations_match_reference);
    tcase_add_test(t, rbf_threshold_matches_reference);
    tcase_add_test(t, hsic_values_match_reference);
    tcase_add_test(t, centered_gram_matches_reference);
    tcase_add_test(t, exact_selection_matches_sorting);
    tcase_add_test(t, rbf_kernel_at_large_n_matches_reference);
    tcase_add_test(t, rbf_kernel_with_massive_ties_at_large_n_matches_reference);
    tcase_add_test(t, centered_cross_matches_reference);
    tcase_add_test(t, large_n_stays_within_1e6_of_double);
    tcase_add_test(t, invariances_hold);
    suite_add_tcase(s, t);
    t = tcase_create("engine");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, one_and_two_threads_are_bit_identical);
    tcase_add_test(t, simd_levels_agree_and_run);
    tcase_add_test(t, gemm_matches_reference_for_every_transpose);
    suite_add_tcase(s, t);
    t = tcase_create("layers_and_streams");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, matrix_equals_pairwise_cka);
    tcase_add_test(t, gram_objects_compare_and_check_sizes);
    tcase_add_test(t, streaming_equals_one_shot_and_merges_in_any_grouping);
    tcase_add_test(t, streaming_is_thread_independent);
    tcase_add_test(t, minibatch_averages_unbiased_hsic);
    suite_add_tcase(s, t);
    t = tcase_create("errors");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, errors_have_clear_statuses);
    tcase_add_test(t, allocation_failures_return_out_of_memory_without_leaks);
    tcase_add_test(t, cli_cka_prints_json_and_value);
    tcase_add_test(t, cli_cka_matrix_prints_csv_and_json);
    tcase_add_test(t, cli_errors_exit_1_naming_the_file);
    suite_add_tcase(s, t);
    return s;
}
