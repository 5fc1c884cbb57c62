/* gemm.c - matrix products on float32 inputs with double results.
   Reference implementation: rows of C in parallel tasks of 16, each entry
   a blocked dot product (float lanes, double block sums). */

typedef struct mossa__gemm_job {
    int trans_a, trans_b;
    size_t m, n, k, lda, ldb, ldc;
    const float *A, *B;
    double beta;
    double *C;
} mossa__gemm_job;

static double mossa__gemm_entry(const mossa__gemm_job *g, size_t i, size_t j)
{
    size_t p;
    double total = 0.0;
    if (!g->trans_a && g->trans_b)
        return mossa__k()->dot(g->A + i * g->lda, g->B + j * g->ldb, g->k);
    for (p = 0; p < g->k; p += 256) {
        size_t q, end = MOSSA__MIN(g->k, p + 256);
        float acc = 0.0f;
        for (q = p; q < end; ++q) {
            float a = g->trans_a ? g->A[q * g->lda + i] : g->A[i * g->lda + q];
            float b = g->trans_b ? g->B[j * g->ldb + q] : g->B[q * g->ldb + j];
            acc += a * b;
        }
        total += (double)acc;
    }
    return total;
}

static void mossa__gemm_task(void *arg, size_t task, int worker)
{
    const mossa__gemm_job *g = (const mossa__gemm_job *)arg;
    size_t i, j, i0 = task * 16, i1 = MOSSA__MIN(g->m, i0 + 16);
    (void)worker;
    for (i = i0; i < i1; ++i) {
        double *c = g->C + i * g->ldc;
        for (j = 0; j < g->n; ++j) {
            double v = mossa__gemm_entry(g, i, j);
            c[j] = (g->beta == 0.0 ? 0.0 : g->beta * c[j]) + v;
        }
    }
}

static mossa_status mossa__gemm(mossa__ctx *ctx, int trans_a, int trans_b,
                                size_t m, size_t n, size_t k,
                                const float *A, size_t lda,
                                const float *B, size_t ldb,
                                double beta, double *C, size_t ldc)
{
    mossa__gemm_job g;
    g.trans_a = trans_a; g.trans_b = trans_b;
    g.m = m; g.n = n; g.k = k; g.lda = lda; g.ldb = ldb; g.ldc = ldc;
    g.A = A; g.B = B; g.beta = beta; g.C = C;
    mossa__parallel(ctx, (m + 15) / 16, mossa__gemm_task, &g);
    return MOSSA_OK;
}
