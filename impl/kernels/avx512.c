/* kernels/avx512.c - AVX-512 F/BW/DQ/VL (512-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    /* text */
    t->text_letters = mossa__text_letters_avx2;   /* 32 bytes cover nearly every word */
}

#endif /* MOSSA__X86 */
