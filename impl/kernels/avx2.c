/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
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

MOSSA__TARGET_AVX2
static void mossa__avx2_strip6(const float *a, const float *b, size_t kc, double *c, size_t ldc)
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
    mossa__avx2_add_row(c, c00, c01);
    mossa__avx2_add_row(c + ldc, c10, c11);
    mossa__avx2_add_row(c + 2 * ldc, c20, c21);
    mossa__avx2_add_row(c + 3 * ldc, c30, c31);
    mossa__avx2_add_row(c + 4 * ldc, c40, c41);
    mossa__avx2_add_row(c + 5 * ldc, c50, c51);
}

MOSSA__TARGET_AVX2
static void mossa__avx2_strip4(const float *a, const float *b, size_t kc, double *c, size_t ldc)
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
    mossa__avx2_add_row(c, c00, c01);
    mossa__avx2_add_row(c + ldc, c10, c11);
    mossa__avx2_add_row(c + 2 * ldc, c20, c21);
    mossa__avx2_add_row(c + 3 * ldc, c30, c31);
}

MOSSA__TARGET_AVX2
static void mossa__gemm_tile16_avx2(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__avx2_strip6(a, b, kc, c, ldc);
    mossa__avx2_strip6(a + 6, b, kc, c + 6 * ldc, ldc);
    mossa__avx2_strip4(a + 12, b, kc, c + 12 * ldc, ldc);
}

/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_avx2;
    /* svd */
    /* tsne */
    /* text */
}

#endif /* MOSSA__X86 */
