/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
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

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx2;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx2;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx2;
    /* text */
}

#endif /* MOSSA__X86 */
