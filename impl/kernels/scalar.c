/* kernels/scalar.c - the portable reference level. Every vector level
   implements the same algorithms, so the levels differ only in rounding
   (lane-wise summation order, fused multiply-adds). */

/* ---- foundation ---------------------------------------------------------- */
#define MOSSA__DOT_BLOCK 256

static double mossa__dot_scalar(const float *a, const float *b, size_t n)
{
    /* 8 float accumulators per block mimic the vector levels' lanes; each
       block's sum is promoted to double so long dots do not drift. */
    double total = 0.0;
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int l;
        for (; i + 8 <= end; i += 8)
            for (l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
        for (; i < end; ++i) acc[0] += a[i] * b[i];
        total += (double)(((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])));
    }
    return total;
}

static void mossa__axpy_scalar(size_t n, float alpha, const float *x, float *y)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] += alpha * x[i];
}

static void mossa__sqdist_scalar(const float *x, const float *Y, size_t m, size_t d,
                                 size_t ldy, float *out)
{
    size_t j, k;
    for (j = 0; j < m; ++j) {
        const float *y = Y + j * ldy;
        float acc[4] = {0, 0, 0, 0};
        for (k = 0; k + 4 <= d; k += 4) {
            float d0 = x[k] - y[k], d1 = x[k + 1] - y[k + 1];
            float d2 = x[k + 2] - y[k + 2], d3 = x[k + 3] - y[k + 3];
            acc[0] += d0 * d0; acc[1] += d1 * d1; acc[2] += d2 * d2; acc[3] += d3 * d3;
        }
        for (; k < d; ++k) { float t = x[k] - y[k]; acc[0] += t * t; }
        out[j] = (acc[0] + acc[2]) + (acc[1] + acc[3]);
    }
}

/* ---- expf ----------------------------------------------------------------
   exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 computed with a
   two-part ln 2 (Cody-Waite), |r| <= ln2/2; exp(r) by a degree-6 polynomial
   (Cephes coefficients). 2^n is applied in two halves so that results in
   the subnormal range and up to FLT_MAX are reached without overflow. */
#define MOSSA__EXP_HI 88.72283935546875f       /* above: +inf */
#define MOSSA__EXP_LO (-103.97208404541015625f) /* below: 0 */
#define MOSSA__LOG2E 1.44269502162933349609375f
#define MOSSA__LN2_HI 0.693359375f
#define MOSSA__LN2_LO (-2.12194440e-4f)
#define MOSSA__EXP_P0 1.9875691500e-4f
#define MOSSA__EXP_P1 1.3981999507e-3f
#define MOSSA__EXP_P2 8.3334519073e-3f
#define MOSSA__EXP_P3 4.1665795894e-2f
#define MOSSA__EXP_P4 1.6666665459e-1f
#define MOSSA__EXP_P5 5.0000001201e-1f

static float mossa__pow2i(int n) /* 2^n for -126 <= n <= 127 */
{
    union { uint32_t u; float f; } v;
    v.u = (uint32_t)(n + 127) << 23;
    return v.f;
}

static float mossa__expf_scalar1(float x)
{
    float fn, r, r2, p;
    int n, n1;
    if (x != x) return x;
    if (x > MOSSA__EXP_HI) return HUGE_VALF;
    if (x < MOSSA__EXP_LO) return 0.0f;
    fn = floorf(x * MOSSA__LOG2E + 0.5f);
    r = x - fn * MOSSA__LN2_HI;
    r = r - fn * MOSSA__LN2_LO;
    r2 = r * r;
    p = MOSSA__EXP_P0;
    p = p * r + MOSSA__EXP_P1;
    p = p * r + MOSSA__EXP_P2;
    p = p * r + MOSSA__EXP_P3;
    p = p * r + MOSSA__EXP_P4;
    p = p * r + MOSSA__EXP_P5;
    p = p * r2 + r + 1.0f;
    n = (int)fn;
    n1 = n / 2;
    return p * mossa__pow2i(n1) * mossa__pow2i(n - n1);
}

static void mossa__expf_scalar(const float *x, float *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] = mossa__expf_scalar1(x[i]);
}

/* ---- logf ----------------------------------------------------------------
   x = m 2^e with m in [sqrt(1/2), sqrt(2)); log(x) = e ln 2 + log1p(f),
   f = m - 1, log1p by f - f^2/2 + f^3 P(f) (Cephes logf, degree 8).
   Subnormals are scaled by 2^23 first. */
#define MOSSA__SQRTHF 0.707106781186547524f
#define MOSSA__LOG_P0 7.0376836292e-2f
#define MOSSA__LOG_P1 (-1.1514610310e-1f)
#define MOSSA__LOG_P2 1.1676998740e-1f
#define MOSSA__LOG_P3 (-1.2420140846e-1f)
#define MOSSA__LOG_P4 1.4249322787e-1f
#define MOSSA__LOG_P5 (-1.6668057665e-1f)
#define MOSSA__LOG_P6 2.0000714765e-1f
#define MOSSA__LOG_P7 (-2.4999993993e-1f)
#define MOSSA__LOG_P8 3.3333331174e-1f

static float mossa__logf_scalar1(float x)
{
    union { uint32_t u; float f; } v;
    float m, f, z, y, fe;
    int e;
    if (x != x) return x;
    if (x < 0.0f) return (float)NAN;
    if (x == 0.0f) return -HUGE_VALF;
    if (x == HUGE_VALF) return x;
    v.f = x;
    e = 0;
    if (v.u < 0x00800000u) { v.f = x * 8388608.0f; e = -23; }  /* subnormal */
    e += (int)(v.u >> 23) - 126;
    v.u = (v.u & 0x007fffffu) | 0x3f000000u;                     /* m in [0.5, 1) */
    m = v.f;
    if (m < MOSSA__SQRTHF) { e -= 1; f = m + m - 1.0f; }
    else f = m - 1.0f;
    z = f * f;
    y = MOSSA__LOG_P0;
    y = y * f + MOSSA__LOG_P1;
    y = y * f + MOSSA__LOG_P2;
    y = y * f + MOSSA__LOG_P3;
    y = y * f + MOSSA__LOG_P4;
    y = y * f + MOSSA__LOG_P5;
    y = y * f + MOSSA__LOG_P6;
    y = y * f + MOSSA__LOG_P7;
    y = y * f + MOSSA__LOG_P8;
    y = y * f * z;
    fe = (float)e;
    y += fe * MOSSA__LN2_LO;
    y += -0.5f * z;
    return f + y + fe * MOSSA__LN2_HI;
}

static void mossa__logf_scalar(const float *x, float *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] = mossa__logf_scalar1(x[i]);
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
static void mossa__svd_mm_tile_scalar(size_t K, const float *A, size_t sak, size_t mr,
                                      const float *B, size_t ldb, size_t nr, double *C, size_t ldc)
{
    float acc[8][32];
    size_t k, t, c;
    for (t = 0; t < mr; ++t)
        for (c = 0; c < nr; ++c) acc[t][c] = 0.0f;
    for (k = 0; k < K; ++k) {
        const float *b = B + k * ldb;
        for (t = 0; t < mr; ++t) {
            float a = A[k * sak + t];
            for (c = 0; c < nr; ++c) acc[t][c] += a * b[c];
        }
    }
    for (t = 0; t < mr; ++t)
        for (c = 0; c < nr; ++c) C[t * ldc + c] += (double)acc[t][c];
}

static double mossa__svd_rowop_scalar(size_t j, double *r, const double *x, const double *y, double a,
                                      double b, const double *u, double c, double *p)
{
    size_t k;
    double s[4] = {0, 0, 0, 0};
    if (x)
        for (k = 0; k < j; ++k) r[k] -= a * x[k] + b * y[k];
    if (!u) return 0.0;
    for (k = 0; k + 4 <= j; k += 4) {
        s[0] += r[k] * u[k]; s[1] += r[k + 1] * u[k + 1];
        s[2] += r[k + 2] * u[k + 2]; s[3] += r[k + 3] * u[k + 3];
        p[k] += c * r[k]; p[k + 1] += c * r[k + 1]; p[k + 2] += c * r[k + 2]; p[k + 3] += c * r[k + 3];
    }
    for (; k < j; ++k) { s[0] += r[k] * u[k]; p[k] += c * r[k]; }
    return (s[0] + s[2]) + (s[1] + s[3]);
}
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_scalar(mossa__kernels *t)
{
    /* foundation */
    t->dot = mossa__dot_scalar;
    t->axpy = mossa__axpy_scalar;
    t->sqdist = mossa__sqdist_scalar;
    t->expf_array = mossa__expf_scalar;
    t->logf_array = mossa__logf_scalar;
    /* gemm / cka */
    /* svd */
    t->svd_mm_tile = mossa__svd_mm_tile_scalar;
    t->svd_rowop = mossa__svd_rowop_scalar;
    /* tsne */
    /* text */
}
