/* kernels/avx512.c - AVX-512 F/BW/DQ/VL (512-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* 8 x 32 register tile: 16 zmm accumulators, two masked loads of B and
   eight broadcasts of A per k. */
MOSSA__TARGET_AVX512
static void mossa__svd_mm_tile_avx512(size_t K, const float *A, size_t sak, size_t mr,
                                      const float *B, size_t ldb, size_t nr, double *C, size_t ldc)
{
    size_t k, t, c;
    __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xFFFFu : ((1u << nr) - 1u));
    __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xFFFFu : nr <= 16 ? 0u : ((1u << (nr - 16)) - 1u));
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
           c70 = c00, c71 = c00;
    float out[8][32];
    for (k = 0; k < K; ++k) {
        const float *b = B + k * ldb, *a8 = A + k * sak;
        __m512 b0 = _mm512_maskz_loadu_ps(m0, b), b1 = _mm512_maskz_loadu_ps(m1, b + 16), a;
#define MOSSA__STEP(i) \
        a = _mm512_set1_ps(a8[i]); \
        c##i##0 = _mm512_fmadd_ps(a, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(a, b1, c##i##1);
        MOSSA__STEP(0) MOSSA__STEP(1) MOSSA__STEP(2) MOSSA__STEP(3)
        MOSSA__STEP(4) MOSSA__STEP(5) MOSSA__STEP(6) MOSSA__STEP(7)
#undef MOSSA__STEP
    }
#define MOSSA__OUT(i) _mm512_storeu_ps(out[i], c##i##0); _mm512_storeu_ps(out[i] + 16, c##i##1);
    MOSSA__OUT(0) MOSSA__OUT(1) MOSSA__OUT(2) MOSSA__OUT(3)
    MOSSA__OUT(4) MOSSA__OUT(5) MOSSA__OUT(6) MOSSA__OUT(7)
#undef MOSSA__OUT
    if (nr == 32) {
        for (t = 0; t < mr; ++t) {
            double *crow = C + t * ldc;
            for (c = 0; c < 32; c += 8)
                _mm512_storeu_pd(crow + c, _mm512_add_pd(_mm512_loadu_pd(crow + c),
                                                         _mm512_maskz_cvtps_pd((__mmask8)0xFF, _mm256_loadu_ps(out[t] + c))));
        }
    } else
        for (t = 0; t < mr; ++t)
            for (c = 0; c < nr; ++c) C[t * ldc + c] += (double)out[t][c];
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
        double lanes[8], s;
        /* stored and summed by hand: g++ 12 warns inside _mm512_reduce_add_pd */
        _mm512_storeu_pd(lanes, _mm512_add_pd(s0, s1));
        s = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for (; k < j; ++k) {
            if (x) r[k] -= a * x[k] + b * y[k];
            if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
        }
        return u ? s : 0.0;
    }
}
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    t->svd_mm_tile = mossa__svd_mm_tile_avx512;
    t->svd_rowop = mossa__svd_rowop_avx512;
    /* tsne */
    /* text */
}

#endif /* MOSSA__X86 */
