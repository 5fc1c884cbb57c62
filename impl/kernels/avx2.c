/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* Lanes [0, count) set: masks the last partial vector, so loads and stores
   never touch memory past the arrays (vmaskmov does not fault on lanes
   that are off). */
static MOSSA__TARGET_AVX2 __m256i mossa__tailmask_avx2(size_t count)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lane);
}

static MOSSA__TARGET_AVX2 double mossa__hsum_pd_avx2(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

static MOSSA__TARGET_AVX2 double mossa__dot_avx2(const float *a, const float *b, size_t n)
{
    /* Four accumulators hide the FMA latency; every 256 elements the lanes
       are promoted to double, so the float sums stay short. */
    __m256d tot0 = _mm256_setzero_pd(), tot1 = _mm256_setzero_pd();
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
        for (; i + 32 <= end; i += 32) {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
        }
        for (; i + 8 <= end; i += 8)
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        if (i < end) {
            __m256i mk = mossa__tailmask_avx2(end - i);
            s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, mk), _mm256_maskload_ps(b + i, mk), s1);
            i = end;
        }
        s0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
        tot0 = _mm256_add_pd(tot0, _mm256_cvtps_pd(_mm256_castps256_ps128(s0)));
        tot1 = _mm256_add_pd(tot1, _mm256_cvtps_pd(_mm256_extractf128_ps(s0, 1)));
    }
    return mossa__hsum_pd_avx2(_mm256_add_pd(tot0, tot1));
}

static MOSSA__TARGET_AVX2 void mossa__axpy_avx2(size_t n, float alpha, const float *x, float *y)
{
    /* multiply, then add (no FMA): the same two roundings as the scalar
       level, so axpy is bit-identical at every level */
    const __m256 va = _mm256_set1_ps(alpha);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 p0 = _mm256_mul_ps(va, _mm256_loadu_ps(x + i));
        __m256 p1 = _mm256_mul_ps(va, _mm256_loadu_ps(x + i + 8));
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), p0));
        _mm256_storeu_ps(y + i + 8, _mm256_add_ps(_mm256_loadu_ps(y + i + 8), p1));
    }
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i),
                                              _mm256_mul_ps(va, _mm256_loadu_ps(x + i))));
    if (i < n) {
        __m256i mk = mossa__tailmask_avx2(n - i);
        __m256 p = _mm256_mul_ps(va, _mm256_maskload_ps(x + i, mk));
        _mm256_maskstore_ps(y + i, mk, _mm256_add_ps(_mm256_maskload_ps(y + i, mk), p));
    }
}

/* (v0 .. v7) -> their eight horizontal sums, in order */
static MOSSA__TARGET_AVX2 __m256 mossa__hsum8_avx2(const __m256 *v)
{
    __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
    __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(v[4], v[5]), _mm256_hadd_ps(v[6], v[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

static MOSSA__TARGET_AVX2 void mossa__sqdist_avx2(const float *x, const float *Y, size_t m,
                                                 size_t d, size_t ldy, float *out)
{
    /* Eight rows at a time: x is loaded once per chunk, the eight
       accumulators are independent chains (enough to cover the FMA
       latency) and one transpose-and-add reduces all eight. */
    const size_t dv = d & ~(size_t)7;
    const __m256i mk = mossa__tailmask_avx2(d - dv);
    size_t j = 0, k;
    int r;
    for (; j + 8 <= m; j += 8) {
        const float *y = Y + j * ldy;
        __m256 acc[8], xv, t;
        for (r = 0; r < 8; ++r) acc[r] = _mm256_setzero_ps();
        for (k = 0; k < dv; k += 8) {
            xv = _mm256_loadu_ps(x + k);
            for (r = 0; r < 8; ++r) {
                t = _mm256_sub_ps(xv, _mm256_loadu_ps(y + (size_t)r * ldy + k));
                acc[r] = _mm256_fmadd_ps(t, t, acc[r]);
            }
        }
        if (dv < d) {
            xv = _mm256_maskload_ps(x + dv, mk);
            for (r = 0; r < 8; ++r) {
                t = _mm256_sub_ps(xv, _mm256_maskload_ps(y + (size_t)r * ldy + dv, mk));
                acc[r] = _mm256_fmadd_ps(t, t, acc[r]);
            }
        }
        _mm256_storeu_ps(out + j, mossa__hsum8_avx2(acc));
    }
    for (; j < m; ++j) {
        const float *y = Y + j * ldy;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), t;
        __m128 s;
        for (k = 0; k + 16 <= dv; k += 16) {
            t = _mm256_sub_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k));
            a0 = _mm256_fmadd_ps(t, t, a0);
            t = _mm256_sub_ps(_mm256_loadu_ps(x + k + 8), _mm256_loadu_ps(y + k + 8));
            a1 = _mm256_fmadd_ps(t, t, a1);
        }
        for (; k < dv; k += 8) {
            t = _mm256_sub_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k));
            a0 = _mm256_fmadd_ps(t, t, a0);
        }
        if (dv < d) {
            t = _mm256_sub_ps(_mm256_maskload_ps(x + dv, mk), _mm256_maskload_ps(y + dv, mk));
            a1 = _mm256_fmadd_ps(t, t, a1);
        }
        a0 = _mm256_add_ps(a0, a1);
        s = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        out[j] = _mm_cvtss_f32(s);
    }
}

/* exp(r) on the reduced argument (the scalar level's polynomial) */
static MOSSA__TARGET_AVX2 __m256 mossa__exp_poly_avx2(__m256 r)
{
    __m256 p = _mm256_set1_ps(MOSSA__EXP_C6);
    const __m256 one = _mm256_set1_ps(1.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C5));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C2));
    p = _mm256_fmadd_ps(p, r, one);
    return _mm256_fmadd_ps(p, r, one);
}

/* Fast path, valid when every |x| <= 86: then 2^n is a normal float and so
   is the result, and 2^n is just (n + 127) << 23 -- the shift constant
   carries the +127, so the bits of t are already the biased exponent. */
#define MOSSA__EXP_SHIFT_BIASED 12583039.0f   /* 1.5 * 2^23 + 127 */
#define MOSSA__EXP_FAST_LIMIT 86.0f

static MOSSA__TARGET_AVX2 __m256 mossa__expf8_fast_avx2(__m256 x)
{
    const __m256 shift = _mm256_set1_ps(MOSSA__EXP_SHIFT_BIASED);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(MOSSA__LOG2E), shift);
    __m256 fn = _mm256_sub_ps(t, shift);
    __m256 r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_HI), x);
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_LO), r);
    return _mm256_mul_ps(mossa__exp_poly_avx2(r), scale);
}

/* Full range: clamp (max/min return their second operand when one is NaN,
   so NaN passes through), then scale by 2^n without ever creating a
   subnormal in a float operation (each costs a ~100-cycle microcode
   assist): normal results as p 2^(n/2) 2^(n - n/2) with n >= -125;
   results below 2^-126 (n <= -126) as the integer p 2^(n + 149), rounded
   once by the conversion -- the bit pattern of a subnormal float is its
   value in units of 2^-149 (and 2^23 of them is FLT_MIN, so rounding up
   across the boundary is right too). */
static MOSSA__TARGET_AVX2 __m256 mossa__expf8_full_avx2(__m256 x)
{
    const __m256 shift = _mm256_set1_ps(MOSSA__EXP_SHIFT);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 t, fn, r, p, y, ys;
    __m256i n, n1, n2, tiny, k;
    x = _mm256_max_ps(_mm256_set1_ps(MOSSA__EXP_LO), x);
    x = _mm256_min_ps(_mm256_set1_ps(MOSSA__EXP_HI), x);
    t = _mm256_fmadd_ps(x, _mm256_set1_ps(MOSSA__LOG2E), shift);
    fn = _mm256_sub_ps(t, shift);
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_HI), x);
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_LO), r);
    p = mossa__exp_poly_avx2(r);
    n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(shift));
    /* NaN lanes have garbage n: keep them on the normal route, where p is NaN */
    tiny = _mm256_andnot_si256(_mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q)),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32(-125), n));
    n1 = _mm256_max_epi32(n, _mm256_set1_epi32(-125));
    n2 = _mm256_srai_epi32(n1, 1);
    n1 = _mm256_sub_epi32(n1, n2);
    y = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23)));
    y = _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23)));
    if (MOSSA__LIKELY(_mm256_testz_si256(tiny, tiny))) return y;
    k = _mm256_min_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(149)), _mm256_set1_epi32(24));
    ys = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, bias), 23)));
    ys = _mm256_castsi256_ps(_mm256_cvtps_epi32(ys));
    return _mm256_blendv_ps(y, ys, _mm256_castsi256_ps(tiny));
}

static MOSSA__TARGET_AVX2 __m256 mossa__expf8_avx2(__m256 x)
{
    /* one compare decides the path for all 8 lanes; NaN fails it too */
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 big = _mm256_cmp_ps(_mm256_and_ps(x, absmask), _mm256_set1_ps(MOSSA__EXP_FAST_LIMIT),
                               _CMP_NLE_UQ);
    if (MOSSA__LIKELY(_mm256_testz_ps(big, big))) return mossa__expf8_fast_avx2(x);
    return mossa__expf8_full_avx2(x);
}

static MOSSA__TARGET_AVX2 void mossa__expf_avx2(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = mossa__expf8_avx2(_mm256_loadu_ps(x + i));
        __m256 b = mossa__expf8_avx2(_mm256_loadu_ps(x + i + 8));
        _mm256_storeu_ps(y + i, a);
        _mm256_storeu_ps(y + i + 8, b);
    }
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, mossa__expf8_avx2(_mm256_loadu_ps(x + i)));
    if (i < n) {
        __m256i mk = mossa__tailmask_avx2(n - i);
        _mm256_maskstore_ps(y + i, mk, mossa__expf8_avx2(_mm256_maskload_ps(x + i, mk)));
    }
}

/* log core for positive normal x (after the subnormal rescale), eadj the
   exponent that rescale took away */
static MOSSA__TARGET_AVX2 __m256 mossa__logf8_core_avx2(__m256 x, __m256 eadj)
{
    const __m256i off = _mm256_set1_epi32((int)MOSSA__LOG_OFF);
    __m256i u = _mm256_sub_epi32(_mm256_castps_si256(x), off);
    __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(_mm256_srai_epi32(u, 23)), eadj);
    __m256 f = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x007fffff)), off));
    __m256 q, y;
    f = _mm256_sub_ps(f, _mm256_set1_ps(1.0f));
    q = _mm256_set1_ps(MOSSA__LOG_Q7);
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q6));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q5));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q4));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q3));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q2));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q1));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q0));
    y = _mm256_fmadd_ps(_mm256_mul_ps(f, f), q, f);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(MOSSA__LN2_LO), y);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(MOSSA__LN2_HI), y);
}

static MOSSA__TARGET_AVX2 __m256 mossa__logf8_avx2(__m256 x)
{
    /* bits + 0x7f800000 maps the positive normal floats, and only them, to
       the signed range [INT_MIN, -2^24 - 1]: one compare finds any lane
       that is subnormal, zero, negative, infinite or NaN */
    __m256i w = _mm256_add_epi32(_mm256_castps_si256(x), _mm256_set1_epi32(0x7f800000));
    __m256i bad = _mm256_cmpgt_epi32(w, _mm256_set1_epi32(-16777217));
    __m256 sub, y, xs;
    if (MOSSA__LIKELY(_mm256_testz_si256(bad, bad)))
        return mossa__logf8_core_avx2(x, _mm256_setzero_ps());
    sub = _mm256_cmp_ps(x, _mm256_set1_ps(FLT_MIN), _CMP_LT_OQ);
    xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), sub);
    y = mossa__logf8_core_avx2(xs, _mm256_and_ps(sub, _mm256_set1_ps(-23.0f)));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(-HUGE_VALF),
                         _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(HUGE_VALF),
                         _mm256_cmp_ps(x, _mm256_set1_ps(HUGE_VALF), _CMP_EQ_OQ));
    /* x < 0 or NaN (not x >= 0; -0 >= 0 holds and was handled above) */
    return _mm256_blendv_ps(y, _mm256_set1_ps(NAN),
                            _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ));
}

static MOSSA__TARGET_AVX2 void mossa__logf_avx2(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = mossa__logf8_avx2(_mm256_loadu_ps(x + i));
        __m256 b = mossa__logf8_avx2(_mm256_loadu_ps(x + i + 8));
        _mm256_storeu_ps(y + i, a);
        _mm256_storeu_ps(y + i + 8, b);
    }
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, mossa__logf8_avx2(_mm256_loadu_ps(x + i)));
    if (i < n) {
        /* masked-off lanes load as 0 and take the slow path; harmless */
        __m256i mk = mossa__tailmask_avx2(n - i);
        _mm256_maskstore_ps(y + i, mk, mossa__logf8_avx2(_mm256_maskload_ps(x + i, mk)));
    }
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* 16 x 16 tile in strips of rows (6, 6, 4): per strip 2 ymm per row (up to
   12 named accumulators, so they stay in registers), B loaded as two
   vectors per k, A broadcast. */
MOSSA__TARGET_AVX2
static void mossa__avx2_add_row(double *c, __m256 lo8, __m256 hi8)
{
    _mm256_storeu_pd(c, _mm256_add_pd(_mm256_loadu_pd(c), _mm256_cvtps_pd(_mm256_castps256_ps128(lo8))));
    _mm256_storeu_pd(c + 4, _mm256_add_pd(_mm256_loadu_pd(c + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(lo8, 1))));
    _mm256_storeu_pd(c + 8, _mm256_add_pd(_mm256_loadu_pd(c + 8), _mm256_cvtps_pd(_mm256_castps256_ps128(hi8))));
    _mm256_storeu_pd(c + 12, _mm256_add_pd(_mm256_loadu_pd(c + 12), _mm256_cvtps_pd(_mm256_extractf128_ps(hi8, 1))));
}

/* row off of the tile: c[off ..] += the two halves, c double, or float
   (isf; a constant where inlined) */
MOSSA__TARGET_AVX2
static void mossa__avx2_put_row(void *c, int isf, size_t off, __m256 lo8, __m256 hi8)
{
    if (isf) {
        float *cf = (float *)c + off;
        _mm256_storeu_ps(cf, _mm256_add_ps(_mm256_loadu_ps(cf), lo8));
        _mm256_storeu_ps(cf + 8, _mm256_add_ps(_mm256_loadu_ps(cf + 8), hi8));
    } else
        mossa__avx2_add_row((double *)c + off, lo8, hi8);
}

MOSSA__TARGET_AVX2
static void mossa__avx2_strip6(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    __m256 z = _mm256_setzero_ps();
    __m256 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
    size_t k;
    for (k = 0; k < kc; ++k) {
        const float *ak = a + 16 * k;
        __m256 b0 = _mm256_loadu_ps(b + 16 * k), b1 = _mm256_loadu_ps(b + 16 * k + 8), t;
        t = _mm256_broadcast_ss(ak + 0); c00 = _mm256_fmadd_ps(t, b0, c00); c01 = _mm256_fmadd_ps(t, b1, c01);
        t = _mm256_broadcast_ss(ak + 1); c10 = _mm256_fmadd_ps(t, b0, c10); c11 = _mm256_fmadd_ps(t, b1, c11);
        t = _mm256_broadcast_ss(ak + 2); c20 = _mm256_fmadd_ps(t, b0, c20); c21 = _mm256_fmadd_ps(t, b1, c21);
        t = _mm256_broadcast_ss(ak + 3); c30 = _mm256_fmadd_ps(t, b0, c30); c31 = _mm256_fmadd_ps(t, b1, c31);
        t = _mm256_broadcast_ss(ak + 4); c40 = _mm256_fmadd_ps(t, b0, c40); c41 = _mm256_fmadd_ps(t, b1, c41);
        t = _mm256_broadcast_ss(ak + 5); c50 = _mm256_fmadd_ps(t, b0, c50); c51 = _mm256_fmadd_ps(t, b1, c51);
    }
    mossa__avx2_put_row(c, isf, 0, c00, c01);
    mossa__avx2_put_row(c, isf, ldc, c10, c11);
    mossa__avx2_put_row(c, isf, 2 * ldc, c20, c21);
    mossa__avx2_put_row(c, isf, 3 * ldc, c30, c31);
    mossa__avx2_put_row(c, isf, 4 * ldc, c40, c41);
    mossa__avx2_put_row(c, isf, 5 * ldc, c50, c51);
}

MOSSA__TARGET_AVX2
static void mossa__avx2_strip4(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    __m256 z = _mm256_setzero_ps();
    __m256 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    size_t k;
    for (k = 0; k < kc; ++k) {
        const float *ak = a + 16 * k;
        __m256 b0 = _mm256_loadu_ps(b + 16 * k), b1 = _mm256_loadu_ps(b + 16 * k + 8), t;
        t = _mm256_broadcast_ss(ak + 0); c00 = _mm256_fmadd_ps(t, b0, c00); c01 = _mm256_fmadd_ps(t, b1, c01);
        t = _mm256_broadcast_ss(ak + 1); c10 = _mm256_fmadd_ps(t, b0, c10); c11 = _mm256_fmadd_ps(t, b1, c11);
        t = _mm256_broadcast_ss(ak + 2); c20 = _mm256_fmadd_ps(t, b0, c20); c21 = _mm256_fmadd_ps(t, b1, c21);
        t = _mm256_broadcast_ss(ak + 3); c30 = _mm256_fmadd_ps(t, b0, c30); c31 = _mm256_fmadd_ps(t, b1, c31);
    }
    mossa__avx2_put_row(c, isf, 0, c00, c01);
    mossa__avx2_put_row(c, isf, ldc, c10, c11);
    mossa__avx2_put_row(c, isf, 2 * ldc, c20, c21);
    mossa__avx2_put_row(c, isf, 3 * ldc, c30, c31);
}

MOSSA__TARGET_AVX2
static void mossa__gemm_tile16_avx2(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__avx2_strip6(a, b, kc, c, 0, ldc);
    mossa__avx2_strip6(a + 6, b, kc, c + 6 * ldc, 0, ldc);
    mossa__avx2_strip4(a + 12, b, kc, c + 12 * ldc, 0, ldc);
}

MOSSA__TARGET_AVX2
static void mossa__gemm_tile16f_avx2(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__avx2_strip6(a, b, kc, c, 1, ldc);
    mossa__avx2_strip6(a + 6, b, kc, c + 6 * ldc, 1, ldc);
    mossa__avx2_strip4(a + 12, b, kc, c + 12 * ldc, 1, ldc);
}

MOSSA__TARGET_AVX2
static void mossa__hsic_row_avx2(const float *k, const float *l, const double *a, const double *b,
                                 double ai, double bi, size_t n, size_t skip, double out[3])
{
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0;
    const __m256d vai = _mm256_set1_pd(ai), vbi = _mm256_set1_pd(bi);
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    size_t j = 0;
    double t0, t1, t2;
    for (; j + 4 <= n; j += 4) {
        __m256d kc = _mm256_sub_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(k + j)), vai), _mm256_loadu_pd(a + j));
        __m256d lc = _mm256_sub_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(l + j)), vbi), _mm256_loadu_pd(b + j));
        if (skip - j < 4) {
            __m256d keep = _mm256_castsi256_pd(_mm256_xor_si256(
                _mm256_cmpeq_epi64(lane, _mm256_set1_epi64x((long long)(skip - j))), _mm256_set1_epi64x(-1)));
            kc = _mm256_and_pd(kc, keep);
            lc = _mm256_and_pd(lc, keep);
        }
        s0 = _mm256_fmadd_pd(kc, lc, s0);
        s1 = _mm256_fmadd_pd(kc, kc, s1);
        s2 = _mm256_fmadd_pd(lc, lc, s2);
    }
    t0 = mossa__hsum_pd_avx2(s0); t1 = mossa__hsum_pd_avx2(s1); t2 = mossa__hsum_pd_avx2(s2);
    for (; j < n; ++j) {
        double kc = (double)k[j] - ai - a[j], lc = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        t0 += kc * lc; t1 += kc * kc; t2 += lc * lc;
    }
    out[0] = t0; out[1] = t1; out[2] = t2;
}

/* the sum of four 32-bit counts */
MOSSA__TARGET_AVX2
static uint32_t mossa__hsum_epi32_sse(__m128i v)
{
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(v);
}

MOSSA__TARGET_AVX2
static void mossa__rbf_dist_avx2(const double *g, size_t n, double dr, const double *dc, float *dst,
                                 mossa__keep *kp)
{
    const __m256d vdr = _mm256_set1_pd(dr), two = _mm256_set1_pd(2.0), zero = _mm256_setzero_pd();
    size_t j = 0;
    if (!kp) {
        for (; j + 4 <= n; j += 4) {
            __m256d v = _mm256_sub_pd(_mm256_add_pd(vdr, _mm256_loadu_pd(dc + j)), _mm256_mul_pd(two, _mm256_loadu_pd(g + j)));
            _mm_storeu_ps(dst + j, _mm256_cvtpd_ps(_mm256_max_pd(v, zero)));
        }
    } else {
        /* counted from the registers; the bit patterns are below 2^31
           (non-negative floats), so signed compares order them, and
           flipping the sign bit makes the unsigned test b - lo <= width
           a signed one */
        const __m128i lo = _mm_set1_epi32((int)kp->lo), sign = _mm_set1_epi32((int)0x80000000u);
        const __m128i width = _mm_xor_si128(_mm_set1_epi32((int)kp->width), sign);
        __m128i nb = _mm_setzero_si128(), ni = nb;
        size_t k = kp->k, cap = kp->cap;
        for (; j + 4 <= n; j += 4) {
            __m256d v = _mm256_sub_pd(_mm256_add_pd(vdr, _mm256_loadu_pd(dc + j)), _mm256_mul_pd(two, _mm256_loadu_pd(g + j)));
            __m128 f = _mm256_cvtpd_ps(_mm256_max_pd(v, zero));
            __m128i b = _mm_castps_si128(f);
            __m128i in = _mm_andnot_si128(_mm_cmpgt_epi32(_mm_xor_si128(_mm_sub_epi32(b, lo), sign), width),
                                          _mm_set1_epi32(-1));
            int m = _mm_movemask_ps(_mm_castsi128_ps(in));
            _mm_storeu_ps(dst + j, f);
            nb = _mm_sub_epi32(nb, _mm_cmpgt_epi32(lo, b));
            ni = _mm_sub_epi32(ni, in);
            if (m) {
                float t[4];
                int l;
                _mm_storeu_ps(t, f);
                for (l = 0; l < 4; ++l) {
                    kp->keep[k] = t[l];
                    k += (size_t)((m >> l) & 1) & (k < cap);
                }
            }
        }
        kp->below += mossa__hsum_epi32_sse(nb);
        kp->inside += mossa__hsum_epi32_sse(ni);
        kp->k = k;
    }
    mossa__rbf_dist_scalar(g + j, n - j, dr, dc + j, dst + j, kp);
}

MOSSA__TARGET_AVX2
static double mossa__rbf_exp_row_avx2(float *row, size_t n, float nc, double *cs)
{
    const __m256 vnc = _mm256_set1_ps(nc);
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    size_t j = 0;
    double t;
    for (; j + 8 <= n; j += 8) {
        __m256 e = mossa__expf8_avx2(_mm256_mul_ps(_mm256_loadu_ps(row + j), vnc));
        __m256d elo = _mm256_cvtps_pd(_mm256_castps256_ps128(e)), ehi = _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1));
        _mm256_storeu_ps(row + j, e);
        s0 = _mm256_add_pd(s0, elo);
        s1 = _mm256_add_pd(s1, ehi);
        _mm256_storeu_pd(cs + j, _mm256_add_pd(_mm256_loadu_pd(cs + j), elo));
        _mm256_storeu_pd(cs + j + 4, _mm256_add_pd(_mm256_loadu_pd(cs + j + 4), ehi));
    }
    t = mossa__hsum_pd_avx2(_mm256_add_pd(s0, s1));
    if (j < n) t += mossa__rbf_exp_row_with(row + j, n - j, nc, cs + j, mossa__expf_avx2);
    return t;
}

/* ---- svd ------------------------------------------------------------------- */
/* the row kernels' lane sum, in one fixed order */
MOSSA__TARGET_AVX2 static double mossa__rowop_lanes_avx2(__m256d s0, __m256d s1)
{
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    return (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
}

MOSSA__TARGET_AVX2
static double mossa__svd_rowop_avx2(size_t j, double *r, const double *x, const double *y, double a,
                                    double b, const double *u, double c, double *p)
{
    size_t k = 0;
    __m256d va = _mm256_set1_pd(a), vb = _mm256_set1_pd(b), vc = _mm256_set1_pd(c);
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    double s;
    if (x) {
        for (; k + 8 <= j; k += 8) {
            __m256d r0 = _mm256_loadu_pd(r + k), r1 = _mm256_loadu_pd(r + k + 4);
            r0 = _mm256_fnmadd_pd(va, _mm256_loadu_pd(x + k), r0);
            r1 = _mm256_fnmadd_pd(va, _mm256_loadu_pd(x + k + 4), r1);
            r0 = _mm256_fnmadd_pd(vb, _mm256_loadu_pd(y + k), r0);
            r1 = _mm256_fnmadd_pd(vb, _mm256_loadu_pd(y + k + 4), r1);
            _mm256_storeu_pd(r + k, r0); _mm256_storeu_pd(r + k + 4, r1);
            if (u) {
                s0 = _mm256_fmadd_pd(r0, _mm256_loadu_pd(u + k), s0);
                s1 = _mm256_fmadd_pd(r1, _mm256_loadu_pd(u + k + 4), s1);
                _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc, r0, _mm256_loadu_pd(p + k)));
                _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc, r1, _mm256_loadu_pd(p + k + 4)));
            }
        }
    } else if (u) {
        for (; k + 8 <= j; k += 8) {
            __m256d r0 = _mm256_loadu_pd(r + k), r1 = _mm256_loadu_pd(r + k + 4);
            s0 = _mm256_fmadd_pd(r0, _mm256_loadu_pd(u + k), s0);
            s1 = _mm256_fmadd_pd(r1, _mm256_loadu_pd(u + k + 4), s1);
            _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc, r0, _mm256_loadu_pd(p + k)));
            _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc, r1, _mm256_loadu_pd(p + k + 4)));
        }
    }
    s = mossa__rowop_lanes_avx2(s0, s1);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0;
}

/* Two rows as the one-row kernel does them one after the other, the
   operations of each row in the same order (so the same bits): the common
   8-wide steps share the loads of x, y, u and p, and p takes row j's term,
   then row j+1's. Row j's vector steps end where the pair's do; p[j] is
   finished before row j+1 reads it (its last step may reach k = j). */
MOSSA__TARGET_AVX2
static void mossa__svd_rowop2_avx2(size_t j, double *r0, double *r1, const double *x, const double *y,
                                   const double *u, double *p)
{
    size_t k = 0, t;
    const double a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m256d va0 = _mm256_set1_pd(a0), vb0 = _mm256_set1_pd(b0), vc0 = _mm256_set1_pd(c0);
    __m256d va1 = _mm256_set1_pd(a1), vb1 = _mm256_set1_pd(b1), vc1 = _mm256_set1_pd(c1);
    __m256d s00 = _mm256_setzero_pd(), s01 = s00, s10 = s00, s11 = s00;
    double s, m1, m2, last;
    /* the diagonals' updates and the last terms in statements of their
       own, as mossa__trd_row has them (no product fused into an add) */
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 8 <= j; k += 8) {
        __m256d x0 = _mm256_loadu_pd(x + k), x1 = _mm256_loadu_pd(x + k + 4);
        __m256d y0 = _mm256_loadu_pd(y + k), y1 = _mm256_loadu_pd(y + k + 4);
        __m256d u0 = _mm256_loadu_pd(u + k), u1 = _mm256_loadu_pd(u + k + 4);
        __m256d q0 = _mm256_loadu_pd(r0 + k), q1 = _mm256_loadu_pd(r0 + k + 4);
        __m256d w0 = _mm256_loadu_pd(r1 + k), w1 = _mm256_loadu_pd(r1 + k + 4);
        q0 = _mm256_fnmadd_pd(vb0, y0, _mm256_fnmadd_pd(va0, x0, q0));
        q1 = _mm256_fnmadd_pd(vb0, y1, _mm256_fnmadd_pd(va0, x1, q1));
        w0 = _mm256_fnmadd_pd(vb1, y0, _mm256_fnmadd_pd(va1, x0, w0));
        w1 = _mm256_fnmadd_pd(vb1, y1, _mm256_fnmadd_pd(va1, x1, w1));
        _mm256_storeu_pd(r0 + k, q0); _mm256_storeu_pd(r0 + k + 4, q1);
        _mm256_storeu_pd(r1 + k, w0); _mm256_storeu_pd(r1 + k + 4, w1);
        s00 = _mm256_fmadd_pd(q0, u0, s00); s01 = _mm256_fmadd_pd(q1, u1, s01);
        s10 = _mm256_fmadd_pd(w0, u0, s10); s11 = _mm256_fmadd_pd(w1, u1, s11);
        _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc1, w0, _mm256_fmadd_pd(vc0, q0, _mm256_loadu_pd(p + k))));
        _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc1, w1, _mm256_fmadd_pd(vc0, q1, _mm256_loadu_pd(p + k + 4))));
    }
    s = mossa__rowop_lanes_avx2(s00, s01);
    for (t = k; t < j; ++t) { r0[t] -= a0 * x[t] + b0 * y[t]; s += r0[t] * u[t]; p[t] += c0 * r0[t]; }
    last = r0[j] * c0;
    p[j] += s + last;
    for (; k + 8 <= j + 1; k += 8) {
        __m256d w0 = _mm256_loadu_pd(r1 + k), w1 = _mm256_loadu_pd(r1 + k + 4);
        w0 = _mm256_fnmadd_pd(vb1, _mm256_loadu_pd(y + k), _mm256_fnmadd_pd(va1, _mm256_loadu_pd(x + k), w0));
        w1 = _mm256_fnmadd_pd(vb1, _mm256_loadu_pd(y + k + 4), _mm256_fnmadd_pd(va1, _mm256_loadu_pd(x + k + 4), w1));
        _mm256_storeu_pd(r1 + k, w0); _mm256_storeu_pd(r1 + k + 4, w1);
        s10 = _mm256_fmadd_pd(w0, _mm256_loadu_pd(u + k), s10);
        s11 = _mm256_fmadd_pd(w1, _mm256_loadu_pd(u + k + 4), s11);
        _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc1, w0, _mm256_loadu_pd(p + k)));
        _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc1, w1, _mm256_loadu_pd(p + k + 4)));
    }
    s = mossa__rowop_lanes_avx2(s10, s11);
    for (t = k; t < j + 1; ++t) { r1[t] -= a1 * x[t] + b1 * y[t]; s += r1[t] * u[t]; p[t] += c1 * r1[t]; }
    last = r1[j + 1] * c1;
    p[j + 1] += s + last;
}
/* the float twins (the rank's reduction, its matrix held in float): the
   same operations as the double kernels above, 16 floats a step, and the
   last part of a row masked (a scalar tail, each step waiting on the last
   through the row sum, would cost more than the row) */
MOSSA__TARGET_AVX2 static float mossa__rowop_lanesf_avx2(__m256 s0, __m256 s1)
{
    float l[8];
    _mm256_storeu_ps(l, _mm256_add_ps(s0, s1));
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

/* one row with the update and the product, from k to len: the steps of
   16, one of 8, then the masked rest; returns the row sum (s0, s1: the
   sums of the steps before k) */
MOSSA__TARGET_AVX2
static float mossa__rowf_run_avx2(size_t k, size_t len, float *r, const float *x, const float *y, __m256 va,
                                  __m256 vb, const float *u, __m256 vc, float *p, __m256 s0, __m256 s1)
{
    for (; k + 16 <= len; k += 16) {
        __m256 r0 = _mm256_loadu_ps(r + k), r1 = _mm256_loadu_ps(r + k + 8);
        r0 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k), r0));
        r1 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k + 8), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k + 8), r1));
        _mm256_storeu_ps(r + k, r0); _mm256_storeu_ps(r + k + 8, r1);
        s0 = _mm256_fmadd_ps(r0, _mm256_loadu_ps(u + k), s0);
        s1 = _mm256_fmadd_ps(r1, _mm256_loadu_ps(u + k + 8), s1);
        _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc, r0, _mm256_loadu_ps(p + k)));
        _mm256_storeu_ps(p + k + 8, _mm256_fmadd_ps(vc, r1, _mm256_loadu_ps(p + k + 8)));
    }
    if (k + 8 <= len) {
        __m256 r0 = _mm256_loadu_ps(r + k);
        r0 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k), r0));
        _mm256_storeu_ps(r + k, r0);
        s0 = _mm256_fmadd_ps(r0, _mm256_loadu_ps(u + k), s0);
        _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc, r0, _mm256_loadu_ps(p + k)));
        k += 8;
    }
    if (k < len) {
        __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(len - k)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 r0 = _mm256_maskload_ps(r + k, m);
        r0 = _mm256_fnmadd_ps(vb, _mm256_maskload_ps(y + k, m), _mm256_fnmadd_ps(va, _mm256_maskload_ps(x + k, m), r0));
        _mm256_maskstore_ps(r + k, m, r0);
        s1 = _mm256_fmadd_ps(r0, _mm256_maskload_ps(u + k, m), s1);
        _mm256_maskstore_ps(p + k, m, _mm256_fmadd_ps(vc, r0, _mm256_maskload_ps(p + k, m)));
    }
    return mossa__rowop_lanesf_avx2(s0, s1);
}

MOSSA__TARGET_AVX2
static float mossa__svd_rowopf_avx2(size_t j, float *r, const float *x, const float *y, float a, float b,
                                    const float *u, float c, float *p)
{
    size_t k = 0;
    __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), vc = _mm256_set1_ps(c);
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    float s;
    if (x && u) return mossa__rowf_run_avx2(0, j, r, x, y, va, vb, u, vc, p, s0, s1);
    if (x) {
        for (; k + 8 <= j; k += 8) {
            __m256 r0 = _mm256_loadu_ps(r + k);
            r0 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k), r0));
            _mm256_storeu_ps(r + k, r0);
        }
    } else if (u) {
        for (; k + 16 <= j; k += 16) {
            __m256 r0 = _mm256_loadu_ps(r + k), r1 = _mm256_loadu_ps(r + k + 8);
            s0 = _mm256_fmadd_ps(r0, _mm256_loadu_ps(u + k), s0);
            s1 = _mm256_fmadd_ps(r1, _mm256_loadu_ps(u + k + 8), s1);
            _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc, r0, _mm256_loadu_ps(p + k)));
            _mm256_storeu_ps(p + k + 8, _mm256_fmadd_ps(vc, r1, _mm256_loadu_ps(p + k + 8)));
        }
    }
    s = mossa__rowop_lanesf_avx2(s0, s1);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0f;
}

/* Two rows as the one-row kernel does them one after the other (the same
   bits): the common steps of 16 share the loads of x, y, u and p; then
   row j's rest and p[j], then row j+1's rest (which may reach k = j). */
MOSSA__TARGET_AVX2W
static void mossa__svd_rowop2f_avx2(size_t j, float *r0, float *r1, const float *x, const float *y,
                                    const float *u, float *p, const float *next)
{
    size_t k = 0;
    /* the next pair's rows, a line each per step (none: prefetch the
       pair's own rows again, already in L1) */
    const float *n0 = next ? next : r0, *n1 = next ? next + (r1 - r0) : r1;
    const float a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m256 va0 = _mm256_set1_ps(a0), vb0 = _mm256_set1_ps(b0), vc0 = _mm256_set1_ps(c0);
    __m256 va1 = _mm256_set1_ps(a1), vb1 = _mm256_set1_ps(b1), vc1 = _mm256_set1_ps(c1);
    __m256 s00 = _mm256_setzero_ps(), s01 = s00, s10 = s00, s11 = s00;
    float s, m1, m2, last;
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 16 <= j; k += 16) {
        __m256 x0 = _mm256_loadu_ps(x + k), x1 = _mm256_loadu_ps(x + k + 8);
        _mm_prefetch((const char *)(n0 + k), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n1 + k), _MM_HINT_ET0);
        __m256 y0 = _mm256_loadu_ps(y + k), y1 = _mm256_loadu_ps(y + k + 8);
        __m256 u0 = _mm256_loadu_ps(u + k), u1 = _mm256_loadu_ps(u + k + 8);
        __m256 q0 = _mm256_loadu_ps(r0 + k), q1 = _mm256_loadu_ps(r0 + k + 8);
        __m256 w0 = _mm256_loadu_ps(r1 + k), w1 = _mm256_loadu_ps(r1 + k + 8);
        q0 = _mm256_fnmadd_ps(vb0, y0, _mm256_fnmadd_ps(va0, x0, q0));
        q1 = _mm256_fnmadd_ps(vb0, y1, _mm256_fnmadd_ps(va0, x1, q1));
        w0 = _mm256_fnmadd_ps(vb1, y0, _mm256_fnmadd_ps(va1, x0, w0));
        w1 = _mm256_fnmadd_ps(vb1, y1, _mm256_fnmadd_ps(va1, x1, w1));
        _mm256_storeu_ps(r0 + k, q0); _mm256_storeu_ps(r0 + k + 8, q1);
        _mm256_storeu_ps(r1 + k, w0); _mm256_storeu_ps(r1 + k + 8, w1);
        s00 = _mm256_fmadd_ps(q0, u0, s00); s01 = _mm256_fmadd_ps(q1, u1, s01);
        s10 = _mm256_fmadd_ps(w0, u0, s10); s11 = _mm256_fmadd_ps(w1, u1, s11);
        _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc1, w0, _mm256_fmadd_ps(vc0, q0, _mm256_loadu_ps(p + k))));
        _mm256_storeu_ps(p + k + 8, _mm256_fmadd_ps(vc1, w1, _mm256_fmadd_ps(vc0, q1, _mm256_loadu_ps(p + k + 8))));
    }
    s = mossa__rowf_run_avx2(k, j, r0, x, y, va0, vb0, u, vc0, p, s00, s01);
    last = r0[j] * c0;
    p[j] += s + last;
    s = mossa__rowf_run_avx2(k, j + 1, r1, x, y, va1, vb1, u, vc1, p, s10, s11);
    last = r1[j + 1] * c1;
    p[j + 1] += s + last;
}
/* the rank's column statistics: groups of four columns, their sums held
   in registers across the rows; the last columns as the scalar level
   does them */
MOSSA__TARGET_AVX2
static void mossa__svd_colstat_avx2(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                    size_t d)
{
    size_t j = 0, r;
    for (; j + 4 <= d; j += 4) {
        const __m256d h = _mm256_loadu_pd(sh + j);
        __m256d vs = _mm256_loadu_pd(s + j), vq = _mm256_loadu_pd(q + j);
        for (r = 0; r < rows; ++r) {
            __m256d c = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + ldx * r + j)), h);
            vs = _mm256_add_pd(vs, c);
            vq = _mm256_add_pd(vq, _mm256_mul_pd(c, c));
        }
        _mm256_storeu_pd(s + j, vs);
        _mm256_storeu_pd(q + j, vq);
    }
    if (j < d) mossa__svd_colstat_scalar(x + j, ldx, rows, sh + j, s + j, q + j, d - j);
}

/* the shifted packing, 16 floats a run as four vectors of four doubles */
MOSSA__TARGET_AVX2
static void mossa__pack_shift16_avx2(const float *x, const double *sh, double scale, float *out, size_t runs,
                                     size_t ostride)
{
    const __m256d sc = _mm256_set1_pd(scale), zero = _mm256_setzero_pd();
    size_t r;
    int g;
    for (r = 0; r < runs; ++r)
        for (g = 0; g < 4; ++g) {
            __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + 16 * r + 4 * g));
            v = _mm256_mul_pd(_mm256_sub_pd(v, sh ? _mm256_loadu_pd(sh + 16 * r + 4 * g) : zero), sc);
            _mm_storeu_ps(out + r * ostride + 4 * g, _mm256_cvtpd_ps(v));
        }
}

/* the float reduction driver's serial steps: the eight double lanes as
   two vectors of four (lanes 0-3, 4-7), whole steps of eight, the rest by
   the scalar level's code (mossa__scalef_from and its kin) */
MOSSA__TARGET_AVX2 static void mossa__lanes8_store_avx2(__m256d a, __m256d b, double l[8])
{
    _mm256_storeu_pd(l, a);
    _mm256_storeu_pd(l + 4, b);
}

MOSSA__TARGET_AVX2
static float mossa__svd_absmaxf_avx2(const float *x, size_t n)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    float l[8], r = 0.0f;
    size_t k = 0;
    int t;
    for (; k + 8 <= n; k += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + k)));
    _mm256_storeu_ps(l, m);
    for (t = 0; t < 8; ++t) r = MOSSA__MAX(r, l[t]);
    return MOSSA__MAX(r, mossa__svd_absmaxf_scalar(x + k, n - k));
}

MOSSA__TARGET_AVX2
static double mossa__svd_scalef_avx2(const float *r, double inv, float *u, size_t n)
{
    const __m256d vi = _mm256_set1_pd(inv);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0;
    double l[8];
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m128 f0 = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(r + k)), vi));
        __m128 f1 = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(r + k + 4)), vi));
        __m256d v0 = _mm256_cvtps_pd(f0), v1 = _mm256_cvtps_pd(f1);
        _mm_storeu_ps(u + k, f0);
        _mm_storeu_ps(u + k + 4, f1);
        a0 = _mm256_add_pd(a0, _mm256_mul_pd(v0, v0));
        a1 = _mm256_add_pd(a1, _mm256_mul_pd(v1, v1));
    }
    mossa__lanes8_store_avx2(a0, a1, l);
    return mossa__scalef_from(r, inv, u, k, n, l);
}

MOSSA__TARGET_AVX2
static double mossa__svd_sumcols_avx2(const float *parts, size_t ld, size_t nb, size_t ncols, double h,
                                      const float *u, double *q)
{
    const __m256d vh = _mm256_set1_pd(h);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0;
    double l[8];
    size_t k = 0, t;
    for (; k + 8 <= ncols; k += 8) {
        __m256d s0 = _mm256_setzero_pd(), s1 = s0;
        for (t = 0; t < nb; ++t) {
            s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_loadu_ps(parts + t * ld + k)));
            s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_loadu_ps(parts + t * ld + k + 4)));
        }
        s0 = _mm256_div_pd(s0, vh);
        s1 = _mm256_div_pd(s1, vh);
        _mm256_storeu_pd(q + k, s0);
        _mm256_storeu_pd(q + k + 4, s1);
        a0 = _mm256_add_pd(a0, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(u + k)), s0));
        a1 = _mm256_add_pd(a1, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(u + k + 4)), s1));
    }
    mossa__lanes8_store_avx2(a0, a1, l);
    return mossa__sumcols_from(parts, ld, nb, k, ncols, h, u, q, l);
}

MOSSA__TARGET_AVX2
static void mossa__svd_qupdatef_avx2(const double *q, double kk, const float *u, float *pq, size_t n)
{
    const __m256d vk = _mm256_set1_pd(kk);
    size_t k = 0;
    for (; k + 4 <= n; k += 4)
        _mm_storeu_ps(pq + k, _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_loadu_pd(q + k),
                                                            _mm256_mul_pd(vk, _mm256_cvtps_pd(_mm_loadu_ps(u + k))))));
    mossa__qupdatef_from(q, kk, u, pq, k, n);
}

/* sixteen lanes in four vectors of four (all-ones compare masks, -1 as
   integers, subtracted to count) */
MOSSA__TARGET_AVX2
static void mossa__svd_sturm16_avx2(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                    size_t *c)
{
    const __m256d pm = _mm256_set1_pd(pivmin), npm = _mm256_set1_pd(-pivmin), zero = _mm256_setzero_pd();
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d sv[4], q[4];
    __m256i k[4];
    size_t i;
    int g;
    for (g = 0; g < 4; ++g) {
        __m256d lt;
        sv[g] = _mm256_loadu_pd(s + 4 * g);
        q[g] = _mm256_sub_pd(_mm256_set1_pd(d[0]), sv[g]);
        q[g] = _mm256_blendv_pd(q[g], npm, _mm256_cmp_pd(_mm256_andnot_pd(sign, q[g]), pm, _CMP_LT_OQ));
        lt = _mm256_cmp_pd(q[g], zero, _CMP_LT_OQ);
        k[g] = _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_castpd_si256(lt));
    }
    for (i = 1; i < n; ++i) {
        const __m256d di = _mm256_set1_pd(d[i]), ei = _mm256_set1_pd(e2[i]);
        for (g = 0; g < 4; ++g) {
            q[g] = _mm256_sub_pd(_mm256_sub_pd(di, sv[g]), _mm256_div_pd(ei, q[g]));
            q[g] = _mm256_blendv_pd(q[g], npm, _mm256_cmp_pd(_mm256_andnot_pd(sign, q[g]), pm, _CMP_LT_OQ));
            k[g] = _mm256_sub_epi64(k[g], _mm256_castpd_si256(_mm256_cmp_pd(q[g], zero, _CMP_LT_OQ)));
        }
    }
    for (g = 0; g < 4; ++g) {
        uint64_t t[4];
        int l;
        _mm256_storeu_si256((__m256i *)(void *)t, k[g]);
        for (l = 0; l < 4; ++l) c[4 * g + l] = (size_t)t[l];
    }
}

/* ---- tsne ------------------------------------------------------------------ */
MOSSA__TARGET_AVX2 static void mossa__tsne_knn_tile_avx2(const float *qt, size_t d, const float *r,
                                                         size_t ldr, size_t nr, float *out,
                                                         int accumulate)
{
    size_t j = 0, k;
    int l;
    for (; j + 2 <= nr; j += 2) {
        const float *r0 = r + j * ldr, *r1 = r0 + ldr;
        float *o = out + j * 32;
        __m256 a0[4], a1[4];
        for (l = 0; l < 4; ++l) {
            a0[l] = accumulate ? _mm256_loadu_ps(o + 8 * l) : _mm256_setzero_ps();
            a1[l] = accumulate ? _mm256_loadu_ps(o + 32 + 8 * l) : _mm256_setzero_ps();
        }
        for (k = 0; k < d; ++k) {
            __m256 b0 = _mm256_set1_ps(r0[k]), b1 = _mm256_set1_ps(r1[k]);
            for (l = 0; l < 4; ++l) {
                __m256 q = _mm256_loadu_ps(qt + k * 32 + 8 * l);
                __m256 t0 = _mm256_sub_ps(q, b0), t1 = _mm256_sub_ps(q, b1);
                a0[l] = _mm256_fmadd_ps(t0, t0, a0[l]);
                a1[l] = _mm256_fmadd_ps(t1, t1, a1[l]);
            }
        }
        for (l = 0; l < 4; ++l) { _mm256_storeu_ps(o + 8 * l, a0[l]); _mm256_storeu_ps(o + 32 + 8 * l, a1[l]); }
    }
    for (; j < nr; ++j) {
        const float *r0 = r + j * ldr;
        float *o = out + j * 32;
        __m256 a0[4];
        for (l = 0; l < 4; ++l) a0[l] = accumulate ? _mm256_loadu_ps(o + 8 * l) : _mm256_setzero_ps();
        for (k = 0; k < d; ++k) {
            __m256 b0 = _mm256_set1_ps(r0[k]);
            for (l = 0; l < 4; ++l) {
                __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(qt + k * 32 + 8 * l), b0);
                a0[l] = _mm256_fmadd_ps(t0, t0, a0[l]);
            }
        }
        for (l = 0; l < 4; ++l) _mm256_storeu_ps(o + 8 * l, a0[l]);
    }
}

MOSSA__TARGET_AVX2 static float mossa__hsum256(__m256 v)
{
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
    return _mm_cvtss_f32(lo);
}

/* 1/x by rcp (12 bits) and one Newton step (~2^-23) */
#define MOSSA__RCP256(x) \
    _mm256_mul_ps(_mm256_rcp_ps(x), _mm256_fnmadd_ps((x), _mm256_rcp_ps(x), _mm256_set1_ps(2.0f)))

MOSSA__TARGET_AVX2 static void mossa__tsne_repulse2_avx2(const float *tx, const float *ty, size_t nt,
                                                         const float *sx, const float *sy,
                                                         const float *sm, size_t ns, float *acc)
{
    size_t t = 0, j;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; t + 2 <= nt; t += 2) {
        __m256 x0 = _mm256_set1_ps(tx[t]), x1 = _mm256_set1_ps(tx[t + 1]);
        __m256 y0 = _mm256_set1_ps(ty[t]), y1 = _mm256_set1_ps(ty[t + 1]);
        __m256 z0 = _mm256_setzero_ps(), z1 = z0, fx0 = z0, fx1 = z0, fy0 = z0, fy1 = z0;
        for (j = 0; j < ns; j += 8) {
            __m256 px = _mm256_loadu_ps(sx + j), py = _mm256_loadu_ps(sy + j), pm = _mm256_loadu_ps(sm + j);
            __m256 dx, dy, s, q, mq;
#define MOSSA__REP2_STEP8(X, Y, Z, FX, FY)                                  \
            dx = _mm256_sub_ps(X, px); dy = _mm256_sub_ps(Y, py);           \
            s = _mm256_fmadd_ps(dx, dx, _mm256_fmadd_ps(dy, dy, one));       \
            q = MOSSA__RCP256(s);                                           \
            mq = _mm256_mul_ps(pm, q);                                      \
            Z = _mm256_add_ps(Z, mq);                                       \
            mq = _mm256_mul_ps(mq, q);                                      \
            FX = _mm256_fmadd_ps(mq, dx, FX); FY = _mm256_fmadd_ps(mq, dy, FY);
            MOSSA__REP2_STEP8(x0, y0, z0, fx0, fy0)
            MOSSA__REP2_STEP8(x1, y1, z1, fx1, fy1)
        }
        acc[4 * t] += mossa__hsum256(z0); acc[4 * t + 1] += mossa__hsum256(fx0); acc[4 * t + 2] += mossa__hsum256(fy0);
        acc[4 * t + 4] += mossa__hsum256(z1); acc[4 * t + 5] += mossa__hsum256(fx1); acc[4 * t + 6] += mossa__hsum256(fy1);
    }
    for (; t < nt; ++t) {
        __m256 x0 = _mm256_set1_ps(tx[t]), y0 = _mm256_set1_ps(ty[t]);
        __m256 z0 = _mm256_setzero_ps(), fx0 = z0, fy0 = z0;
        for (j = 0; j < ns; j += 8) {
            __m256 px = _mm256_loadu_ps(sx + j), py = _mm256_loadu_ps(sy + j), pm = _mm256_loadu_ps(sm + j);
            __m256 dx, dy, s, q, mq;
            MOSSA__REP2_STEP8(x0, y0, z0, fx0, fy0)
        }
        acc[4 * t] += mossa__hsum256(z0); acc[4 * t + 1] += mossa__hsum256(fx0); acc[4 * t + 2] += mossa__hsum256(fy0);
    }
#undef MOSSA__REP2_STEP8
}

MOSSA__TARGET_AVX2 static void mossa__tsne_repulse3_avx2(const float *tx, const float *ty, const float *tz,
                                                         size_t nt, const float *sx, const float *sy,
                                                         const float *sz, const float *sm, size_t ns,
                                                         float *acc)
{
    size_t t, j;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (t = 0; t < nt; ++t) {
        __m256 x0 = _mm256_set1_ps(tx[t]), y0 = _mm256_set1_ps(ty[t]), w0 = _mm256_set1_ps(tz[t]);
        __m256 z0 = _mm256_setzero_ps(), fx0 = z0, fy0 = z0, fz0 = z0;
        for (j = 0; j < ns; j += 8) {
            __m256 px = _mm256_loadu_ps(sx + j), py = _mm256_loadu_ps(sy + j), pz = _mm256_loadu_ps(sz + j);
            __m256 pm = _mm256_loadu_ps(sm + j);
            __m256 dx = _mm256_sub_ps(x0, px), dy = _mm256_sub_ps(y0, py), dz = _mm256_sub_ps(w0, pz);
            __m256 s = _mm256_fmadd_ps(dx, dx, _mm256_fmadd_ps(dy, dy, _mm256_fmadd_ps(dz, dz, one)));
            __m256 q = MOSSA__RCP256(s), mq = _mm256_mul_ps(pm, q);
            z0 = _mm256_add_ps(z0, mq);
            mq = _mm256_mul_ps(mq, q);
            fx0 = _mm256_fmadd_ps(mq, dx, fx0); fy0 = _mm256_fmadd_ps(mq, dy, fy0); fz0 = _mm256_fmadd_ps(mq, dz, fz0);
        }
        acc[4 * t] += mossa__hsum256(z0); acc[4 * t + 1] += mossa__hsum256(fx0);
        acc[4 * t + 2] += mossa__hsum256(fy0); acc[4 * t + 3] += mossa__hsum256(fz0);
    }
}
/* ---- text ------------------------------------------------------------------ */
/* One 32-byte step finds a word's end without a branch per letter (the end
   of a word is the unpredictable branch of a byte loop); the lowercased
   run is stored with zeros after it. Runs of 32+ letters go scalar. */
MOSSA__TARGET_AVX2 static size_t mossa__text_letters_avx2(const unsigned char *p, size_t n,
                                                          unsigned char *dst, size_t room)
{
    if (n >= 32 && room >= 32) {
        const __m256i iota = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                              17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
        __m256i l = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)p), _mm256_set1_epi8(0x20));
        __m256i m = _mm256_and_si256(_mm256_cmpgt_epi8(l, _mm256_set1_epi8('a' - 1)),
                                     _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), l));
        unsigned mask = (unsigned)_mm256_movemask_epi8(m);
        if (mask != 0xFFFFFFFFu) {
            unsigned r = (unsigned)__builtin_ctz(~mask);
            __m256i keep = _mm256_cmpgt_epi8(_mm256_set1_epi8((char)r), iota);
            _mm256_storeu_si256((__m256i *)(void *)dst, _mm256_and_si256(l, keep));
            return r;
        }
    }
    return mossa__text_letters_scalar(p, n, dst, room);
}

/* (c | 0x20) - 'a' <= 25 unsigned, as min(x, 25) == x; two movemasks. */
MOSSA__TARGET_AVX2 static uint64_t mossa__text_letter_mask_avx2(const unsigned char *p)
{
    const __m256i a = _mm256_set1_epi8('a'), z = _mm256_set1_epi8(25), b = _mm256_set1_epi8(0x20);
    __m256i x0 = _mm256_sub_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)p), b), a);
    __m256i x1 = _mm256_sub_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), b), a);
    uint32_t m0 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(x0, z), x0));
    uint32_t m1 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(x1, z), x1));
    return (uint64_t)m0 | ((uint64_t)m1 << 32);
}

/* 16 full rows: two 8 x 8 blocks (rows 0-7 and 8-15) per 8 columns,
   transposed in registers; the last kc % 8 columns and partial panels go
   through the scalar copy */
MOSSA__TARGET_AVX2
static void mossa__pack_t16_avx2(const float *src, size_t lds, size_t nr, size_t kc, float *dst)
{
    size_t k0 = 0;
    int h, i;
    if (nr == 16)
        for (; k0 + 8 <= kc; k0 += 8)
            for (h = 0; h < 2; ++h) {
                __m256 r[8], t[8];
                for (i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + (size_t)(8 * h + i) * lds + k0);
                for (i = 0; i < 8; i += 2) {
                    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
                    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
                }
                for (i = 0; i < 8; i += 4) {
                    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
                    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
                    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
                }
                for (i = 0; i < 4; ++i) {
                    t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
                    t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
                }
                for (i = 0; i < 8; ++i) _mm256_storeu_ps(dst + (k0 + (size_t)i) * 16 + 8 * h, t[i]);
            }
    if (k0 < kc) mossa__pack_t16_scalar(src + k0, lds, nr, kc - k0, dst + k0 * 16);
}

/* groups of 16 columns (one cache line of a row), each widened to four
   double accumulators; every column is its own sum in row order, as in
   scalar, which also takes the last cols % 16 */
MOSSA__TARGET_AVX2
static float mossa__colsum_avx2(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 m = _mm256_setzero_ps();
    float mm[8], r;
    size_t c = 0, i;
    int l;
    for (; c + 16 <= cols; c += 16) {
        __m256d a0 = _mm256_loadu_pd(s + c), a1 = _mm256_loadu_pd(s + c + 4), a2 = _mm256_loadu_pd(s + c + 8),
                a3 = _mm256_loadu_pd(s + c + 12);
        for (i = 0; i < n; ++i) {
            const float *row = x + i * ldx + c;
            __m256 f0 = _mm256_loadu_ps(row), f1 = _mm256_loadu_ps(row + 8);
            a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm256_castps256_ps128(f0)));
            a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm256_extractf128_ps(f0, 1)));
            a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm256_castps256_ps128(f1)));
            a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm256_extractf128_ps(f1, 1)));
            /* max(|f|, m) keeps m where |f| is NaN */
            m = _mm256_max_ps(_mm256_and_ps(f0, absmask), m);
            m = _mm256_max_ps(_mm256_and_ps(f1, absmask), m);
        }
        _mm256_storeu_pd(s + c, a0); _mm256_storeu_pd(s + c + 4, a1);
        _mm256_storeu_pd(s + c + 8, a2); _mm256_storeu_pd(s + c + 12, a3);
    }
    r = c < cols ? mossa__colsum_scalar(x + c, n, ldx, cols - c, s + c) : 0.0f;
    _mm256_storeu_ps(mm, m);
    for (l = 0; l < 8; ++l) r = mm[l] > r ? mm[l] : r;
    return r;
}

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_avx2;
    t->axpy = mossa__axpy_avx2;
    t->colsum = mossa__colsum_avx2;
    t->sqdist = mossa__sqdist_avx2;
    t->expf_array = mossa__expf_avx2;
    t->logf_array = mossa__logf_avx2;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_avx2;
    t->gemm_tile16f = mossa__gemm_tile16f_avx2;
    t->pack_t16 = mossa__pack_t16_avx2;
    t->pack_shift16 = mossa__pack_shift16_avx2;
    t->hsic_row = mossa__hsic_row_avx2;
    t->rbf_dist = mossa__rbf_dist_avx2;
    t->rbf_exp_row = mossa__rbf_exp_row_avx2;
    /* svd */
    t->svd_rowop = mossa__svd_rowop_avx2;
    t->svd_rowop2 = mossa__svd_rowop2_avx2;
    t->svd_rowopf = mossa__svd_rowopf_avx2;
    t->svd_rowop2f = mossa__svd_rowop2f_avx2;
    t->svd_sturm16 = mossa__svd_sturm16_avx2;
    t->svd_colstat = mossa__svd_colstat_avx2;
    t->svd_absmaxf = mossa__svd_absmaxf_avx2;
    t->svd_scalef = mossa__svd_scalef_avx2;
    t->svd_sumcols = mossa__svd_sumcols_avx2;
    t->svd_qupdatef = mossa__svd_qupdatef_avx2;
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx2;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx2;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx2;
    /* text */
    t->text_letters = mossa__text_letters_avx2;
    t->text_letter_mask = mossa__text_letter_mask_avx2;
}

#endif /* MOSSA__X86 */
