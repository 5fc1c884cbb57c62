/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* 16 x 16 tile in strips of rows (6, 6, 4): per strip 2 ymm per row (12
   accumulators), B loaded as two vectors per k, A broadcast. */
#define MOSSA__AVX2_STRIP(R)                                                           \
    do {                                                                               \
        __m256 acc[R][2];                                                              \
        int i_;                                                                        \
        size_t k_;                                                                     \
        for (i_ = 0; i_ < R; ++i_) acc[i_][0] = acc[i_][1] = _mm256_setzero_ps();    \
        for (k_ = 0; k_ < kc; ++k_) {                                                  \
            const float *ak_ = a + 16 * k_ + i0;                                       \
            __m256 b0_ = _mm256_loadu_ps(b + 16 * k_), b1_ = _mm256_loadu_ps(b + 16 * k_ + 8); \
            for (i_ = 0; i_ < R; ++i_) {                                               \
                __m256 av_ = _mm256_broadcast_ss(ak_ + i_);                            \
                acc[i_][0] = _mm256_fmadd_ps(av_, b0_, acc[i_][0]);                    \
                acc[i_][1] = _mm256_fmadd_ps(av_, b1_, acc[i_][1]);                    \
            }                                                                          \
        }                                                                              \
        for (i_ = 0; i_ < R; ++i_) {                                                   \
            double *ci_ = c + (size_t)(i0 + i_) * ldc;                                  \
            int h_;                                                                    \
            for (h_ = 0; h_ < 2; ++h_) {                                               \
                __m256d lo_ = _mm256_cvtps_pd(_mm256_castps256_ps128(acc[i_][h_]));    \
                __m256d hi_ = _mm256_cvtps_pd(_mm256_extractf128_ps(acc[i_][h_], 1));  \
                _mm256_storeu_pd(ci_ + 8 * h_, _mm256_add_pd(_mm256_loadu_pd(ci_ + 8 * h_), lo_)); \
                _mm256_storeu_pd(ci_ + 8 * h_ + 4, _mm256_add_pd(_mm256_loadu_pd(ci_ + 8 * h_ + 4), hi_)); \
            }                                                                          \
        }                                                                              \
    } while (0)

MOSSA__TARGET_AVX2
static void mossa__gemm_tile16_avx2(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    int i0;
    i0 = 0; MOSSA__AVX2_STRIP(6);
    i0 = 6; MOSSA__AVX2_STRIP(6);
    i0 = 12; MOSSA__AVX2_STRIP(4);
}
#undef MOSSA__AVX2_STRIP

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
