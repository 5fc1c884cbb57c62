/* kernels/avx512.c - AVX-512 F/BW/DQ/VL (512-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
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

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx512;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx512;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx512;
    t->tsne_attract = mossa__tsne_attract_avx512;
    /* text */
}

#endif /* MOSSA__X86 */
