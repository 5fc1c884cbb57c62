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
   The algorithm every level implements:
     1. clamp x to [-104, 89] (exp(-104) < 2^-150 rounds to 0 and exp(89)
        overflows, so the clamped result is still right; NaN passes);
     2. n = round(x / ln 2) by adding 1.5*2^23 (the sum's low mantissa bits
        are n, so no float->int conversion is needed), r = x - n ln 2 with
        ln 2 in two parts (Cody-Waite; LN2_HI has 9 significant bits, so
        n * LN2_HI is exact for |n| <= 150), |r| <= ln2/2;
     3. exp(r) = 1 + r + r^2 (C2 + C3 r + ... + C6 r^4), a minimax fit
        weighted in ULPs of the result (max approximation error 0.04 ULP);
     4. times 2^n, applied as two powers of two (n/2 and n - n/2) so that
        2^n itself never overflows and subnormal results are rounded once
        (AVX-512 uses vscalefps, which rounds once too).
   Measured max error (tests/test_kernels.c): see the table in mossa.h. */
#define MOSSA__EXP_HI 89.0f
#define MOSSA__EXP_LO (-104.0f)
#define MOSSA__EXP_SHIFT 12582912.0f           /* 1.5 * 2^23 */
#define MOSSA__LOG2E 1.44269502162933349609375f
#define MOSSA__LN2_HI 0.693359375f
#define MOSSA__LN2_LO (-2.12194440e-4f)
#define MOSSA__EXP_C2 4.9999991059e-01f
#define MOSSA__EXP_C3 1.6666521132e-01f
#define MOSSA__EXP_C4 4.1668888181e-02f
#define MOSSA__EXP_C5 8.3686718717e-03f
#define MOSSA__EXP_C6 1.3789492659e-03f

static float mossa__pow2i(int n) /* 2^n for -126 <= n <= 127 */
{
    union { uint32_t u; float f; } v;
    v.u = (uint32_t)(n + 127) << 23;
    return v.f;
}

static float mossa__expf_scalar1(float x)
{
    float t, fn, r, p;
    int n, n1;
    if (x != x) return x + x;
    if (x > MOSSA__EXP_HI) x = MOSSA__EXP_HI;
    if (x < MOSSA__EXP_LO) x = MOSSA__EXP_LO;
    t = x * MOSSA__LOG2E + MOSSA__EXP_SHIFT;
    fn = t - MOSSA__EXP_SHIFT;
    r = x - fn * MOSSA__LN2_HI;
    r = r - fn * MOSSA__LN2_LO;
    p = MOSSA__EXP_C6;
    p = p * r + MOSSA__EXP_C5;
    p = p * r + MOSSA__EXP_C4;
    p = p * r + MOSSA__EXP_C3;
    p = p * r + MOSSA__EXP_C2;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
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
   The algorithm every level implements: x = 2^e m with m in [2/3, 4/3),
   found with integer arithmetic on the bits (subtracting the bits of 2/3
   makes the exponent field e), f = m - 1 in [-1/3, 1/3]:
       log x = e LN2_HI + (e LN2_LO + (f + f^2 Q(f))),
   Q a degree-7 minimax fit of (log1p(f) - f) / f^2 weighted in ULPs
   (max approximation error 0.33 ULP), the terms added smallest first.
   Subnormal inputs are scaled by 2^23 first; log(+-0) = -inf,
   log(x < 0) = NaN, log(+inf) = +inf, NaN in -> NaN out. */
#define MOSSA__LOG_OFF 0x3f2aaaabu              /* bits of 2/3 */
#define MOSSA__LOG_Q0 (-4.9999949336e-01f)
#define MOSSA__LOG_Q1 3.3333221078e-01f
#define MOSSA__LOG_Q2 (-2.5007000566e-01f)
#define MOSSA__LOG_Q3 2.0010444522e-01f
#define MOSSA__LOG_Q4 (-1.6429562867e-01f)
#define MOSSA__LOG_Q5 1.3996969163e-01f
#define MOSSA__LOG_Q6 (-1.5322229266e-01f)
#define MOSSA__LOG_Q7 1.4060856402e-01f

static float mossa__logf_scalar1(float x)
{
    union { uint32_t u; float f; } v;
    uint32_t u;
    float f, q, fe, y;
    int e;
    if (x != x) return x + x;
    if (x == 0.0f) return -HUGE_VALF;
    if (x < 0.0f) return (float)NAN;
    if (x == HUGE_VALF) return x;
    v.f = x;
    e = 0;
    if (v.u < 0x00800000u) { v.f = x * 8388608.0f; e = -23; }  /* subnormal */
    u = v.u - MOSSA__LOG_OFF;
    /* arithmetic shift of the signed difference without relying on >> of
       negative values */
    e += (int)(u >> 23) - ((u & 0x80000000u) ? 512 : 0);
    v.u = (u & 0x007fffffu) + MOSSA__LOG_OFF;
    f = v.f - 1.0f;
    q = MOSSA__LOG_Q7;
    q = q * f + MOSSA__LOG_Q6;
    q = q * f + MOSSA__LOG_Q5;
    q = q * f + MOSSA__LOG_Q4;
    q = q * f + MOSSA__LOG_Q3;
    q = q * f + MOSSA__LOG_Q2;
    q = q * f + MOSSA__LOG_Q1;
    q = q * f + MOSSA__LOG_Q0;
    fe = (float)e;
    y = (f * f) * q + f;
    y = fe * MOSSA__LN2_LO + y;
    return fe * MOSSA__LN2_HI + y;
}

static void mossa__logf_scalar(const float *x, float *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] = mossa__logf_scalar1(x[i]);
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* c += the tile, c double or float (isf) */
static void mossa__gemm_tile16_g_scalar(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    /* Rows of the tile in strips of 4 so that the 64 float accumulators of a
       strip fit a compiler's registers; each entry is a float sum over kc in
       k order, like the vector levels (which fuse the multiply-add). */
    size_t i0, i, j, k;
    for (i0 = 0; i0 < 16; i0 += 4) {
        float acc[4][16];
        for (i = 0; i < 4; ++i)
            for (j = 0; j < 16; ++j) acc[i][j] = 0.0f;
        for (k = 0; k < kc; ++k) {
            const float *bk = b + 16 * k, *ak = a + 16 * k + i0;
            for (i = 0; i < 4; ++i) {
                float av = ak[i];
                for (j = 0; j < 16; ++j) acc[i][j] += av * bk[j];
            }
        }
        for (i = 0; i < 4; ++i)
            for (j = 0; j < 16; ++j) {
                if (isf) ((float *)c)[(i0 + i) * ldc + j] += acc[i][j];
                else ((double *)c)[(i0 + i) * ldc + j] += (double)acc[i][j];
            }
    }
}

static void mossa__gemm_tile16_scalar(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16_g_scalar(a, b, kc, c, 0, ldc);
}

static void mossa__gemm_tile16f_scalar(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16_g_scalar(a, b, kc, c, 1, ldc);
}

static void mossa__hsic_row_scalar(const float *k, const float *l, const double *a, const double *b,
                                   double ai, double bi, size_t n, size_t skip, double out[3])
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0;
    size_t j;
    for (j = 0; j < n; ++j) {
        double kc = (double)k[j] - ai - a[j], lc = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        s0 += kc * lc; s1 += kc * kc; s2 += lc * lc;
    }
    out[0] = s0; out[1] = s1; out[2] = s2;
}

/* Counts v[0..n) below and inside kp's bracket and keeps the values inside
   (struct mossa__keep), without a branch: while k < cap each value is
   written at keep[k] and k advances only for one inside. */
static void mossa__keep_scalar(const float *v, size_t n, mossa__keep *kp)
{
    const uint32_t lo = kp->lo, width = kp->width;
    float *keep = kp->keep;
    size_t i, nb = 0, ni = 0, k = kp->k, cap = kp->cap;
    for (i = 0; i < n; ++i) {
        uint32_t b;
        size_t in;
        memcpy(&b, &v[i], sizeof(b));
        in = b - lo <= width;
        nb += b < lo;
        ni += in;
        keep[k] = v[i];
        k += in & (k < cap);
    }
    kp->k = k; kp->below += nb; kp->inside += ni;
}

/* RBF distances of one row segment of a Gram tile: |xi|^2 + |xj|^2 - 2 xi.xj
   formed in double, clamped at 0 (rounding can make it slightly negative),
   rounded once to float. 2 g is exact, so fused and unfused forms agree. */
static void mossa__rbf_dist_scalar(const double *g, size_t n, double dr, const double *dc, float *dst,
                                   mossa__keep *kp)
{
    size_t j;
    for (j = 0; j < n; ++j) {
        double v = dr + dc[j] - 2.0 * g[j];
        dst[j] = v > 0.0 ? (float)v : 0.0f;
    }
    if (kp) mossa__keep_scalar(dst, n, kp);
}

/* row[j] = exp(row[j] nc), the argument one float product (the same bits
   at every level); cs[j] += row[j] and the return value is the row's sum,
   both in double. The vector levels use this with their own exp for the
   last partial vector. */
static double mossa__rbf_exp_row_with(float *row, size_t n, float nc, double *cs,
                                      void (*expf_array)(const float *, float *, size_t))
{
    double s = 0.0;
    size_t j;
    for (j = 0; j < n; ++j) row[j] *= nc;
    expf_array(row, row, n);
    for (j = 0; j < n; ++j) {
        s += (double)row[j];
        cs[j] += (double)row[j];
    }
    return s;
}

static double mossa__rbf_exp_row_scalar(float *row, size_t n, float nc, double *cs)
{
    return mossa__rbf_exp_row_with(row, n, nc, cs, mossa__expf_scalar);
}

/* ---- svd ------------------------------------------------------------------- */
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

/* the two rows one after the other, as mossa__trd_row does them (NEON
   uses this too) */
static void mossa__svd_rowop2_scalar(size_t j, double *r0, double *r1, const double *x, const double *y,
                                     const double *u, double *p)
{
    size_t t;
    for (t = j; t <= j + 1; ++t) {
        double *r = t == j ? r0 : r1, s, m1 = y[t] * x[t], m2 = x[t] * y[t], last;
        r[t] -= m1 + m2;
        s = mossa__svd_rowop_scalar(t, r, x, y, y[t], x[t], u, u[t], p);
        last = r[t] * u[t];
        p[t] += s + last;
    }
}
/* the float twins (the rank's reduction, its matrix held in float) */
static float mossa__svd_rowopf_scalar(size_t j, float *r, const float *x, const float *y, float a, float b,
                                      const float *u, float c, float *p)
{
    size_t k;
    float s[4] = {0, 0, 0, 0};
    if (x)
        for (k = 0; k < j; ++k) r[k] -= a * x[k] + b * y[k];
    if (!u) return 0.0f;
    for (k = 0; k + 4 <= j; k += 4) {
        s[0] += r[k] * u[k]; s[1] += r[k + 1] * u[k + 1];
        s[2] += r[k + 2] * u[k + 2]; s[3] += r[k + 3] * u[k + 3];
        p[k] += c * r[k]; p[k + 1] += c * r[k + 1]; p[k + 2] += c * r[k + 2]; p[k + 3] += c * r[k + 3];
    }
    for (; k < j; ++k) { s[0] += r[k] * u[k]; p[k] += c * r[k]; }
    return (s[0] + s[2]) + (s[1] + s[3]);
}

static void mossa__svd_rowop2f_scalar(size_t j, float *r0, float *r1, const float *x, const float *y,
                                      const float *u, float *p, const float *next)
{
    size_t t;
    (void)next;
    for (t = j; t <= j + 1; ++t) {
        float *r = t == j ? r0 : r1, s, m1 = y[t] * x[t], m2 = x[t] * y[t], last;
        r[t] -= m1 + m2;
        s = mossa__svd_rowopf_scalar(t, r, x, y, y[t], x[t], u, u[t], p);
        last = r[t] * u[t];
        p[t] += s + last;
    }
}

static void mossa__svd_sturm16_scalar(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                      size_t *c)
{
    size_t g, i, t;
    /* four lanes at a time: four independent chains of divisions */
    for (g = 0; g < 16; g += 4) {
        double q[4];
        size_t k[4];
        for (t = 0; t < 4; ++t) {
            q[t] = d[0] - s[g + t];
            if (fabs(q[t]) < pivmin) q[t] = -pivmin;
            k[t] = q[t] < 0.0;
        }
        for (i = 1; i < n; ++i) {
            const double di = d[i], ei = e2[i];
            for (t = 0; t < 4; ++t) {
                q[t] = (di - s[g + t]) - ei / q[t];
                if (fabs(q[t]) < pivmin) q[t] = -pivmin;
                k[t] += q[t] < 0.0;
            }
        }
        for (t = 0; t < 4; ++t) c[g + t] = k[t];
    }
}
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
/* (c | 0x20) - 'a' < 26 exactly for ASCII letters: '@' and '[' map to '`'
   and '{', bytes >= 0x80 stay >= 0xA0. */
static size_t mossa__text_letters_scalar(const unsigned char *p, size_t n, unsigned char *dst, size_t room)
{
    size_t r = 0;
    while (r < n) {
        unsigned c = p[r] | 0x20u;
        if (c - 'a' >= 26u) break;
        if (r < room) dst[r] = (unsigned char)c;
        ++r;
    }
    return r;
}

/* SWAR on 8 bytes at a time (little-endian; a byte loop otherwise): for a
   byte x = c | 0x20 below 0x80, x + 0x1F has bit 7 set iff x >= 'a' and
   x + 0x05 iff x > 'z'; no carry crosses bytes since x + 0x1F < 0x100.
   The multiply gathers the eight bit-7 flags into one byte (bit k = byte k). */
static uint64_t mossa__text_letter_mask_scalar(const unsigned char *p)
{
    static const uint16_t one = 1;
    uint64_t m = 0;
    unsigned j;
    if (*(const unsigned char *)&one) {
        const uint64_t lo = 0x7F7F7F7F7F7F7F7FULL, hi = 0x8080808080808080ULL;
        for (j = 0; j < 64; j += 8) {
            uint64_t x, c, ge, gt, f;
            memcpy(&c, p + j, 8);
            x = c | 0x2020202020202020ULL;
            ge = (x & lo) + 0x1F1F1F1F1F1F1F1FULL;
            gt = (x & lo) + 0x0505050505050505ULL;
            f = ge & ~gt & ~x & hi;
            m |= (((f >> 7) * 0x0102040810204080ULL) >> 56) << j;
        }
        return m;
    }
    for (j = 0; j < 64; ++j) m |= (uint64_t)(((unsigned)p[j] | 0x20u) - 'a' < 26u) << j;
    return m;
}

static void mossa__pack_t16_scalar(const float *src, size_t lds, size_t nr, size_t kc, float *dst)
{
    size_t r, k;
    for (r = 0; r < nr; ++r) {
        const float *s = src + r * lds;
        for (k = 0; k < kc; ++k) dst[k * 16 + r] = s[k];
    }
    for (; r < 16; ++r)
        for (k = 0; k < kc; ++k) dst[k * 16 + r] = 0.0f;
}

static void mossa__pack_shift16_scalar(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride)
{
    size_t r, c;
    for (r = 0; r < runs; ++r) {
        const float *xr = x + 16 * r;
        float *o = out + r * ostride;
        if (sh)
            for (c = 0; c < 16; ++c) o[c] = (float)(((double)xr[c] - sh[16 * r + c]) * scale);
        else
            for (c = 0; c < 16; ++c) o[c] = (float)(((double)xr[c] - 0.0) * scale);
    }
}

static void mossa__svd_colstat_scalar(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                      size_t d)
{
    size_t r, j;
    for (r = 0; r < rows; ++r) {
        const float *xr = x + ldx * r;
        j = 0;
        /* four at a time (GCC 12 at -O2 vectorises the four) */
        for (; j + 4 <= d; j += 4) {
            double c0 = (double)xr[j] - sh[j], c1 = (double)xr[j + 1] - sh[j + 1];
            double c2 = (double)xr[j + 2] - sh[j + 2], c3 = (double)xr[j + 3] - sh[j + 3];
            double e0 = c0 * c0, e1 = c1 * c1, e2 = c2 * c2, e3 = c3 * c3;
            s[j] += c0; s[j + 1] += c1; s[j + 2] += c2; s[j + 3] += c3;
            q[j] += e0; q[j + 1] += e1; q[j + 2] += e2; q[j + 3] += e3;
        }
        for (; j < d; ++j) {
            double c = (double)xr[j] - sh[j], e = c * c;
            s[j] += c;
            q[j] += e;
        }
    }
}

/* the eight lanes of the reduction driver's sums, added in their fixed order */
static double mossa__lanes8(const double l[8])
{
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

static float mossa__svd_absmaxf_scalar(const float *x, size_t n)
{
    float m = 0.0f;
    size_t k;
    for (k = 0; k < n; ++k) m = MOSSA__MAX(m, fabsf(x[k]));
    return m;
}

/* The scalar steps from entry k on, onto lanes l already holding the
   sums of entries 0..k-1 (k a multiple of 8): the whole kernel from 0 at
   this level, the rest after the whole vector steps at the AVX2 level, so
   that both end the same way. */
static double mossa__scalef_from(const float *r, double inv, float *u, size_t k, size_t n, double l[8])
{
    for (; k < n; ++k) {
        double v;
        u[k] = (float)((double)r[k] * inv);
        v = (double)u[k];
        l[k % 8] += v * v;   /* exact square: fused or not, the same */
    }
    return mossa__lanes8(l);
}

static double mossa__sumcols_from(const float *parts, size_t ld, size_t nb, size_t k, size_t ncols, double h,
                                  const float *u, double *q, double l[8])
{
    size_t t;
    for (; k < ncols; ++k) {
        double s = 0.0, pr;
        for (t = 0; t < nb; ++t) s += (double)parts[t * ld + k];
        q[k] = s / h;
        pr = (double)u[k] * q[k];
        l[k % 8] += pr;
    }
    for (; k % 8; ++k) l[k % 8] += 0.0;   /* the vector levels' zero lanes (the sign of a zero sum) */
    return mossa__lanes8(l);
}

static void mossa__qupdatef_from(const double *q, double kk, const float *u, float *pq, size_t k, size_t n)
{
    for (; k < n; ++k) {
        double t = kk * (double)u[k];
        pq[k] = (float)(q[k] - t);
    }
}

static double mossa__svd_scalef_scalar(const float *r, double inv, float *u, size_t n)
{
    double l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    return mossa__scalef_from(r, inv, u, 0, n, l);
}

static double mossa__svd_sumcols_scalar(const float *parts, size_t ld, size_t nb, size_t ncols, double h,
                                        const float *u, double *q)
{
    double l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    return mossa__sumcols_from(parts, ld, nb, 0, ncols, h, u, q, l);
}

static void mossa__svd_qupdatef_scalar(const double *q, double kk, const float *u, float *pq, size_t n)
{
    mossa__qupdatef_from(q, kk, u, pq, 0, n);
}

static float mossa__colsum_scalar(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    double acc[64];
    float m = 0.0f;
    size_t i, c;
    for (c = 0; c < cols; ++c) acc[c] = s[c];
    for (i = 0; i < n; ++i) {
        const float *row = x + i * ldx;
        for (c = 0; c < cols; ++c) {
            float a = fabsf(row[c]);
            acc[c] += (double)row[c];
            m = a > m ? a : m;
        }
    }
    for (c = 0; c < cols; ++c) s[c] = acc[c];
    return m;
}

static void mossa__fill_scalar(mossa__kernels *t)
{
    /* foundation */
    t->dot = mossa__dot_scalar;
    t->axpy = mossa__axpy_scalar;
    t->sqdist = mossa__sqdist_scalar;
    t->expf_array = mossa__expf_scalar;
    t->logf_array = mossa__logf_scalar;
    t->colsum = mossa__colsum_scalar;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_scalar;
    t->gemm_tile16x32 = NULL;
    t->gemm_tile16f = mossa__gemm_tile16f_scalar;
    t->gemm_tile16x32f = NULL;
    t->pack_t16 = mossa__pack_t16_scalar;
    t->pack_shift16 = mossa__pack_shift16_scalar;
    t->svd_colstat = mossa__svd_colstat_scalar;
    t->svd_absmaxf = mossa__svd_absmaxf_scalar;
    t->svd_scalef = mossa__svd_scalef_scalar;
    t->svd_sumcols = mossa__svd_sumcols_scalar;
    t->svd_qupdatef = mossa__svd_qupdatef_scalar;
    t->hsic_row = mossa__hsic_row_scalar;
    t->rbf_dist = mossa__rbf_dist_scalar;
    t->rbf_exp_row = mossa__rbf_exp_row_scalar;
    /* svd */
    t->svd_rowop = mossa__svd_rowop_scalar;
    t->svd_rowop2 = mossa__svd_rowop2_scalar;
    t->svd_rowopf = mossa__svd_rowopf_scalar;
    t->svd_rowop2f = mossa__svd_rowop2f_scalar;
    t->svd_sturm16 = mossa__svd_sturm16_scalar;
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_scalar;
    t->tsne_repulse2 = mossa__tsne_repulse2_scalar;
    t->tsne_repulse3 = mossa__tsne_repulse3_scalar;
    t->tsne_attract = mossa__tsne_attract_scalar;
    /* text */
    t->text_letters = mossa__text_letters_scalar;
    t->text_letter_mask = mossa__text_letter_mask_scalar;
}
