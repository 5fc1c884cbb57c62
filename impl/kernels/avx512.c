/* kernels/avx512.c - AVX-512 F/BW/DQ/VL (512-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* 16 x 16 tile: one zmm per tile row, B loaded as a vector per k, A
   broadcast (embedded-broadcast FMAs); 16 accumulators cover the FMA
   latency of two pipes. */
MOSSA__TARGET_AVX512
static void mossa__gemm_tile16_avx512(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    __m512 c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
    size_t k;
    __m512 r[16];
    int i;
    for (k = 0; k < kc; ++k) {
        const float *ak = a + 16 * k;
        __m512 bv = _mm512_loadu_ps(b + 16 * k);
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
    for (i = 0; i < 16; ++i) {
        /* through memory: g++ 12 warns on the extract intrinsics' undefined operand */
        double *ci = c + (size_t)i * ldc;
        float tmp[16];
        __m512d lo, hi;
        _mm512_storeu_ps(tmp, r[i]);
        lo = _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp));
        hi = _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp + 8));
        _mm512_storeu_pd(ci, _mm512_add_pd(_mm512_loadu_pd(ci), lo));
        _mm512_storeu_pd(ci + 8, _mm512_add_pd(_mm512_loadu_pd(ci + 8), hi));
    }
}

/* Rows r0 .. r0+R-1 of a 16 x 32 tile: two B vectors per k, one broadcast
   per row, 2R accumulators (R = 12: 24 accumulators, 14 loads per 24 FMAs
   instead of 17 per 16 for the 16 x 16 tile). */
#define MOSSA__AVX512_ROW(I)                                          \
    t = _mm512_set1_ps(ak[I]);                                          \
    c##I##0 = _mm512_fmadd_ps(t, b0, c##I##0);                          \
    c##I##1 = _mm512_fmadd_ps(t, b1, c##I##1);
#define MOSSA__AVX512_STORE(I)                                        \
    mossa__avx512_add_row(c + (size_t)(I) * ldc, c##I##0);              \
    mossa__avx512_add_row(c + (size_t)(I) * ldc + 16, c##I##1);

MOSSA__TARGET_AVX512
static void mossa__avx512_add_row(double *ci, __m512 r)
{
    float tmp[16];
    _mm512_storeu_ps(tmp, r);
    _mm512_storeu_pd(ci, _mm512_add_pd(_mm512_loadu_pd(ci), _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp))));
    _mm512_storeu_pd(ci + 8, _mm512_add_pd(_mm512_loadu_pd(ci + 8), _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp + 8))));
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x32_avx512(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    const float *bb = b + 16 * kc;
    size_t k;
    {
        __m512 z = _mm512_setzero_ps();
        __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        __m512 c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z, c90 = z, c91 = z;
        __m512 c100 = z, c101 = z, c110 = z, c111 = z;
        for (k = 0; k < kc; ++k) {
            const float *ak = a + 16 * k;
            __m512 b0 = _mm512_loadu_ps(b + 16 * k), b1 = _mm512_loadu_ps(bb + 16 * k), t;
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
        a += 12; c += 12 * ldc;
        for (k = 0; k < kc; ++k) {
            const float *ak = a + 16 * k;
            __m512 b0 = _mm512_loadu_ps(b + 16 * k), b1 = _mm512_loadu_ps(bb + 16 * k), t;
            MOSSA__AVX512_ROW(0) MOSSA__AVX512_ROW(1) MOSSA__AVX512_ROW(2) MOSSA__AVX512_ROW(3)
        }
        MOSSA__AVX512_STORE(0) MOSSA__AVX512_STORE(1) MOSSA__AVX512_STORE(2) MOSSA__AVX512_STORE(3)
    }
}
#undef MOSSA__AVX512_ROW
#undef MOSSA__AVX512_STORE

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

/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_avx512;
    t->gemm_tile16x32 = mossa__gemm_tile16x32_avx512;
    t->hsic_row = mossa__hsic_row_avx512;
    /* svd */
    /* tsne */
    /* text */
}

#endif /* MOSSA__X86 */
