/* ---------------------------------------------------------------------
   Barnes-Hut t-SNE (impl/tsne.c)

   Pipeline: exact k-nearest neighbours (k = min(3 * perplexity, n - 1);
   blocked SIMD brute force, or a vantage-point tree for d <= 5 and
   n >= 2000 - both give bit-identical neighbours; options.knn forces one),
   per-point perplexity calibration, joint P = (P + P^T) / (2n), then
   gradient descent with early exaggeration, momentum and gains. The
   repulsion is Barnes-Hut over a quadtree (2-D) / octree (3-D) built each
   iteration from points sorted along a Morton curve.

   Units and conventions (so results compare with the other tools):
   - theta is compared with the FULL width of a tree cell, as in sklearn
     and openTSNE: a cell of width w whose centre of mass is at distance
     r is summarised when w / r < theta. Default 0.5 = sklearn's default
     = bhtsne/FIt-SNE/qdtsne theta 0.25 (they compare the half-width).
     mossa tests a whole leaf of target points at once, with r the
     distance from the centre of mass to the leaf's bounding box, so every
     point meets the criterion at least as strictly as per-point BH does.
     A negative theta (MOSSA_TSNE_THETA_EXACT) computes the repulsion
     exactly, O(n^2).
   - learning rate in bhtsne's units: bhtsne, openTSNE and FIt-SNE step
     along sum_j (p_ij - q_ij) q_ij Z (y_i - y_j), i.e. the KL gradient
     divided by 4; sklearn steps along the true gradient, so sklearn's
     learning rate L equals mossa's 4 L. "auto" = max(n / 12, 200) here,
     which is sklearn's auto max(n / 48, 50).
   - schedule: exaggeration 12 for the first 250 iterations with momentum
     0.5, then momentum 0.8; gains +0.2 when the gradient changes sign
     against the previous update, x0.8 otherwise, floored at 0.01;
     1000 iterations in total (the exaggeration phase included).
   - init: PCA (top principal components, scaled so that the first has
     standard deviation 1e-4, like sklearn and openTSNE) or N(0, 1e-4^2)
     from the seed. PCA falls back to random when the data has no
     variance. d <= 128: exact, through mossa_pca (signs: the largest-|.|
     score of each component positive); wider: 12 steps of subspace
     iteration (no copy of X; largest loading positive).
   - KL: mossa_tsne reports KL(P || Q) at the final embedding with the
     normaliser Z computed exactly for n <= 30000 (Barnes-Hut at
     theta <= 0.25 above), so it is comparable with an exact evaluator.
   - determinism: the same input, options and seed give bit-identical
     output for any n_threads; running N iterations and then continuing
     (mossa_tsne_run twice) equals one run.
   - memory: about 0.9 KB per point at perplexity 30 in 2-D (the
     neighbour graph is kept as directed kNN edges, 8 bytes each).
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef enum mossa_tsne_init {
    MOSSA_TSNE_INIT_PCA = 0,    /* default */
    MOSSA_TSNE_INIT_RANDOM = 1
} mossa_tsne_init;

/* Exact kNN method (both give identical neighbours and distances). */
typedef enum mossa_tsne_knn_method {
    MOSSA_TSNE_KNN_AUTO = 0,    /* default: by n and d (see tsne.c) */
    MOSSA_TSNE_KNN_BRUTE = 1,   /* blocked SIMD brute force, O(n^2 d) */
    MOSSA_TSNE_KNN_VPTREE = 2   /* vantage-point tree (fast at low intrinsic dimension) */
} mossa_tsne_knn_method;

/* theta value that selects the exact O(n^2) repulsion */
#define MOSSA_TSNE_THETA_EXACT (-1.0)

/* Called after every 50th iteration with the number of iterations done
   and the current KL(P || Q) (un-exaggerated P, Barnes-Hut normaliser);
   return nonzero to stop the run (the call then returns
   MOSSA_ERR_CANCELLED and the embedding so far is still written). */
typedef int (*mossa_tsne_progress_fn)(int iteration, double kl, void *user);

typedef struct mossa_tsne_options {
    int dims;                   /* 2 or 3; 0 = 2 */
    double perplexity;          /* 0 = 30 */
    double theta;               /* Barnes-Hut opening angle, full cell width; 0 = 0.5;
                                   < 0 = exact repulsion */
    int iterations;             /* total iterations; 0 = 1000 */
    uint64_t seed;              /* random init and PCA start vectors */
    mossa_tsne_init init;
    double learning_rate;       /* 0 = auto: max(n / 12, 200), bhtsne units */
    mossa_tsne_progress_fn progress;
    void *progress_user;
    int n_threads;
    const mossa_allocator *allocator;
    double exaggeration;        /* early exaggeration; 0 = 12 (1 = none) */
    int exaggeration_iterations;/* 0 = 250 */
    const float *init_y;        /* optional n x dims starting embedding (used as given,
                                   overrides init); NULL = init */
    mossa_tsne_knn_method knn;  /* exact kNN method; 0 = auto */
} mossa_tsne_options;

typedef struct mossa_tsne_result {
    double kl;                  /* final KL divergence */
    int iterations;             /* iterations run */
    int neighbors;              /* k used for the neighbour graph (0 for affinity input) */
} mossa_tsne_result;

/* Embeds X (n x d) into y (n x dims, row-major float32). n >= 2 and
   perplexity <= n - 1 (MOSSA_ERR_PERPLEXITY otherwise; k is reduced to
   n - 1 when 3 * perplexity >= n). NaN/Inf in x: MOSSA_ERR_NONFINITE.
   Duplicate rows are fine. If the progress callback stops the run, y
   holds the embedding so far and MOSSA_ERR_CANCELLED is returned. */
MOSSA_API mossa_status mossa_tsne(const float *x, size_t n, size_t d,
                                  const mossa_tsne_options *options,
                                  float *y, mossa_tsne_result *result);

/* ---- resumable state ----------------------------------------------------
   begin (affinities + initial embedding), run to an iteration count (call
   again to continue: run(s, 500) then run(s, 1000) equals run(s, 1000)),
   read the embedding, end. The options are copied (init_y and the
   callback pointers must stay valid while runs use them). */
typedef struct mossa_tsne_state mossa_tsne_state;

MOSSA_API mossa_status mossa_tsne_begin(const float *x, size_t n, size_t d,
                                        const mossa_tsne_options *options,
                                        mossa_tsne_state **state);
/* Precomputed neighbour graph: row i lists k neighbours of point i
   (indices in [0, n), no self) with their Euclidean distances; P is
   calibrated to options->perplexity (<= k). Init: init_y, else random
   (PCA needs the data). */
MOSSA_API mossa_status mossa_tsne_begin_knn(size_t n, size_t k, const int32_t *indices,
                                            const float *distances,
                                            const mossa_tsne_options *options,
                                            mossa_tsne_state **state);
/* Precomputed affinities A (CSR: row i has entries indptr[i] .. indptr[i+1]-1,
   values >= 0): P = (A + A^T) / (2 sum A); diagonal entries are ignored,
   duplicates summed. Perplexity is not used. */
MOSSA_API mossa_status mossa_tsne_begin_affinity(size_t n, const size_t *indptr,
                                                 const int32_t *indices, const float *values,
                                                 const mossa_tsne_options *options,
                                                 mossa_tsne_state **state);
/* Runs until `iterations` iterations have been done in total (no-op if
   already there). result (may be NULL) gets the KL at the end. */
MOSSA_API mossa_status mossa_tsne_run(mossa_tsne_state *state, int iterations,
                                      mossa_tsne_result *result);
MOSSA_API int mossa_tsne_iteration(const mossa_tsne_state *state);
/* Copies the current embedding (n x dims) out / replaces it (the
   optimiser's momentum and gains are kept). */
MOSSA_API void mossa_tsne_get_embedding(const mossa_tsne_state *state, float *y);
MOSSA_API void mossa_tsne_set_embedding(mossa_tsne_state *state, const float *y);
/* KL(P || Q) at the current embedding; theta as in the options (0 = the
   state's theta, < 0 exact). */
MOSSA_API mossa_status mossa_tsne_kl(mossa_tsne_state *state, double theta, double *kl);
/* dKL/dy (the true gradient, factor 4 included, no exaggeration) at the
   current embedding with the given theta (< 0 exact); grad is n x dims. */
MOSSA_API mossa_status mossa_tsne_gradient(mossa_tsne_state *state, double theta, double *grad);
/* The joint P as a symmetric CSR matrix. Call with indices == NULL to get
   *nnz only; then indptr (n + 1), indices and values (nnz each). */
MOSSA_API mossa_status mossa_tsne_joint_p(const mossa_tsne_state *state, size_t *nnz,
                                          size_t *indptr, int32_t *indices, double *values);
MOSSA_API size_t mossa_tsne_size(const mossa_tsne_state *state);
MOSSA_API void mossa_tsne_end(mossa_tsne_state *state);

/* ---- building blocks ------------------------------------------------------ */
/* Exact k nearest neighbours of every row of x among the other rows
   (ties by index), ascending; Euclidean distances. Uses n_threads,
   allocator and knn of options (NULL = defaults). */
MOSSA_API mossa_status mossa_tsne_knn(const float *x, size_t n, size_t d, size_t k,
                                      const mossa_tsne_options *options,
                                      int32_t *indices, float *distances);
/* Perplexity calibration of one point: p_j proportional to
   exp(-beta * sqdist_j) with entropy log(perplexity) (within 1e-8 when
   reachable; uniform when all distances are equal). Returns beta. */
MOSSA_API double mossa_tsne_calibrate(const float *sqdist, size_t k, double perplexity,
                                      float *p);

#ifdef __cplusplus
}
#endif
