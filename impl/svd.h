/* ---------------------------------------------------------------------
   Randomized SVD and the variance rank (impl/svd.c)
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct mossa_svd_options {
    size_t oversample;          /* 0 = 10. Subspace iteration rounds the sketch
                                   width k + oversample up to a multiple of 16
                                   (at most min(n, d)): the product engine computes
                                   16 columns at a time, so the extra columns are
                                   free and make the top k more accurate */
    int power_iters;            /* 0 = auto (7 if k < 0.1 min(n,d), else 4); -1 = none */
    uint64_t seed;              /* Gaussian test matrix seed */
    int block_krylov;           /* nonzero: block Krylov range finder (Musco & Musco
                                   2015) instead of subspace iteration: block size
                                   0.85 (k + p) rounded up to a multiple of 16,
                                   depth power_iters (0 = 3); about half
                                   the passes over X for the same accuracy on slowly
                                   decaying spectra */
    size_t krylov_block;        /* block Krylov only: block size (0 = the rounded
                                   0.85 (k + p) above); thinner blocks with more depth are more
                                   accurate per pass on slow decay */
    int no_bf16;                /* nonzero: float32 products throughout. On the amx
                                   level (x86-64 with AMX, Linux) subspace iteration
                                   otherwise runs its power iterations, all products
                                   but the last X P and B = Q'X, on bfloat16 copies
                                   of X and the basis with the tile unit */
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
    int method;                 /* 0 = auto (exact Gram spectrum when min(n,d) <= 1536,
                                   else the certified randomized path first);
                                   1 = randomized first (falls back to the Gram
                                   when it cannot certify); 2 = Gram only */
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

/* ---- dense double building blocks (self-contained, no LAPACK) ----------
   Eigen-decomposition of a symmetric n x n matrix a (row-major; only the
   lower triangle is read): Householder tridiagonalisation + implicit QL.
   w (n): eigenvalues, descending. v (n x n row-major, may be NULL): column
   j is the unit eigenvector of w[j], its largest-|.| entry positive.
   Eigenvalues are accurate to ~n eps ||a||_2 (absolute). */
MOSSA_API mossa_status mossa_eigh(const double *a, size_t n, const mossa_allocator *allocator,
                                  double *w, double *v);

/* Thin SVD of a dense m x n double matrix (row-major): Householder QR then
   one-sided Jacobi on the triangle, singular values to working precision.
   s (min(m,n), descending); u (m x min(m,n)) and vt (min(m,n) x n), both
   row-major, may be NULL. Signs: largest-|.| entry of each U column > 0.
   Meant for small and medium matrices (cost ~ m n^2 + sweeps * n^3). */
MOSSA_API mossa_status mossa_svd_dense(const double *a, size_t m, size_t n,
                                       const mossa_allocator *allocator,
                                       double *s, double *u, double *vt);

/* Principal component analysis of X (n x d, rows = samples), centered in
   double: scores (n x k) = Xc V_k, the first k principal coordinates, each
   column's largest-|.| entry positive; variance (k, may be NULL) = s_i^2 /
   (n - 1); components (k x d, may be NULL) = V_k'. Exact (Gram
   eigen-decomposition in double) when d <= 1024 and n >= d; otherwise
   the randomized SVD of Xc with `options` (may be NULL). For t-SNE's PCA
   initialisation. */
MOSSA_API mossa_status mossa_pca(const float *x, size_t n, size_t d, size_t k,
                                 const mossa_svd_options *options,
                                 double *variance, float *scores, float *components);

#ifdef __cplusplus
}
#endif
