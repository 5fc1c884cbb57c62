/* kernels/avx512.c - AVX-512 F/BW/DQ/VL (512-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* Tails use AVX-512 masks: masked-off lanes are neither read nor written,
   so nothing past the arrays is touched. */
static MOSSA__TARGET_AVX512 __mmask16 mossa__tailmask_avx512(size_t count)
{
    return (__mmask16)((1u << count) - 1u); /* count < 16 */
}

/* Several intrinsics are used in their zero-masked form with a full mask
   (MOSSA__ALL16, 0xff) on purpose: g++ 12 flags the unmasked versions'
   internal "undefined" pass-through register as maybe uninitialised, an
   error in -Werror C++ builds of the header. The code generated is the same. */
#define MOSSA__ALL16 ((__mmask16)0xffff)
static MOSSA__TARGET_AVX512 __m256 mossa__half_avx512(__m512 v, int hi)
{
    return _mm256_castpd_ps(hi ? _mm512_maskz_extractf64x4_pd(0xff, _mm512_castps_pd(v), 1)
                               : _mm512_maskz_extractf64x4_pd(0xff, _mm512_castps_pd(v), 0));
}

static MOSSA__TARGET_AVX512 __m256 mossa__fold_avx512(__m512 v)
{
    return _mm256_add_ps(mossa__half_avx512(v, 0), mossa__half_avx512(v, 1));
}

static MOSSA__TARGET_AVX512 float mossa__hsum_avx512(__m512 v)
{
    __m256 h = mossa__fold_avx512(v);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

static MOSSA__TARGET_AVX512 double mossa__dot_avx512(const float *a, const float *b, size_t n)
{
    /* Four accumulators hide the FMA latency; every 256 elements the lanes
       are promoted to double, so the float sums stay short. */
    __m512d tot0 = _mm512_setzero_pd(), tot1 = _mm512_setzero_pd();
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
        for (; i + 64 <= end; i += 64) {
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
            s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
            s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
            s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
        }
        for (; i + 16 <= end; i += 16)
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        if (i < end) {
            __mmask16 mk = mossa__tailmask_avx512(end - i);
            s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mk, a + i), _mm512_maskz_loadu_ps(mk, b + i), s1);
            i = end;
        }
        s0 = _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));
        tot0 = _mm512_add_pd(tot0, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(s0, 0)));
        tot1 = _mm512_add_pd(tot1, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(s0, 1)));
    }
    tot0 = _mm512_add_pd(tot0, tot1);
    return mossa__hsum_pd_avx2(_mm256_add_pd(_mm512_maskz_extractf64x4_pd(0xff, tot0, 0),
                                             _mm512_maskz_extractf64x4_pd(0xff, tot0, 1)));
}

static MOSSA__TARGET_AVX512 void mossa__axpy_avx512(size_t n, float alpha, const float *x, float *y)
{
    /* multiply, then add (no FMA): bit-identical to the scalar level */
    const __m512 va = _mm512_set1_ps(alpha);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 p0 = _mm512_mul_ps(va, _mm512_loadu_ps(x + i));
        __m512 p1 = _mm512_mul_ps(va, _mm512_loadu_ps(x + i + 16));
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i), p0));
        _mm512_storeu_ps(y + i + 16, _mm512_add_ps(_mm512_loadu_ps(y + i + 16), p1));
    }
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i),
                                              _mm512_mul_ps(va, _mm512_loadu_ps(x + i))));
    if (i < n) {
        __mmask16 mk = mossa__tailmask_avx512(n - i);
        __m512 p = _mm512_mul_ps(va, _mm512_maskz_loadu_ps(mk, x + i));
        _mm512_mask_storeu_ps(y + i, mk, _mm512_add_ps(_mm512_maskz_loadu_ps(mk, y + i), p));
    }
}

static MOSSA__TARGET_AVX512 void mossa__sqdist_avx512(const float *x, const float *Y, size_t m,
                                                     size_t d, size_t ldy, float *out)
{
    /* Eight rows at a time: x is loaded once per chunk, the eight
       accumulators are independent chains (enough to cover the FMA
       latency); they are folded to 256 bits and reduced together. */
    const size_t dv = d & ~(size_t)15;
    const __mmask16 mk = mossa__tailmask_avx512(d - dv);
    size_t j = 0, k;
    int r;
    for (; j + 8 <= m; j += 8) {
        const float *y = Y + j * ldy;
        __m512 acc[8], xv, t;
        __m256 h[8], u0, u1;
        for (r = 0; r < 8; ++r) acc[r] = _mm512_setzero_ps();
        for (k = 0; k < dv; k += 16) {
            xv = _mm512_loadu_ps(x + k);
            for (r = 0; r < 8; ++r) {
                t = _mm512_sub_ps(xv, _mm512_loadu_ps(y + (size_t)r * ldy + k));
                acc[r] = _mm512_fmadd_ps(t, t, acc[r]);
            }
        }
        if (dv < d) {
            xv = _mm512_maskz_loadu_ps(mk, x + dv);
            for (r = 0; r < 8; ++r) {
                t = _mm512_sub_ps(xv, _mm512_maskz_loadu_ps(mk, y + (size_t)r * ldy + dv));
                acc[r] = _mm512_fmadd_ps(t, t, acc[r]);
            }
        }
        for (r = 0; r < 8; ++r) h[r] = mossa__fold_avx512(acc[r]);
        u0 = _mm256_hadd_ps(_mm256_hadd_ps(h[0], h[1]), _mm256_hadd_ps(h[2], h[3]));
        u1 = _mm256_hadd_ps(_mm256_hadd_ps(h[4], h[5]), _mm256_hadd_ps(h[6], h[7]));
        _mm256_storeu_ps(out + j, _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20),
                                                _mm256_permute2f128_ps(u0, u1, 0x31)));
    }
    for (; j < m; ++j) {
        const float *y = Y + j * ldy;
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), t;
        for (k = 0; k + 32 <= dv; k += 32) {
            t = _mm512_sub_ps(_mm512_loadu_ps(x + k), _mm512_loadu_ps(y + k));
            a0 = _mm512_fmadd_ps(t, t, a0);
            t = _mm512_sub_ps(_mm512_loadu_ps(x + k + 16), _mm512_loadu_ps(y + k + 16));
            a1 = _mm512_fmadd_ps(t, t, a1);
        }
        for (; k < dv; k += 16) {
            t = _mm512_sub_ps(_mm512_loadu_ps(x + k), _mm512_loadu_ps(y + k));
            a0 = _mm512_fmadd_ps(t, t, a0);
        }
        if (dv < d) {
            t = _mm512_sub_ps(_mm512_maskz_loadu_ps(mk, x + dv), _mm512_maskz_loadu_ps(mk, y + dv));
            a1 = _mm512_fmadd_ps(t, t, a1);
        }
        out[j] = mossa__hsum_avx512(_mm512_add_ps(a0, a1));
    }
}

/* exp: clamp (max/min return their second operand when one is NaN, so NaN
   passes), reduce, polynomial, then vscalefps multiplies by 2^n with one
   rounding -- overflow to +inf and subnormal results come out right with
   no blends. */
static MOSSA__TARGET_AVX512 __m512 mossa__expf16_avx512(__m512 x)
{
    const __m512 shift = _mm512_set1_ps(MOSSA__EXP_SHIFT);
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 t, fn, r, p;
    x = _mm512_maskz_max_ps(MOSSA__ALL16, _mm512_set1_ps(MOSSA__EXP_LO), x);
    x = _mm512_maskz_min_ps(MOSSA__ALL16, _mm512_set1_ps(MOSSA__EXP_HI), x);
    t = _mm512_fmadd_ps(x, _mm512_set1_ps(MOSSA__LOG2E), shift);
    fn = _mm512_sub_ps(t, shift);
    r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(MOSSA__LN2_HI), x);
    r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(MOSSA__LN2_LO), r);
    p = _mm512_set1_ps(MOSSA__EXP_C6);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C5));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C2));
    p = _mm512_fmadd_ps(p, r, one);
    p = _mm512_fmadd_ps(p, r, one);
    return _mm512_maskz_scalef_ps(MOSSA__ALL16, p, fn);
}

static MOSSA__TARGET_AVX512 void mossa__expf_avx512(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 a = mossa__expf16_avx512(_mm512_loadu_ps(x + i));
        __m512 b = mossa__expf16_avx512(_mm512_loadu_ps(x + i + 16));
        _mm512_storeu_ps(y + i, a);
        _mm512_storeu_ps(y + i + 16, b);
    }
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, mossa__expf16_avx512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 mk = mossa__tailmask_avx512(n - i);
        _mm512_mask_storeu_ps(y + i, mk, mossa__expf16_avx512(_mm512_maskz_loadu_ps(mk, x + i)));
    }
}

static MOSSA__TARGET_AVX512 __m512 mossa__logf16_core_avx512(__m512 x, __m512 eadj)
{
    const __m512i off = _mm512_set1_epi32((int)MOSSA__LOG_OFF);
    __m512i u = _mm512_sub_epi32(_mm512_castps_si512(x), off);
    __m512 e = _mm512_add_ps(_mm512_maskz_cvtepi32_ps(MOSSA__ALL16, _mm512_maskz_srai_epi32(MOSSA__ALL16, u, 23)), eadj);
    __m512 f = _mm512_castsi512_ps(_mm512_add_epi32(_mm512_and_si512(u, _mm512_set1_epi32(0x007fffff)), off));
    __m512 q, y;
    f = _mm512_sub_ps(f, _mm512_set1_ps(1.0f));
    q = _mm512_set1_ps(MOSSA__LOG_Q7);
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q6));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q5));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q4));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q3));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q2));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q1));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q0));
    y = _mm512_fmadd_ps(_mm512_mul_ps(f, f), q, f);
    y = _mm512_fmadd_ps(e, _mm512_set1_ps(MOSSA__LN2_LO), y);
    return _mm512_fmadd_ps(e, _mm512_set1_ps(MOSSA__LN2_HI), y);
}

/* vfixupimmps table, one nibble per input class (QNaN, SNaN, zero, +1,
   -inf, +inf, negative, positive): keep the computed value (0) for +1 and
   positive, quiet NaN (2) for NaNs, -inf (4) for +-0, default NaN (3) for
   -inf and negatives, +inf (5) for +inf. */
#define MOSSA__LOG_FIXUP 0x03530422

static MOSSA__TARGET_AVX512 __m512 mossa__logf16_avx512(__m512 x)
{
    /* bits - 2^23 as unsigned is below 0x7f000000 exactly for the positive
       normal floats: one compare finds subnormal, zero, negative, inf, NaN */
    __m512i v = _mm512_sub_epi32(_mm512_castps_si512(x), _mm512_set1_epi32(0x00800000));
    __mmask16 bad = _mm512_cmpge_epu32_mask(v, _mm512_set1_epi32(0x7f000000));
    __mmask16 sub;
    __m512 xs, y;
    if (MOSSA__LIKELY(bad == 0)) return mossa__logf16_core_avx512(x, _mm512_setzero_ps());
    sub = _mm512_cmp_ps_mask(x, _mm512_set1_ps(FLT_MIN), _CMP_LT_OQ);
    xs = _mm512_mask_mul_ps(x, sub, x, _mm512_set1_ps(8388608.0f));
    y = mossa__logf16_core_avx512(xs, _mm512_maskz_mov_ps(sub, _mm512_set1_ps(-23.0f)));
    return _mm512_fixupimm_ps(y, x, _mm512_set1_epi32(MOSSA__LOG_FIXUP), 0);
}

static MOSSA__TARGET_AVX512 void mossa__logf_avx512(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 a = mossa__logf16_avx512(_mm512_loadu_ps(x + i));
        __m512 b = mossa__logf16_avx512(_mm512_loadu_ps(x + i + 16));
        _mm512_storeu_ps(y + i, a);
        _mm512_storeu_ps(y + i + 16, b);
    }
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, mossa__logf16_avx512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        /* masked-off lanes load as 0 and take the fix-up path; harmless */
        __mmask16 mk = mossa__tailmask_avx512(n - i);
        _mm512_mask_storeu_ps(y + i, mk, mossa__logf16_avx512(_mm512_maskz_loadu_ps(mk, x + i)));
    }
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* c[off ..] += r: c double, or float (isf; a constant where inlined); the
   double path through memory (g++ 12 warns on the extract intrinsics'
   undefined operand) */
MOSSA__TARGET_AVX512
static void mossa__avx512_add_row(void *c, int isf, size_t off, __m512 r)
{
    float tmp[16];
    double *ci;
    if (isf) {
        float *cf = (float *)c + off;
        _mm512_storeu_ps(cf, _mm512_add_ps(_mm512_loadu_ps(cf), r));
        return;
    }
    ci = (double *)c + off;
    _mm512_storeu_ps(tmp, r);
    _mm512_storeu_pd(ci, _mm512_add_pd(_mm512_loadu_pd(ci), _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp))));
    _mm512_storeu_pd(ci + 8, _mm512_add_pd(_mm512_loadu_pd(ci + 8), _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp + 8))));
}

/* 16 x 16 tile: one zmm per tile row, B loaded as a vector per k, A
   broadcast (embedded-broadcast FMAs); 16 accumulators cover the FMA
   latency of two pipes. */
MOSSA__TARGET_AVX512
static void mossa__gemm_tile16_g_avx512(const float *a, size_t lda, const float *b, size_t ldb, size_t kc, void *c,
                                        int isf, size_t ldc)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    __m512 c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
    size_t k;
    __m512 r[16];
    int i;
    for (k = 0; k < kc; ++k) {
        const float *ak = a + lda * k;
        __m512 bv = _mm512_loadu_ps(b + ldb * k);
        c0 = _mm512_fmadd_ps(_mm512_set1_ps(ak[0]), bv, c0);
        c1 = _mm512_fmadd_ps(_mm512_set1_ps(ak[1]), bv, c1);
        c2 = _mm512_fmadd_ps(_mm512_set1_ps(ak[2]), bv, c2);
        c3 = _mm512_fmadd_ps(_mm512_set1_ps(ak[3]), bv, c3);
        c4 = _mm512_fmadd_ps(_mm512_set1_ps(ak[4]), bv, c4);
        c5 = _mm512_fmadd_ps(_mm512_set1_ps(ak[5]), bv, c5);
        c6 = _mm512_fmadd_ps(_mm512_set1_ps(ak[6]), bv, c6);
        c7 = _mm512_fmadd_ps(_mm512_set1_ps(ak[7]), bv, c7);
        c8 = _mm512_fmadd_ps(_mm512_set1_ps(ak[8]), bv, c8);
        c9 = _mm512_fmadd_ps(_mm512_set1_ps(ak[9]), bv, c9);
        c10 = _mm512_fmadd_ps(_mm512_set1_ps(ak[10]), bv, c10);
        c11 = _mm512_fmadd_ps(_mm512_set1_ps(ak[11]), bv, c11);
        c12 = _mm512_fmadd_ps(_mm512_set1_ps(ak[12]), bv, c12);
        c13 = _mm512_fmadd_ps(_mm512_set1_ps(ak[13]), bv, c13);
        c14 = _mm512_fmadd_ps(_mm512_set1_ps(ak[14]), bv, c14);
        c15 = _mm512_fmadd_ps(_mm512_set1_ps(ak[15]), bv, c15);
    }
    r[0] = c0; r[1] = c1; r[2] = c2; r[3] = c3; r[4] = c4; r[5] = c5; r[6] = c6; r[7] = c7;
    r[8] = c8; r[9] = c9; r[10] = c10; r[11] = c11; r[12] = c12; r[13] = c13; r[14] = c14; r[15] = c15;
    for (i = 0; i < 16; ++i) mossa__avx512_add_row(c, isf, (size_t)i * ldc, r[i]);
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16_avx512(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16_g_avx512(a, 16, b, 16, kc, c, 0, ldc);
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16f_avx512(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16_g_avx512(a, 16, b, 16, kc, c, 1, ldc);
}

/* Rows r0 .. r0+R-1 of a 16 x 32 tile: two B vectors per k, one broadcast
   per row, 2R accumulators (R = 12: 24 accumulators, 14 loads per 24 FMAs
   instead of 17 per 16 for the 16 x 16 tile). */
#define MOSSA__AVX512_ROW(I)                                          \
    t = _mm512_set1_ps(ak[I]);                                          \
    c##I##0 = _mm512_fmadd_ps(t, b0, c##I##0);                          \
    c##I##1 = _mm512_fmadd_ps(t, b1, c##I##1);
#define MOSSA__AVX512_STORE(I)                                        \
    mossa__avx512_add_row(c, isf, (size_t)(I) * ldc, c##I##0);          \
    mossa__avx512_add_row(c, isf, (size_t)(I) * ldc + 16, c##I##1);


MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x32_g_avx512(const float *a, size_t lda, const float *b, const float *b2, size_t ldb,
                                           size_t kc, void *c, int isf, size_t ldc)
{
    const float *bb = b2;
    size_t k;
    {
        __m512 z = _mm512_setzero_ps();
        __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        __m512 c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z, c90 = z, c91 = z;
        __m512 c100 = z, c101 = z, c110 = z, c111 = z;
        for (k = 0; k < kc; ++k) {
            const float *ak = a + lda * k;
            __m512 b0 = _mm512_loadu_ps(b + ldb * k), b1 = _mm512_loadu_ps(bb + ldb * k), t;
            MOSSA__AVX512_ROW(0) MOSSA__AVX512_ROW(1) MOSSA__AVX512_ROW(2) MOSSA__AVX512_ROW(3)
            MOSSA__AVX512_ROW(4) MOSSA__AVX512_ROW(5) MOSSA__AVX512_ROW(6) MOSSA__AVX512_ROW(7)
            MOSSA__AVX512_ROW(8) MOSSA__AVX512_ROW(9) MOSSA__AVX512_ROW(10) MOSSA__AVX512_ROW(11)
        }
        MOSSA__AVX512_STORE(0) MOSSA__AVX512_STORE(1) MOSSA__AVX512_STORE(2) MOSSA__AVX512_STORE(3)
        MOSSA__AVX512_STORE(4) MOSSA__AVX512_STORE(5) MOSSA__AVX512_STORE(6) MOSSA__AVX512_STORE(7)
        MOSSA__AVX512_STORE(8) MOSSA__AVX512_STORE(9) MOSSA__AVX512_STORE(10) MOSSA__AVX512_STORE(11)
    }
    {
        __m512 z = _mm512_setzero_ps();
        __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        a += 12;
        c = isf ? (void *)((float *)c + 12 * ldc) : (void *)((double *)c + 12 * ldc);
        for (k = 0; k < kc; ++k) {
            const float *ak = a + lda * k;
            __m512 b0 = _mm512_loadu_ps(b + ldb * k), b1 = _mm512_loadu_ps(bb + ldb * k), t;
            MOSSA__AVX512_ROW(0) MOSSA__AVX512_ROW(1) MOSSA__AVX512_ROW(2) MOSSA__AVX512_ROW(3)
        }
        MOSSA__AVX512_STORE(0) MOSSA__AVX512_STORE(1) MOSSA__AVX512_STORE(2) MOSSA__AVX512_STORE(3)
    }
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x32_avx512(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16x32_g_avx512(a, 16, b, b + 16 * kc, 16, kc, c, 0, ldc);
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x32f_avx512(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16x32_g_avx512(a, 16, b, b + 16 * kc, 16, kc, c, 1, ldc);
}
/* A 16 x 48 tile into a float C (three adjacent B micro-panels): rows in
   two halves of 8, each 24 accumulators with 11 loads per 24 FMAs. The
   16 x 32 tile's last 4 rows have only 8 accumulators, just the FMA
   latency of two pipes, and stall on any late load: alone, over a block's
   panels, 16 x 48 ran at 203-207 GFLOP/s where 16 x 32 ran at 195-197.
   Each entry is the same float sum, in the same order, as there. */
#define MOSSA__AVX512_ROW3(I)                                         \
    t = _mm512_set1_ps(ak[I]);                                          \
    c##I##0 = _mm512_fmadd_ps(t, b0, c##I##0);                          \
    c##I##1 = _mm512_fmadd_ps(t, b1, c##I##1);                          \
    c##I##2 = _mm512_fmadd_ps(t, b2, c##I##2);
#define MOSSA__AVX512_STORE3(I)                                       \
    mossa__avx512_add_row(c, 1, (size_t)(I) * ldc, c##I##0);            \
    mossa__avx512_add_row(c, 1, (size_t)(I) * ldc + 16, c##I##1);       \
    mossa__avx512_add_row(c, 1, (size_t)(I) * ldc + 32, c##I##2);

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x48f_avx512(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    const float *bb = b + 16 * kc, *bc = b + 32 * kc;
    size_t k;
    int h;
    for (h = 0; h < 2; ++h) {
        __m512 z = _mm512_setzero_ps();
        __m512 c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z, c20 = z, c21 = z, c22 = z;
        __m512 c30 = z, c31 = z, c32 = z, c40 = z, c41 = z, c42 = z, c50 = z, c51 = z, c52 = z;
        __m512 c60 = z, c61 = z, c62 = z, c70 = z, c71 = z, c72 = z;
        for (k = 0; k < kc; ++k) {
            const float *ak = a + 16 * k;
            __m512 b0 = _mm512_loadu_ps(b + 16 * k), b1 = _mm512_loadu_ps(bb + 16 * k), b2 = _mm512_loadu_ps(bc + 16 * k), t;
            MOSSA__AVX512_ROW3(0) MOSSA__AVX512_ROW3(1) MOSSA__AVX512_ROW3(2) MOSSA__AVX512_ROW3(3)
            MOSSA__AVX512_ROW3(4) MOSSA__AVX512_ROW3(5) MOSSA__AVX512_ROW3(6) MOSSA__AVX512_ROW3(7)
        }
        MOSSA__AVX512_STORE3(0) MOSSA__AVX512_STORE3(1) MOSSA__AVX512_STORE3(2) MOSSA__AVX512_STORE3(3)
        MOSSA__AVX512_STORE3(4) MOSSA__AVX512_STORE3(5) MOSSA__AVX512_STORE3(6) MOSSA__AVX512_STORE3(7)
        a += 8;
        c += 8 * ldc;
    }
}
#undef MOSSA__AVX512_ROW3
#undef MOSSA__AVX512_STORE3
#undef MOSSA__AVX512_ROW
#undef MOSSA__AVX512_STORE

/* the shifted packing, 16 floats a run as two halves of eight doubles */
MOSSA__TARGET_AVX512
static void mossa__pack_shift16_avx512(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride)
{
    const __m512d sc = _mm512_set1_pd(scale), zero = _mm512_setzero_pd();
    size_t r;
    for (r = 0; r < runs; ++r) {
        const float *xr = x + 16 * r;
        __m512d lo = _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(xr));
        __m512d hi = _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(xr + 8));
        lo = _mm512_mul_pd(_mm512_sub_pd(lo, sh ? _mm512_loadu_pd(sh + 16 * r) : zero), sc);
        hi = _mm512_mul_pd(_mm512_sub_pd(hi, sh ? _mm512_loadu_pd(sh + 16 * r + 8) : zero), sc);
        _mm256_storeu_ps(out + r * ostride, _mm512_maskz_cvtpd_ps((__mmask8)0xff, lo));
        _mm256_storeu_ps(out + r * ostride + 8, _mm512_maskz_cvtpd_ps((__mmask8)0xff, hi));
    }
}

MOSSA__TARGET_AVX512
static void mossa__hsic_row_avx512(const float *k, const float *l, const double *a, const double *b,
                                   double ai, double bi, size_t n, size_t skip, double out[3])
{
    __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0;
    __m512d vai = _mm512_set1_pd(ai), vbi = _mm512_set1_pd(bi);
    size_t j = 0;
    double t0, t1, t2, v[3][8];
    int q;
    for (; j + 8 <= n; j += 8) {
        __m512d kc = _mm512_sub_pd(_mm512_sub_pd(_mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(k + j)), vai), _mm512_loadu_pd(a + j));
        __m512d lc = _mm512_sub_pd(_mm512_sub_pd(_mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(l + j)), vbi), _mm512_loadu_pd(b + j));
        if (skip - j < 8) {
            __mmask8 keep = (__mmask8)~(1u << (skip - j));
            kc = _mm512_maskz_mov_pd(keep, kc);
            lc = _mm512_maskz_mov_pd(keep, lc);
        }
        s0 = _mm512_fmadd_pd(kc, lc, s0);
        s1 = _mm512_fmadd_pd(kc, kc, s1);
        s2 = _mm512_fmadd_pd(lc, lc, s2);
    }
    _mm512_storeu_pd(v[0], s0); _mm512_storeu_pd(v[1], s1); _mm512_storeu_pd(v[2], s2);
    t0 = t1 = t2 = 0.0;
    for (q = 0; q < 8; ++q) { t0 += v[0][q]; t1 += v[1][q]; t2 += v[2][q]; }
    for (; j < n; ++j) {
        double kc = (double)k[j] - ai - a[j], lc = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        t0 += kc * lc; t1 += kc * kc; t2 += lc * lc;
    }
    out[0] = t0; out[1] = t1; out[2] = t2;
}

/* the sum of eight 32-bit counts */
MOSSA__TARGET_AVX512
static uint32_t mossa__hsum_epi32_avx512(__m256i v)
{
    return mossa__hsum_epi32_sse(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

/* the population count of an 8-bit mask */
static unsigned mossa__pop8(unsigned m)
{
    m = m - ((m >> 1) & 0x55u);
    m = (m & 0x33u) + ((m >> 2) & 0x33u);
    return (m + (m >> 4)) & 0x0fu;
}

/* (maskz forms throughout: GCC 12 in C++ mode warns that the plain forms'
   internal _mm512_undefined_* are used uninitialised) */
MOSSA__TARGET_AVX512
static void mossa__rbf_dist_avx512(const double *g, size_t n, double dr, const double *dc, float *dst,
                                   mossa__keep *kp)
{
    const __m512d vdr = _mm512_set1_pd(dr), two = _mm512_set1_pd(2.0), zero = _mm512_setzero_pd();
    size_t j = 0;
    if (!kp) {
        for (; j + 8 <= n; j += 8) {
            __m512d v = _mm512_sub_pd(_mm512_add_pd(vdr, _mm512_loadu_pd(dc + j)), _mm512_mul_pd(two, _mm512_loadu_pd(g + j)));
            _mm256_storeu_ps(dst + j, _mm512_maskz_cvtpd_ps((__mmask8)0xff, _mm512_maskz_max_pd((__mmask8)0xff, v, zero)));
        }
    } else {
        /* counted from the registers (reading back the fresh stores would
           stall on store forwarding); the few inside are compressed */
        const __m256i lo = _mm256_set1_epi32((int)kp->lo), width = _mm256_set1_epi32((int)kp->width),
                      one = _mm256_set1_epi32(1);
        __m256i nb = _mm256_setzero_si256(), ni = nb;
        size_t k = kp->k;
        for (; j + 8 <= n; j += 8) {
            __m512d v = _mm512_sub_pd(_mm512_add_pd(vdr, _mm512_loadu_pd(dc + j)), _mm512_mul_pd(two, _mm512_loadu_pd(g + j)));
            __m256 f = _mm512_maskz_cvtpd_ps((__mmask8)0xff, _mm512_maskz_max_pd((__mmask8)0xff, v, zero));
            __m256i b = _mm256_castps_si256(f);
            __mmask8 in = _mm256_cmple_epu32_mask(_mm256_sub_epi32(b, lo), width);
            _mm256_storeu_ps(dst + j, f);
            nb = _mm256_mask_add_epi32(nb, _mm256_cmplt_epu32_mask(b, lo), nb, one);
            if (in) {
                ni = _mm256_mask_add_epi32(ni, in, ni, one);
                if (k < kp->cap) {
                    _mm256_storeu_ps(kp->keep + k, _mm256_maskz_compress_ps(in, f));
                    k += mossa__pop8(in);
                }
            }
        }
        kp->below += mossa__hsum_epi32_avx512(nb);
        kp->inside += mossa__hsum_epi32_avx512(ni);
        kp->k = k;
    }
    mossa__rbf_dist_scalar(g + j, n - j, dr, dc + j, dst + j, kp);
}

MOSSA__TARGET_AVX512
static double mossa__rbf_exp_row_avx512(float *row, size_t n, float nc, double *cs)
{
    const __m512 vnc = _mm512_set1_ps(nc);
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    size_t j = 0;
    double v[8], t = 0.0;
    int q;
    while (j < n) {
        __mmask16 mk = n - j >= 16 ? MOSSA__ALL16 : mossa__tailmask_avx512(n - j);
        __mmask8 m0 = (__mmask8)(mk & 0xff), m1 = (__mmask8)(mk >> 8);
        __m512 e = mossa__expf16_avx512(_mm512_mul_ps(_mm512_maskz_loadu_ps(mk, row + j), vnc));
        __m512d lo, hi;
        _mm512_mask_storeu_ps(row + j, mk, e);
        lo = _mm512_maskz_cvtps_pd(m0, _mm512_maskz_extractf32x8_ps((__mmask8)0xff, e, 0));
        hi = _mm512_maskz_cvtps_pd(m1, _mm512_maskz_extractf32x8_ps((__mmask8)0xff, e, 1));
        s0 = _mm512_add_pd(s0, lo);
        s1 = _mm512_add_pd(s1, hi);
        _mm512_mask_storeu_pd(cs + j, m0, _mm512_add_pd(_mm512_maskz_loadu_pd(m0, cs + j), lo));
        if (m1) _mm512_mask_storeu_pd(cs + j + 8, m1, _mm512_add_pd(_mm512_maskz_loadu_pd(m1, cs + j + 8), hi));
        j += 16;
    }
    _mm512_storeu_pd(v, _mm512_add_pd(s0, s1));
    for (q = 0; q < 8; ++q) t += v[q];
    return t;
}

/* ---- svd ------------------------------------------------------------------- */
/* the row kernels' lane sum: stored and summed by hand (g++ 12 warns inside
   _mm512_reduce_add_pd) */
MOSSA__TARGET_AVX512 static double mossa__rowop_lanes_avx512(__m512d s0, __m512d s1)
{
    double lanes[8];
    _mm512_storeu_pd(lanes, _mm512_add_pd(s0, s1));
    return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

MOSSA__TARGET_AVX512
static double mossa__svd_rowop_avx512(size_t j, double *r, const double *x, const double *y, double a,
                                      double b, const double *u, double c, double *p)
{
    size_t k = 0;
    __m512d va = _mm512_set1_pd(a), vb = _mm512_set1_pd(b), vc = _mm512_set1_pd(c);
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    if (x && u) {
        for (; k + 16 <= j; k += 16) {
            __m512d r0 = _mm512_loadu_pd(r + k), r1 = _mm512_loadu_pd(r + k + 8);
            r0 = _mm512_fnmadd_pd(va, _mm512_loadu_pd(x + k), r0);
            r1 = _mm512_fnmadd_pd(va, _mm512_loadu_pd(x + k + 8), r1);
            r0 = _mm512_fnmadd_pd(vb, _mm512_loadu_pd(y + k), r0);
            r1 = _mm512_fnmadd_pd(vb, _mm512_loadu_pd(y + k + 8), r1);
            _mm512_storeu_pd(r + k, r0); _mm512_storeu_pd(r + k + 8, r1);
            s0 = _mm512_fmadd_pd(r0, _mm512_loadu_pd(u + k), s0);
            s1 = _mm512_fmadd_pd(r1, _mm512_loadu_pd(u + k + 8), s1);
            _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc, r0, _mm512_loadu_pd(p + k)));
            _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc, r1, _mm512_loadu_pd(p + k + 8)));
        }
    } else if (x) {
        for (; k + 8 <= j; k += 8) {
            __m512d r0 = _mm512_loadu_pd(r + k);
            r0 = _mm512_fnmadd_pd(va, _mm512_loadu_pd(x + k), r0);
            r0 = _mm512_fnmadd_pd(vb, _mm512_loadu_pd(y + k), r0);
            _mm512_storeu_pd(r + k, r0);
        }
    } else if (u) {
        for (; k + 16 <= j; k += 16) {
            __m512d r0 = _mm512_loadu_pd(r + k), r1 = _mm512_loadu_pd(r + k + 8);
            s0 = _mm512_fmadd_pd(r0, _mm512_loadu_pd(u + k), s0);
            s1 = _mm512_fmadd_pd(r1, _mm512_loadu_pd(u + k + 8), s1);
            _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc, r0, _mm512_loadu_pd(p + k)));
            _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc, r1, _mm512_loadu_pd(p + k + 8)));
        }
    }
    {
        double s = mossa__rowop_lanes_avx512(s0, s1);
        for (; k < j; ++k) {
            if (x) r[k] -= a * x[k] + b * y[k];
            if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
        }
        return u ? s : 0.0;
    }
}
/* Two rows as the one-row kernel does them one after the other, the
   operations of each row in the same order (so the same bits): the common
   16-wide steps share the loads of x, y, u and p, and p takes row j's
   term, then row j+1's. Row j's vector steps end where the pair's do;
   p[j] is finished before row j+1 reads it (its last step may reach k = j). */
MOSSA__TARGET_AVX512
static void mossa__svd_rowop2_avx512(size_t j, double *r0, double *r1, const double *x, const double *y,
                                     const double *u, double *p)
{
    size_t k = 0, t;
    const double a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m512d va0 = _mm512_set1_pd(a0), vb0 = _mm512_set1_pd(b0), vc0 = _mm512_set1_pd(c0);
    __m512d va1 = _mm512_set1_pd(a1), vb1 = _mm512_set1_pd(b1), vc1 = _mm512_set1_pd(c1);
    __m512d s00 = _mm512_setzero_pd(), s01 = s00, s10 = s00, s11 = s00;
    double s, m1, m2, last;
    /* the diagonals' updates and the last terms in statements of their
       own, as mossa__trd_row has them (no product fused into an add) */
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 16 <= j; k += 16) {
        __m512d x0 = _mm512_loadu_pd(x + k), x1 = _mm512_loadu_pd(x + k + 8);
        __m512d y0 = _mm512_loadu_pd(y + k), y1 = _mm512_loadu_pd(y + k + 8);
        __m512d u0 = _mm512_loadu_pd(u + k), u1 = _mm512_loadu_pd(u + k + 8);
        __m512d q0 = _mm512_loadu_pd(r0 + k), q1 = _mm512_loadu_pd(r0 + k + 8);
        __m512d w0 = _mm512_loadu_pd(r1 + k), w1 = _mm512_loadu_pd(r1 + k + 8);
        q0 = _mm512_fnmadd_pd(vb0, y0, _mm512_fnmadd_pd(va0, x0, q0));
        q1 = _mm512_fnmadd_pd(vb0, y1, _mm512_fnmadd_pd(va0, x1, q1));
        w0 = _mm512_fnmadd_pd(vb1, y0, _mm512_fnmadd_pd(va1, x0, w0));
        w1 = _mm512_fnmadd_pd(vb1, y1, _mm512_fnmadd_pd(va1, x1, w1));
        _mm512_storeu_pd(r0 + k, q0); _mm512_storeu_pd(r0 + k + 8, q1);
        _mm512_storeu_pd(r1 + k, w0); _mm512_storeu_pd(r1 + k + 8, w1);
        s00 = _mm512_fmadd_pd(q0, u0, s00); s01 = _mm512_fmadd_pd(q1, u1, s01);
        s10 = _mm512_fmadd_pd(w0, u0, s10); s11 = _mm512_fmadd_pd(w1, u1, s11);
        _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc1, w0, _mm512_fmadd_pd(vc0, q0, _mm512_loadu_pd(p + k))));
        _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc1, w1, _mm512_fmadd_pd(vc0, q1, _mm512_loadu_pd(p + k + 8))));
    }
    s = mossa__rowop_lanes_avx512(s00, s01);
    for (t = k; t < j; ++t) { r0[t] -= a0 * x[t] + b0 * y[t]; s += r0[t] * u[t]; p[t] += c0 * r0[t]; }
    last = r0[j] * c0;
    p[j] += s + last;
    for (; k + 16 <= j + 1; k += 16) {
        __m512d w0 = _mm512_loadu_pd(r1 + k), w1 = _mm512_loadu_pd(r1 + k + 8);
        w0 = _mm512_fnmadd_pd(vb1, _mm512_loadu_pd(y + k), _mm512_fnmadd_pd(va1, _mm512_loadu_pd(x + k), w0));
        w1 = _mm512_fnmadd_pd(vb1, _mm512_loadu_pd(y + k + 8), _mm512_fnmadd_pd(va1, _mm512_loadu_pd(x + k + 8), w1));
        _mm512_storeu_pd(r1 + k, w0); _mm512_storeu_pd(r1 + k + 8, w1);
        s10 = _mm512_fmadd_pd(w0, _mm512_loadu_pd(u + k), s10);
        s11 = _mm512_fmadd_pd(w1, _mm512_loadu_pd(u + k + 8), s11);
        _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc1, w0, _mm512_loadu_pd(p + k)));
        _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc1, w1, _mm512_loadu_pd(p + k + 8)));
    }
    s = mossa__rowop_lanes_avx512(s10, s11);
    for (t = k; t < j + 1; ++t) { r1[t] -= a1 * x[t] + b1 * y[t]; s += r1[t] * u[t]; p[t] += c1 * r1[t]; }
    last = r1[j + 1] * c1;
    p[j + 1] += s + last;
}
/* the float twins (the rank's reduction, its matrix held in float): the
   same operations as the double kernels above, 32 floats a step, and the
   last part of a row masked (a scalar tail of up to 31 entries, each step
   waiting on the last through the row sum, would cost more than the row) */
MOSSA__TARGET_AVX512 static float mossa__rowop_lanesf_avx512(__m512 s0, __m512 s1)
{
    float l[16];
    _mm512_storeu_ps(l, _mm512_add_ps(s0, s1));
    return (((l[0] + l[8]) + (l[4] + l[12])) + ((l[2] + l[10]) + (l[6] + l[14]))) +
           (((l[1] + l[9]) + (l[5] + l[13])) + ((l[3] + l[11]) + (l[7] + l[15])));
}

/* one row with the update and the product, from k to len: steps of 32
   while more than 32 are left, then two masked steps of 16 (no branch on
   the length: rows of every length follow one another); returns the row
   sum (s0, s1: the sums of the steps before k) */
MOSSA__TARGET_AVX512
static float mossa__rowf_run_avx512(size_t k, size_t len, float *r, const float *x, const float *y, __m512 va,
                                    __m512 vb, const float *u, __m512 vc, float *p, __m512 s0, __m512 s1)
{
    size_t rem, h;
    __mmask16 m;
    int half;
    for (; k + 32 < len; k += 32) {
        __m512 r0 = _mm512_loadu_ps(r + k), r1 = _mm512_loadu_ps(r + k + 16);
        r0 = _mm512_fnmadd_ps(vb, _mm512_loadu_ps(y + k), _mm512_fnmadd_ps(va, _mm512_loadu_ps(x + k), r0));
        r1 = _mm512_fnmadd_ps(vb, _mm512_loadu_ps(y + k + 16), _mm512_fnmadd_ps(va, _mm512_loadu_ps(x + k + 16), r1));
        _mm512_storeu_ps(r + k, r0); _mm512_storeu_ps(r + k + 16, r1);
        s0 = _mm512_fmadd_ps(r0, _mm512_loadu_ps(u + k), s0);
        s1 = _mm512_fmadd_ps(r1, _mm512_loadu_ps(u + k + 16), s1);
        _mm512_storeu_ps(p + k, _mm512_fmadd_ps(vc, r0, _mm512_loadu_ps(p + k)));
        _mm512_storeu_ps(p + k + 16, _mm512_fmadd_ps(vc, r1, _mm512_loadu_ps(p + k + 16)));
    }
    rem = len > k ? len - k : 0;   /* at most 32 */
    for (half = 0; half < 2; ++half) {
        __m512 r0;
        h = rem > 16 * (size_t)half ? rem - 16 * (size_t)half : 0;
        m = (__mmask16)((1u << (h < 16 ? h : 16)) - 1u);
        r0 = _mm512_maskz_loadu_ps(m, r + k);
        r0 = _mm512_fnmadd_ps(vb, _mm512_maskz_loadu_ps(m, y + k), _mm512_fnmadd_ps(va, _mm512_maskz_loadu_ps(m, x + k), r0));
        _mm512_mask_storeu_ps(r + k, m, r0);
        if (half) s1 = _mm512_fmadd_ps(r0, _mm512_maskz_loadu_ps(m, u + k), s1);
        else s0 = _mm512_fmadd_ps(r0, _mm512_maskz_loadu_ps(m, u + k), s0);
        _mm512_mask_storeu_ps(p + k, m, _mm512_fmadd_ps(vc, r0, _mm512_maskz_loadu_ps(m, p + k)));
        k += 16;
    }
    return mossa__rowop_lanesf_avx512(s0, s1);
}

MOSSA__TARGET_AVX512
static float mossa__svd_rowopf_avx512(size_t j, float *r, const float *x, const float *y, float a, float b,
                                      const float *u, float c, float *p)
{
    size_t k = 0;
    __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b), vc = _mm512_set1_ps(c);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    float s;
    if (x && u) return mossa__rowf_run_avx512(0, j, r, x, y, va, vb, u, vc, p, s0, s1);
    if (x) {
        for (; k + 16 <= j; k += 16) {
            __m512 r0 = _mm512_loadu_ps(r + k);
            r0 = _mm512_fnmadd_ps(vb, _mm512_loadu_ps(y + k), _mm512_fnmadd_ps(va, _mm512_loadu_ps(x + k), r0));
            _mm512_storeu_ps(r + k, r0);
        }
    } else if (u) {
        for (; k + 32 <= j; k += 32) {
            __m512 r0 = _mm512_loadu_ps(r + k), r1 = _mm512_loadu_ps(r + k + 16);
            s0 = _mm512_fmadd_ps(r0, _mm512_loadu_ps(u + k), s0);
            s1 = _mm512_fmadd_ps(r1, _mm512_loadu_ps(u + k + 16), s1);
            _mm512_storeu_ps(p + k, _mm512_fmadd_ps(vc, r0, _mm512_loadu_ps(p + k)));
            _mm512_storeu_ps(p + k + 16, _mm512_fmadd_ps(vc, r1, _mm512_loadu_ps(p + k + 16)));
        }
    }
    s = mossa__rowop_lanesf_avx512(s0, s1);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0f;
}

/* Two rows as the one-row kernel does them one after the other (the same
   bits): the common steps of 32 share the loads of x, y, u and p; then
   row j's rest and p[j], then row j+1's rest (which may reach k = j). */
MOSSA__TARGET_AVX512W
static void mossa__svd_rowop2f_avx512(size_t j, float *r0, float *r1, const float *x, const float *y,
                                      const float *u, float *p, const float *next)
{
    size_t k = 0;
    /* the next pair's rows, two lines each per step (none: prefetch the
       pair's own rows again, already in L1); order 1024, two threads:
       about 0.5 ms of 16.5 */
    const float *n0 = next ? next : r0, *n1 = next ? next + (r1 - r0) : r1;
    const float a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m512 va0 = _mm512_set1_ps(a0), vb0 = _mm512_set1_ps(b0), vc0 = _mm512_set1_ps(c0);
    __m512 va1 = _mm512_set1_ps(a1), vb1 = _mm512_set1_ps(b1), vc1 = _mm512_set1_ps(c1);
    __m512 s00 = _mm512_setzero_ps(), s01 = s00, s10 = s00, s11 = s00;
    float m1, m2;
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 32 < j; k += 32) {
        __m512 x0 = _mm512_loadu_ps(x + k), x1 = _mm512_loadu_ps(x + k + 16);
        __m512 y0 = _mm512_loadu_ps(y + k), y1 = _mm512_loadu_ps(y + k + 16);
        __m512 u0 = _mm512_loadu_ps(u + k), u1 = _mm512_loadu_ps(u + k + 16);
        __m512 q0 = _mm512_loadu_ps(r0 + k), q1 = _mm512_loadu_ps(r0 + k + 16);
        _mm_prefetch((const char *)(n0 + k), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n0 + k + 16), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n1 + k), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n1 + k + 16), _MM_HINT_ET0);
        __m512 w0 = _mm512_loadu_ps(r1 + k), w1 = _mm512_loadu_ps(r1 + k + 16);
        q0 = _mm512_fnmadd_ps(vb0, y0, _mm512_fnmadd_ps(va0, x0, q0));
        q1 = _mm512_fnmadd_ps(vb0, y1, _mm512_fnmadd_ps(va0, x1, q1));
        w0 = _mm512_fnmadd_ps(vb1, y0, _mm512_fnmadd_ps(va1, x0, w0));
        w1 = _mm512_fnmadd_ps(vb1, y1, _mm512_fnmadd_ps(va1, x1, w1));
        _mm512_storeu_ps(r0 + k, q0); _mm512_storeu_ps(r0 + k + 16, q1);
        _mm512_storeu_ps(r1 + k, w0); _mm512_storeu_ps(r1 + k + 16, w1);
        s00 = _mm512_fmadd_ps(q0, u0, s00); s01 = _mm512_fmadd_ps(q1, u1, s01);
        s10 = _mm512_fmadd_ps(w0, u0, s10); s11 = _mm512_fmadd_ps(w1, u1, s11);
        _mm512_storeu_ps(p + k, _mm512_fmadd_ps(vc1, w0, _mm512_fmadd_ps(vc0, q0, _mm512_loadu_ps(p + k))));
        _mm512_storeu_ps(p + k + 16, _mm512_fmadd_ps(vc1, w1, _mm512_fmadd_ps(vc0, q1, _mm512_loadu_ps(p + k + 16))));
    }
    /* the rests, [k, j) of row j and [k, j + 1) of row j + 1 (at most 32
       and 33 entries), in three masked steps of 16 held in registers, and
       p stored once: the one-row kernel's masked stores of p, reloaded by
       the next row, cannot be forwarded and stall. Each entry goes to the
       same sums and in the same order as there (entry k to the sum of its
       step half, k mod 32 < 16 or not); p[j] and p[j + 1] take their rows'
       sums between the two rows' updates, as there. */
    {
        const size_t len0 = j - k, len1 = j + 1 - k;
        const float pj = p[j], pj1 = p[j + 1], d0 = r0[j], d1 = r1[j + 1];
        __m512 q[3], w[3];
        __mmask16 k0[3], k1[3];
        size_t c;
        for (c = 0; c < 3; ++c) {
            const size_t off = k + 16 * c, h0 = len0 > 16 * c ? len0 - 16 * c : 0,
                         h1 = len1 > 16 * c ? len1 - 16 * c : 0;
            __m512 xv, yv, uv;
            k0[c] = (__mmask16)((1u << (h0 < 16 ? h0 : 16)) - 1u);
            k1[c] = (__mmask16)((1u << (h1 < 16 ? h1 : 16)) - 1u);
            xv = _mm512_maskz_loadu_ps(k1[c], x + off);
            yv = _mm512_maskz_loadu_ps(k1[c], y + off);
            uv = _mm512_maskz_loadu_ps(k1[c], u + off);
            q[c] = _mm512_maskz_mov_ps(k0[c], _mm512_fnmadd_ps(vb0, yv, _mm512_fnmadd_ps(va0, xv,
                                                         _mm512_maskz_loadu_ps(k0[c], r0 + off))));
            w[c] = _mm512_fnmadd_ps(vb1, yv, _mm512_fnmadd_ps(va1, xv, _mm512_maskz_loadu_ps(k1[c], r1 + off)));
            _mm512_mask_storeu_ps(r0 + off, k0[c], q[c]);
            _mm512_mask_storeu_ps(r1 + off, k1[c], w[c]);
            if (c == 1) {
                s01 = _mm512_fmadd_ps(q[c], _mm512_maskz_mov_ps(k0[c], uv), s01);
                s11 = _mm512_fmadd_ps(w[c], uv, s11);
            } else {
                s00 = _mm512_fmadd_ps(q[c], _mm512_maskz_mov_ps(k0[c], uv), s00);
                s10 = _mm512_fmadd_ps(w[c], uv, s10);
            }
        }
        {
            float s0 = mossa__rowop_lanesf_avx512(s00, s01), s1 = mossa__rowop_lanesf_avx512(s10, s11);
            float l0 = d0 * c0, l1 = d1 * c1;
            const __m512 nj = _mm512_set1_ps(pj + (s0 + l0)), nj1 = _mm512_set1_ps(pj1 + (s1 + l1));
            for (c = 0; c < 3; ++c) {
                /* lane j: in k1 but not k0; lane j + 1: the one past k1 */
                const __mmask16 mj = (__mmask16)(k1[c] & ~k0[c]),
                                mj1 = (__mmask16)(((unsigned)k1[c] + 1u) & ~(unsigned)k1[c] &
                                                  (16 * c <= len1 ? 0xffffu : 0u)),
                                ms = (__mmask16)(k1[c] | mj1);
                __m512 pv = _mm512_maskz_loadu_ps(ms, p + k + 16 * c);
                pv = _mm512_fmadd_ps(vc0, q[c], pv);
                pv = _mm512_mask_mov_ps(pv, mj, nj);
                pv = _mm512_fmadd_ps(vc1, w[c], pv);
                pv = _mm512_mask_mov_ps(pv, mj1, nj1);
                _mm512_mask_storeu_ps(p + k + 16 * c, ms, pv);
            }
        }
    }
}
/* the rank's column statistics: groups of eight columns (the last
   masked), their sums held in registers across the rows */
MOSSA__TARGET_AVX512
static void mossa__svd_colstat_avx512(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                      size_t d)
{
    size_t j, r;
    for (j = 0; j < d; j += 8) {
        const __mmask8 m = (__mmask8)(d - j >= 8 ? 0xff : (1u << (d - j)) - 1u);
        const __m512d h = _mm512_maskz_loadu_pd(m, sh + j);
        __m512d vs = _mm512_maskz_loadu_pd(m, s + j), vq = _mm512_maskz_loadu_pd(m, q + j);
        for (r = 0; r < rows; ++r) {
            __m512d c = _mm512_sub_pd(_mm512_maskz_cvtps_pd(m, _mm256_maskz_loadu_ps(m, x + ldx * r + j)), h);
            vs = _mm512_add_pd(vs, c);
            vq = _mm512_add_pd(vq, _mm512_mul_pd(c, c));
        }
        _mm512_mask_storeu_pd(s + j, m, vs);
        _mm512_mask_storeu_pd(q + j, m, vq);
    }
}

/* the float reduction driver's serial steps: eight double lanes (one
   vector), the last step masked (masked-off lanes add zeros) */
MOSSA__TARGET_AVX512 static double mossa__lanes8_avx512(__m512d v)
{
    double l[8];
    _mm512_storeu_pd(l, v);
    return mossa__lanes8(l);
}

MOSSA__TARGET_AVX512
static float mossa__svd_absmaxf_avx512(const float *x, size_t n)
{
    __m512 m = _mm512_setzero_ps();
    size_t k;
    for (k = 0; k < n; k += 16) {
        const __mmask16 mk = (__mmask16)(n - k >= 16 ? 0xffffu : (1u << (n - k)) - 1u);
        m = _mm512_maskz_max_ps(MOSSA__ALL16, m, _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, x + k)));
    }
    {
        float l[16], r = 0.0f;
        int t;
        _mm512_storeu_ps(l, m);
        for (t = 0; t < 16; ++t) r = MOSSA__MAX(r, l[t]);
        return r;
    }
}

MOSSA__TARGET_AVX512
static double mossa__svd_scalef_avx512(const float *r, double inv, float *u, size_t n)
{
    const __m512d vi = _mm512_set1_pd(inv);
    __m512d acc = _mm512_setzero_pd();
    size_t k;
    for (k = 0; k < n; k += 8) {
        const __mmask8 mk = (__mmask8)(n - k >= 8 ? 0xffu : (1u << (n - k)) - 1u);
        __m256 f = _mm512_maskz_cvtpd_ps(mk, _mm512_mul_pd(_mm512_maskz_cvtps_pd(mk, _mm256_maskz_loadu_ps(mk, r + k)), vi));
        __m512d v = _mm512_maskz_cvtps_pd(mk, f);
        _mm256_mask_storeu_ps(u + k, mk, f);
        acc = _mm512_add_pd(acc, _mm512_mul_pd(v, v));
    }
    return mossa__lanes8_avx512(acc);
}

MOSSA__TARGET_AVX512
static double mossa__svd_sumcols_avx512(const float *parts, size_t ld, size_t nb, size_t ncols, double h,
                                        const float *u, double *q)
{
    const __m512d vh = _mm512_set1_pd(h);
    __m512d acc = _mm512_setzero_pd();
    size_t k, t;
    for (k = 0; k < ncols; k += 8) {
        const __mmask8 mk = (__mmask8)(ncols - k >= 8 ? 0xffu : (1u << (ncols - k)) - 1u);
        __m512d s = _mm512_setzero_pd(), qv;
        for (t = 0; t < nb; ++t)
            s = _mm512_add_pd(s, _mm512_maskz_cvtps_pd(mk, _mm256_maskz_loadu_ps(mk, parts + t * ld + k)));
        qv = _mm512_maskz_div_pd(mk, s, vh);
        _mm512_mask_storeu_pd(q + k, mk, qv);
        acc = _mm512_add_pd(acc, _mm512_mul_pd(_mm512_maskz_cvtps_pd(mk, _mm256_maskz_loadu_ps(mk, u + k)), qv));
    }
    return mossa__lanes8_avx512(acc);
}

/* sixteen a step, stored as whole vectors of 16 floats: the row kernel
   reads pq right after in vectors of 16, and a 64-byte load from two
   32-byte stores cannot be forwarded (it waits for them to commit) */
MOSSA__TARGET_AVX512
static void mossa__svd_qupdatef_avx512(const double *q, double kk, const float *u, float *pq, size_t n)
{
    const __m512d vk = _mm512_set1_pd(kk);
    size_t k;
    for (k = 0; k < n; k += 16) {
        const __mmask16 mk = (__mmask16)(n - k >= 16 ? 0xffffu : (1u << (n - k)) - 1u);
        const __mmask8 m0 = (__mmask8)(mk & 0xffu), m1 = (__mmask8)(mk >> 8);
        __m512 uf = _mm512_maskz_loadu_ps(mk, u + k);
        __m512d u0 = _mm512_maskz_cvtps_pd(m0, mossa__half_avx512(uf, 0));
        __m512d u1 = _mm512_maskz_cvtps_pd(m1, mossa__half_avx512(uf, 1));
        __m256 lo = _mm512_maskz_cvtpd_ps(m0, _mm512_sub_pd(_mm512_maskz_loadu_pd(m0, q + k), _mm512_mul_pd(vk, u0)));
        __m256 hi = _mm512_maskz_cvtpd_ps(m1, _mm512_sub_pd(_mm512_maskz_loadu_pd(m1, q + k + 8), _mm512_mul_pd(vk, u1)));
        __m512 v = _mm512_castpd_ps(_mm512_maskz_insertf64x4(0xff, _mm512_castpd256_pd512(_mm256_castps_pd(lo)),
                                                              _mm256_castps_pd(hi), 1));
        _mm512_mask_storeu_ps(pq + k, mk, v);
    }
}

/* sixteen lanes in two vectors of eight: two chains of divisions in flight */
MOSSA__TARGET_AVX512
static void mossa__svd_sturm16_avx512(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                      size_t *c)
{
    const __m512d s0 = _mm512_loadu_pd(s), s1 = _mm512_loadu_pd(s + 8), pm = _mm512_set1_pd(pivmin);
    const __m512d npm = _mm512_set1_pd(-pivmin), zero = _mm512_setzero_pd();
    const __m512i one = _mm512_set1_epi64(1);
    __m512d q0, q1, dv = _mm512_set1_pd(d[0]);
    __m512i k0, k1;
    size_t i;
    q0 = _mm512_sub_pd(dv, s0); q1 = _mm512_sub_pd(dv, s1);
    q0 = _mm512_mask_mov_pd(q0, _mm512_cmp_pd_mask(_mm512_abs_pd(q0), pm, _CMP_LT_OQ), npm);
    q1 = _mm512_mask_mov_pd(q1, _mm512_cmp_pd_mask(_mm512_abs_pd(q1), pm, _CMP_LT_OQ), npm);
    k0 = _mm512_maskz_mov_epi64(_mm512_cmp_pd_mask(q0, zero, _CMP_LT_OQ), one);
    k1 = _mm512_maskz_mov_epi64(_mm512_cmp_pd_mask(q1, zero, _CMP_LT_OQ), one);
    for (i = 1; i < n; ++i) {
        const __m512d di = _mm512_set1_pd(d[i]), ei = _mm512_set1_pd(e2[i]);
        q0 = _mm512_sub_pd(_mm512_sub_pd(di, s0), _mm512_div_pd(ei, q0));
        q1 = _mm512_sub_pd(_mm512_sub_pd(di, s1), _mm512_div_pd(ei, q1));
        q0 = _mm512_mask_mov_pd(q0, _mm512_cmp_pd_mask(_mm512_abs_pd(q0), pm, _CMP_LT_OQ), npm);
        q1 = _mm512_mask_mov_pd(q1, _mm512_cmp_pd_mask(_mm512_abs_pd(q1), pm, _CMP_LT_OQ), npm);
        k0 = _mm512_mask_add_epi64(k0, _mm512_cmp_pd_mask(q0, zero, _CMP_LT_OQ), k0, one);
        k1 = _mm512_mask_add_epi64(k1, _mm512_cmp_pd_mask(q1, zero, _CMP_LT_OQ), k1, one);
    }
    {
        uint64_t t[16];
        int l;
        _mm512_storeu_si512((void *)t, k0);
        _mm512_storeu_si512((void *)(t + 8), k1);
        for (l = 0; l < 16; ++l) c[l] = (size_t)t[l];
    }
}
/* ---- tsne ------------------------------------------------------------------ */
MOSSA__TARGET_AVX512 static void mossa__tsne_knn_tile_avx512(const float *qt, size_t d, const float *r,
                                                             size_t ldr, size_t nr, float *out,
                                                             int accumulate)
{
    size_t j = 0, k;
    for (; j + 4 <= nr; j += 4) {
        const float *r0 = r + j * ldr, *r1 = r0 + ldr, *r2 = r1 + ldr, *r3 = r2 + ldr;
        float *o = out + j * 32;
        __m512 a00, a01, a10, a11, a20, a21, a30, a31;
        if (accumulate) {
            a00 = _mm512_loadu_ps(o); a01 = _mm512_loadu_ps(o + 16);
            a10 = _mm512_loadu_ps(o + 32); a11 = _mm512_loadu_ps(o + 48);
            a20 = _mm512_loadu_ps(o + 64); a21 = _mm512_loadu_ps(o + 80);
            a30 = _mm512_loadu_ps(o + 96); a31 = _mm512_loadu_ps(o + 112);
        } else {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = _mm512_setzero_ps();
        }
        for (k = 0; k < d; ++k) {
            __m512 q0 = _mm512_loadu_ps(qt + k * 32), q1 = _mm512_loadu_ps(qt + k * 32 + 16), b, t0, t1;
            b = _mm512_set1_ps(r0[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a00 = _mm512_fmadd_ps(t0, t0, a00); a01 = _mm512_fmadd_ps(t1, t1, a01);
            b = _mm512_set1_ps(r1[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a10 = _mm512_fmadd_ps(t0, t0, a10); a11 = _mm512_fmadd_ps(t1, t1, a11);
            b = _mm512_set1_ps(r2[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a20 = _mm512_fmadd_ps(t0, t0, a20); a21 = _mm512_fmadd_ps(t1, t1, a21);
            b = _mm512_set1_ps(r3[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a30 = _mm512_fmadd_ps(t0, t0, a30); a31 = _mm512_fmadd_ps(t1, t1, a31);
        }
        _mm512_storeu_ps(o, a00); _mm512_storeu_ps(o + 16, a01);
        _mm512_storeu_ps(o + 32, a10); _mm512_storeu_ps(o + 48, a11);
        _mm512_storeu_ps(o + 64, a20); _mm512_storeu_ps(o + 80, a21);
        _mm512_storeu_ps(o + 96, a30); _mm512_storeu_ps(o + 112, a31);
    }
    for (; j < nr; ++j) {
        const float *r0 = r + j * ldr;
        float *o = out + j * 32;
        __m512 a0 = accumulate ? _mm512_loadu_ps(o) : _mm512_setzero_ps();
        __m512 a1 = accumulate ? _mm512_loadu_ps(o + 16) : _mm512_setzero_ps();
        for (k = 0; k < d; ++k) {
            __m512 b = _mm512_set1_ps(r0[k]);
            __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(qt + k * 32), b);
            __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(qt + k * 32 + 16), b);
            a0 = _mm512_fmadd_ps(t0, t0, a0); a1 = _mm512_fmadd_ps(t1, t1, a1);
        }
        _mm512_storeu_ps(o, a0); _mm512_storeu_ps(o + 16, a1);
    }
}

/* horizontal sum in a fixed order (own version: g++ 12 warns about the
   _mm512_undefined_ps inside _mm512_reduce_add_ps and the 512->256 casts) */
MOSSA__TARGET_AVX512 static float mossa__tsne_hsum512(__m512 v)
{
    float t[16];
    int l;
    _mm512_storeu_ps(t, v);
    for (l = 0; l < 8; ++l) t[l] += t[l + 8];
    for (l = 0; l < 4; ++l) t[l] += t[l + 4];
    return (t[0] + t[2]) + (t[1] + t[3]);
}

/* 1/x by rcp14 and one Newton step (relative error ~2^-28, below float's).
   The maskz forms avoid g++ 12's false maybe-uninitialized warning on
   the _mm512_undefined_ps inside the unmasked intrinsics. */
#define MOSSA__RCP512(x) \
    _mm512_mul_ps(_mm512_maskz_rcp14_ps(0xFFFF, x), _mm512_fnmadd_ps((x), _mm512_maskz_rcp14_ps(0xFFFF, x), _mm512_set1_ps(2.0f)))

MOSSA__TARGET_AVX512 static void mossa__tsne_repulse2_avx512(const float *tx, const float *ty, size_t nt,
                                                             const float *sx, const float *sy,
                                                             const float *sm, size_t ns, float *acc)
{
    size_t t = 0, j;
    const __m512 one = _mm512_set1_ps(1.0f);
    for (; t + 4 <= nt; t += 4) {
        __m512 x0 = _mm512_set1_ps(tx[t]), x1 = _mm512_set1_ps(tx[t + 1]);
        __m512 x2 = _mm512_set1_ps(tx[t + 2]), x3 = _mm512_set1_ps(tx[t + 3]);
        __m512 y0 = _mm512_set1_ps(ty[t]), y1 = _mm512_set1_ps(ty[t + 1]);
        __m512 y2 = _mm512_set1_ps(ty[t + 2]), y3 = _mm512_set1_ps(ty[t + 3]);
        __m512 z0 = _mm512_setzero_ps(), z1 = z0, z2 = z0, z3 = z0;
        __m512 fx0 = z0, fx1 = z0, fx2 = z0, fx3 = z0, fy0 = z0, fy1 = z0, fy2 = z0, fy3 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pm = _mm512_loadu_ps(sm + j);
            __m512 dx, dy, s, q, mq;
#define MOSSA__REP2_STEP(X, Y, Z, FX, FY)                                   \
            dx = _mm512_sub_ps(X, px); dy = _mm512_sub_ps(Y, py);           \
            s = _mm512_fmadd_ps(dx, dx, _mm512_fmadd_ps(dy, dy, one));       \
            q = MOSSA__RCP512(s);                                           \
            mq = _mm512_mul_ps(pm, q);                                      \
            Z = _mm512_add_ps(Z, mq);                                       \
            mq = _mm512_mul_ps(mq, q);                                      \
            FX = _mm512_fmadd_ps(mq, dx, FX); FY = _mm512_fmadd_ps(mq, dy, FY);
            MOSSA__REP2_STEP(x0, y0, z0, fx0, fy0)
            MOSSA__REP2_STEP(x1, y1, z1, fx1, fy1)
            MOSSA__REP2_STEP(x2, y2, z2, fx2, fy2)
            MOSSA__REP2_STEP(x3, y3, z3, fx3, fy3)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0); acc[4 * t + 2] += mossa__tsne_hsum512(fy0);
        acc[4 * t + 4] += mossa__tsne_hsum512(z1); acc[4 * t + 5] += mossa__tsne_hsum512(fx1); acc[4 * t + 6] += mossa__tsne_hsum512(fy1);
        acc[4 * t + 8] += mossa__tsne_hsum512(z2); acc[4 * t + 9] += mossa__tsne_hsum512(fx2); acc[4 * t + 10] += mossa__tsne_hsum512(fy2);
        acc[4 * t + 12] += mossa__tsne_hsum512(z3); acc[4 * t + 13] += mossa__tsne_hsum512(fx3); acc[4 * t + 14] += mossa__tsne_hsum512(fy3);
    }
    for (; t < nt; ++t) {
        __m512 x0 = _mm512_set1_ps(tx[t]), y0 = _mm512_set1_ps(ty[t]);
        __m512 z0 = _mm512_setzero_ps(), fx0 = z0, fy0 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pm = _mm512_loadu_ps(sm + j);
            __m512 dx, dy, s, q, mq;
            MOSSA__REP2_STEP(x0, y0, z0, fx0, fy0)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0); acc[4 * t + 2] += mossa__tsne_hsum512(fy0);
    }
#undef MOSSA__REP2_STEP
}

MOSSA__TARGET_AVX512 static void mossa__tsne_repulse3_avx512(const float *tx, const float *ty, const float *tz,
                                                             size_t nt, const float *sx, const float *sy,
                                                             const float *sz, const float *sm, size_t ns,
                                                             float *acc)
{
    size_t t = 0, j;
    const __m512 one = _mm512_set1_ps(1.0f);
    for (; t + 2 <= nt; t += 2) {
        __m512 x0 = _mm512_set1_ps(tx[t]), x1 = _mm512_set1_ps(tx[t + 1]);
        __m512 y0 = _mm512_set1_ps(ty[t]), y1 = _mm512_set1_ps(ty[t + 1]);
        __m512 w0 = _mm512_set1_ps(tz[t]), w1 = _mm512_set1_ps(tz[t + 1]);
        __m512 z0 = _mm512_setzero_ps(), z1 = z0, fx0 = z0, fx1 = z0, fy0 = z0, fy1 = z0, fz0 = z0, fz1 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pz = _mm512_loadu_ps(sz + j);
            __m512 pm = _mm512_loadu_ps(sm + j), dx, dy, dz, s, q, mq;
#define MOSSA__REP3_STEP(X, Y, W, Z, FX, FY, FZ)                            \
            dx = _mm512_sub_ps(X, px); dy = _mm512_sub_ps(Y, py); dz = _mm512_sub_ps(W, pz); \
            s = _mm512_fmadd_ps(dx, dx, _mm512_fmadd_ps(dy, dy, _mm512_fmadd_ps(dz, dz, one))); \
            q = MOSSA__RCP512(s);                                           \
            mq = _mm512_mul_ps(pm, q);                                      \
            Z = _mm512_add_ps(Z, mq);                                       \
            mq = _mm512_mul_ps(mq, q);                                      \
            FX = _mm512_fmadd_ps(mq, dx, FX); FY = _mm512_fmadd_ps(mq, dy, FY); FZ = _mm512_fmadd_ps(mq, dz, FZ);
            MOSSA__REP3_STEP(x0, y0, w0, z0, fx0, fy0, fz0)
            MOSSA__REP3_STEP(x1, y1, w1, z1, fx1, fy1, fz1)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0);
        acc[4 * t + 2] += mossa__tsne_hsum512(fy0); acc[4 * t + 3] += mossa__tsne_hsum512(fz0);
        acc[4 * t + 4] += mossa__tsne_hsum512(z1); acc[4 * t + 5] += mossa__tsne_hsum512(fx1);
        acc[4 * t + 6] += mossa__tsne_hsum512(fy1); acc[4 * t + 7] += mossa__tsne_hsum512(fz1);
    }
    for (; t < nt; ++t) {
        __m512 x0 = _mm512_set1_ps(tx[t]), y0 = _mm512_set1_ps(ty[t]), w0 = _mm512_set1_ps(tz[t]);
        __m512 z0 = _mm512_setzero_ps(), fx0 = z0, fy0 = z0, fz0 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pz = _mm512_loadu_ps(sz + j);
            __m512 pm = _mm512_loadu_ps(sm + j), dx, dy, dz, s, q, mq;
            MOSSA__REP3_STEP(x0, y0, w0, z0, fx0, fy0, fz0)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0);
        acc[4 * t + 2] += mossa__tsne_hsum512(fy0); acc[4 * t + 3] += mossa__tsne_hsum512(fz0);
    }
#undef MOSSA__REP3_STEP
}

/* 2-D attraction: a 64-bit gather fetches (x, y) of 8 neighbours at once;
   lanes stay interleaved (x0 y0 x1 y1 ...) like y and buf, so the forces
   are scattered back as pairs too (columns in a row are distinct). */
MOSSA__TARGET_AVX512 static void mossa__tsne_attract_avx512(int dims, const float *y, size_t i0, size_t i1,
                                                            const size_t *indptr, const int32_t *col,
                                                            const float *w, float *buf)
{
    size_t i, e;
    const __m512i dup = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    const __m512 one = _mm512_set1_ps(1.0f);
    if (dims != 2) { mossa__tsne_attract_scalar(dims, y, i0, i1, indptr, col, w, buf); return; }
    for (i = i0; i < i1; ++i) {
        __m512 yi, fi = _mm512_setzero_ps();
        size_t e0 = indptr[i], e1 = indptr[i + 1];
        float fx = 0.0f, fy = 0.0f, tmp[16];
        {
            double pair;
            memcpy(&pair, y + 2 * i, sizeof(pair));
            yi = _mm512_castpd_ps(_mm512_set1_pd(pair));
        }
        for (e = e0; e < e1; e += 8) {
            size_t m = MOSSA__MIN((size_t)8, e1 - e);
            __mmask8 k8 = (__mmask8)((1u << m) - 1u);
            __mmask16 k16 = (__mmask16)((1u << (2 * m)) - 1u);
            __m256i idx = _mm256_maskz_loadu_epi32(k8, col + e);
            __m512 g = _mm512_castpd_ps(_mm512_mask_i32gather_pd(_mm512_setzero_pd(), k8, idx, (const double *)(const void *)y, 8));
            __m512 wv = _mm512_maskz_permutexvar_ps(0xFFFF, dup, _mm512_castps256_ps512(_mm256_maskz_loadu_ps(k8, w + e)));
            __m512 diff = _mm512_sub_ps(yi, g), sq = _mm512_mul_ps(diff, diff), f;
            __m512 s = _mm512_add_ps(one, _mm512_add_ps(sq, _mm512_maskz_permute_ps(0xFFFF, sq, 0xB1)));
            f = _mm512_maskz_mul_ps(k16, _mm512_div_ps(wv, s), diff);
            fi = _mm512_add_ps(fi, f);
            _mm512_storeu_ps(tmp, f);
            {
                size_t l;
                for (l = 0; l < m; ++l) {
                    float *bj = buf + 2 * (size_t)col[e + l];
                    bj[0] -= tmp[2 * l];
                    bj[1] -= tmp[2 * l + 1];
                }
            }
        }
        _mm512_storeu_ps(tmp, fi);
        {
            int l;
            for (l = 0; l < 16; l += 2) { fx += tmp[l]; fy += tmp[l + 1]; }
        }
        buf[2 * i] += fx;
        buf[2 * i + 1] += fy;
    }
}
/* ---- text ------------------------------------------------------------------ */
/* One 64-byte compare straight into a mask register. */
MOSSA__TARGET_AVX512 static uint64_t mossa__text_letter_mask_avx512(const unsigned char *p)
{
    __m512i x = _mm512_sub_epi8(_mm512_or_si512(_mm512_loadu_si512((const void *)p), _mm512_set1_epi8(0x20)),
                                _mm512_set1_epi8('a'));
    return (uint64_t)_mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(26));
}

/* 16 full rows: 16 x 16 blocks transposed in registers (32-bit, then
   64-bit interleaves, then two rounds of 128-bit lane shuffles); the last
   kc % 16 columns and partial panels go through the scalar copy */
MOSSA__TARGET_AVX512
static void mossa__pack_t16_avx512(const float *src, size_t lds, size_t nr, size_t kc, float *dst)
{
    size_t k0 = 0;
    int i;
    if (nr == 16)
        for (; k0 + 16 <= kc; k0 += 16) {
            __m512 r[16], t[16];
            for (i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + (size_t)i * lds + k0);
            for (i = 0; i < 16; i += 2) {
                t[i] = _mm512_maskz_unpacklo_ps(MOSSA__ALL16, r[i], r[i + 1]);
                t[i + 1] = _mm512_maskz_unpackhi_ps(MOSSA__ALL16, r[i], r[i + 1]);
            }
            for (i = 0; i < 16; i += 4) {
                r[i] = _mm512_castpd_ps(_mm512_maskz_unpacklo_pd(0xff, _mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
                r[i + 1] = _mm512_castpd_ps(_mm512_maskz_unpackhi_pd(0xff, _mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
                r[i + 2] = _mm512_castpd_ps(_mm512_maskz_unpacklo_pd(0xff, _mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
                r[i + 3] = _mm512_castpd_ps(_mm512_maskz_unpackhi_pd(0xff, _mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
            }
            for (i = 0; i < 4; ++i) {
                t[i] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i], r[i + 4], 0x88);
                t[i + 4] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i], r[i + 4], 0xdd);
                t[i + 8] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i + 8], r[i + 12], 0x88);
                t[i + 12] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i + 8], r[i + 12], 0xdd);
            }
            for (i = 0; i < 8; ++i) {
                r[i] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, t[i], t[i + 8], 0x88);
                r[i + 8] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, t[i], t[i + 8], 0xdd);
            }
            for (i = 0; i < 16; ++i) _mm512_storeu_ps(dst + (k0 + (size_t)i) * 16, r[i]);
        }
    if (k0 < kc) mossa__pack_t16_scalar(src + k0, lds, nr, kc - k0, dst + k0 * 16);
}

/* four 16-column vectors (masked at the end), each widened to two double
   accumulators: every column is its own sum in row order, as in scalar */
MOSSA__TARGET_AVX512
static float mossa__colsum_avx512(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    __m512d a0, a1, a2, a3, a4, a5, a6, a7;
    __m512 m = _mm512_setzero_ps();
    const __m512 absmask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    __mmask16 k0, k1, k2, k3;
    double t[64];
    size_t i;
    memset(t, 0, sizeof(t));
    memcpy(t, s, cols * sizeof(double));
    a0 = _mm512_loadu_pd(t); a1 = _mm512_loadu_pd(t + 8); a2 = _mm512_loadu_pd(t + 16); a3 = _mm512_loadu_pd(t + 24);
    a4 = _mm512_loadu_pd(t + 32); a5 = _mm512_loadu_pd(t + 40); a6 = _mm512_loadu_pd(t + 48); a7 = _mm512_loadu_pd(t + 56);
    k0 = cols >= 16 ? MOSSA__ALL16 : mossa__tailmask_avx512(cols);
    k1 = cols >= 32 ? MOSSA__ALL16 : cols > 16 ? mossa__tailmask_avx512(cols - 16) : 0;
    k2 = cols >= 48 ? MOSSA__ALL16 : cols > 32 ? mossa__tailmask_avx512(cols - 32) : 0;
    k3 = cols >= 64 ? MOSSA__ALL16 : cols > 48 ? mossa__tailmask_avx512(cols - 48) : 0;
#define MOSSA__COLSUM_V(k, off, lo, hi)                                                              \
    {                                                                                            \
        __m512 f = _mm512_maskz_loadu_ps(k, row + off);                                          \
        lo = _mm512_add_pd(lo, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(f, 0)));           \
        hi = _mm512_add_pd(hi, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(f, 1)));           \
        /* max(|f|, m) keeps m where |f| is NaN */                                               \
        m = _mm512_maskz_max_ps(MOSSA__ALL16, _mm512_maskz_and_ps(MOSSA__ALL16, f, absmask), m); \
    }
    for (i = 0; i < n; ++i) {
        const float *row = x + i * ldx;
        MOSSA__COLSUM_V(k0, 0, a0, a1)
        if (k1) MOSSA__COLSUM_V(k1, 16, a2, a3)
        if (k2) MOSSA__COLSUM_V(k2, 32, a4, a5)
        if (k3) MOSSA__COLSUM_V(k3, 48, a6, a7)
    }
#undef MOSSA__COLSUM_V
    _mm512_storeu_pd(t, a0); _mm512_storeu_pd(t + 8, a1); _mm512_storeu_pd(t + 16, a2);
    _mm512_storeu_pd(t + 24, a3); _mm512_storeu_pd(t + 32, a4); _mm512_storeu_pd(t + 40, a5);
    _mm512_storeu_pd(t + 48, a6); _mm512_storeu_pd(t + 56, a7);
    memcpy(s, t, cols * sizeof(double));
    {
        float mm[16], r = 0.0f;
        int l;
        _mm512_storeu_ps(mm, m);
        for (l = 0; l < 16; ++l) r = mm[l] > r ? mm[l] : r;
        return r;
    }
}

#if MOSSA__AMX
/* ---- AMX-BF16 tiles (the amx level) -----------------------------------------
   The randomized SVD's power iterations on the amx level (impl/svd.c,
   mossa__bf16_...) multiply bfloat16 copies of X by bfloat16 bases with
   the tile unit, summing in float. Eight tiles of 16 rows x 64 bytes: C
   takes four (32 x 32 floats), A two (32 rows x 32 bfloat16), B two
   (32 k x 32 columns, pair-interleaved).
   The operands are stored as the tiles the unit loads, each 16 x 32
   bfloat16 (1 KB) contiguous, so every tile load reads 1 KB in a row:
   - A (rows x K): band i/16 holds K/32 tiles, tile (i/16, k/32) at
     a + ((i/16) K/32 + k/32) 512, entry (i%16) 32 + k%32;
   - B (K x l, pair-interleaved): column band c/16 holds K/32 tiles,
     tile (c/16, k/32) at b + ((c/16) K/32 + k/32) 512, entry
     ((k%32)/2) 32 + 2(c%16) + k%2. */
typedef struct mossa__amx_cfg {
    unsigned char palette, start_row, reserved[14];
    uint16_t colsb[16];
    unsigned char rows[16];
} mossa__amx_cfg;

#define MOSSA__AMX_KT 32 /* k-tiles (of 32) per chunk: a chunk of B (1024 x l) stays in L2 */

/* C (rows x l floats, row stride ldc) = A B in the layouts above, a given
   from the task's first band; rows and K multiples of 32, l of 16. Each
   entry of C is summed over k in order: 32 k per tile instruction, chunk
   after chunk (C is stored and reloaded between chunks, exactly). */
static MOSSA__TARGET_AMX void mossa__amx_mul(const uint16_t *a, size_t K, size_t rows, const uint16_t *b,
                                             size_t l, float *c, size_t ldc)
{
    mossa__amx_cfg cfg;
    size_t nk = K / 32, k0, k1, i, j, k;
    int t;
    memset(&cfg, 0, sizeof(cfg));
    cfg.palette = 1;
    for (t = 0; t < 8; ++t) { cfg.rows[t] = 16; cfg.colsb[t] = 64; }
    _tile_loadconfig(&cfg);
    for (k0 = 0; k0 < nk; k0 = k1) {
        k1 = MOSSA__MIN(nk, k0 + MOSSA__AMX_KT);
        for (i = 0; i < rows; i += 32) {
            const uint16_t *a0 = a + (i / 16) * nk * 512, *a1 = a0 + nk * 512;
            float *c0 = c + i * ldc, *c1 = c0 + 16 * ldc;
            for (j = 0; j + 32 <= l; j += 32) {
                const uint16_t *b0 = b + (j / 16) * nk * 512, *b1 = b0 + nk * 512;
                if (k0 == 0) { _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3); }
                else {
                    _tile_loadd(0, c0 + j, ldc * 4); _tile_loadd(1, c0 + j + 16, ldc * 4);
                    _tile_loadd(2, c1 + j, ldc * 4); _tile_loadd(3, c1 + j + 16, ldc * 4);
                }
                for (k = k0; k < k1; ++k) {
                    _tile_loadd(4, a0 + k * 512, 64);
                    _tile_loadd(6, b0 + k * 512, 64);
                    _tile_dpbf16ps(0, 4, 6);
                    _tile_loadd(5, a1 + k * 512, 64);
                    _tile_dpbf16ps(2, 5, 6);
                    _tile_loadd(7, b1 + k * 512, 64);
                    _tile_dpbf16ps(1, 4, 7);
                    _tile_dpbf16ps(3, 5, 7);
                }
                _tile_stored(0, c0 + j, ldc * 4); _tile_stored(1, c0 + j + 16, ldc * 4);
                _tile_stored(2, c1 + j, ldc * 4); _tile_stored(3, c1 + j + 16, ldc * 4);
            }
            if (j < l) { /* the last 16 columns */
                const uint16_t *b0 = b + (j / 16) * nk * 512;
                if (k0 == 0) { _tile_zero(0); _tile_zero(2); }
                else { _tile_loadd(0, c0 + j, ldc * 4); _tile_loadd(2, c1 + j, ldc * 4); }
                for (k = k0; k < k1; ++k) {
                    _tile_loadd(4, a0 + k * 512, 64);
                    _tile_loadd(6, b0 + k * 512, 64);
                    _tile_dpbf16ps(0, 4, 6);
                    _tile_loadd(5, a1 + k * 512, 64);
                    _tile_dpbf16ps(2, 5, 6);
                }
                _tile_stored(0, c0 + j, ldc * 4); _tile_stored(2, c1 + j, ldc * 4);
            }
        }
    }
    _tile_release();
}

static MOSSA__TARGET_AMX __mmask16 mossa__amx_mask(size_t n)
{
    return n >= 16 ? (__mmask16)0xffff : mossa__tailmask_avx512(n);
}

/* a[0..na) and b[0..nb) (na, nb <= 16; zeros after) to 32 bfloat16
   rounded to nearest even (VCVTNE2PS2BF16; finite input assumed,
   subnormals flush to zero). pair 0: a's 16 then b's; 1: interleaved,
   a[0] b[0] a[1] b[1] ... */
static MOSSA__TARGET_AMX void mossa__amx_cvt32(const float *a, size_t na, const float *b, size_t nb, int pair,
                                               uint16_t *out)
{
    const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                         23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    __m512 va = _mm512_maskz_loadu_ps(mossa__amx_mask(na), a);
    __m512 vb = _mm512_maskz_loadu_ps(mossa__amx_mask(nb), b);
    __m512i v = (__m512i)_mm512_cvtne2ps_pbh(vb, va);
    if (pair) v = _mm512_maskz_permutexvar_epi16((__mmask32)0xffffffffu, idx, v);
    _mm512_storeu_si512((void *)out, v);
}

/* the largest |x[j]| bit pattern (>= 0x7f800000: a NaN or Inf) */
static MOSSA__TARGET_AMX uint32_t mossa__amx_absmax_bits(const float *x, size_t n)
{
    const __m512i abs = _mm512_set1_epi32(0x7fffffff);
    __m512i m = _mm512_setzero_si512();
    size_t j = 0;
    uint32_t t[16], r = 0;
    int i;
    for (; j + 16 <= n; j += 16)
        m = _mm512_maskz_max_epu32(MOSSA__ALL16, m, _mm512_and_si512(_mm512_loadu_si512((const void *)(x + j)), abs));
    if (j < n)
        m = _mm512_maskz_max_epu32(MOSSA__ALL16, m,
                                   _mm512_and_si512(_mm512_maskz_loadu_epi32(mossa__tailmask_avx512(n - j), x + j), abs));
    _mm512_storeu_si512((void *)t, m);
    for (i = 0; i < 16; ++i) r = t[i] > r ? t[i] : r;
    return r;
}

/* Rows i0..i0+31 of X (n x d floats; rows from n on are zeros) into A
   (np x dp) and its transpose (dp x np), both in the tile layout above;
   returns the largest |x| bit pattern of those rows. */
static MOSSA__TARGET_AMX uint32_t mossa__amx_convert32(const float *x, size_t n, size_t d, size_t i0, size_t np,
                                                       size_t dp, uint16_t *xb, uint16_t *xt)
{
    float t0[256], t1[256];
    size_t r, kb, jb, jj, nkb = dp / 32, nkt = np / 32;
    uint32_t m = 0;
    for (r = 0; r < 32; ++r) {
        size_t i = i0 + r;
        uint16_t *out = xb + ((i / 16) * nkb) * 512 + (i % 16) * 32;
        if (i < n) {
            const float *row = x + i * d;
            m = MOSSA__MAX(m, mossa__amx_absmax_bits(row, d));
            for (kb = 0; kb < nkb; ++kb) {
                size_t k = 32 * kb, left = k < d ? d - k : 0;
                mossa__amx_cvt32(left ? row + k : row, left, left > 16 ? row + k + 16 : row, left > 16 ? left - 16 : 0, 0,
                                 out + kb * 512);
            }
        } else
            for (kb = 0; kb < nkb; ++kb) memset(out + kb * 512, 0, 32 * sizeof(uint16_t));
    }
    for (jb = 0; jb < dp / 16; ++jb) {
        size_t j0 = jb * 16, cols = j0 < d ? MOSSA__MIN((size_t)16, d - j0) : 0;
        size_t nr0 = i0 < n ? MOSSA__MIN((size_t)16, n - i0) : 0;
        size_t nr1 = i0 + 16 < n ? MOSSA__MIN((size_t)16, n - i0 - 16) : 0;
        uint16_t *tile = xt + (jb * nkt + i0 / 32) * 512;
        if (cols && nr0) mossa__pack_t16_avx512(x + i0 * d + j0, d, nr0, cols, t0);
        if (cols && nr1) mossa__pack_t16_avx512(x + (i0 + 16) * d + j0, d, nr1, cols, t1);
        for (jj = 0; jj < 16; ++jj) {
            if (jj < cols && nr0) mossa__amx_cvt32(t0 + 16 * jj, 16, t1 + 16 * jj, nr1 ? 16 : 0, 0, tile + jj * 32);
            else memset(tile + jj * 32, 0, 32 * sizeof(uint16_t));
        }
    }
    return m;
}
#endif /* MOSSA__AMX */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_avx512;
    t->axpy = mossa__axpy_avx512;
    t->colsum = mossa__colsum_avx512;
    t->sqdist = mossa__sqdist_avx512;
    t->expf_array = mossa__expf_avx512;
    t->logf_array = mossa__logf_avx512;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_avx512;
    t->gemm_tile16x32 = mossa__gemm_tile16x32_avx512;
    t->gemm_tile16f = mossa__gemm_tile16f_avx512;
    t->gemm_tile16x32f = mossa__gemm_tile16x32f_avx512;
    t->gemm_tile16x48f = mossa__gemm_tile16x48f_avx512;
    t->pack_t16 = mossa__pack_t16_avx512;
    t->pack_shift16 = mossa__pack_shift16_avx512;
    t->hsic_row = mossa__hsic_row_avx512;
    t->rbf_dist = mossa__rbf_dist_avx512;
    t->rbf_exp_row = mossa__rbf_exp_row_avx512;
    /* svd */
    t->svd_rowop = mossa__svd_rowop_avx512;
    t->svd_rowop2 = mossa__svd_rowop2_avx512;
    t->svd_rowopf = mossa__svd_rowopf_avx512;
    t->svd_rowop2f = mossa__svd_rowop2f_avx512;
    t->svd_sturm16 = mossa__svd_sturm16_avx512;
    t->svd_colstat = mossa__svd_colstat_avx512;
    t->svd_absmaxf = mossa__svd_absmaxf_avx512;
    t->svd_scalef = mossa__svd_scalef_avx512;
    t->svd_sumcols = mossa__svd_sumcols_avx512;
    t->svd_qupdatef = mossa__svd_qupdatef_avx512;
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx512;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx512;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx512;
    t->tsne_attract = mossa__tsne_attract_avx512;
    /* text */
    t->text_letters = mossa__text_letters_avx2;   /* 32 bytes cover nearly every word */
    t->text_letter_mask = mossa__text_letter_mask_avx512;
}

#endif /* MOSSA__X86 */
