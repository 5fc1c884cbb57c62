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
/* ---- tsne ------------------------------------------------------------------ */
static void mossa__tsne_knn_tile_scalar(const float *qt, size_t d, const float *r, size_t ldr,
                                        size_t nr, float *out, int accumulate)
{
    size_t j, k;
    int q;
    for (j = 0; j < nr; ++j) {
        const float *rj = r + j * ldr;
        float s[32];
        for (q = 0; q < 32; ++q) s[q] = accumulate ? out[j * 32 + q] : 0.0f;
        for (k = 0; k < d; ++k) {
            const float *qk = qt + k * 32;
            float rk = rj[k];
            for (q = 0; q < 32; ++q) { float t = qk[q] - rk; s[q] += t * t; }
        }
        for (q = 0; q < 32; ++q) out[j * 32 + q] = s[q];
    }
}

static void mossa__tsne_repulse2_scalar(const float *tx, const float *ty, size_t nt,
                                        const float *sx, const float *sy, const float *sm,
                                        size_t ns, float *acc)
{
    size_t t, j;
    for (t = 0; t < nt; ++t) {
        float xi = tx[t], yi = ty[t], z = 0.0f, fx = 0.0f, fy = 0.0f;
        for (j = 0; j < ns; ++j) {
            float dx = xi - sx[j], dy = yi - sy[j];
            float q = 1.0f / (1.0f + dx * dx + dy * dy);
            float mq = sm[j] * q;
            z += mq;
            mq *= q;
            fx += mq * dx;
            fy += mq * dy;
        }
        acc[4 * t] += z;
        acc[4 * t + 1] += fx;
        acc[4 * t + 2] += fy;
    }
}

static void mossa__tsne_repulse3_scalar(const float *tx, const float *ty, const float *tz, size_t nt,
                                        const float *sx, const float *sy, const float *sz,
                                        const float *sm, size_t ns, float *acc)
{
    size_t t, j;
    for (t = 0; t < nt; ++t) {
        float xi = tx[t], yi = ty[t], zi = tz[t], z = 0.0f, fx = 0.0f, fy = 0.0f, fz = 0.0f;
        for (j = 0; j < ns; ++j) {
            float dx = xi - sx[j], dy = yi - sy[j], dz = zi - sz[j];
            float q = 1.0f / (1.0f + dx * dx + dy * dy + dz * dz);
            float mq = sm[j] * q;
            z += mq;
            mq *= q;
            fx += mq * dx;
            fy += mq * dy;
            fz += mq * dz;
        }
        acc[4 * t] += z;
        acc[4 * t + 1] += fx;
        acc[4 * t + 2] += fy;
        acc[4 * t + 3] += fz;
    }
}

static void mossa__tsne_attract_scalar(int dims, const float *y, size_t i0, size_t i1,
                                       const size_t *indptr, const int32_t *col, const float *w,
                                       float *buf)
{
    size_t i, e;
    int c;
    for (i = i0; i < i1; ++i) {
        const float *yi = y + i * (size_t)dims;
        float fi[3] = {0.0f, 0.0f, 0.0f};
        for (e = indptr[i]; e < indptr[i + 1]; ++e) {
            size_t j = (size_t)col[e];
            const float *yj = y + j * (size_t)dims;
            float diff[3], d2 = 0.0f, f;
            for (c = 0; c < dims; ++c) { diff[c] = yi[c] - yj[c]; d2 += diff[c] * diff[c]; }
            f = w[e] / (1.0f + d2);
            for (c = 0; c < dims; ++c) {
                fi[c] += f * diff[c];
                buf[j * (size_t)dims + (size_t)c] -= f * diff[c];
            }
        }
        for (c = 0; c < dims; ++c) buf[i * (size_t)dims + (size_t)c] += fi[c];
    }
}
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
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_scalar;
    t->tsne_repulse2 = mossa__tsne_repulse2_scalar;
    t->tsne_repulse3 = mossa__tsne_repulse3_scalar;
    t->tsne_attract = mossa__tsne_attract_scalar;
    /* text */
}
