/* test_svd.c - randomized SVD, variance rank and the dense building blocks,
   against a long-double one-sided Jacobi SVD written here (independent of
   the library's code), on matrices with planted spectra. */
#include "test_util.h"
#include <stdint.h>
#include <float.h>

static int emulated(void) { return getenv("MOSSA_TEST_EMULATED") != NULL; }

/* test hooks (impl/gemm.c, impl/svd.c; built with MOSSA_TEST_HOOKS) */
mossa_status mossa_test_gemm(int n_threads, int trans_a, int trans_b, size_t m, size_t n, size_t k,
                             const float *A, size_t lda, const float *B, size_t ldb,
                             double beta, double *C, size_t ldc);
mossa_status mossa_test_gemm_sym(int n_threads, int trans_a, size_t m, size_t k,
                                 const float *A, size_t lda, double beta, double *C, size_t ldc);
mossa_status mossa_test_gemm_sym_slabs(int n_threads, int trans_a, size_t m, size_t k, const float *A, size_t lda,
                                       const double *shift, size_t ks, double *C, size_t ldc);
mossa_status mossa_test_gram_lower_f(int n_threads, int trans_a, size_t m, size_t k, const float *A, size_t lda,
                                     const double *shift, size_t ks, float *C, size_t ldc);
mossa_status mossa_test_gemm_packed(int n_threads, int trans_a, size_t m, size_t n, size_t k,
                                    const float *A, size_t lda, const float *B, size_t ldb,
                                    double beta, double *C, size_t ldc);
mossa_status mossa_test_eigvals(int n_threads, const double *a, size_t n, double *w);
mossa_status mossa_test_eigvals_f(int n_threads, const double *a, size_t n, double *w);
mossa_status mossa_test_rank_spectrum(int n_threads, const double *a, size_t n, double f, int tail,
                                      mossa_rank_result *res);
void mossa_test_trd_row_pair(int paired, size_t j, size_t n, double *a, const double *x, const double *y,
                             const double *u, double *p);
void mossa_test_trdf_row_pair(int paired, size_t j, size_t n, float *a, const float *x, const float *y,
                              const float *u, float *p);
void mossa_test_sturm16(size_t n, const double *d, const double *e2, double pivmin, const double *s, size_t *c);
double mossa_test_trdf_serial(int which, const float *x, size_t ld, size_t nb, size_t n, double c, const float *u,
                              double *q, float *out);
mossa_status mossa_test_orth_basis(size_t m, size_t l, int no_q, float *q, float *acc, int *chol, int *formed);
int mossa_test_bf16_mul(int n_threads, const float *x, size_t n, size_t d, size_t l, int trans, const float *B, float *C);
unsigned long mossa_test_bf16_routes(void);

/* ---- reference: one-sided Jacobi in long double --------------------------
   Singular values of the m x n row-major matrix a (double), descending.
   Works on the rows of the shorter orientation. If center, column means
   are subtracted first (in long double). */
static void ref_svd(const float *x, size_t m, size_t n, int center, long double *s)
{
    size_t q = m < n ? m : n, len = m < n ? n : m, i, j, k, p, r;
    long double *w = (long double *)malloc(q * len * sizeof(long double));
    long double *mean = (long double *)calloc(n, sizeof(long double));
    int sweep;
    if (center) {
        for (i = 0; i < m; ++i)
            for (j = 0; j < n; ++j) mean[j] += x[i * n + j];
        for (j = 0; j < n; ++j) mean[j] /= (long double)m;
    }
    for (i = 0; i < m; ++i)
        for (j = 0; j < n; ++j) {
            long double v = (long double)x[i * n + j] - mean[j];
            if (m < n) w[i * len + j] = v;  /* rows of X */
            else w[j * len + i] = v;        /* rows of X' */
        }
    for (sweep = 0; sweep < 100; ++sweep) {
        int rot = 0;
        for (p = 0; p + 1 < q; ++p)
            for (r = p + 1; r < q; ++r) {
                long double a = 0, b = 0, g = 0, z, t, c, sn;
                long double *wp = w + p * len, *wr = w + r * len;
                for (k = 0; k < len; ++k) { a += wp[k] * wp[k]; b += wr[k] * wr[k]; g += wp[k] * wr[k]; }
                if (a == 0 || b == 0 || fabsl(g) <= 1e-19L * sqrtl(a * b)) continue;
                rot = 1;
                z = (b - a) / (2 * g);
                t = (z >= 0 ? 1 : -1) / (fabsl(z) + sqrtl(1 + z * z));
                c = 1 / sqrtl(1 + t * t);
                sn = c * t;
                for (k = 0; k < len; ++k) {
                    long double u = wp[k], v = wr[k];
                    wp[k] = c * u - sn * v; wr[k] = sn * u + c * v;
                }
            }
        if (!rot) break;
    }
    for (i = 0; i < q; ++i) {
        long double nrm = 0;
        for (k = 0; k < len; ++k) nrm += w[i * len + k] * w[i * len + k];
        s[i] = sqrtl(nrm);
    }
    for (i = 1; i < q; ++i) {
        long double t = s[i];
        j = i;
        while (j > 0 && s[j - 1] < t) { s[j] = s[j - 1]; --j; }
        s[j] = t;
    }
    free(w); free(mean);
}

/* The full-SVD count: smallest r with sum_{i<=r} s_i^2 >= f total. *tie is
   set when the decision is within 1e-6 (relative) of the threshold. */
static size_t ref_rank(const long double *s, size_t q, double f, int *tie)
{
    long double tot = 0, cum = 0;
    size_t i;
    for (i = 0; i < q; ++i) tot += s[i] * s[i];
    *tie = 0;
    for (i = 0; i < q; ++i) {
        long double before = cum / tot;
        cum += s[i] * s[i];
        if (fabsl(cum / tot - f) < 1e-6L || fabsl(before - f) < 1e-6L) *tie = 1;
        if (cum >= f * tot) return i + 1;
    }
    *tie = 1;
    return q;
}

/* ---- planted spectra -------------------------------------------------------
   X = U diag(s) V' with U (n x r), V (d x r) orthonormal (Gram-Schmidt in
   long double on the tests' own Gaussian draws), plus optional noise. */
enum { SPEC_FAST, SPEC_SLOW, SPEC_LOWRANK, SPEC_FLAT, SPEC_COUNT };
static const char *const spec_names[SPEC_COUNT] = {"fast", "slow", "lowrank+1e-7", "flat"};

static void orthonormal(long double *a, size_t rows, size_t cols, test_rng *g)
{
    size_t i, j, k, pass;
    for (i = 0; i < rows * cols; ++i) a[i] = test_normal(g);
    for (j = 0; j < cols; ++j) {
        long double nrm = 0;
        for (pass = 0; pass < 2; ++pass)
            for (k = 0; k < j; ++k) {
                long double dot = 0;
                for (i = 0; i < rows; ++i) dot += a[i * cols + j] * a[i * cols + k];
                for (i = 0; i < rows; ++i) a[i * cols + j] -= dot * a[i * cols + k];
            }
        for (i = 0; i < rows; ++i) nrm += a[i * cols + j] * a[i * cols + j];
        nrm = sqrtl(nrm);
        for (i = 0; i < rows; ++i) a[i * cols + j] /= nrm;
    }
}

/* the k-th (from 0) planted singular value of a spectrum */
static long double spec_value(int spec, size_t k)
{
    switch (spec) {
    case SPEC_FAST: return powl(0.8L, (long double)k);
    case SPEC_SLOW: return 1.0L / sqrtl((long double)(k + 1));
    case SPEC_LOWRANK: return k < 5 ? (long double)(5 - k) : 0.0L;
    default: return 1.0L;
    }
}

static float *planted_rank(size_t n, size_t d, size_t r, int spec, unsigned long long seed, long double *s);

static float *planted(size_t n, size_t d, int spec, unsigned long long seed)
{
    long double *s = (long double *)malloc((n < d ? n : d) * sizeof(long double));
    float *x = planted_rank(n, d, n < d ? n : d, spec, seed, s);
    free(s);
    return x;
}

typedef struct shape { size_t n, d; } shape;
static void shapes(shape *sh)
{
    /* under qemu, long double is software quad precision: keep it small */
    int e = emulated();
    sh[0].n = e ? 60 : 240; sh[0].d = e ? 20 : 60;    /* tall */
    sh[1].n = e ? 20 : 60;  sh[1].d = e ? 60 : 240;   /* wide */
    sh[2].n = e ? 32 : 100; sh[2].d = e ? 32 : 100;   /* square */
}

/* ---- randomized SVD: values, vectors, signs ----------------------------------- */
static void check_svd_case(const float *x, size_t n, size_t d, size_t k, int spec, int krylov, const char *what)
{
    size_t q = n < d ? n : d, i, j, r;
    long double *ref = (long double *)malloc(q * sizeof(long double));
    double *s = (double *)malloc(k * sizeof(double));
    float *u = (float *)malloc(n * k * sizeof(float));
    float *vt = (float *)malloc(k * d * sizeof(float));
    mossa_svd_options o;
    double tol, resid = 0, best = 0;
    memset(&o, 0, sizeof(o));
    o.seed = 7;
    o.block_krylov = krylov != 0;
    if (krylov == 2) { o.krylov_block = 3; o.power_iters = 5; } /* thin blocks, deeper: basis 18 for k = 8 */
    ref_svd(x, n, d, 0, ref);
    {
        mossa_status st = mossa_svd_randomized(x, n, d, k, &o, s, u, vt);
        ck_assert_msg(st == MOSSA_OK, "%s: %s", what, mossa_status_string(st));
    }
    /* values only: no vectors asked for, so the Krylov basis is left
       unformed and the values-only eigensolver runs; the values agree with
       those of the full triplets (the two eigensolvers to ~1e-15) */
    {
        double *s2 = (double *)malloc(k * sizeof(double));
        mossa_status st = mossa_svd_randomized(x, n, d, k, &o, s2, NULL, NULL);
        ck_assert_msg(st == MOSSA_OK, "%s (values only): %s", what, mossa_status_string(st));
        for (i = 0; i < k; ++i)
            ck_assert_msg(fabs(s2[i] - s[i]) <= 1e-12 * s[0], "%s: values-only s[%zu] = %.17g, with vectors %.17g",
                          what, i, s2[i], s[i]);
        free(s2);
    }
    /* flat and exactly planted spectra are resolved to float precision;
       slow decay is limited by the subspace iteration itself */
    tol = spec == SPEC_SLOW ? 2e-3 : 2e-5;
    for (i = 0; i < k; ++i) {
        double rel = fabs(s[i] - (double)ref[i]) / (double)ref[0];
        ck_assert_msg(rel <= tol, "%s: s[%zu] = %.9g, reference %.9Lg (rel %.3g)", what, i, s[i], ref[i], rel);
        if (i) ck_assert(s[i] <= s[i - 1]);
    }
    /* U'U = I, V'V = I (columns of U, rows of Vt) */
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j) {
            double du = 0, dv = 0, want = i == j ? 1.0 : 0.0;
            for (r = 0; r < n; ++r) du += (double)u[r * k + i] * u[r * k + j];
            for (r = 0; r < d; ++r) dv += (double)vt[i * d + r] * vt[j * d + r];
            ck_assert_msg(fabs(du - want) < 1e-5, "%s: U'U[%zu][%zu] = %g", what, i, j, du);
            ck_assert_msg(fabs(dv - want) < 1e-5, "%s: VV'[%zu][%zu] = %g", what, i, j, dv);
        }
    /* signs: the largest-|.| entry of each U column is positive */
    for (j = 0; j < k; ++j) {
        float big = 0, val = 0;
        for (r = 0; r < n; ++r)
            if (fabsf(u[r * k + j]) > big) { big = fabsf(u[r * k + j]); val = u[r * k + j]; }
        ck_assert_msg(val > 0, "%s: U column %zu has a negative largest entry", what, j);
    }
    /* ||X - U S Vt||_F^2 is close to the optimal sum_{i>k} s_i^2 */
    for (i = 0; i < n; ++i)
        for (j = 0; j < d; ++j) {
            double t = x[i * d + j];
            for (r = 0; r < k; ++r) t -= (double)u[i * k + r] * s[r] * vt[r * d + j];
            resid += t * t;
        }
    for (i = k; i < q; ++i) best += (double)(ref[i] * ref[i]);
    ck_assert_msg(resid <= best * (spec == SPEC_SLOW ? 1.05 : 1.0 + 1e-3) + 1e-9 * (double)(ref[0] * ref[0]),
                  "%s: residual %.9g vs optimal %.9g", what, resid, best);
    free(ref); free(s); free(u); free(vt);
}


/* ---- the shared product engine as this module uses it ---------------------
   C = beta C + op(A) op(A)' against a long-double sum, at every SIMD level,
   across block (128) and k-block (256) boundaries, with a large common
   offset in one column (the float partial sums must still be promoted to
   double in short blocks); the result must be exactly symmetric and
   bit-identical for 1 and 2 threads. */
START_TEST(gemm_sym_matches_long_double_reference)
{
    size_t m = emulated() ? 40 : 150, k = emulated() ? 270 : 600, i, j, t;
    mossa_simd_level lvl;
    int trans;
    float *x = test_random_floats(m * k, 91, 1.0);
    double *c1 = (double *)malloc(m * m * sizeof(double)), *c2 = (double *)malloc(m * m * sizeof(double));
    double *c0 = (double *)malloc(m * m * sizeof(double));
    for (i = 0; i < k; ++i) x[i * m + 3] += 1000.0f;   /* trans: column 3 of A (k x m) */
    for (i = 0; i < m; ++i)
        for (j = 0; j <= i; ++j) c0[i * m + j] = c0[j * m + i] = (double)((i * 7 + j * 3) % 11) - 5.0;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (trans = 0; trans < 2; ++trans) {
            /* op(A) m x k: A is m x k (lda k) or k x m (lda m) */
            size_t lda = trans ? m : k;
            memcpy(c1, c0, m * m * sizeof(double));
            memcpy(c2, c0, m * m * sizeof(double));
            ck_assert_int_eq(mossa_test_gemm_sym(1, trans, m, k, x, lda, 0.5, c1, m), MOSSA_OK);
            ck_assert_int_eq(mossa_test_gemm_sym(2, trans, m, k, x, lda, 0.5, c2, m), MOSSA_OK);
            ck_assert_msg(memcmp(c1, c2, m * m * sizeof(double)) == 0, "level %d trans %d: 1 vs 2 threads", (int)lvl, trans);
            for (i = 0; i < m; ++i)
                for (j = 0; j < m; ++j) {
                    long double ref = 0.5L * c0[i * m + j], mag = 0;
                    for (t = 0; t < k; ++t) {
                        long double a = trans ? x[t * m + i] : x[i * k + t], b = trans ? x[t * m + j] : x[j * k + t];
                        ref += a * b;
                        mag += fabsl(a * b);
                    }
                    ck_assert_msg(c1[i * m + j] == c1[j * m + i], "level %d: not symmetric at %zu,%zu", (int)lvl, i, j);
                    ck_assert_msg(fabsl((long double)c1[i * m + j] - ref) <= 2e-6L * mag + 1e-12L,
                                  "level %d trans %d C[%zu][%zu] %.17g vs %.17Lg", (int)lvl, trans, i, j,
                                  c1[i * m + j], ref);
                }
        }
    }
    free(x); free(c0); free(c1); free(c2);
}
END_TEST

/* The shifted products' operand: op(A) m x k, A m x k (lda k, a shift per
   column k) or k x m (lda m, a shift per column m; trans). Column 3 gets
   +1000 and its shift 1000 more: a "massive activation" that only the
   shift cancels. */
static void shifted_operand(float *x, double *shift, size_t m, size_t k, int trans)
{
    size_t i, lda = trans ? m : k, ncol = trans ? m : k;
    for (i = 0; i < ncol; ++i) shift[i] = 0.25 * sin((double)i) + (i == 3 ? 1000.0 : 0.0);
    for (i = 0; i < (trans ? k : m); ++i) x[i * lda + 3] += 1000.0f;
}

/* sum_t (a_it - s)(a_jt - s) over op(A) of shifted_operand, in long
   double, and the sum of the terms' magnitudes (sh NULL: no shift) */
static long double shifted_dot(const float *x, const double *sh, size_t m, size_t k, int trans, size_t i, size_t j,
                               long double *mag)
{
    long double ref = 0, g = 0;
    size_t t;
    for (t = 0; t < k; ++t) {
        long double a = (long double)(trans ? x[t * m + i] : x[i * k + t]) - (sh ? sh[trans ? i : t] : 0.0);
        long double b = (long double)(trans ? x[t * m + j] : x[j * k + t]) - (sh ? sh[trans ? j : t] : 0.0);
        ref += a * b;
        g += fabsl(a * b);
    }
    *mag = g;
    return ref;
}

/* The symmetric product in k-slabs (the Gram of a large operand is packed
   a slab at a time into one reused buffer): for slabs of one, two and
   three k-blocks, with and without a column shift (centering), both
   orientations, an order with whole 128-blocks only (accumulated in C in
   place) and one with a partial last block (through the per-worker
   buffer), every entry is bit-identical to the one-pass product, for 1
   and 2 threads, at every SIMD level; and the centered one-pass product
   agrees with a long-double sum of (a_i - s)(a_j - s). */
START_TEST(gemm_sym_in_slabs_equals_one_pass)
{
    static const size_t orders[2] = {128, 150};
    static const size_t slabs[3] = {256, 512, 768};
    size_t k = emulated() ? 600 : 1100, oi, si, i, j, cnt = 0;
    mossa_simd_level lvl;
    int trans, shifted, th;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (oi = 0; oi < 2; ++oi) {
            size_t m = orders[oi];
            float *x = test_random_floats(m * k, 92 + (unsigned)oi, 1.0);
            double *one = (double *)malloc(m * m * sizeof(double)), *c = (double *)malloc(m * m * sizeof(double));
            double *shift = (double *)malloc((m > k ? m : k) * sizeof(double));
            for (trans = 0; trans < 2; ++trans) {
                size_t lda = trans ? m : k;
                shifted_operand(x, shift, m, k, trans);
                for (shifted = 0; shifted < 2; ++shifted) {
                    const double *sh = shifted ? shift : NULL;
                    ck_assert_int_eq(mossa_test_gemm_sym_slabs(1, trans, m, k, x, lda, sh, 0, one, m), MOSSA_OK);
                    if (shifted && lvl == MOSSA_SIMD_SCALAR)
                        for (i = 0; i < m; i += 7)
                            for (j = 0; j < m; j += 5) {
                                long double mag, ref = shifted_dot(x, shift, m, k, trans, i, j, &mag);
                                ck_assert_msg(fabsl((long double)one[i * m + j] - ref) <= 2e-6L * mag + 1e-12L,
                                              "m %zu trans %d C[%zu][%zu] %.17g vs %.17Lg", m, trans, i, j,
                                              one[i * m + j], ref);
                            }
                    for (si = 0; si < 3; ++si)
                        for (th = 1; th <= 2; ++th) {
                            memset(c, 0x7f, m * m * sizeof(double));   /* garbage: the first slab must clear it */
                            ck_assert_int_eq(mossa_test_gemm_sym_slabs(th, trans, m, k, x, lda, sh, slabs[si], c, m),
                                             MOSSA_OK);
                            ck_assert_msg(memcmp(c, one, m * m * sizeof(double)) == 0,
                                          "level %d m %zu trans %d shift %d slab %zu threads %d: differs from one pass",
                                          (int)lvl, m, trans, shifted, slabs[si], th);
                            ++cnt;
                        }
                }
            }
            free(x); free(one); free(c); free(shift);
        }
    }
    ck_assert_uint_gt(cnt, 0);
    ck_assert_int_eq(mossa_test_gemm_sym_slabs(1, 0, 16, 600, NULL, 600, NULL, 100, NULL, 16),
                     MOSSA_ERR_INVALID_ARGUMENT);
}
END_TEST

/* The rank's float Gram (lower triangle only, k-block sums added in
   float): at every SIMD level, both orientations, with and without a
   column shift, orders with whole 128-blocks only, a partial last block
   and several blocks per side (300: 3 x 3, the last partial),
   - each lower entry agrees with a long-double sum of (a_i - s)(a_j - s)
     to 3e-6 of the sum of |terms| (the double Gram's test allows 2e-6;
     the float additions over the k-blocks add a few float roundings of
     the entry itself);
   - it is bit-identical for 1, 2 and 3 threads and slabs of one or two
     k-blocks or the library's choice (the runs of blocks handed to
     threads change with the thread count; no entry's sums may);
   - with one k-block (k <= 256) it is the double Gram rounded to float,
     bit for bit: the float tile kernels add the same float sums.
   The output is filled with garbage first: the first slab must set what
   it reads. */
START_TEST(float_gram_lower_triangle_is_exact_and_invariant)
{
    static const size_t orders[3] = {128, 150, 300};
    /* (slab length, threads): 0 = the library's choice, one slab here */
    static const size_t runs[5][2] = {{256, 1}, {256, 2}, {256, 3}, {512, 2}, {0, 3}};
    size_t k = 600, no = emulated() ? 2 : 3, k1 = 200, oi, si, i, j, cnt = 0;
    mossa_simd_level lvl;
    int trans, shifted, th;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (oi = 0; oi < no; ++oi) {
            size_t m = orders[oi];
            float *x = test_random_floats(m * k, 93 + (unsigned)oi, 1.0);
            float *one = (float *)malloc(m * m * sizeof(float)), *c = (float *)malloc(m * m * sizeof(float));
            double *cd = (double *)malloc(m * m * sizeof(double));
            double *shift = (double *)malloc((m > k ? m : k) * sizeof(double));
            for (trans = 0; trans < 2; ++trans) {
                size_t lda = trans ? m : k;
                shifted_operand(x, shift, m, k, trans);
                for (shifted = 0; shifted < 2; ++shifted) {
                    const double *sh = shifted ? shift : NULL;
                    memset(one, 0x7f, m * m * sizeof(float));
                    ck_assert_int_eq(mossa_test_gram_lower_f(1, trans, m, k, x, lda, sh, 0, one, m), MOSSA_OK);
                    for (i = 0; i < m; i += (emulated() ? 7 : 3))
                        for (j = 0; j <= i; j += (emulated() ? 5 : 2)) {
                            long double mag, ref = shifted_dot(x, sh, m, k, trans, i, j, &mag);
                            ck_assert_msg(fabsl((long double)one[i * m + j] - ref) <= 3e-6L * mag,
                                          "level %d m %zu trans %d shift %d C[%zu][%zu] %.9g vs %.12Lg", (int)lvl, m,
                                          trans, shifted, i, j, (double)one[i * m + j], ref);
                        }
                    for (si = 0; si < 5; ++si) {
                        size_t ks = runs[si][0];
                        th = (int)runs[si][1];
                        memset(c, 0x7f, m * m * sizeof(float));
                        ck_assert_int_eq(mossa_test_gram_lower_f(th, trans, m, k, x, lda, sh, ks, c, m), MOSSA_OK);
                        for (i = 0; i < m; ++i)
                            ck_assert_msg(memcmp(c + i * m, one + i * m, (i + 1) * sizeof(float)) == 0,
                                          "level %d m %zu trans %d shift %d slab %zu threads %d: row %zu differs",
                                          (int)lvl, m, trans, shifted, ks, th, i);
                        ++cnt;
                    }
                    /* one k-block: the double Gram rounded */
                    memset(c, 0x7f, m * m * sizeof(float));
                    ck_assert_int_eq(mossa_test_gram_lower_f(2, trans, m, k1, x, trans ? m : k1, sh, 0, c, m),
                                     MOSSA_OK);
                    ck_assert_int_eq(mossa_test_gemm_sym_slabs(2, trans, m, k1, x, trans ? m : k1, sh, 0, cd, m),
                                     MOSSA_OK);
                    for (i = 0; i < m; ++i)
                        for (j = 0; j <= i; ++j)
                            ck_assert_msg(c[i * m + j] == (float)cd[i * m + j],
                                          "level %d m %zu trans %d shift %d one k-block C[%zu][%zu] %.9g vs %.9g",
                                          (int)lvl, m, trans, shifted, i, j, (double)c[i * m + j], cd[i * m + j]);
                }
            }
            free(x); free(one); free(c); free(cd); free(shift);
        }
    }
    ck_assert_uint_gt(cnt, 0);
    ck_assert_int_eq(mossa_test_gram_lower_f(1, 0, 16, 600, NULL, 600, NULL, 100, NULL, 16),
                     MOSSA_ERR_INVALID_ARGUMENT);
}
END_TEST

/* An operand packed once gives bit-identically the products of mossa__gemm,
   for both orientations, several right-hand sides, any thread count. */
START_TEST(gemm_packed_equals_gemm)
{
    size_t n = emulated() ? 70 : 300, d = emulated() ? 50 : 260, l = 37, r;
    mossa_simd_level lvl;
    int trans;
    float *x = test_random_floats(n * d, 5, 1.0), *b = test_random_floats(n * l, 6, 1.0);
    double *c1 = (double *)malloc(n * l * sizeof(double)), *c2 = (double *)malloc(n * l * sizeof(double));
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (trans = 0; trans < 2; ++trans) {
            size_t rows = trans ? d : n, inner = trans ? n : d;
            for (r = 0; r < 2; ++r) {
                size_t cols = r ? l : 1;
                ck_assert_int_eq(mossa_test_gemm(2, trans, 0, rows, cols, inner, x, d, b, cols, 0.0, c1, cols), MOSSA_OK);
                ck_assert_int_eq(mossa_test_gemm_packed(1 + (int)r, trans, rows, cols, inner, x, d, b, cols, 0.0, c2, cols),
                                 MOSSA_OK);
                ck_assert_msg(memcmp(c1, c2, rows * cols * sizeof(double)) == 0, "level %d trans %d cols %zu",
                              (int)lvl, trans, cols);
            }
        }
    }
    free(x); free(b); free(c1); free(c2);
}
END_TEST

/* X' read in place (whole micro-panels) and X read in place (any shape,
   rows transposed by the pack_t16 kernel), thin right-hand sides, each task
   copying up to four k-blocks of its rows of X, or one k-block of up to
   four block rows of X', at a time (d = 1296: spans of 1024 + 272 columns
   of X, block rows of X' in groups of 4 + 4 + 3 on one thread, one by one
   on three, so that each thread has two tasks): bit-identically the
   packed products at every level, for any thread count; elsewhere it
   declines and the packed path is used. */
mossa_status mossa_test_gemm_inplace(int n_threads, int trans_a, size_t m, size_t n, size_t k, const float *A,
                                     size_t lda, const float *B, size_t ldb, double *C, size_t ldc);
START_TEST(gemm_in_place_equals_packed)
{
    static const size_t ds[] = {64, 260, 320, 1296}, colss[] = {1, 37, 144, 600, 1100};
    size_t n = emulated() ? 300 : 700, di, ci;
    mossa_simd_level lvl;
    float *x = test_random_floats(n * 1296, 7, 1.0), *b = test_random_floats(1296 * 1100, 8, 1.0);
    double *c1 = (double *)malloc(1296 * 1100 * sizeof(double)), *c2 = (double *)malloc(1296 * 1100 * sizeof(double));
    int used[2] = {0, 0}, tr;
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (tr = 0; tr < 2; ++tr)
            for (di = 0; di < 4; ++di)
                for (ci = 0; ci < (di == 3 ? 3u : 5u); ++ci) {
                    /* X is n x d; tr: C (d x cols) = X' B with B n x cols, else
                       C (n x cols) = X B with B d x cols */
                    size_t d = ds[di], cols = colss[ci], m = tr ? d : n, k = tr ? n : d;
                    mossa_status st;
                    int t;
                    ck_assert_int_eq(mossa_test_gemm(2, tr, 0, m, cols, k, x, d, b, cols, 0.0, c1, cols), MOSSA_OK);
                    for (t = 1; t <= 3; t += 2) {
                        st = mossa_test_gemm_inplace(t, tr, m, cols, k, x, d, b, cols, c2, cols);
                        if (tr && d % 16) {
                            ck_assert_int_eq(st, MOSSA_ERR_INVALID_ARGUMENT);
                            continue;
                        }
                        ck_assert_int_eq(st, MOSSA_OK);
                        ck_assert_msg(memcmp(c1, c2, m * cols * sizeof(double)) == 0,
                                      "level %d trans %d d %zu cols %zu threads %d", (int)lvl, tr, d, cols, t);
                        used[tr] = 1;
                    }
                }
    }
    ck_assert_int_eq(used[0], 1);
    ck_assert_int_eq(used[1], 1);
    free(x); free(b); free(c1); free(c2);
}
END_TEST

/* Thin products with few block rows are split over k into runs chosen
   from the shape (2 runs at k = 2100, 5 at k = 5000) whose partial sums are
   added in run order: bit-identical for 1 and 3 threads and between the
   packed and in-place operands, and within float-product accuracy of a
   long-double sum, at every SIMD level; also with 208 rows (2 block rows).
   Both X' (16-float row pieces) and X read by rows (copied four k-blocks
   at a time, the spans of the second run starting past k = 0). */
/* every 7th row and jstep-th column of C (m x cols) against long-double
   sums over k of x[i si + t st] b[t cols + j], within float-product
   accuracy */
static void k_split_near_long_double(const double *c, const float *x, size_t si, size_t st, const float *b,
                                     size_t m, size_t k, size_t cols, size_t jstep, const char *what, int lvl)
{
    size_t i, j, t;
    for (i = 0; i < m; i += 7)
        for (j = 0; j < cols; j += jstep) {
            long double ref = 0, mag = 0;
            for (t = 0; t < k; ++t) {
                long double p = (long double)x[i * si + t * st] * b[t * cols + j];
                ref += p;
                mag += fabsl(p);
            }
            ck_assert_msg(fabsl((long double)c[i * cols + j] - ref) <= 2e-6L * mag,
                          "%s: level %d k %zu C[%zu][%zu] %.17g vs %.17Lg", what, lvl, k, i, j, c[i * cols + j], ref);
        }
}

START_TEST(gemm_k_split_is_exact_and_thread_independent)
{
    static const size_t ks[] = {2100, 5000}, ms[] = {64, 208};
    size_t cols = 40, ki, mi;
    mossa_simd_level lvl;
    float *x = test_random_floats(5000 * 208, 17, 1.0), *b = test_random_floats(5000 * cols, 18, 1.0);
    double *c1 = (double *)malloc(208 * cols * sizeof(double)), *c2 = (double *)malloc(208 * cols * sizeof(double));
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (ki = 0; ki < (emulated() ? 1u : 2u); ++ki)
            for (mi = 0; mi < 2; ++mi) {
                size_t k = ks[ki], m = ms[mi];
                int th;
                /* C (m x cols) = X' B, X k x m (row stride m), B k x cols */
                ck_assert_int_eq(mossa_test_gemm(2, 1, 0, m, cols, k, x, m, b, cols, 0.0, c1, cols), MOSSA_OK);
                for (th = 1; th <= 3; th += 2) {
                    ck_assert_int_eq(mossa_test_gemm_inplace(th, 1, m, cols, k, x, m, b, cols, c2, cols), MOSSA_OK);
                    ck_assert_msg(memcmp(c1, c2, m * cols * sizeof(double)) == 0, "level %d k %zu m %zu threads %d",
                                  (int)lvl, k, m, th);
                }
                k_split_near_long_double(c1, x, 1, m, b, m, k, cols, 1, "X'", (int)lvl);
                /* C (m x cols) = X B, X m x k read by rows (runs of up to
                   four k-blocks, the spans of a run starting past k = 0) */
                ck_assert_int_eq(mossa_test_gemm(2, 0, 0, m, cols, k, x, k, b, cols, 0.0, c1, cols), MOSSA_OK);
                for (th = 1; th <= 3; th += 2) {
                    ck_assert_int_eq(mossa_test_gemm_inplace(th, 0, m, cols, k, x, k, b, cols, c2, cols), MOSSA_OK);
                    ck_assert_msg(memcmp(c1, c2, m * cols * sizeof(double)) == 0,
                                  "by rows: level %d k %zu m %zu threads %d", (int)lvl, k, m, th);
                }
                k_split_near_long_double(c1, x, k, 1, b, m, k, cols, 3, "X by rows", (int)lvl);
            }
    }
    free(x); free(b); free(c1); free(c2);
}
END_TEST

/* Two rows of a tridiagonalisation step taken as a pair (the vector
   levels share the loads of the pair) give the same bits as the rows one
   at a time, at every level and for every row length around the vector
   widths (row j+1 may take one more vector step than row j, across p[j]
   that row j finishes); both agree with the step in long double:
   r_t[k] -= y_t x_k + x_t y_k (k <= t), p_k += u_t r_t[k] (k < t),
   p_t += sum_{k<t} r_t[k] u_k + r_t[t] u_t. */
START_TEST(tridiagonal_row_pairs_equal_single_rows_at_every_level)
{
    const size_t jmax = 70, n = jmax + 2;
    double *a0 = (double *)malloc(n * n * sizeof(double)), *a1 = (double *)malloc(n * n * sizeof(double));
    double *a2 = (double *)malloc(n * n * sizeof(double));
    double x[72], y[72], u[72], p0[72], p1[72], p2[72];
    long double rr[2][72], pr[72];
    test_rng g = test_rng_make(4242);
    mossa_simd_level lvl;
    size_t i, j, k, t;
    for (i = 0; i < n * n; ++i) a0[i] = test_normal(&g);
    for (i = 0; i < n; ++i) {
        x[i] = test_normal(&g); y[i] = test_normal(&g); u[i] = test_normal(&g); p0[i] = test_normal(&g);
    }
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (j = 0; j <= jmax; ++j) {
            memcpy(a1, a0, n * n * sizeof(double)); memcpy(a2, a0, n * n * sizeof(double));
            memcpy(p1, p0, sizeof(p0)); memcpy(p2, p0, sizeof(p0));
            mossa_test_trd_row_pair(1, j, n, a1, x, y, u, p1);
            mossa_test_trd_row_pair(0, j, n, a2, x, y, u, p2);
            ck_assert_msg(memcmp(a1, a2, n * n * sizeof(double)) == 0, "level %d j %zu: rows differ", (int)lvl, j);
            ck_assert_msg(memcmp(p1, p2, sizeof(p1)) == 0, "level %d j %zu: p differs", (int)lvl, j);
            for (k = 0; k < n; ++k) pr[k] = p0[k];
            for (t = j; t <= j + 1; ++t) {
                long double s = 0;
                for (k = 0; k <= t; ++k)
                    rr[t - j][k] = (long double)a0[t * n + k] - ((long double)y[t] * x[k] + (long double)x[t] * y[k]);
                for (k = 0; k < t; ++k) { s += rr[t - j][k] * u[k]; pr[k] += (long double)u[t] * rr[t - j][k]; }
                pr[t] += s + rr[t - j][t] * u[t];
            }
            for (t = 0; t < 2; ++t)
                for (k = 0; k <= j + t; ++k)
                    ck_assert_msg(fabsl((long double)a1[(j + t) * n + k] - rr[t][k]) < 1e-14L,
                                  "level %d j %zu row %zu k %zu: %.17g vs %.17Lg", (int)lvl, j, j + t, k,
                                  a1[(j + t) * n + k], rr[t][k]);
            for (k = 0; k < n; ++k)
                ck_assert_msg(fabsl((long double)p1[k] - pr[k]) < 1e-13L * (long double)(j + 2),
                              "level %d j %zu p[%zu]: %.17g vs %.17Lg", (int)lvl, j, k, p1[k], pr[k]);
            /* rows past j + 1 untouched */
            ck_assert(memcmp(a1, a0, j * n * sizeof(double)) == 0);
        }
    }
    free(a0); free(a1); free(a2);
}
END_TEST

/* The float twins of the row kernels: a pair gives the same bits as its
   rows one at a time, at every level and for every row length around the
   vector widths (32 and 16 floats, and the masked rest), and both agree
   with the step in long double to float accuracy. */
START_TEST(float_tridiagonal_row_pairs_equal_single_rows_at_every_level)
{
    const size_t jmax = 100, n = jmax + 2;
    float *a0 = (float *)malloc(n * n * sizeof(float)), *a1 = (float *)malloc(n * n * sizeof(float));
    float *a2 = (float *)malloc(n * n * sizeof(float));
    float x[102], y[102], u[102], p0[102], p1[102], p2[102];
    long double rr[2][102], pr[102];
    test_rng g = test_rng_make(4343);
    mossa_simd_level lvl;
    size_t i, j, k, t;
    for (i = 0; i < n * n; ++i) a0[i] = (float)test_normal(&g);
    for (i = 0; i < n; ++i) {
        x[i] = (float)test_normal(&g); y[i] = (float)test_normal(&g);
        u[i] = (float)test_normal(&g); p0[i] = (float)test_normal(&g);
    }
    FOR_EACH_SIMD_LEVEL(lvl) {
        for (j = 0; j <= jmax; ++j) {
            memcpy(a1, a0, n * n * sizeof(float)); memcpy(a2, a0, n * n * sizeof(float));
            memcpy(p1, p0, sizeof(p0)); memcpy(p2, p0, sizeof(p0));
            mossa_test_trdf_row_pair(1, j, n, a1, x, y, u, p1);
            mossa_test_trdf_row_pair(0, j, n, a2, x, y, u, p2);
            ck_assert_msg(memcmp(a1, a2, n * n * sizeof(float)) == 0, "level %d j %zu: rows differ", (int)lvl, j);
            ck_assert_msg(memcmp(p1, p2, sizeof(p1)) == 0, "level %d j %zu: p differs", (int)lvl, j);
            for (k = 0; k < n; ++k) pr[k] = p0[k];
            for (t = j; t <= j + 1; ++t) {
                long double s = 0;
                for (k = 0; k <= t; ++k)
                    rr[t - j][k] = (long double)a0[t * n + k] - ((long double)y[t] * x[k] + (long double)x[t] * y[k]);
                for (k = 0; k < t; ++k) { s += rr[t - j][k] * u[k]; pr[k] += (long double)u[t] * rr[t - j][k]; }
                pr[t] += s + rr[t - j][t] * u[t];
            }
            for (t = 0; t < 2; ++t)
                for (k = 0; k <= j + t; ++k)
                    ck_assert_msg(fabsl((long double)a1[(j + t) * n + k] - rr[t][k]) < 4e-6L,
                                  "level %d j %zu row %zu k %zu: %.9g vs %.12Lg", (int)lvl, j, j + t, k,
                                  (double)a1[(j + t) * n + k], rr[t][k]);
            for (k = 0; k < n; ++k)
                ck_assert_msg(fabsl((long double)p1[k] - pr[k]) < 4e-6L * (long double)(j + 2),
                              "level %d j %zu p[%zu]: %.9g vs %.12Lg", (int)lvl, j, k, (double)p1[k], pr[k]);
            ck_assert(memcmp(a1, a0, j * n * sizeof(float)) == 0);
            ck_assert(memcmp(a1 + (j + 2) * n, a0 + (j + 2) * n, (n - j - 2) * n * sizeof(float)) == 0);
        }
    }
    free(a0); free(a1); free(a2);
}
END_TEST

/* The kernels of the float reduction's serial steps at every SIMD level:
   the element-wise results (u = r inv rounded to float, q = sum / h, pq)
   bit-equal to the plain C expressions, max |x| exact, and the sums in
   double (sum u^2, u'q) within 1e-14 of long double and bit-identical to
   the scalar level's (eight lanes in a fixed order), for every length up
   to 70 (vector bodies and masked rests) and 1 to 5 partial rows. */
START_TEST(float_reduction_serial_kernels_agree_at_every_level)
{
    const size_t nmax = 70, ld = 80;
    float *x = test_random_floats(5 * ld, 929, 3.0), *u = test_random_floats(ld, 930, 1.0);
    float out[80], want[80];
    double q[80], wq[80], ref[4];
    mossa_simd_level lvl;
    size_t n, k, t, nb;
    x[17] = -7.5e3f; x[2] = 1e-30f;
    for (n = 0; n <= nmax; ++n)
        for (nb = 1; nb <= 5; nb += 2) {
            const double inv = 0x1p-13, h = 1.7;
            long double ss = 0, dot = 0;
            float m = 0.0f;
            for (k = 0; k < n; ++k) {
                double s = 0.0;
                m = fabsf(x[k]) > m ? fabsf(x[k]) : m;
                want[k] = (float)((double)x[k] * inv);
                ss += (long double)want[k] * want[k];
                for (t = 0; t < nb; ++t) s += (double)x[t * ld + k];
                wq[k] = s / h;
                dot += (long double)u[k] * wq[k];
            }
            ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_SCALAR), MOSSA_OK);
            ref[1] = mossa_test_trdf_serial(1, x, 0, 0, n, inv, NULL, NULL, out);
            ref[2] = mossa_test_trdf_serial(2, x, ld, nb, n, h, u, q, NULL);
            FOR_EACH_SIMD_LEVEL(lvl) {
                double r;
                ck_assert(mossa_test_trdf_serial(0, x, 0, 0, n, 0.0, NULL, NULL, NULL) == (double)m);
                memset(out, 0x5a, sizeof(out));
                r = mossa_test_trdf_serial(1, x, 0, 0, n, inv, NULL, NULL, out);
                ck_assert_msg(memcmp(out, want, n * sizeof(float)) == 0, "level %d n %zu: scaled u differs", (int)lvl, n);
                ck_assert_msg(r == ref[1] && fabsl((long double)r - ss) <= 1e-14L * ss, "level %d n %zu: sum u^2 %.17g vs %.17Lg",
                              (int)lvl, n, r, ss);
                memset(q, 0x5a, sizeof(q));
                r = mossa_test_trdf_serial(2, x, ld, nb, n, h, u, q, NULL);
                ck_assert_msg(memcmp(q, wq, n * sizeof(double)) == 0, "level %d n %zu nb %zu: q differs", (int)lvl, n, nb);
                ck_assert_msg(r == ref[2] && fabsl((long double)r - dot) <= 1e-14L * (fabsl(dot) + 1e-300L) + 1e-12L,
                              "level %d n %zu nb %zu: u'q %.17g vs %.17Lg", (int)lvl, n, nb, r, dot);
                memset(out, 0x5a, sizeof(out));
                (void)mossa_test_trdf_serial(3, NULL, 0, 0, n, 0.37, u, wq, out);
                for (k = 0; k < n; ++k) {
                    double tt = 0.37 * (double)u[k];
                    ck_assert_msg(out[k] == (float)(wq[k] - tt), "level %d n %zu k %zu: pq differs", (int)lvl, n, k);
                }
                {
                    /* nothing written past n */
                    unsigned char pat[sizeof(float)];
                    memset(pat, 0x5a, sizeof(pat));
                    ck_assert_msg(memcmp(&out[n], pat, sizeof(pat)) == 0, "level %d n %zu: pq written past n", (int)lvl, n);
                }
            }
        }
    free(x); free(u);
}
END_TEST

/* The Sturm-count kernel at every SIMD level, on tridiagonals whose
   eigenvalues are known in closed form: d_i = a, e_i = b has
   a + 2 b cos(k pi / (n + 1)), k = 1..n. At shifts at least 1e-9 from every
   eigenvalue the count must be the number of eigenvalues below the shift
   (computed in long double from the formula); at shifts on top of the
   eigenvalues, and where a pivot vanishes (d_0 - s = 0 exactly, taken as
   -pivmin), every level must give the scalar level's counts. */
START_TEST(sturm_counts_match_closed_form_spectra_at_every_level)
{
    const size_t ns[3] = {1, 37, 300};
    test_rng g = test_rng_make(777);
    size_t ni, i, t, k, c[16], c0[16];
    double *d = (double *)malloc(300 * sizeof(double)), *e2 = (double *)malloc(300 * sizeof(double));
    long double *lam = (long double *)malloc(300 * sizeof(long double));
    double s[16], s0[16];
    mossa_simd_level lvl;
    for (ni = 0; ni < 3; ++ni) {
        size_t n = ns[ni];
        const double a = 0.75, b = -0.5;
        for (i = 0; i < n; ++i) { d[i] = a; e2[i] = i ? b * b : 0.0; }
        for (k = 1; k <= n; ++k) lam[k - 1] = (long double)a + 2.0L * (long double)b * cosl((long double)k * 3.14159265358979323846264338327950288L / (long double)(n + 1));
        for (t = 0; t < 200; ++t) {
            /* random shifts over [a - 2.2 |b|, a + 2.2 |b|], kept away from the eigenvalues */
            for (i = 0; i < 16; ++i) {
                int near;
                do {
                    s[i] = a + (test_uniform(&g) * 2.0 - 1.0) * 2.2 * fabs(b);
                    near = 0;
                    for (k = 0; k < n; ++k) near |= fabsl((long double)s[i] - lam[k]) < 1e-9L;
                } while (near);
            }
            FOR_EACH_SIMD_LEVEL(lvl) {
                mossa_test_sturm16(n, d, e2, DBL_MIN, s, c);
                for (i = 0; i < 16; ++i) {
                    size_t want = 0;
                    for (k = 0; k < n; ++k) want += lam[k] < (long double)s[i];
                    ck_assert_msg(c[i] == want, "level %d n %zu shift %.17g: count %zu, want %zu", (int)lvl, n, s[i],
                                  c[i], want);
                }
            }
        }
        /* on the eigenvalues, and a vanishing first pivot: the levels agree */
        for (i = 0; i < 16; ++i) s0[i] = i == 0 ? a : (double)lam[(i * 7) % n];
        ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_SCALAR), MOSSA_OK);
        mossa_test_sturm16(n, d, e2, DBL_MIN, s0, c0);
        FOR_EACH_SIMD_LEVEL(lvl) {
            mossa_test_sturm16(n, d, e2, DBL_MIN, s0, c);
            ck_assert_msg(memcmp(c, c0, sizeof(c)) == 0, "level %d n %zu: counts on the eigenvalues differ", (int)lvl, n);
        }
    }
    free(d); free(e2); free(lam);
}
END_TEST

/* The values-only eigensolvers behind the variance rank, on a planted
   spectrum large enough that they run as a crew of threads (n > 256), at
   every SIMD level, bit-identical for 1, 2 and 3 threads:
   - the double reduction: planted eigenvalues to ~1e-12 relative to the
     largest, unchanged in relative terms when the matrix is scaled by
     2^-600 or 2^600 (the root-free QL squares the off-diagonal, after
     scaling by a power of two);
   - the float reduction (the matrix rounded to float, then held in float):
     to 1e-6 of the largest (rounding the matrix alone moves them by up to
     ~1e-7), at scales 2^-60 and 2^60 as well. */
START_TEST(eigvals_values_only_matches_planted_spectrum)
{
    size_t n = emulated() ? 260 : 300, i, j, k;
    long double *q = (long double *)malloc(n * n * sizeof(long double)), *lam = (long double *)malloc(n * sizeof(long double));
    double *a = (double *)malloc(n * n * sizeof(double)), *as = (double *)malloc(n * n * sizeof(double));
    double *w1 = (double *)malloc(n * sizeof(double)), *w2 = (double *)malloc(n * sizeof(double));
    test_rng g = test_rng_make(123);
    mossa_simd_level lvl;
    int sc;
    orthonormal(q, n, n, &g);
    /* a slowly decaying Gram-like spectrum with near-ties and a zero */
    for (i = 0; i < n; ++i) lam[i] = 1.0L / (long double)(i + 1) + ((i % 5 == 1) ? 1e-9L : 0.0L);
    lam[n - 1] = 0.0L;
    for (i = 0; i < n; ++i)
        for (j = 0; j <= i; ++j) {
            long double t = 0;
            for (k = 0; k < n; ++k) t += q[i * n + k] * lam[k] * q[j * n + k];
            a[i * n + j] = a[j * n + i] = (double)t;
        }
    for (i = 1; i < n; ++i) { /* descending */
        long double t = lam[i];
        j = i;
        while (j > 0 && lam[j - 1] < t) { lam[j] = lam[j - 1]; --j; }
        lam[j] = t;
    }
    FOR_EACH_SIMD_LEVEL(lvl) {
        int fl;
        for (fl = 0; fl < 2; ++fl)
            for (sc = -1; sc <= 1; ++sc) {
                mossa_status (*eig)(int, const double *, size_t, double *) = fl ? mossa_test_eigvals_f : mossa_test_eigvals;
                double f = ldexp(1.0, (fl ? 60 : 600) * sc);
                long double tol = fl ? 1e-6L : 1e-12L * (long double)n;
                for (i = 0; i < n * n; ++i) as[i] = a[i] * f;
                ck_assert_int_eq(eig(1, as, n, w1), MOSSA_OK);
                ck_assert_int_eq(eig(2, as, n, w2), MOSSA_OK);
                ck_assert_msg(memcmp(w1, w2, n * sizeof(double)) == 0, "level %d float %d scale %d: 1 vs 2 threads",
                              (int)lvl, fl, sc);
                /* 3 threads (the crew takes at most one per core: 2 on a
                   2-core machine); the same bits */
                ck_assert_int_eq(eig(3, as, n, w2), MOSSA_OK);
                ck_assert_msg(memcmp(w1, w2, n * sizeof(double)) == 0, "level %d float %d scale %d: 1 vs 3 threads",
                              (int)lvl, fl, sc);
                for (i = 0; i < n; ++i)
                    ck_assert_msg(fabsl((long double)w1[i] / f - lam[i]) < tol,
                                  "level %d float %d scale %d: w[%zu] %.17g vs %.17Lg", (int)lvl, fl, sc, i, w1[i] / f,
                                  lam[i]);
            }
    }
    free(q); free(lam); free(a); free(as); free(w1); free(w2);
}
END_TEST

/* ---- the Krylov basis' last orthonormalisation ---------------------------------
   max |Z'Z - I| (long double) for Z = Y A (A = NULL: Z = Y), Y m x l. */
static long double orth_error(const float *y, const float *a, size_t m, size_t l)
{
    long double *z = (long double *)calloc(m * l, sizeof(long double)), worst = 0;
    size_t i, j, r;
    for (i = 0; i < m; ++i)
        for (j = 0; j < l; ++j) {
            if (!a) { z[i * l + j] = y[i * l + j]; continue; }
            for (r = 0; r < l; ++r) z[i * l + j] += (long double)y[i * l + r] * a[r * l + j];
        }
    for (i = 0; i < l; ++i)
        for (j = 0; j < l; ++j) {
            long double t = 0;
            for (r = 0; r < m; ++r) t += z[r * l + i] * z[r * l + j];
            t -= i == j ? 1.0L : 0.0L;
            if (fabsl(t) > worst) worst = fabsl(t);
        }
    free(z);
    return worst;
}

/* An orthonormal-to-1e-6 basis needs one pass: with no_q the basis is
   left as it was and acc alone makes it orthonormal; without, Q = Y acc
   is formed. A basis far from orthonormal takes a second pass (Q again
   left unformed with no_q), and a rank-deficient one falls back to Householder QR
   from the Y held only in the float basis. */
START_TEST(krylov_basis_orthonormalisation)
{
    const size_t m = 300, l = 40;
    float *g = test_random_floats(m * l, 77, 1.0), *y = (float *)malloc(m * l * sizeof(float));
    float *q = (float *)malloc(m * l * sizeof(float)), *acc = (float *)malloc(l * l * sizeof(float));
    double *col = (double *)malloc(m * sizeof(double));
    size_t i, j, r;
    int chol, formed;
    /* Y: Gram-Schmidt in double, twice, then 1e-6 noise */
    for (j = 0; j < l; ++j) {
        int pass;
        double nrm = 0;
        for (i = 0; i < m; ++i) col[i] = g[i * l + j];
        for (pass = 0; pass < 2; ++pass)
            for (r = 0; r < j; ++r) {
                double dot = 0;
                for (i = 0; i < m; ++i) dot += col[i] * y[i * l + r];
                for (i = 0; i < m; ++i) col[i] -= dot * y[i * l + r];
            }
        for (i = 0; i < m; ++i) nrm += col[i] * col[i];
        for (i = 0; i < m; ++i) y[i * l + j] = (float)(col[i] / sqrt(nrm));
    }
    for (i = 0; i < m * l; ++i) y[i] += 1e-6f * g[(i * 7) % (m * l)];
    ck_assert(orth_error(y, NULL, m, l) > 1e-6L);
    memcpy(q, y, m * l * sizeof(float));
    ck_assert_int_eq(mossa_test_orth_basis(m, l, 1, q, acc, &chol, &formed), MOSSA_OK);
    ck_assert(chol == 1 && formed == 0);
    ck_assert(memcmp(q, y, m * l * sizeof(float)) == 0);
    ck_assert_msg(orth_error(y, acc, m, l) < 2e-6L, "Y acc: %Lg", orth_error(y, acc, m, l));
    memcpy(q, y, m * l * sizeof(float));
    ck_assert_int_eq(mossa_test_orth_basis(m, l, 0, q, acc, &chol, &formed), MOSSA_OK);
    ck_assert(chol == 1 && formed == 1);
    ck_assert_msg(orth_error(q, NULL, m, l) < 2e-6L, "Q: %Lg", orth_error(q, NULL, m, l));
    /* far from orthonormal: a second pass; with no_q Q is left unformed
       after it too (acc spans both passes), without it is formed */
    memcpy(q, g, m * l * sizeof(float));
    ck_assert_int_eq(mossa_test_orth_basis(m, l, 1, q, acc, &chol, &formed), MOSSA_OK);
    ck_assert(chol == 1 && formed == 0);
    ck_assert_msg(orth_error(g, acc, m, l) < 1e-5L, "Y acc (two passes, no Q): %Lg", orth_error(g, acc, m, l));
    memcpy(q, g, m * l * sizeof(float));
    ck_assert_int_eq(mossa_test_orth_basis(m, l, 0, q, acc, &chol, &formed), MOSSA_OK);
    ck_assert(chol == 1 && formed == 1);
    ck_assert_msg(orth_error(q, NULL, m, l) < 2e-6L, "Q (two passes): %Lg", orth_error(q, NULL, m, l));
    ck_assert_msg(orth_error(g, acc, m, l) < 1e-5L, "Y acc (two passes): %Lg", orth_error(g, acc, m, l));
    /* rank-deficient (column 5 = column 2): Householder on Y, which was
       given in q only */
    memcpy(q, y, m * l * sizeof(float));
    for (i = 0; i < m; ++i) q[i * l + 5] = q[i * l + 2];
    memcpy(y, q, m * l * sizeof(float));
    ck_assert_int_eq(mossa_test_orth_basis(m, l, 1, q, acc, &chol, &formed), MOSSA_OK);
    ck_assert(chol == 0 && formed == 1);
    ck_assert_msg(orth_error(q, NULL, m, l) < 1e-5L, "Householder Q: %Lg", orth_error(q, NULL, m, l));
    /* Q spans Y: the first columns of Y are reproduced by Q Q'Y */
    for (j = 0; j < 6; ++j) {
        long double res = 0;
        for (i = 0; i < m; ++i) col[i] = y[i * l + j];
        for (r = 0; r < l; ++r) {
            long double dot = 0;
            for (i = 0; i < m; ++i) dot += (long double)q[i * l + r] * y[i * l + j];
            for (i = 0; i < m; ++i) col[i] -= (double)(dot * q[i * l + r]);
        }
        for (i = 0; i < m; ++i) res += (long double)col[i] * col[i];
        ck_assert_msg(res < 1e-10L, "column %zu not in the span: %Lg", j, res);
    }
    free(g); free(y); free(q); free(acc); free(col);
}
END_TEST

START_TEST(randomized_svd_matches_long_double_jacobi_on_planted_spectra)
{
    shape sh[3];
    int spec, t;
    shapes(sh);
    for (t = 0; t < 3; ++t)
        for (spec = 0; spec < SPEC_COUNT; ++spec) {
            char what[96];
            float *x = planted(sh[t].n, sh[t].d, spec, 100 + (unsigned long long)(t * 10 + spec));
            size_t q = sh[t].n < sh[t].d ? sh[t].n : sh[t].d;
            snprintf(what, sizeof(what), "%zux%zu %s k=8", sh[t].n, sh[t].d, spec_names[spec]);
            check_svd_case(x, sh[t].n, sh[t].d, 8, spec, 0, what);
            snprintf(what, sizeof(what), "%zux%zu %s k=8 block Krylov", sh[t].n, sh[t].d, spec_names[spec]);
            check_svd_case(x, sh[t].n, sh[t].d, 8, spec, 1, what);
            snprintf(what, sizeof(what), "%zux%zu %s k=8 block Krylov, block 3, depth 5", sh[t].n, sh[t].d,
                     spec_names[spec]);
            check_svd_case(x, sh[t].n, sh[t].d, 8, spec, 2, what);
            snprintf(what, sizeof(what), "%zux%zu %s k=min", sh[t].n, sh[t].d, spec_names[spec]);
            if (spec != SPEC_LOWRANK) check_svd_case(x, sh[t].n, sh[t].d, q, spec == SPEC_SLOW ? SPEC_FLAT : spec, 0, what);
            free(x);
        }
}
END_TEST

/* Block Krylov's default block, 0.85 (k + p), is rounded up to whole
   16-column panels (the product engine computes the partial panel as zeros
   anyway): for k = 32 (0.85 * 42 -> 36) the default is bit-identical to
   asking for 48, and on slow decay its top-k values are no less accurate
   against the long-double reference than with 36. */
START_TEST(krylov_default_block_fills_its_last_panel)
{
    size_t n = emulated() ? 300 : 900, d = emulated() ? 220 : 300, k = 32, q = d, i;
    float *x = planted(n, d, SPEC_SLOW, 4242);
    long double *ref = (long double *)malloc(q * sizeof(long double));
    double s0[32], s48[32], s36[32], e48 = 0, e36 = 0;
    mossa_svd_options o;
    ref_svd(x, n, d, 0, ref);
    memset(&o, 0, sizeof(o));
    o.seed = 3; o.block_krylov = 1;
    ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, s0, NULL, NULL), MOSSA_OK);
    o.krylov_block = 48;
    ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, s48, NULL, NULL), MOSSA_OK);
    o.krylov_block = 36;
    ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, s36, NULL, NULL), MOSSA_OK);
    ck_assert_msg(memcmp(s0, s48, sizeof(s0)) == 0, "the default block is not 48");
    for (i = 0; i < k; ++i) {
        e48 = fmax(e48, fabs(s48[i] - (double)ref[i]) / (double)ref[i]);
        e36 = fmax(e36, fabs(s36[i] - (double)ref[i]) / (double)ref[i]);
    }
    ck_assert_msg(e48 <= e36, "block 48: max rel error %.3g, block 36: %.3g", e48, e36);
    free(x); free(ref);
}
END_TEST

START_TEST(randomized_svd_is_bit_identical_for_1_and_2_threads)
{
    size_t n = emulated() ? 150 : 900, d = emulated() ? 40 : 200, k = 12;
    float *x = planted(n, d, SPEC_SLOW, 5);
    double s1[12], s2[12];
    float *u1 = (float *)malloc(n * k * 4), *u2 = (float *)malloc(n * k * 4);
    float *v1 = (float *)malloc(k * d * 4), *v2 = (float *)malloc(k * d * 4);
    mossa_svd_options o;
    mossa_rank_options ro;
    mossa_rank_result r1, r2;
    memset(&o, 0, sizeof(o));
    memset(&ro, 0, sizeof(ro));
    o.n_threads = 1; ro.n_threads = 1;
    ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, s1, u1, v1), MOSSA_OK);
    ck_assert_int_eq(mossa_variance_rank(x, n, d, &ro, &r1), MOSSA_OK);
    o.n_threads = 2; ro.n_threads = 2;
    ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, s2, u2, v2), MOSSA_OK);
    ck_assert_int_eq(mossa_variance_rank(x, n, d, &ro, &r2), MOSSA_OK);
    ck_assert(memcmp(s1, s2, sizeof(s1)) == 0);
    ck_assert(memcmp(u1, u2, n * k * 4) == 0);
    ck_assert(memcmp(v1, v2, k * d * 4) == 0);
    ck_assert(memcmp(&r1, &r2, sizeof(r1)) == 0);
    free(x); free(u1); free(u2); free(v1); free(v2);
}
END_TEST

/* ---- the amx level's bfloat16 route ------------------------------------------
   Reference rounding to bfloat16: of the two neighbours (the truncation
   and the next bfloat16 away from zero), the nearer; a tie goes to the
   one with an even last bit. Normal, finite inputs only. */
static long double bf16_ref(float f)
{
    uint32_t u, lo, hi;
    float flo, fhi;
    long double dlo, dhi;
    memcpy(&u, &f, 4);
    lo = u & 0xffff0000u;
    hi = lo + 0x10000u;
    memcpy(&flo, &lo, 4);
    memcpy(&fhi, &hi, 4);
    dlo = fabsl((long double)f - (long double)flo);
    dhi = fabsl((long double)fhi - (long double)f);
    if (dlo != dhi) return dlo < dhi ? (long double)flo : (long double)fhi;
    return ((lo >> 16) & 1u) ? (long double)fhi : (long double)flo;
}

/* The tile products against long double sums of the bfloat16-rounded
   operands, on shapes that exercise every padding (rows and k not
   multiples of 32, 16- and 32-column panels), both orientations; 1 and 2
   threads give the same bits. Every product of two bfloat16 values is
   exact in float, so the only error is float summation over K terms:
   at most (K + 2) 2^-24 sum |terms|; a lost or misplaced tile is off by
   a fraction of the entry itself. Then the route's refusals: NaN, Inf,
   zero and out-of-range X. */
START_TEST(amx_bf16_tile_products_match_long_double)
{
    static const size_t dims[][3] = {{300, 270, 48}, {64, 32, 16}, {33, 95, 32}, {517, 1100, 144}};
    size_t t, i, j, k;
    int trans;
    if (!mossa_simd_available(MOSSA_SIMD_AMX)) {
        printf("  (amx_bf16_tile_products: no AMX on this machine; nothing to test)\n");
        return;
    }
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_AMX), MOSSA_OK);
    for (t = 0; t < sizeof(dims) / sizeof(dims[0]); ++t) {
        size_t n = dims[t][0], d = dims[t][1], l = dims[t][2];
        float *x = (float *)malloc(n * d * sizeof(float));
        test_rng g = test_rng_make(77 + t);
        for (i = 0; i < n * d; ++i) x[i] = (float)test_normal(&g);
        for (trans = 0; trans < 2; ++trans) {
            size_t K = trans ? n : d, rows = trans ? d : n;
            float *B = (float *)malloc(K * l * sizeof(float));
            float *c1 = (float *)malloc(rows * l * sizeof(float)), *c2 = (float *)malloc(rows * l * sizeof(float));
            for (i = 0; i < K * l; ++i) B[i] = (float)test_normal(&g);
            ck_assert_int_eq(mossa_test_bf16_mul(1, x, n, d, l, trans, B, c1), 1);
            ck_assert_int_eq(mossa_test_bf16_mul(2, x, n, d, l, trans, B, c2), 1);
            ck_assert_msg(memcmp(c1, c2, rows * l * sizeof(float)) == 0, "%zux%zu l=%zu trans %d: threads differ",
                          n, d, l, trans);
            for (i = 0; i < rows; ++i)
                for (j = 0; j < l; ++j) {
                    long double ref = 0, mag = 0;
                    for (k = 0; k < K; ++k) {
                        long double a = bf16_ref(trans ? x[k * d + i] : x[i * d + k]), b = bf16_ref(B[k * l + j]);
                        ref += a * b;
                        mag += fabsl(a * b);
                    }
                    ck_assert_msg(fabsl((long double)c1[i * l + j] - ref) <= (long double)(K + 2) * 0x1p-24L * mag,
                                  "%zux%zu l=%zu trans %d: C[%zu][%zu] = %.9g, reference %.9Lg", n, d, l, trans, i,
                                  j, (double)c1[i * l + j], ref);
                }
            free(B); free(c1); free(c2);
        }
        free(x);
    }
    {
        size_t n = 64, d = 48, l = 16;
        float *x = (float *)malloc(n * d * sizeof(float)), B[48 * 16], C[64 * 16];
        test_rng g = test_rng_make(5);
        for (i = 0; i < n * d; ++i) x[i] = (float)test_normal(&g);
        for (i = 0; i < d * l; ++i) B[i] = 1.0f;
        ck_assert_int_eq(mossa_test_bf16_mul(1, x, n, d, l, 0, B, C), 1);
        x[77] = NAN;
        ck_assert_int_eq(mossa_test_bf16_mul(1, x, n, d, l, 0, B, C), 0);
        x[77] = INFINITY;
        ck_assert_int_eq(mossa_test_bf16_mul(1, x, n, d, l, 0, B, C), 0);
        x[77] = 0x1p61f;
        ck_assert_int_eq(mossa_test_bf16_mul(1, x, n, d, l, 0, B, C), 0);
        for (i = 0; i < n * d; ++i) x[i] = i == 9 ? 0x1p-61f : 0.0f;
        ck_assert_int_eq(mossa_test_bf16_mul(1, x, n, d, l, 0, B, C), 0);
        memset(x, 0, n * d * sizeof(float));
        ck_assert_int_eq(mossa_test_bf16_mul(1, x, n, d, l, 0, B, C), 0);
        free(x);
    }
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_AUTO), MOSSA_OK);
}
END_TEST

/* an allocator that refuses every block of exactly limit bytes */
typedef struct big_refuser { size_t limit; long outstanding, refused; } big_refuser;
static void *br_alloc(size_t size, void *user)
{
    big_refuser *b = (big_refuser *)user;
    void *p;
    if (size == b->limit) { b->refused++; return NULL; }
    p = malloc(size);
    if (p) b->outstanding++;
    return p;
}
static void br_free(void *ptr, void *user)
{
    big_refuser *b = (big_refuser *)user;
    if (ptr) { b->outstanding--; free(ptr); }
}

/* X = U diag(s) V' of rank r (the spectra cut at r; s gets the r values):
   planted() is r = min(n, d); a smaller r is cheaper for the larger
   matrices the bfloat16 route needs */
static float *planted_rank(size_t n, size_t d, size_t r, int spec, unsigned long long seed, long double *s)
{
    size_t i, j, k;
    long double *u = (long double *)malloc(n * r * sizeof(long double));
    long double *v = (long double *)malloc(d * r * sizeof(long double));
    long double *us = (long double *)malloc(r * sizeof(long double));
    float *x = (float *)malloc(n * d * sizeof(float));
    test_rng g = test_rng_make(seed);
    orthonormal(u, n, r, &g);
    orthonormal(v, d, r, &g);
    for (k = 0; k < r; ++k) s[k] = spec_value(spec, k);
    for (i = 0; i < n; ++i) {
        for (k = 0; k < r; ++k) us[k] = u[i * r + k] * s[k];
        for (j = 0; j < d; ++j) {
            long double t = 0;
            for (k = 0; k < r; ++k) t += us[k] * v[j * r + k];
            if (spec == SPEC_LOWRANK) t += 1e-7L * test_normal(&g);
            x[i * d + j] = (float)t;
        }
    }
    free(u); free(v); free(us);
    return x;
}

/* The randomized SVD on the amx level (bfloat16 power iterations, the
   last X P and B = Q'X in float32) against the float32 route (no_bf16)
   and the planted spectrum: on every spectrum its top-k error is within
   1.5x that of the float32 route plus 2e-6 of s_1 (the float32 rounding
   of X), its vectors are orthonormal to float precision, and its bits do
   not depend on the thread count. The route is taken (the test build
   counts it) only on the amx level and without no_bf16. */
START_TEST(randomized_svd_bf16_route_matches_float32_route)
{
    size_t n = 700, d = 530, r = 96, k = 40, i, j, m;
    int spec;
    if (!mossa_simd_available(MOSSA_SIMD_AMX)) {
        printf("  (randomized_svd_bf16_route: no AMX on this machine; nothing to test)\n");
        return;
    }
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_AMX), MOSSA_OK);
    for (spec = 0; spec < SPEC_COUNT; ++spec) {
        long double ref[96];
        float *x = planted_rank(n, d, r, spec, 900 + (unsigned long long)spec, ref);
        double sb[40], sb2[40], sf[40], eb = 0, ef = 0;
        float *u = (float *)malloc(n * k * sizeof(float)), *vt = (float *)malloc(k * d * sizeof(float));
        float *u2 = (float *)malloc(n * k * sizeof(float));
        mossa_svd_options o;
        unsigned long before = mossa_test_bf16_routes();
        memset(&o, 0, sizeof(o));
        o.seed = 11;
        o.n_threads = 1;
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, sb, u, vt), MOSSA_OK);
        ck_assert_uint_eq(mossa_test_bf16_routes(), before + 1);
        o.n_threads = 2;
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, sb2, u2, NULL), MOSSA_OK);
        ck_assert_msg(memcmp(sb, sb2, sizeof(sb)) == 0 && memcmp(u, u2, n * k * sizeof(float)) == 0,
                      "%s: 1 and 2 threads differ", spec_names[spec]);
        o.no_bf16 = 1;
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, sf, NULL, NULL), MOSSA_OK);
        ck_assert_uint_eq(mossa_test_bf16_routes(), before + 2);
        for (i = 0; i < k; ++i) {
            eb = fmax(eb, fabs(sb[i] - (double)ref[i]) / (double)ref[0]);
            ef = fmax(ef, fabs(sf[i] - (double)ref[i]) / (double)ref[0]);
        }
        printf("  bfloat16 route, %s: max top-%zu error %.3g of s_1 (float32 route %.3g)\n", spec_names[spec], k, eb,
               ef);
        ck_assert_msg(eb <= 1.5 * ef + 2e-6, "%s: bfloat16 route max error %.3g, float32 route %.3g",
                      spec_names[spec], eb, ef);
        for (i = 0; i < k; ++i)
            for (j = 0; j <= i; ++j) {
                double du = 0, dv = 0, want = i == j ? 1.0 : 0.0;
                for (m = 0; m < n; ++m) du += (double)u[m * k + i] * u[m * k + j];
                for (m = 0; m < d; ++m) dv += (double)vt[i * d + m] * vt[j * d + m];
                ck_assert_msg(fabs(du - want) < 1e-5 && fabs(dv - want) < 1e-5, "%s: U'U or VV' [%zu][%zu]",
                              spec_names[spec], i, j);
            }
        free(x); free(u); free(vt); free(u2);
    }
    {
        /* without memory for the copies of X (an allocator that refuses
           blocks of their size, np dp bfloat16): the float32 route, bit
           for bit, and nothing left allocated */
        long double ref[96];
        float *x = planted_rank(n, d, r, SPEC_SLOW, 960, ref);
        double s1[40], s2[40];
        big_refuser br;
        mossa_allocator a;
        mossa_svd_options o;
        unsigned long before;
        br.limit = (n + 31) / 32 * 32 * ((d + 31) / 32 * 32) * 2;
        br.outstanding = 0; br.refused = 0;
        a.alloc = br_alloc; a.free = br_free; a.user = &br;
        memset(&o, 0, sizeof(o));
        o.allocator = &a;
        before = mossa_test_bf16_routes();
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, s1, NULL, NULL), MOSSA_OK);
        ck_assert_uint_eq(mossa_test_bf16_routes(), before);
        ck_assert_int_ge(br.refused, 1);
        ck_assert_int_eq(br.outstanding, 0);
        o.allocator = NULL;
        o.no_bf16 = 1;
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, &o, s2, NULL, NULL), MOSSA_OK);
        ck_assert(memcmp(s1, s2, sizeof(s1)) == 0);
        free(x);
    }
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_AVX512), MOSSA_OK);
    {
        /* below the amx level, and for X the route refuses, float32 */
        long double ref[96];
        float *x = planted_rank(n, d, r, SPEC_FAST, 950, ref);
        double s[40];
        unsigned long before = mossa_test_bf16_routes();
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, NULL, s, NULL, NULL), MOSSA_OK);
        ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_AMX), MOSSA_OK);
        for (i = 0; i < n * d; ++i) x[i] *= 0x1p70f;
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, NULL, s, NULL, NULL), MOSSA_OK);
        ck_assert_msg(fabs(s[0] * 0x1p-70 - 1.0) < 1e-5, "s_1 of X 2^70 = %.9g", s[0]);
        ck_assert_uint_eq(mossa_test_bf16_routes(), before);
        x[1234] = NAN;
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, NULL, s, NULL, NULL), MOSSA_ERR_NONFINITE);
        memset(x, 0, n * d * sizeof(float));
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, NULL, s, NULL, NULL), MOSSA_ERR_ZERO_VARIANCE);
        ck_assert_uint_eq(mossa_test_bf16_routes(), before);
        free(x);
    }
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_AUTO), MOSSA_OK);
}
END_TEST

START_TEST(randomized_svd_every_simd_level_agrees_with_reference)
{
    mossa_simd_level lvl;
    size_t n = emulated() ? 80 : 300, d = emulated() ? 24 : 80, k = 6, i;
    float *x = planted(n, d, SPEC_FAST, 9);
    long double ref[80];
    int levels = 0;
    ref_svd(x, n, d, 0, ref);
    FOR_EACH_SIMD_LEVEL(lvl) {
        double s[6];
        mossa_rank_result r;
        int tie;
        size_t want;
        long double cref[80];
        ck_assert_int_eq(mossa_svd_randomized(x, n, d, k, NULL, s, NULL, NULL), MOSSA_OK);
        for (i = 0; i < k; ++i)
            ck_assert_msg(fabs(s[i] - (double)ref[i]) <= 2e-5 * (double)ref[0], "%s: s[%zu]", mossa_simd_name(lvl), i);
        ck_assert_int_eq(mossa_variance_rank(x, n, d, NULL, &r), MOSSA_OK);
        ref_svd(x, n, d, 1, cref);
        want = ref_rank(cref, d, 0.99, &tie);
        ck_assert(tie || r.rank == want);
        ++levels;
    }
    ck_assert_int_ge(levels, 1);
    free(x);
}
END_TEST

/* ---- variance rank --------------------------------------------------------------- */
static void check_rank(const float *x, size_t n, size_t d, int center, const char *what)
{
    static const double fs[5] = {0.5, 0.9, 0.99, 1.0, 0.0};
    size_t q = n < d ? n : d, i;
    long double *ref = (long double *)malloc(q * sizeof(long double)), tot = 0;
    int fi;
    ref_svd(x, n, d, center, ref);
    for (i = 0; i < q; ++i) tot += ref[i] * ref[i];
    for (fi = 0; fi < 5; ++fi) {
        mossa_rank_options o;
        mossa_rank_result r;
        int tie;
        double f = fs[fi] == 0.0 ? 0.99 : fs[fi];
        size_t want = ref_rank(ref, q, f, &tie);
        memset(&o, 0, sizeof(o));
        o.variance = fs[fi];
        o.no_center = !center;
        ck_assert_int_eq(mossa_variance_rank(x, n, d, &o, &r), MOSSA_OK);
        ck_assert_msg(tie || r.rank == want, "%s f=%g: rank %zu, full SVD %zu", what, f, r.rank, want);
        ck_assert_msg(fabs(r.total_variance - (double)tot) <= 1e-9 * (double)tot, "%s: total %.12g vs %.12Lg",
                      what, r.total_variance, tot);
        ck_assert(r.explained >= f - 1e-6 && r.explained <= 1.0 + 1e-12);
        if (!tie) {
            long double cum = 0;
            for (i = 0; i < r.rank; ++i) cum += ref[i] * ref[i];
            ck_assert_msg(fabs(r.explained - (double)(cum / tot)) < 1e-5, "%s f=%g: explained %.9g vs %.9Lg",
                          what, f, r.explained, cum / tot);
        }
    }
    free(ref);
}

/* The rank read off the bottom of the spectrum (bisection on Sturm counts
   for the eigenvalues in the last 1 - f of the variance) against the rank
   of the whole spectrum (QL) and the count of the planted eigenvalues, on
   A = H3 H2 H1 diag(lambda) H1 H2 H3 (Householder reflections): slow,
   fast, flat and low-rank spectra (the last with 280 eigenvalues below the
   1e-9 cut-off, some of them zero, so rounding makes them negative), f =
   0.9, 0.99, 0.999. Where the tail path answers it must give the same
   count (ties within 1e-6 of f excepted) and the same explained fraction
   to 1e-12, bit-identically for 1 and 2 threads; it must answer for the
   short tails (slow and flat at 0.99 and 0.999) and may decline long ones
   (it does for slow at 0.9, 140 of 300 eigenvalues, budget 75). */
START_TEST(variance_rank_from_the_tail_equals_the_whole_spectrum)
{
    size_t n = emulated() ? 260 : 300, i, j, t, r;
    static const double fs[3] = {0.9, 0.99, 0.999};
    double *a = (double *)malloc(n * n * sizeof(double)), *v = (double *)malloc(n * sizeof(double));
    double *av = (double *)malloc(n * sizeof(double));
    long double *sv = (long double *)malloc(n * sizeof(long double));
    int spec, fi, answered = 0;
    for (spec = 0; spec < 4; ++spec) {
        /* lambda descending */
        for (i = 0; i < n; ++i) {
            double l = spec == 0 ? 1.0 / (double)(i + 1) : spec == 1 ? pow(0.97, (double)i)
                     : spec == 2 ? 1.0 + 0.01 * sin((double)i) : (i < 20 ? 1.0 / (double)(i + 1) : (i % 3 ? 1e-13 : 0.0));
            sv[i] = sqrtl((long double)l);
        }
        if (spec == 2) /* sort the flat one descending */
            for (i = 1; i < n; ++i)
                for (j = i; j > 0 && sv[j - 1] < sv[j]; --j) { long double x = sv[j]; sv[j] = sv[j - 1]; sv[j - 1] = x; }
        memset(a, 0, n * n * sizeof(double));
        for (i = 0; i < n; ++i) a[i * n + i] = (double)(sv[i] * sv[i]);
        for (t = 0; t < 3; ++t) {
            double nv = 0, vav = 0;
            for (i = 0; i < n; ++i) { v[i] = sin(1.7 * (double)i + (double)t) + 0.1 * cos(3.3 * (double)(i * t)); nv += v[i] * v[i]; }
            for (i = 0; i < n; ++i) v[i] /= sqrt(nv);
            for (i = 0; i < n; ++i) {
                double sum = 0;
                for (r = 0; r < n; ++r) sum += a[i * n + r] * v[r];
                av[i] = sum;
            }
            for (i = 0; i < n; ++i) vav += v[i] * av[i];
            for (i = 0; i < n; ++i)
                for (j = 0; j < n; ++j) a[i * n + j] += -2 * v[i] * av[j] - 2 * av[i] * v[j] + 4 * vav * v[i] * v[j];
        }
        for (fi = 0; fi < 3; ++fi) {
            mossa_rank_result whole, tail1, tail2;
            int tie;
            size_t want = ref_rank(sv, n, fs[fi], &tie);
            mossa_status st1, st2;
            ck_assert_int_eq(mossa_test_rank_spectrum(2, a, n, fs[fi], 0, &whole), MOSSA_OK);
            ck_assert_msg(tie || whole.rank == want, "spec %d f %g: QL rank %zu, planted %zu", spec, fs[fi],
                          whole.rank, want);
            st1 = mossa_test_rank_spectrum(1, a, n, fs[fi], 1, &tail1);
            st2 = mossa_test_rank_spectrum(2, a, n, fs[fi], 1, &tail2);
            ck_assert_int_eq(st1, st2);
            ck_assert_msg(st1 == MOSSA_OK || st1 == MOSSA_ERR_NOT_CONVERGED, "spec %d f %g: %s", spec, fs[fi],
                          mossa_status_string(st1));
            if ((spec == 0 || spec == 2) && fi > 0)
                ck_assert_msg(st1 == MOSSA_OK, "spec %d f %g: the tail path declined a short tail", spec, fs[fi]);
            if (spec == 0 && fi == 0)
                ck_assert_msg(st1 != MOSSA_OK, "the tail path took 140 of 300 eigenvalues (budget 75)");
            if (st1 != MOSSA_OK) continue;
            ++answered;
            ck_assert(tail1.rank == tail2.rank && tail1.explained == tail2.explained);
            ck_assert_msg(tie || tail1.rank == whole.rank, "spec %d f %g: tail rank %zu, whole %zu", spec, fs[fi],
                          tail1.rank, whole.rank);
            if (tail1.rank == whole.rank)
                ck_assert_msg(fabs(tail1.explained - whole.explained) <= 1e-12, "spec %d f %g: explained %.17g vs %.17g",
                              spec, fs[fi], tail1.explained, whole.explained);
        }
    }
    ck_assert_int_ge(answered, 4);
    free(a); free(v); free(av); free(sv);
    {
        /* A tail that the 16 counts misjudge: at order 512 (budget 128)
           the 127 smallest eigenvalues (0.0673) sit at the bottom of their
           fifteenth of [0, lambda_128 = 1], so the counts put their sum near
           12.7 where it is 8.55, and the 129th and 130th (also 1) are still
           needed for (1 - f) sum = 10.35. The bisections run out of budget
           and the whole spectrum answers: the tail path declines, the rank
           is right. */
        size_t m = 512;
        double *g = (double *)malloc(m * m * sizeof(double)), *h = (double *)malloc(m * sizeof(double));
        double *gh = (double *)malloc(m * sizeof(double)), hgh = 0, hn = 0;
        long double *lam = (long double *)malloc(m * sizeof(long double));
        mossa_rank_result whole, tl;
        int tie;
        size_t want;
        for (i = 0; i < m; ++i)
            lam[i] = i < 382 ? (1035.0L - 127 * 0.0673L - 3.0L) / 382 : i < 385 ? 1.0L : 0.0673L;
        memset(g, 0, m * m * sizeof(double));
        for (i = 0; i < m; ++i) { g[i * m + i] = (double)lam[i]; h[i] = cos(0.37 * (double)(i * i % 101)) + 0.01; hn += h[i] * h[i]; }
        for (i = 0; i < m; ++i) h[i] /= sqrt(hn);
        for (i = 0; i < m; ++i) gh[i] = g[i * m + i] * h[i];
        for (i = 0; i < m; ++i) hgh += h[i] * gh[i];
        for (i = 0; i < m; ++i)
            for (j = 0; j < m; ++j) g[i * m + j] += -2 * h[i] * gh[j] - 2 * gh[i] * h[j] + 4 * hgh * h[i] * h[j];
        for (i = 0; i < m; ++i) lam[i] = sqrtl(lam[i]);
        want = ref_rank(lam, m, 0.99, &tie);
        ck_assert(!tie && want == 512 - 129 + 1);
        ck_assert_int_eq(mossa_test_rank_spectrum(2, g, m, 0.99, 0, &whole), MOSSA_OK);
        ck_assert_uint_eq(whole.rank, want);
        ck_assert_int_eq(mossa_test_rank_spectrum(2, g, m, 0.99, 1, &tl), MOSSA_ERR_NOT_CONVERGED);
        free(g); free(h); free(gh); free(lam);
    }
}
END_TEST

START_TEST(variance_rank_equals_full_svd_count)
{
    shape sh[3];
    int spec, t;
    shapes(sh);
    for (t = 0; t < 3; ++t)
        for (spec = 0; spec < SPEC_COUNT; ++spec) {
            char what[96];
            float *x = planted(sh[t].n, sh[t].d, spec, 200 + (unsigned long long)(t * 10 + spec));
            snprintf(what, sizeof(what), "%zux%zu %s", sh[t].n, sh[t].d, spec_names[spec]);
            check_rank(x, sh[t].n, sh[t].d, 1, what);
            check_rank(x, sh[t].n, sh[t].d, 0, what);
            free(x);
        }
}
END_TEST

START_TEST(variance_rank_randomized_path_is_exact)
{
    /* method 1: the certified randomized path first (it falls back to the
       Gram spectrum when it cannot certify); every answer must equal the
       full-SVD count */
    size_t n = emulated() ? 130 : 700, d = emulated() ? 128 : 260, q = d;
    int spec, fi;
    static const double fs[4] = {0.5, 0.9, 0.99, 0.999};
    for (spec = 0; spec < SPEC_COUNT; ++spec) {
        if (emulated() && (spec == SPEC_SLOW || spec == SPEC_FLAT)) continue; /* these fall back to the Gram */
        float *x = planted(n, d, spec, 500 + (unsigned long long)spec);
        long double *ref = (long double *)malloc(q * sizeof(long double));
        ref_svd(x, n, d, 1, ref);
        for (fi = 0; fi < 4; ++fi) {
            mossa_rank_options o;
            mossa_rank_result r, r2;
            int tie;
            size_t want = ref_rank(ref, q, fs[fi], &tie);
            memset(&o, 0, sizeof(o));
            if (emulated() && (fi == 0 || fi == 3)) continue;
            o.variance = fs[fi];
            o.method = 1;
            ck_assert_int_eq(mossa_variance_rank(x, n, d, &o, &r), MOSSA_OK);
            ck_assert_msg(tie || r.rank == want, "%s f=%g: randomized rank %zu, full SVD %zu", spec_names[spec],
                          fs[fi], r.rank, want);
            o.method = 2;
            ck_assert_int_eq(mossa_variance_rank(x, n, d, &o, &r2), MOSSA_OK);
            ck_assert(tie || r2.rank == want);
        }
        free(x); free(ref);
    }
}
END_TEST

/* Entries at the ends of float's range: a matrix times 2^100 (squares
   past float's range) or 2^-80 (squares below it) has the same spectrum up
   to a power of two. Its rank and explained fraction must be bit-identical
   to the unscaled matrix's, and its total variance exactly 2^200 / 2^-160
   of it: through the Gram (method 2, centered and not) and the certified
   randomized path (method 1, on a fast-decaying spectrum that it
   certifies). Float partial sums of the unscaled squares would overflow or
   vanish. */
START_TEST(variance_rank_is_exact_at_the_ends_of_float_range)
{
    size_t n = emulated() ? 130 : 400, d = emulated() ? 96 : 200, i, q = d;
    static const int exps[2] = {100, -80};
    int spec, e, method, nc;
    for (spec = 0; spec < 2; ++spec) {
        float *x = planted(n, d, spec == 0 ? SPEC_FAST : SPEC_SLOW, 640 + (unsigned long long)spec);
        float *xs = (float *)malloc(n * d * sizeof(float));
        long double *ref = (long double *)malloc(q * sizeof(long double));
        int tie;
        size_t want;
        ref_svd(x, n, d, 1, ref);
        want = ref_rank(ref, q, 0.99, &tie);
        for (e = 0; e < 2; ++e) {
            for (i = 0; i < n * d; ++i) {
                xs[i] = (float)ldexp((double)x[i], exps[e]);
                ck_assert_msg((double)xs[i] == ldexp((double)x[i], exps[e]), "test data: 2^%d x[%zu] inexact",
                              exps[e], i);
            }
            for (method = 1; method <= 2; ++method)
                for (nc = 0; nc < 2; ++nc) {
                    mossa_rank_options o;
                    mossa_rank_result r0, r1;
                    memset(&o, 0, sizeof(o));
                    o.method = method; o.no_center = nc; o.n_threads = 2;
                    if (method == 1 && (spec != 0 || nc)) continue;
                    ck_assert_int_eq(mossa_variance_rank(x, n, d, &o, &r0), MOSSA_OK);
                    ck_assert_int_eq(mossa_variance_rank(xs, n, d, &o, &r1), MOSSA_OK);
                    ck_assert_msg(r1.rank == r0.rank && r1.explained == r0.explained,
                                  "spec %d 2^%d method %d no_center %d: rank %zu (%.17g) vs unscaled %zu (%.17g)",
                                  spec, exps[e], method, nc, r1.rank, r1.explained, r0.rank, r0.explained);
                    ck_assert(r1.total_variance == ldexp(r0.total_variance, 2 * exps[e]));
                    if (!nc) ck_assert_msg(tie || r0.rank == want, "rank %zu, full SVD %zu", r0.rank, want);
                }
        }
        free(x); free(xs); free(ref);
    }
}
END_TEST

START_TEST(variance_rank_survives_massive_activations)
{
    /* a few columns with means in the thousands (LLM "massive activations"):
       the centered count must not see them. Tall (the d x d Gram) and wide
       (the n x n Gram): the centering happens while each orientation's
       operand is packed. */
    size_t big = emulated() ? 80 : 400, small = emulated() ? 24 : 96;
    int wide;
    for (wide = 0; wide < 2; ++wide) {
        size_t n = wide ? small : big, d = wide ? big : small, i;
        float *x = planted(n, d, SPEC_SLOW, 31 + (unsigned long long)wide);
        long double ref[96];
        int tie;
        size_t want;
        mossa_rank_result r;
        for (i = 0; i < n; ++i) { x[i * d + 3] += 4000.0f; x[i * d + 17] -= 2500.0f; }
        ref_svd(x, n, d, 1, ref);
        want = ref_rank(ref, small, 0.99, &tie);
        ck_assert_int_eq(mossa_variance_rank(x, n, d, NULL, &r), MOSSA_OK);
        ck_assert_msg(tie || r.rank == want, "%zu x %zu: rank %zu, full SVD %zu", n, d, r.rank, want);
        free(x);
    }
}
END_TEST

/* From order 256 the rank reads the float reduction's lower triangle
   straight from the float Gram (the tests above stay below it): tall (the
   d x d Gram, packed by columns) and wide (the n x n Gram, packed by
   rows), an order of 260 (two whole 128-blocks and a partial one), slow
   and flat (tall), slow and low-rank (wide) spectra, with two "massive
   activation" columns,
   centered and not, against the long-double Jacobi SVD's count. Native
   only: under qemu the long-double reference at this order takes minutes
   (the NEON tiles are checked by the float Gram test above). */
START_TEST(variance_rank_float_gram_path_tall_and_wide)
{
    static const int specs[2][2] = {{SPEC_SLOW, SPEC_FLAT}, {SPEC_SLOW, SPEC_LOWRANK}};
    size_t big = 300, small = 260;
    int wide, si;
    if (emulated()) return;
    for (wide = 0; wide < 2; ++wide)
        for (si = 0; si < 2; ++si) {
            int spec = specs[wide][si];
            size_t n = wide ? small : big, d = wide ? big : small, i;
            float *x = planted(n, d, spec, 61 + (unsigned long long)(wide * 10 + spec));
            char what[96];
            for (i = 0; i < n; ++i) { x[i * d + 3] += 4000.0f; x[i * d + 17] -= 2500.0f; }
            snprintf(what, sizeof(what), "%zux%zu %s + massive activations", n, d, spec_names[spec]);
            check_rank(x, n, d, 1, what);
            if (spec == SPEC_SLOW) check_rank(x, n, d, 0, what);
            free(x);
        }
}
END_TEST

START_TEST(variance_rank_large_tall_matrix)
{
    size_t n = emulated() ? 200 : 3000, d = emulated() ? 32 : 256;
    float *x = planted(n, d, SPEC_SLOW, 41);
    long double *ref = (long double *)malloc(d * sizeof(long double));
    int tie;
    size_t want;
    mossa_rank_result r;
    mossa_rank_options o;
    memset(&o, 0, sizeof(o));
    ref_svd(x, n, d, 1, ref);
    want = ref_rank(ref, d, 0.99, &tie);
    ck_assert_int_eq(mossa_variance_rank(x, n, d, &o, &r), MOSSA_OK);
    ck_assert(tie || r.rank == want);
    free(x); free(ref);
}
END_TEST

/* ---- dense building blocks ------------------------------------------------------------ */
START_TEST(eigh_recovers_planted_eigenvalues_and_vectors)
{
    size_t n = emulated() ? 30 : 120, i, j, k;
    long double *q = (long double *)malloc(n * n * sizeof(long double));
    double *a = (double *)malloc(n * n * sizeof(double)), *w = (double *)malloc(n * sizeof(double));
    double *w2 = (double *)malloc(n * sizeof(double)), *v = (double *)malloc(n * n * sizeof(double));
    long double *lam = (long double *)malloc(n * sizeof(long double));
    test_rng g = test_rng_make(77);
    orthonormal(q, n, n, &g);
    for (i = 0; i < n; ++i) lam[i] = (long double)(n - i) * ((i % 3) ? 1.0L : -0.5L) + 0.25L * (long double)i;
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) {
            long double t = 0;
            for (k = 0; k < n; ++k) t += q[i * n + k] * lam[k] * q[j * n + k];
            a[i * n + j] = (double)t;
        }
    /* sort the planted values descending for comparison */
    for (i = 1; i < n; ++i) {
        long double t = lam[i];
        j = i;
        while (j > 0 && lam[j - 1] < t) { lam[j] = lam[j - 1]; --j; }
        lam[j] = t;
    }
    ck_assert_int_eq(mossa_eigh(a, n, NULL, w, v), MOSSA_OK);
    ck_assert_int_eq(mossa_eigh(a, n, NULL, w2, NULL), MOSSA_OK);
    for (i = 0; i < n; ++i) {
        ck_assert_msg(fabs(w[i] - (double)lam[i]) < 1e-11 * (double)n, "w[%zu] %.17g vs %.17Lg", i, w[i], lam[i]);
        ck_assert_msg(fabs(w2[i] - (double)lam[i]) < 1e-11 * (double)n, "values-only w[%zu] %.17g", i, w2[i]);
    }
    /* A v = w v and V'V = I */
    for (j = 0; j < n; ++j) {
        double big = 0, sgn = 0;
        for (i = 0; i < n; ++i) {
            double t = 0;
            for (k = 0; k < n; ++k) t += a[i * n + k] * v[k * n + j];
            ck_assert(fabs(t - w[j] * v[i * n + j]) < 1e-11 * (double)n);
            if (fabs(v[i * n + j]) > big) { big = fabs(v[i * n + j]); sgn = v[i * n + j]; }
        }
        ck_assert(sgn > 0);
        for (k = 0; k < n; ++k) {
            double t = 0;
            for (i = 0; i < n; ++i) t += v[i * n + j] * v[i * n + k];
            ck_assert(fabs(t - (j == k ? 1.0 : 0.0)) < 1e-12 * (double)n);
        }
    }
    free(q); free(a); free(w); free(w2); free(v); free(lam);
}
END_TEST

/* Values only on matrices the tridiagonal QL meets split: 2 x 2 blocks
   along the diagonal (each ends the sweeps through the closed form), a
   diagonal stretch, a zero block and sizes 1 and 2, against the closed
   form in long double; and the all-zero matrix. */
START_TEST(eigh_values_only_on_split_and_two_by_two_blocks)
{
    enum { N = 41 };
    double a[N * N], w[N];
    long double want[N], t;
    size_t i, j, n;
    for (n = 1; n <= N; n += 20) {
        memset(a, 0, sizeof(a));
        for (i = 0; i < n; ++i) {
            if (i + 1 < n && i < 24 && i % 2 == 0) {
                long double p = 0.5L + (long double)i, q = -3.0L + 0.25L * (long double)i, b = 1.0L / (long double)(i + 2);
                long double mid = (p + q) / 2, rad = sqrtl((p - q) * (p - q) / 4 + b * b);
                a[i * n + i] = (double)p; a[(i + 1) * n + i + 1] = (double)q;
                a[i * n + i + 1] = a[(i + 1) * n + i] = (double)b;
                want[i] = mid + rad; want[i + 1] = mid - rad;
                ++i;
            } else {
                want[i] = i % 3 ? (long double)i * 0.125L - 2.0L : 0.0L;
                a[i * n + i] = (double)want[i];
            }
        }
        for (i = 1; i < n; ++i) {
            t = want[i];
            j = i;
            while (j > 0 && want[j - 1] < t) { want[j] = want[j - 1]; --j; }
            want[j] = t;
        }
        ck_assert_int_eq(mossa_eigh(a, n, NULL, w, NULL), MOSSA_OK);
        for (i = 0; i < n; ++i)
            ck_assert_msg(fabsl((long double)w[i] - want[i]) < 1e-13L * 30, "n %zu: w[%zu] %.17g vs %.17Lg", n, i,
                          w[i], want[i]);
    }
    memset(a, 0, sizeof(a));
    ck_assert_int_eq(mossa_eigh(a, N, NULL, w, NULL), MOSSA_OK);
    for (i = 0; i < N; ++i) ck_assert(w[i] == 0.0);
}
END_TEST

START_TEST(svd_dense_matches_reference_tall_and_wide)
{
    size_t dims[2][2] = {{70, 25}, {25, 70}}, t, i, j, k;
    for (t = 0; t < 2; ++t) {
        size_t m = dims[t][0], n = dims[t][1], q = 25;
        float *xf = planted(m, n, SPEC_FAST, 300 + t);
        double *a = (double *)malloc(m * n * sizeof(double)), s[25];
        double *u = (double *)malloc(m * q * sizeof(double)), *vt = (double *)malloc(q * n * sizeof(double));
        long double ref[25];
        for (i = 0; i < m * n; ++i) a[i] = xf[i];
        ref_svd(xf, m, n, 0, ref);
        ck_assert_int_eq(mossa_svd_dense(a, m, n, NULL, s, u, vt), MOSSA_OK);
        for (i = 0; i < q; ++i)
            ck_assert_msg(fabs(s[i] - (double)ref[i]) <= 1e-13 * (double)ref[0], "s[%zu] %.17g vs %.17Lg", i, s[i], ref[i]);
        /* A = U S Vt to working precision */
        for (i = 0; i < m; ++i)
            for (j = 0; j < n; ++j) {
                double r = a[i * n + j];
                for (k = 0; k < q; ++k) r -= u[i * q + k] * s[k] * vt[k * n + j];
                ck_assert(fabs(r) < 1e-13);
            }
        free(xf); free(a); free(u); free(vt);
    }
}
END_TEST

START_TEST(pca_matches_centered_reference)
{
    /* both routes: exact Gram (tall, d <= 1024) and randomized (wide) */
    size_t dims[2][2] = {{300, 40}, {60, 240}}, t, i, j, r, k = 5;
    for (t = 0; t < 2; ++t) {
        size_t n = dims[t][0] / (emulated() ? 2 : 1), d = dims[t][1] / (emulated() ? 2 : 1), q = n < d ? n : d;
        float *x = planted(n, d, SPEC_FAST, 600 + t);
        long double *ref = (long double *)malloc(q * sizeof(long double));
        double var[5], *mean = (double *)calloc(d, sizeof(double));
        float *sc = (float *)malloc(n * k * 4), *comp = (float *)malloc(k * d * 4);
        for (i = 0; i < n * d; ++i) x[i] += 100.0f; /* offsets: centering must remove them */
        ref_svd(x, n, d, 1, ref);
        ck_assert_int_eq(mossa_pca(x, n, d, k, NULL, var, sc, comp), MOSSA_OK);
        for (i = 0; i < n; ++i)
            for (j = 0; j < d; ++j) mean[j] += x[i * d + j] / (double)n;
        for (r = 0; r < k; ++r) {
            double want = (double)(ref[r] * ref[r]) / (double)(n - 1), big = 0, val = 0;
            ck_assert_msg(fabs(var[r] - want) <= 1e-4 * want, "pca %zu: var[%zu] %.9g vs %.9g", t, r, var[r], want);
            for (i = 0; i < n; ++i) {
                /* score = (x - mean) . component */
                double sdot = 0;
                for (j = 0; j < d; ++j) sdot += ((double)x[i * d + j] - mean[j]) * comp[r * d + j];
                ck_assert_msg(fabs(sdot - sc[i * k + r]) < 2e-3 * (double)ref[0] / sqrt((double)n) + 1e-4,
                              "pca %zu: score[%zu][%zu] %g vs %g", t, i, r, sc[i * k + r], sdot);
                if (fabsf(sc[i * k + r]) > big) { big = fabsf(sc[i * k + r]); val = sc[i * k + r]; }
            }
            ck_assert(val > 0);
        }
        {
            /* the same matrix times 2^100 (squares past float's range) and
               2^-80 (below it): variances, scores and components are those
               above times 2^200 / 2^-160, 2^100 / 2^-80 and 1, bit for bit */
            static const int exps[2] = {100, -80};
            float *xs = (float *)malloc(n * d * 4), *sc2 = (float *)malloc(n * k * 4);
            float *comp2 = (float *)malloc(k * d * 4);
            double var2[5];
            int e;
            for (e = 0; e < 2; ++e) {
                for (i = 0; i < n * d; ++i) xs[i] = (float)ldexp((double)x[i], exps[e]);
                ck_assert_int_eq(mossa_pca(xs, n, d, k, NULL, var2, sc2, comp2), MOSSA_OK);
                for (r = 0; r < k; ++r) {
                    ck_assert_msg(var2[r] == ldexp(var[r], 2 * exps[e]), "pca %zu 2^%d: var[%zu] %.17g vs %.17g", t,
                                  exps[e], r, var2[r], ldexp(var[r], 2 * exps[e]));
                    for (i = 0; i < n; ++i) ck_assert((double)sc2[i * k + r] == ldexp((double)sc[i * k + r], exps[e]));
                }
                ck_assert(memcmp(comp, comp2, k * d * 4) == 0);
            }
            free(xs); free(sc2); free(comp2);
        }
        ck_assert_int_eq(mossa_pca(x, 1, d, 1, NULL, var, sc, NULL), MOSSA_ERR_TOO_FEW_SAMPLES);
        ck_assert_int_eq(mossa_pca(x, n, d, 0, NULL, var, sc, NULL), MOSSA_ERR_INVALID_ARGUMENT);
        free(x); free(ref); free(mean); free(sc); free(comp);
    }
}
END_TEST

/* ---- errors ---------------------------------------------------------------------------- */
START_TEST(errors_are_clear_statuses)
{
    float x[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13}, z[12] = {0};
    double s[3];
    mossa_rank_result r;
    mossa_rank_options o;
    mossa_svd_options so;
    memset(&o, 0, sizeof(o));
    memset(&so, 0, sizeof(so));
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 3, 0, NULL, s, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 3, 4, NULL, s, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_svd_randomized(x, 0, 3, 1, NULL, s, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 0, 1, NULL, s, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_svd_randomized(NULL, 4, 3, 1, NULL, s, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 3, 1, NULL, NULL, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    so.power_iters = -2;
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 3, 1, &so, s, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_svd_randomized(z, 4, 3, 2, NULL, s, NULL, NULL), MOSSA_ERR_ZERO_VARIANCE);
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 3, 3, NULL, s, NULL, NULL), MOSSA_OK);
    o.variance = 1.5;
    ck_assert_int_eq(mossa_variance_rank(x, 4, 3, &o, &r), MOSSA_ERR_INVALID_ARGUMENT);
    o.variance = -0.1;
    ck_assert_int_eq(mossa_variance_rank(x, 4, 3, &o, &r), MOSSA_ERR_INVALID_ARGUMENT);
    o.variance = NAN;
    ck_assert_int_eq(mossa_variance_rank(x, 4, 3, &o, &r), MOSSA_ERR_INVALID_ARGUMENT);
    o.variance = 0.9;
    ck_assert_int_eq(mossa_variance_rank(x, 0, 3, &o, &r), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_variance_rank(x, 4, 3, &o, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_variance_rank(z, 4, 3, &o, &r), MOSSA_ERR_ZERO_VARIANCE);
    {
        float c[12] = {5, 1, 2, 5, 1, 2, 5, 1, 2, 5, 1, 2}; /* identical rows: zero after centering */
        ck_assert_int_eq(mossa_variance_rank(c, 4, 3, &o, &r), MOSSA_ERR_ZERO_VARIANCE);
        o.no_center = 1;
        ck_assert_int_eq(mossa_variance_rank(c, 4, 3, &o, &r), MOSSA_OK);
        ck_assert_int_eq((int)r.rank, 1);
        o.no_center = 0;
    }
    x[5] = NAN;
    ck_assert_int_eq(mossa_variance_rank(x, 4, 3, &o, &r), MOSSA_ERR_NONFINITE);
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 3, 1, NULL, s, NULL, NULL), MOSSA_ERR_NONFINITE);
    x[5] = INFINITY;
    ck_assert_int_eq(mossa_variance_rank(x, 4, 3, &o, &r), MOSSA_ERR_NONFINITE);
    ck_assert_int_eq(mossa_svd_randomized(x, 4, 3, 1, NULL, s, NULL, NULL), MOSSA_ERR_NONFINITE);
    ck_assert_int_eq(mossa_svd_randomized(x, (size_t)1 << 62, (size_t)1 << 62, 1, NULL, s, NULL, NULL),
                     MOSSA_ERR_TOO_LARGE);
    {
        /* the scan is split into chunks across threads: a NaN, or the one
           nonzero entry, in the very last element of a multi-chunk matrix */
        size_t n = 300, d = 301, last = n * d - 1;
        float *big = (float *)calloc(n * d, sizeof(float));
        float *sc = (float *)malloc(n * 2 * sizeof(float));
        so.power_iters = 0; so.n_threads = 2; o.n_threads = 2;
        ck_assert_int_eq(mossa_svd_randomized(big, n, d, 2, &so, s, NULL, NULL), MOSSA_ERR_ZERO_VARIANCE);
        big[last] = 3.0f;
        ck_assert_int_eq(mossa_svd_randomized(big, n, d, 2, &so, s, NULL, NULL), MOSSA_OK);
        ck_assert(fabs(s[0] - 3.0) < 1e-6);
        big[last] = NAN;
        ck_assert_int_eq(mossa_svd_randomized(big, n, d, 2, &so, s, NULL, NULL), MOSSA_ERR_NONFINITE);
        ck_assert_int_eq(mossa_variance_rank(big, n, d, &o, &r), MOSSA_ERR_NONFINITE);
        big[last] = -INFINITY;
        ck_assert_int_eq(mossa_svd_randomized(big, n, d, 2, &so, s, NULL, NULL), MOSSA_ERR_NONFINITE);
        ck_assert_int_eq(mossa_variance_rank(big, n, d, &o, &r), MOSSA_ERR_NONFINITE);
        /* the rank finds them through its column sums and sum of squares:
           uncentered too, among entries at the top of float's range
           (squares near 2^256, which must not pass for an Inf) */
        o.no_center = 1;
        ck_assert_int_eq(mossa_variance_rank(big, n, d, &o, &r), MOSSA_ERR_NONFINITE);
        big[last] = NAN;
        ck_assert_int_eq(mossa_variance_rank(big, n, d, &o, &r), MOSSA_ERR_NONFINITE);
        big[last] = FLT_MAX;
        big[0] = -FLT_MAX;
        ck_assert_int_eq(mossa_variance_rank(big, n, d, &o, &r), MOSSA_OK);
        ck_assert_int_eq((int)r.rank, 2);
        ck_assert(fabs(r.total_variance / (2.0 * (double)FLT_MAX * (double)FLT_MAX) - 1.0) < 1e-12);
        o.no_center = 0;
        big[0] = 0.0f;
        big[last] = -INFINITY;
        ck_assert_int_eq(mossa_pca(big, n, d, 2, &so, NULL, sc, NULL), MOSSA_ERR_NONFINITE);
        /* PCA too finds them through its centering's sums; its arguments
           are checked first */
        big[last] = NAN;
        ck_assert_int_eq(mossa_pca(big, n, d, 2, &so, NULL, sc, NULL), MOSSA_ERR_NONFINITE);
        ck_assert_int_eq(mossa_pca(big, n, d, 0, &so, NULL, sc, NULL), MOSSA_ERR_INVALID_ARGUMENT);
        big[last] = 0.0f;
        big[0] = INFINITY;
        ck_assert_int_eq(mossa_pca(big, n, d, 2, &so, NULL, sc, NULL), MOSSA_ERR_NONFINITE);
        big[0] = FLT_MAX;
        big[last] = -FLT_MAX;
        ck_assert_int_eq(mossa_pca(big, n, d, 2, &so, NULL, sc, NULL), MOSSA_OK);
        free(big); free(sc);
    }
}
END_TEST

/* ---- CLI ----------------------------------------------------------------------------------- */
static double json_number(const char *json, const char *key)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    p = strstr(json, pat);
    ck_assert_msg(p != NULL, "no %s in %s", key, json);
    return strtod(p + strlen(pat), NULL);
}

START_TEST(cli_rank_and_svd)
{
    size_t n = emulated() ? 100 : 200, d = emulated() ? 24 : 40, i;
    float *x = planted(n, d, SPEC_SLOW, 51);
    long double ref[40], cref[40];
    char *out = NULL, *err = NULL, cmd[1024];
    int tie;
    size_t want;
    float *s = NULL;
    size_t rows = 0, cols = 0;
    ck_assert_int_eq(mossa_npy_write(test_path("x.npy"), x, n, d), MOSSA_OK);
    ref_svd(x, n, d, 1, cref);
    ref_svd(x, n, d, 0, ref);
    want = ref_rank(cref, d, 0.9, &tie);
    snprintf(cmd, sizeof(cmd), "--json rank %s --variance 0.9", test_path("x.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
    ck_assert(tie || (size_t)json_number(out, "rank") == want);
    ck_assert(json_number(out, "explained") >= 0.9);
    ck_assert(strstr(out, "\"total_variance\": ") && strstr(out, "\"seconds\": "));
    free(out); free(err);
    snprintf(cmd, sizeof(cmd), "rank %s --no-center", test_path("x.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
    ck_assert(strstr(out, "dimensions explain") != NULL);
    free(out); free(err);
    snprintf(cmd, sizeof(cmd), "--json svd %s -k 5 --seed 3 --out-s %s --out-u %s --out-vt %s", test_path("x.npy"),
             test_path("s.npy"), test_path("u.npy"), test_path("vt.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
    ck_assert(strstr(out, "\"singular_values\": [") != NULL);
    {
        const char *p = strstr(out, "[") + 1;
        for (i = 0; i < 5; ++i) {
            char *end;
            double v = strtod(p, &end);
            ck_assert_msg(fabs(v - (double)ref[i]) < 3e-3 * (double)ref[0], "cli s[%zu] %g vs %Lg", i, v, ref[i]);
            p = end + 1;
        }
    }
    {
        /* --no-bf16: accepted; on a matrix this small no level takes the
           bfloat16 route, so the same values to the digit */
        char *out2 = NULL, *err2 = NULL;
        const char *a, *b;
        snprintf(cmd, sizeof(cmd), "--json svd %s -k 5 --seed 3 --no-bf16", test_path("x.npy"));
        ck_assert_int_eq(test_cli(cmd, &out2, &err2), 0);
        a = strstr(out, "\"singular_values\": [");
        b = strstr(out2, "\"singular_values\": [");
        ck_assert(a && b && strchr(a, ']') && strchr(b, ']'));
        ck_assert(strchr(a, ']') - a == strchr(b, ']') - b && memcmp(a, b, (size_t)(strchr(a, ']') - a)) == 0);
        free(out2); free(err2);
    }
    free(out); free(err);
    /* block Krylov with a chosen block (3 x depth 4 = a basis of 15 for k = 5) */
    snprintf(cmd, sizeof(cmd), "--json svd %s -k 5 --block 3 --power-iters 4", test_path("x.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
    {
        const char *p = strstr(out, "[") + 1;
        for (i = 0; i < 5; ++i) {
            char *end;
            double v = strtod(p, &end);
            ck_assert_msg(fabs(v - (double)ref[i]) < 3e-3 * (double)ref[0], "cli --block s[%zu] %g vs %Lg", i, v,
                          ref[i]);
            p = end + 1;
        }
    }
    free(out); free(err);
    snprintf(cmd, sizeof(cmd), "svd %s -k 5 --block 0", test_path("x.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 2);
    ck_assert(strstr(err, "--block") != NULL);
    free(out); free(err);
    ck_assert_int_eq(mossa_npy_read(test_path("s.npy"), NULL, &s, &rows, &cols), MOSSA_OK);
    ck_assert(rows == 5 && cols == 1);
    mossa_free(s, NULL);
    ck_assert_int_eq(mossa_npy_read(test_path("u.npy"), NULL, &s, &rows, &cols), MOSSA_OK);
    ck_assert(rows == n && cols == 5);
    mossa_free(s, NULL);
    ck_assert_int_eq(mossa_npy_read(test_path("vt.npy"), NULL, &s, &rows, &cols), MOSSA_OK);
    ck_assert(rows == 5 && cols == d);
    mossa_free(s, NULL);
    /* errors: exit 1 with "mossa: error:" */
    snprintf(cmd, sizeof(cmd), "svd %s -k 41", test_path("x.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 1);
    ck_assert(strstr(err, "mossa: error:") != NULL);
    free(out); free(err);
    snprintf(cmd, sizeof(cmd), "rank %s --variance 1.5", test_path("x.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 1);
    ck_assert(strstr(err, "mossa: error:") != NULL);
    free(out); free(err);
    for (i = 0; i < n * d; ++i) x[i] = 1.0f;
    ck_assert_int_eq(mossa_npy_write(test_path("c.npy"), x, n, d), MOSSA_OK);
    snprintf(cmd, sizeof(cmd), "rank %s", test_path("c.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 1);
    ck_assert(strstr(err, "mossa: error:") && strstr(err, "zero variance"));
    free(out); free(err);
    x[7] = NAN;
    ck_assert_int_eq(mossa_npy_write(test_path("nan.npy"), x, n, d), MOSSA_OK);
    snprintf(cmd, sizeof(cmd), "svd %s -k 2", test_path("nan.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 1);
    ck_assert(strstr(err, "mossa: error:") && strstr(err, "NaN"));
    free(out); free(err);
    snprintf(cmd, sizeof(cmd), "svd %s", test_path("x.npy"));
    ck_assert_int_eq(test_cli(cmd, &out, &err), 2);
    free(out); free(err);
    free(x);
}
END_TEST

Suite *suite_svd(void)
{
    Suite *s = suite_create("svd");
    TCase *tc = tcase_create("svd");
    tcase_set_timeout(tc, emulated() ? 600 : 240);
    tcase_add_test(tc, gemm_sym_matches_long_double_reference);
    tcase_add_test(tc, gemm_sym_in_slabs_equals_one_pass);
    tcase_add_test(tc, float_gram_lower_triangle_is_exact_and_invariant);
    tcase_add_test(tc, gemm_packed_equals_gemm);
    tcase_add_test(tc, gemm_in_place_equals_packed);
    tcase_add_test(tc, gemm_k_split_is_exact_and_thread_independent);
    tcase_add_test(tc, tridiagonal_row_pairs_equal_single_rows_at_every_level);
    tcase_add_test(tc, float_tridiagonal_row_pairs_equal_single_rows_at_every_level);
    tcase_add_test(tc, sturm_counts_match_closed_form_spectra_at_every_level);
    tcase_add_test(tc, float_reduction_serial_kernels_agree_at_every_level);
    tcase_add_test(tc, eigvals_values_only_matches_planted_spectrum);
    tcase_add_test(tc, eigh_values_only_on_split_and_two_by_two_blocks);
    tcase_add_test(tc, krylov_basis_orthonormalisation);
    tcase_add_test(tc, randomized_svd_matches_long_double_jacobi_on_planted_spectra);
    tcase_add_test(tc, krylov_default_block_fills_its_last_panel);
    tcase_add_test(tc, randomized_svd_is_bit_identical_for_1_and_2_threads);
    tcase_add_test(tc, randomized_svd_every_simd_level_agrees_with_reference);
    tcase_add_test(tc, amx_bf16_tile_products_match_long_double);
    tcase_add_test(tc, randomized_svd_bf16_route_matches_float32_route);
    tcase_add_test(tc, variance_rank_equals_full_svd_count);
    tcase_add_test(tc, variance_rank_randomized_path_is_exact);
    tcase_add_test(tc, variance_rank_survives_massive_activations);
    tcase_add_test(tc, variance_rank_is_exact_at_the_ends_of_float_range);
    tcase_add_test(tc, variance_rank_from_the_tail_equals_the_whole_spectrum);
    tcase_add_test(tc, variance_rank_large_tall_matrix);
    tcase_add_test(tc, variance_rank_float_gram_path_tall_and_wide);
    tcase_add_test(tc, eigh_recovers_planted_eigenvalues_and_vectors);
    tcase_add_test(tc, svd_dense_matches_reference_tall_and_wide);
    tcase_add_test(tc, pca_matches_centered_reference);
    tcase_add_test(tc, errors_are_clear_statuses);
    tcase_add_test(tc, cli_rank_and_svd);
    suite_add_tcase(s, tc);
    return s;
}
