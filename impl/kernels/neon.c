/* kernels/neon.c - NEON (aarch64 baseline, 128-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__NEON

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* 16 x 16 tile in strips of 4 rows: 4 q-registers per row (16
   accumulators), B loaded as four vectors per k, the strip's 4 A values as
   one vector used lane by lane. */
static void mossa__gemm_tile16_neon(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    size_t i0, k;
    int i, h;
    for (i0 = 0; i0 < 16; i0 += 4) {
        float32x4_t acc[4][4];
        for (i = 0; i < 4; ++i)
            for (h = 0; h < 4; ++h) acc[i][h] = vdupq_n_f32(0.0f);
        for (k = 0; k < kc; ++k) {
            float32x4_t av = vld1q_f32(a + 16 * k + i0);
            float32x4_t b0 = vld1q_f32(b + 16 * k), b1 = vld1q_f32(b + 16 * k + 4);
            float32x4_t b2 = vld1q_f32(b + 16 * k + 8), b3 = vld1q_f32(b + 16 * k + 12);
#define MOSSA__NEON_ROW(I)                                   \
            acc[I][0] = vfmaq_laneq_f32(acc[I][0], b0, av, I); \
            acc[I][1] = vfmaq_laneq_f32(acc[I][1], b1, av, I); \
            acc[I][2] = vfmaq_laneq_f32(acc[I][2], b2, av, I); \
            acc[I][3] = vfmaq_laneq_f32(acc[I][3], b3, av, I);
            MOSSA__NEON_ROW(0) MOSSA__NEON_ROW(1) MOSSA__NEON_ROW(2) MOSSA__NEON_ROW(3)
#undef MOSSA__NEON_ROW
        }
        for (i = 0; i < 4; ++i) {
            double *ci = c + (i0 + (size_t)i) * ldc;
            for (h = 0; h < 4; ++h) {
                float64x2_t lo = vcvt_f64_f32(vget_low_f32(acc[i][h]));
                float64x2_t hi = vcvt_high_f64_f32(acc[i][h]);
                vst1q_f64(ci + 4 * h, vaddq_f64(vld1q_f64(ci + 4 * h), lo));
                vst1q_f64(ci + 4 * h + 2, vaddq_f64(vld1q_f64(ci + 4 * h + 2), hi));
            }
        }
    }
}

/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_neon;
    /* svd */
    /* tsne */
    /* text */
}

#endif /* MOSSA__NEON */
