/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */
/* One 32-byte step finds a word's end without a branch per letter (the end
   of a word is the unpredictable branch of a byte loop); the lowercased
   run is stored with zeros after it. Runs of 32+ letters go scalar. */
MOSSA__TARGET_AVX2 static size_t mossa__text_letters_avx2(const unsigned char *p, size_t n,
                                                          unsigned char *dst, size_t room)
{
    if (n >= 32 && room >= 32) {
        const __m256i iota = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                              17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
        __m256i l = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)p), _mm256_set1_epi8(0x20));
        __m256i m = _mm256_and_si256(_mm256_cmpgt_epi8(l, _mm256_set1_epi8('a' - 1)),
                                     _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), l));
        unsigned mask = (unsigned)_mm256_movemask_epi8(m);
        if (mask != 0xFFFFFFFFu) {
            unsigned r = (unsigned)__builtin_ctz(~mask);
            __m256i keep = _mm256_cmpgt_epi8(_mm256_set1_epi8((char)r), iota);
            _mm256_storeu_si256((__m256i *)(void *)dst, _mm256_and_si256(l, keep));
            return r;
        }
    }
    return mossa__text_letters_scalar(p, n, dst, room);
}

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    /* text */
    t->text_letters = mossa__text_letters_avx2;
}

#endif /* MOSSA__X86 */
