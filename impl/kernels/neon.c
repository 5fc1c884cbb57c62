/* kernels/neon.c - NEON (aarch64 baseline, 128-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__NEON

/* ---- foundation ---------------------------------------------------------- */
/* NEON has no masked loads: partial vectors go through a small zero-padded
   buffer or a scalar loop, so nothing past the arrays is read. */
static double mossa__dot_neon(const float *a, const float *b, size_t n)
{
    /* Four accumulators hide the FMA latency; every 256 elements the lanes
       are promoted to double, so the float sums stay short. */
    float64x2_t tot0 = vdupq_n_f64(0.0), tot1 = vdupq_n_f64(0.0);
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
        float tail = 0.0f;
        for (; i + 16 <= end; i += 16) {
            s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
            s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
            s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
            s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
        }
        for (; i + 4 <= end; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        for (; i < end; ++i) tail += a[i] * b[i];
        s0 = vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3));
        s0 = vsetq_lane_f32(vgetq_lane_f32(s0, 0) + tail, s0, 0);
        tot0 = vaddq_f64(tot0, vcvt_f64_f32(vget_low_f32(s0)));
        tot1 = vaddq_f64(tot1, vcvt_high_f64_f32(s0));
    }
    return vaddvq_f64(vaddq_f64(tot0, tot1));
}

static void mossa__axpy_neon(size_t n, float alpha, const float *x, float *y)
{
    /* multiply, then add (no FMA): bit-identical to the scalar level */
    const float32x4_t va = vdupq_n_f32(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t p0 = vmulq_f32(va, vld1q_f32(x + i));
        float32x4_t p1 = vmulq_f32(va, vld1q_f32(x + i + 4));
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), p0));
        vst1q_f32(y + i + 4, vaddq_f32(vld1q_f32(y + i + 4), p1));
    }
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vmulq_f32(va, vld1q_f32(x + i))));
    for (; i < n; ++i) y[i] += alpha * x[i];
}

static void mossa__sqdist_neon(const float *x, const float *Y, size_t m, size_t d,
                               size_t ldy, float *out)
{
    /* Four rows at a time: x is loaded once per chunk and the four
       accumulators are independent chains. */
    const size_t dv = d & ~(size_t)3;
    size_t j = 0, k;
    for (; j + 4 <= m; j += 4) {
        const float *y0 = Y + j * ldy, *y1 = y0 + ldy, *y2 = y1 + ldy, *y3 = y2 + ldy;
        float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0, xv, t;
        float r0 = 0, r1 = 0, r2 = 0, r3 = 0, xs;
        for (k = 0; k < dv; k += 4) {
            xv = vld1q_f32(x + k);
            t = vsubq_f32(xv, vld1q_f32(y0 + k)); a0 = vfmaq_f32(a0, t, t);
            t = vsubq_f32(xv, vld1q_f32(y1 + k)); a1 = vfmaq_f32(a1, t, t);
            t = vsubq_f32(xv, vld1q_f32(y2 + k)); a2 = vfmaq_f32(a2, t, t);
            t = vsubq_f32(xv, vld1q_f32(y3 + k)); a3 = vfmaq_f32(a3, t, t);
        }
        for (; k < d; ++k) {
            float t0 = (xs = x[k]) - y0[k], t1 = xs - y1[k], t2 = xs - y2[k], t3 = xs - y3[k];
            r0 += t0 * t0; r1 += t1 * t1; r2 += t2 * t2; r3 += t3 * t3;
        }
        out[j] = vaddvq_f32(a0) + r0;
        out[j + 1] = vaddvq_f32(a1) + r1;
        out[j + 2] = vaddvq_f32(a2) + r2;
        out[j + 3] = vaddvq_f32(a3) + r3;
    }
    for (; j < m; ++j) {
        const float *y = Y + j * ldy;
        float32x4_t a0 = vdupq_n_f32(0.0f), t;
        float r0 = 0;
        for (k = 0; k < dv; k += 4) {
            t = vsubq_f32(vld1q_f32(x + k), vld1q_f32(y + k));
            a0 = vfmaq_f32(a0, t, t);
        }
        for (; k < d; ++k) { float t0 = x[k] - y[k]; r0 += t0 * t0; }
        out[j] = vaddvq_f32(a0) + r0;
    }
}

/* exp: the scalar level's algorithm; clamping with FMAX/FMIN propagates
   NaN, and 2^n is applied as 2^(n/2) * 2^(n - n/2). */
static float32x4_t mossa__expf4_neon(float32x4_t x)
{
    const float32x4_t shift = vdupq_n_f32(MOSSA__EXP_SHIFT);
    const float32x4_t one = vdupq_n_f32(1.0f);
    const int32x4_t bias = vdupq_n_s32(127);
    float32x4_t t, fn, r, p;
    int32x4_t nn, n1, n2;
    x = vmaxq_f32(x, vdupq_n_f32(MOSSA__EXP_LO));
    x = vminq_f32(x, vdupq_n_f32(MOSSA__EXP_HI));
    t = vfmaq_f32(shift, x, vdupq_n_f32(MOSSA__LOG2E));
    fn = vsubq_f32(t, shift);
    r = vfmsq_f32(x, fn, vdupq_n_f32(MOSSA__LN2_HI));
    r = vfmsq_f32(r, fn, vdupq_n_f32(MOSSA__LN2_LO));
    p = vdupq_n_f32(MOSSA__EXP_C6);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C5), p, r);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C4), p, r);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C3), p, r);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C2), p, r);
    p = vfmaq_f32(one, p, r);
    p = vfmaq_f32(one, p, r);
    nn = vsubq_s32(vreinterpretq_s32_f32(t), vreinterpretq_s32_f32(shift));
    n1 = vshrq_n_s32(nn, 1);
    n2 = vsubq_s32(nn, n1);
    p = vmulq_f32(p, vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23)));
    return vmulq_f32(p, vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23)));
}

static void mossa__expf_neon(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t a = mossa__expf4_neon(vld1q_f32(x + i));
        float32x4_t b = mossa__expf4_neon(vld1q_f32(x + i + 4));
        vst1q_f32(y + i, a);
        vst1q_f32(y + i + 4, b);
    }
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, mossa__expf4_neon(vld1q_f32(x + i)));
    if (i < n) {
        float buf[4] = {0, 0, 0, 0};
        memcpy(buf, x + i, (n - i) * sizeof(float));
        vst1q_f32(buf, mossa__expf4_neon(vld1q_f32(buf)));
        memcpy(y + i, buf, (n - i) * sizeof(float));
    }
}

static float32x4_t mossa__logf4_neon(float32x4_t x)
{
    const int32x4_t off = vdupq_n_s32((int)MOSSA__LOG_OFF);
    uint32x4_t sub = vcltq_f32(x, vdupq_n_f32(FLT_MIN));
    float32x4_t xs = vbslq_f32(sub, vmulq_f32(x, vdupq_n_f32(8388608.0f)), x);
    int32x4_t u = vsubq_s32(vreinterpretq_s32_f32(xs), off);
    float32x4_t e = vcvtq_f32_s32(vshrq_n_s32(u, 23));
    float32x4_t f = vreinterpretq_f32_s32(vaddq_s32(vandq_s32(u, vdupq_n_s32(0x007fffff)), off));
    float32x4_t q, y;
    e = vbslq_f32(sub, vsubq_f32(e, vdupq_n_f32(23.0f)), e);
    f = vsubq_f32(f, vdupq_n_f32(1.0f));
    q = vdupq_n_f32(MOSSA__LOG_Q7);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q6), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q5), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q4), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q3), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q2), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q1), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q0), q, f);
    y = vfmaq_f32(f, vmulq_f32(f, f), q);
    y = vfmaq_f32(y, e, vdupq_n_f32(MOSSA__LN2_LO));
    y = vfmaq_f32(y, e, vdupq_n_f32(MOSSA__LN2_HI));
    /* specials: +-0 -> -inf, +inf -> +inf, x < 0 or NaN -> NaN */
    y = vbslq_f32(vceqq_f32(x, vdupq_n_f32(0.0f)), vdupq_n_f32(-HUGE_VALF), y);
    y = vbslq_f32(vceqq_f32(x, vdupq_n_f32(HUGE_VALF)), vdupq_n_f32(HUGE_VALF), y);
    return vbslq_f32(vmvnq_u32(vcgeq_f32(x, vdupq_n_f32(0.0f))), vdupq_n_f32(NAN), y);
}

static void mossa__logf_neon(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t a = mossa__logf4_neon(vld1q_f32(x + i));
        float32x4_t b = mossa__logf4_neon(vld1q_f32(x + i + 4));
        vst1q_f32(y + i, a);
        vst1q_f32(y + i + 4, b);
    }
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, mossa__logf4_neon(vld1q_f32(x + i)));
    if (i < n) {
        float buf[4] = {1, 1, 1, 1};
        memcpy(buf, x + i, (n - i) * sizeof(float));
        vst1q_f32(buf, mossa__logf4_neon(vld1q_f32(buf)));
        memcpy(y + i, buf, (n - i) * sizeof(float));
    }
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* 16 x 16 tile in strips of 4 rows: 4 q-registers per row (16
   accumulators), B loaded as four vectors per k, the strip's 4 A values as
   one vector used lane by lane. */
static void mossa__gemm_tile16_g_neon(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    size_t i0, k;
    int i, h;
    for (i0 = 0; i0 < 16; i0 += 4) {
        float32x4_t acc[4][4];
        for (i = 0; i < 4; ++i)
            for (h = 0; h < 4; ++h) acc[i][h] = vdupq_n_f32(0.0f);
        for (k = 0; k < kc; ++k) {
            float32x4_t av = vld1q_f32(a + 16 * k + i0);
            float32x4_t b0 = vld1q_f32(b + 16 * k), b1 = vld1q_f32(b + 16 * k + 4);
            float32x4_t b2 = vld1q_f32(b + 16 * k + 8), b3 = vld1q_f32(b + 16 * k + 12);
#define MOSSA__NEON_ROW(I)                                   \
            acc[I][0] = vfmaq_laneq_f32(acc[I][0], b0, av, I); \
            acc[I][1] = vfmaq_laneq_f32(acc[I][1], b1, av, I); \
            acc[I][2] = vfmaq_laneq_f32(acc[I][2], b2, av, I); \
            acc[I][3] = vfmaq_laneq_f32(acc[I][3], b3, av, I);
            MOSSA__NEON_ROW(0) MOSSA__NEON_ROW(1) MOSSA__NEON_ROW(2) MOSSA__NEON_ROW(3)
#undef MOSSA__NEON_ROW
        }
        for (i = 0; i < 4; ++i) {
            double *ci;
            if (isf) {
                float *fi = (float *)c + (i0 + (size_t)i) * ldc;
                for (h = 0; h < 4; ++h) vst1q_f32(fi + 4 * h, vaddq_f32(vld1q_f32(fi + 4 * h), acc[i][h]));
                continue;
            }
            ci = (double *)c + (i0 + (size_t)i) * ldc;
            for (h = 0; h < 4; ++h) {
                float64x2_t lo = vcvt_f64_f32(vget_low_f32(acc[i][h]));
                float64x2_t hi = vcvt_high_f64_f32(acc[i][h]);
                vst1q_f64(ci + 4 * h, vaddq_f64(vld1q_f64(ci + 4 * h), lo));
                vst1q_f64(ci + 4 * h + 2, vaddq_f64(vld1q_f64(ci + 4 * h + 2), hi));
            }
        }
    }
}

static void mossa__gemm_tile16_neon(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16_g_neon(a, b, kc, c, 0, ldc);
}

static void mossa__gemm_tile16f_neon(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16_g_neon(a, b, kc, c, 1, ldc);
}

static void mossa__hsic_row_neon(const float *k, const float *l, const double *a, const double *b,
                                 double ai, double bi, size_t n, size_t skip, double out[3])
{
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0, s2 = s0;
    const float64x2_t vai = vdupq_n_f64(ai), vbi = vdupq_n_f64(bi);
    size_t j = 0, q;
    double t0 = 0.0, t1 = 0.0, t2 = 0.0;
    for (; j + 2 <= n; j += 2) {
        float64x2_t kc, lc;
        if (skip - j < 2) {
            /* the pair holding the left-out column, one by one */
            for (q = j; q < j + 2; ++q) {
                double ks = (double)k[q] - ai - a[q], ls = (double)l[q] - bi - b[q];
                if (q == skip) continue;
                t0 += ks * ls; t1 += ks * ks; t2 += ls * ls;
            }
            continue;
        }
        kc = vsubq_f64(vsubq_f64(vcvt_f64_f32(vld1_f32(k + j)), vai), vld1q_f64(a + j));
        lc = vsubq_f64(vsubq_f64(vcvt_f64_f32(vld1_f32(l + j)), vbi), vld1q_f64(b + j));
        s0 = vfmaq_f64(s0, kc, lc);
        s1 = vfmaq_f64(s1, kc, kc);
        s2 = vfmaq_f64(s2, lc, lc);
    }
    t0 += vaddvq_f64(s0); t1 += vaddvq_f64(s1); t2 += vaddvq_f64(s2);
    for (; j < n; ++j) {
        double ks = (double)k[j] - ai - a[j], ls = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        t0 += ks * ls; t1 += ks * ks; t2 += ls * ls;
    }
    out[0] = t0; out[1] = t1; out[2] = t2;
}

static void mossa__rbf_dist_neon(const double *g, size_t n, double dr, const double *dc, float *dst,
                                 mossa__keep *kp)
{
    const float64x2_t vdr = vdupq_n_f64(dr), zero = vdupq_n_f64(0.0);
    const uint32x4_t lo = vdupq_n_u32(kp ? kp->lo : 0u), width = vdupq_n_u32(kp ? kp->width : 0u);
    uint32x4_t nb = vdupq_n_u32(0), ni = nb;
    size_t j = 0, k = kp ? kp->k : 0;
    for (; j + 4 <= n; j += 4) {
        float64x2_t v0 = vsubq_f64(vaddq_f64(vdr, vld1q_f64(dc + j)), vaddq_f64(vld1q_f64(g + j), vld1q_f64(g + j)));
        float64x2_t v1 = vsubq_f64(vaddq_f64(vdr, vld1q_f64(dc + j + 2)), vaddq_f64(vld1q_f64(g + j + 2), vld1q_f64(g + j + 2)));
        float32x4_t f;
        /* vmaxnm: +0 for -0 vs +0 is not guaranteed, so compare explicitly */
        v0 = vbslq_f64(vcgtq_f64(v0, zero), v0, zero);
        v1 = vbslq_f64(vcgtq_f64(v1, zero), v1, zero);
        f = vcvt_high_f32_f64(vcvt_f32_f64(v0), v1);
        vst1q_f32(dst + j, f);
        if (kp) {
            /* counted from the registers; the few inside kept lane by lane */
            uint32x4_t b = vreinterpretq_u32_f32(f), in = vcleq_u32(vsubq_u32(b, lo), width);
            nb = vsubq_u32(nb, vcltq_u32(b, lo));
            ni = vsubq_u32(ni, in);
            if (vmaxvq_u32(in)) {
                float t[4];
                uint32_t m[4];
                int l;
                vst1q_f32(t, f);
                vst1q_u32(m, in);
                for (l = 0; l < 4; ++l) {
                    kp->keep[k] = t[l];
                    k += (size_t)(m[l] & 1u) & (k < kp->cap);
                }
            }
        }
    }
    if (kp) { kp->below += vaddvq_u32(nb); kp->inside += vaddvq_u32(ni); kp->k = k; }
    mossa__rbf_dist_scalar(g + j, n - j, dr, dc + j, dst + j, kp);
}

static double mossa__rbf_exp_row_neon(float *row, size_t n, float nc, double *cs)
{
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0;
    size_t j = 0;
    double t;
    for (; j + 4 <= n; j += 4) {
        float32x4_t e = mossa__expf4_neon(vmulq_n_f32(vld1q_f32(row + j), nc));
        float64x2_t lo = vcvt_f64_f32(vget_low_f32(e)), hi = vcvt_high_f64_f32(e);
        vst1q_f32(row + j, e);
        s0 = vaddq_f64(s0, lo);
        s1 = vaddq_f64(s1, hi);
        vst1q_f64(cs + j, vaddq_f64(vld1q_f64(cs + j), lo));
        vst1q_f64(cs + j + 2, vaddq_f64(vld1q_f64(cs + j + 2), hi));
    }
    t = vaddvq_f64(vaddq_f64(s0, s1));
    if (j < n) t += mossa__rbf_exp_row_with(row + j, n - j, nc, cs + j, mossa__expf_neon);
    return t;
}

/* ---- tsne ------------------------------------------------------------------ */
static void mossa__tsne_knn_tile_neon(const float *qt, size_t d, const float *r, size_t ldr, size_t nr,
                                      float *out, int accumulate)
{
    size_t j, k;
    int l;
    for (j = 0; j < nr; ++j) {
        const float *rj = r + j * ldr;
        float *o = out + j * 32;
        float32x4_t a[8];
        for (l = 0; l < 8; ++l) a[l] = accumulate ? vld1q_f32(o + 4 * l) : vdupq_n_f32(0.0f);
        for (k = 0; k < d; ++k) {
            float32x4_t b = vdupq_n_f32(rj[k]);
            for (l = 0; l < 8; ++l) {
                float32x4_t t = vsubq_f32(vld1q_f32(qt + k * 32 + 4 * l), b);
                a[l] = vfmaq_f32(a[l], t, t);
            }
        }
        for (l = 0; l < 8; ++l) vst1q_f32(o + 4 * l, a[l]);
    }
}

static void mossa__tsne_repulse2_neon(const float *tx, const float *ty, size_t nt, const float *sx,
                                      const float *sy, const float *sm, size_t ns, float *acc)
{
    size_t t, j;
    const float32x4_t one = vdupq_n_f32(1.0f);
    for (t = 0; t < nt; ++t) {
        float32x4_t x0 = vdupq_n_f32(tx[t]), y0 = vdupq_n_f32(ty[t]);
        float32x4_t z = vdupq_n_f32(0.0f), fx = z, fy = z;
        for (j = 0; j < ns; j += 4) {
            float32x4_t dx = vsubq_f32(x0, vld1q_f32(sx + j)), dy = vsubq_f32(y0, vld1q_f32(sy + j));
            float32x4_t s = vfmaq_f32(vfmaq_f32(one, dy, dy), dx, dx);
            float32x4_t q = vdivq_f32(one, s), mq = vmulq_f32(vld1q_f32(sm + j), q);
            z = vaddq_f32(z, mq);
            mq = vmulq_f32(mq, q);
            fx = vfmaq_f32(fx, mq, dx);
            fy = vfmaq_f32(fy, mq, dy);
        }
        acc[4 * t] += vaddvq_f32(z);
        acc[4 * t + 1] += vaddvq_f32(fx);
        acc[4 * t + 2] += vaddvq_f32(fy);
    }
}
/* ---- text ------------------------------------------------------------------ */
/* One 16-byte step finds a word's end without a branch per letter; the
   lowercased run is stored with zeros after it. Longer runs go scalar. */
static size_t mossa__text_letters_neon(const unsigned char *p, size_t n, unsigned char *dst, size_t room)
{
    if (n >= 16 && room >= 16) {
        static const uint8_t iota_bytes[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        uint8x16_t l = vorrq_u8(vld1q_u8(p), vdupq_n_u8(0x20));
        uint8x16_t m = vcltq_u8(vsubq_u8(l, vdupq_n_u8('a')), vdupq_n_u8(26));
        /* 4 bits per byte: the first non-letter is the first zero nibble */
        uint64_t bits = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
        if (bits != ~(uint64_t)0) {
            unsigned r = (unsigned)__builtin_ctzll(~bits) >> 2;
            uint8x16_t keep = vcltq_u8(vld1q_u8(iota_bytes), vdupq_n_u8((uint8_t)r));
            vst1q_u8(dst, vandq_u8(l, keep));
            return r;
        }
    }
    return mossa__text_letters_scalar(p, n, dst, room);
}

/* Four 16-byte compares; each lane keeps its bit weight (1..128 per 8
   lanes) and three rounds of pairwise adds pack the 64 flags into 8 bytes. */
static uint64_t mossa__text_letter_mask_neon(const unsigned char *p)
{
    static const uint8_t weight_bytes[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t w = vld1q_u8(weight_bytes), b = vdupq_n_u8(0x20), a = vdupq_n_u8('a'), z = vdupq_n_u8(26);
    uint8x16_t m0 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p), b), a), z), w);
    uint8x16_t m1 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p + 16), b), a), z), w);
    uint8x16_t m2 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p + 32), b), a), z), w);
    uint8x16_t m3 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p + 48), b), a), z), w);
    uint8x16_t s = vpaddq_u8(vpaddq_u8(m0, m1), vpaddq_u8(m2, m3));
    s = vpaddq_u8(s, s);
    return vgetq_lane_u64(vreinterpretq_u64_u8(s), 0);
}

/* groups of 8 columns, each widened to four double accumulators; every
   column is its own sum in row order, as in scalar, which also takes the
   last cols % 8 */
static float mossa__colsum_neon(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    float32x4_t m = vdupq_n_f32(0.0f);
    float mm[4], r;
    size_t c = 0, i;
    int l;
    for (; c + 8 <= cols; c += 8) {
        float64x2_t a0 = vld1q_f64(s + c), a1 = vld1q_f64(s + c + 2), a2 = vld1q_f64(s + c + 4),
                    a3 = vld1q_f64(s + c + 6);
        for (i = 0; i < n; ++i) {
            const float *row = x + i * ldx + c;
            float32x4_t f0 = vld1q_f32(row), f1 = vld1q_f32(row + 4), b0 = vabsq_f32(f0), b1 = vabsq_f32(f1);
            a0 = vaddq_f64(a0, vcvt_f64_f32(vget_low_f32(f0)));
            a1 = vaddq_f64(a1, vcvt_high_f64_f32(f0));
            a2 = vaddq_f64(a2, vcvt_f64_f32(vget_low_f32(f1)));
            a3 = vaddq_f64(a3, vcvt_high_f64_f32(f1));
            /* |f| > m ? |f| : m keeps m where |f| is NaN */
            m = vbslq_f32(vcgtq_f32(b0, m), b0, m);
            m = vbslq_f32(vcgtq_f32(b1, m), b1, m);
        }
        vst1q_f64(s + c, a0); vst1q_f64(s + c + 2, a1); vst1q_f64(s + c + 4, a2); vst1q_f64(s + c + 6, a3);
    }
    r = c < cols ? mossa__colsum_scalar(x + c, n, ldx, cols - c, s + c) : 0.0f;
    vst1q_f32(mm, m);
    for (l = 0; l < 4; ++l) r = mm[l] > r ? mm[l] : r;
    return r;
}

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_neon;
    t->axpy = mossa__axpy_neon;
    t->colsum = mossa__colsum_neon;
    t->sqdist = mossa__sqdist_neon;
    t->expf_array = mossa__expf_neon;
    t->logf_array = mossa__logf_neon;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_neon;
    t->gemm_tile16f = mossa__gemm_tile16f_neon;
    t->hsic_row = mossa__hsic_row_neon;
    t->rbf_dist = mossa__rbf_dist_neon;
    t->rbf_exp_row = mossa__rbf_exp_row_neon;
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_neon;
    t->tsne_repulse2 = mossa__tsne_repulse2_neon;
    /* text */
    t->text_letters = mossa__text_letters_neon;
    t->text_letter_mask = mossa__text_letter_mask_neon;
}

#endif /* MOSSA__NEON */
