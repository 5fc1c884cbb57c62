/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* The 8 x 32 tile in four 4 x 16 register blocks (8 ymm accumulators each),
   the K slice (<= 256) staying in L1 between them. */
MOSSA__TARGET_AVX2
static void mossa__svd_mm_tile_avx2(size_t K, const float *A, size_t sak, size_t mr,
                                    const float *B, size_t ldb, size_t nr, double *C, size_t ldc)
{
    float out[8][32];
    size_t rb, cb, k, t, c;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (rb = 0; rb < 8 && rb < mr; rb += 4) {
        for (cb = 0; cb < 32; cb += 16) {
            int rem0 = (int)nr - (int)cb, rem1 = rem0 - 8;
            __m256i mk0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(rem0), lane);
            __m256i mk1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(rem1), lane);
            __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                   c30 = c00, c31 = c00;
            if (rem0 <= 0) break;
            for (k = 0; k < K; ++k) {
                const float *b = B + k * ldb + cb, *a4 = A + k * sak + rb;
                __m256 b0 = _mm256_maskload_ps(b, mk0), b1 = _mm256_maskload_ps(b + 8, mk1), a;
                a = _mm256_broadcast_ss(a4);
                c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
                a = _mm256_broadcast_ss(a4 + 1);
                c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
                a = _mm256_broadcast_ss(a4 + 2);
                c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
                a = _mm256_broadcast_ss(a4 + 3);
                c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
            }
            _mm256_storeu_ps(out[rb] + cb, c00); _mm256_storeu_ps(out[rb] + cb + 8, c01);
            _mm256_storeu_ps(out[rb + 1] + cb, c10); _mm256_storeu_ps(out[rb + 1] + cb + 8, c11);
            _mm256_storeu_ps(out[rb + 2] + cb, c20); _mm256_storeu_ps(out[rb + 2] + cb + 8, c21);
            _mm256_storeu_ps(out[rb + 3] + cb, c30); _mm256_storeu_ps(out[rb + 3] + cb + 8, c31);
        }
    }
    for (t = 0; t < mr; ++t)
        for (c = 0; c < nr; ++c) C[t * ldc + c] += (double)out[t][c];
}

MOSSA__TARGET_AVX2
static double mossa__svd_rowop_avx2(size_t j, double *r, const double *x, const double *y, double a,
                                    double b, const double *u, double c, double *p)
{
    size_t k = 0;
    __m256d va = _mm256_set1_pd(a), vb = _mm256_set1_pd(b), vc = _mm256_set1_pd(c);
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    double s, lanes[4];
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
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    s = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0;
}
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    t->svd_mm_tile = mossa__svd_mm_tile_avx2;
    t->svd_rowop = mossa__svd_rowop_avx2;
    /* tsne */
    /* text */
}

#endif /* MOSSA__X86 */
