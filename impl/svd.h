/* ---------------------------------------------------------------------
   Randomized SVD and the variance rank (impl/svd.c)
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct mossa_svd_options {
    size_t oversample;          /* 0 = 10 */
    int power_iters;            /* 0 = auto (7 if k < 0.1 min(n,d), else 4); -1 = none */
    uint64_t seed;              /* Gaussian test matrix seed */
    int n_threads;
    const mossa_allocator *allocator;
} mossa_svd_options;

/* Top-k singular triplets of X (n x d): s (k, descending), u (n x k,
   row-major, may be NULL), vt (k x d, may be NULL). */
MOSSA_API mossa_status mossa_svd_randomized(const float *x, size_t n, size_t d, size_t k,
                                            const mossa_svd_options *options,
                                            double *s, float *u, float *vt);

typedef struct mossa_rank_options {
    double variance;            /* fraction to explain, in (0, 1]; 0 = 0.99 */
    int no_center;              /* nonzero: do not subtract column means */
    int n_threads;
    const mossa_allocator *allocator;
} mossa_rank_options;

typedef struct mossa_rank_result {
    size_t rank;                /* smallest r with sum_{i<=r} s_i^2 >= f * total */
    double explained;           /* the fraction those r dimensions explain */
    double total_variance;      /* ||Xc||_F^2 */
} mossa_rank_result;

MOSSA_API mossa_status mossa_variance_rank(const float *x, size_t n, size_t d,
                                           const mossa_rank_options *options,
                                           mossa_rank_result *result);

#ifdef __cplusplus
}
#endif
