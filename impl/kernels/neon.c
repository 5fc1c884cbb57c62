/* kernels/neon.c - NEON (aarch64 baseline, 128-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__NEON

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
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

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_neon;
    t->tsne_repulse2 = mossa__tsne_repulse2_neon;
    /* text */
}

#endif /* MOSSA__NEON */
