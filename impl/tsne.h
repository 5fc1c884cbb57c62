/* ---------------------------------------------------------------------
   Barnes-Hut t-SNE (impl/tsne.c)
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef enum mossa_tsne_init {
    MOSSA_TSNE_INIT_PCA = 0,    /* default */
    MOSSA_TSNE_INIT_RANDOM = 1
} mossa_tsne_init;

/* Called every 50 iterations; return nonzero to stop the run. */
typedef int (*mossa_tsne_progress_fn)(int iteration, double kl, void *user);

typedef struct mossa_tsne_options {
    int dims;                   /* 2 or 3; 0 = 2 */
    double perplexity;          /* 0 = 30 */
    double theta;               /* Barnes-Hut opening angle; 0 = 0.5 (see tsne.c for convention) */
    int iterations;             /* 0 = 1000 */
    uint64_t seed;
    mossa_tsne_init init;
    double learning_rate;       /* 0 = auto: max(N/12, 200) */
    mossa_tsne_progress_fn progress;
    void *progress_user;
    int n_threads;
    const mossa_allocator *allocator;
} mossa_tsne_options;

typedef struct mossa_tsne_result {
    double kl;                  /* final KL divergence */
    int iterations;             /* iterations run */
} mossa_tsne_result;

/* Embeds X (n x d) into y (n x dims, row-major float32). */
MOSSA_API mossa_status mossa_tsne(const float *x, size_t n, size_t d,
                                  const mossa_tsne_options *options,
                                  float *y, mossa_tsne_result *result);

#ifdef __cplusplus
}
#endif
