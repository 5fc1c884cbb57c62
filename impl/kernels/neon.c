/* kernels/neon.c - NEON (aarch64 baseline, 128-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__NEON

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */
/* One 16-byte step finds a word's end without a branch per letter; the
   lowercased run is stored with zeros after it. Longer runs go scalar. */
static size_t mossa__text_letters_neon(const unsigned char *p, size_t n, unsigned char *dst, size_t room)
{
    if (n >= 16 && room >= 16) {
        static const uint8_t iota_bytes[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        uint8x16_t l = vorrq_u8(vld1q_u8(p), vdupq_n_u8(0x20));
        uint8x16_t m = vcltq_u8(vsubq_u8(l, vdupq_n_u8('a')), vdupq_n_u8(26));
        /* 4 bits per byte: the first non-letter is the first zero nibble */
        uint64_t bits = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
        if (bits != ~(uint64_t)0) {
            unsigned r = (unsigned)__builtin_ctzll(~bits) >> 2;
            uint8x16_t keep = vcltq_u8(vld1q_u8(iota_bytes), vdupq_n_u8((uint8_t)r));
            vst1q_u8(dst, vandq_u8(l, keep));
            return r;
        }
    }
    return mossa__text_letters_scalar(p, n, dst, room);
}

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    /* text */
    t->text_letters = mossa__text_letters_neon;
}

#endif /* MOSSA__NEON */
