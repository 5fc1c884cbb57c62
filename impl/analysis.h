/* ---------------------------------------------------------------------
   The MOSSA pipeline (impl/analysis.c): Model-Oriented Sub-population and
   Spectral Analysis over models x tasks x layers, after Zhao, Ziser &
   Cohen, "Layer by Layer" (EMNLP 2024).

   Models: one control (its per-task representations are the C_t) and any
   number of others (each an E compared against the control). For each
   task t and layer l the caller provides Y_t,l (from a model) and Z_t,l
   (from the control) as row-major float32 matrices with the same rows
   (examples, in the same order). The library never touches the file
   system: matrices come from the caller's `load` callback, one at a
   time, and go back through `release` as soon as they are used, so peak
   memory is two matrices plus the t-SNE sample of one layer. The CLI
   (`mossa analyze`) supplies a loader that reads .npy files.

   Per model (E) the pipeline computes
     cka[t][l]      CKA(Y_t,l, Z_t,l) (options.cka: linear biased by
                    default, as in the paper; RBF; debiased)
     cka summary    per layer over tasks: mean, min, quartiles (linear
                    interpolation between order statistics, numpy's
                    default), max
     rank[t][l]     dims explaining options.variance (0.99) of the
                    centered variance of Y_t,l (for the control too)
     correlation    per layer, Pearson and Spearman correlation across
                    tasks of cka[.][l] with the tasks' readability grades
                    (mossa_task_grade), with two-sided p-values
     groups         shared / transition / refinement layers from the
                    per-layer mean CKA (mossa_layer_groups_fit, stats.h)
     t-SNE maps     at a few layers: all tasks' examples (an evenly spaced
                    sample of at most tsne_max_per_task rows per task),
                    reduced to tsne_pca_dims by randomized PCA when wider,
                    embedded in 2-D with mossa_tsne.
   The control's cka entries are 1 (CKA of C_t with itself) and it gets
   no groups, correlations or maps.
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

/* Gives the matrix of (model, task, layer) (indices into the caller's
   lists) in *data (rows x cols, row-major float32). The pointer stays
   the caller's: mossa hands it back through release() once it is used. */
typedef mossa_status (*mossa_analysis_load_fn)(void *user, size_t model, size_t task, size_t layer,
                                               const float **data, size_t *rows, size_t *cols);
typedef void (*mossa_analysis_release_fn)(void *user, const float *data);
/* Progress: `done` of `total` units (one unit per (task, layer) of the CKA
   pass; the t-SNE maps together count as many units as that pass); return
   nonzero to cancel (MOSSA_ERR_CANCELLED). Called on the calling thread. */
typedef int (*mossa_analysis_progress_fn)(void *user, size_t done, size_t total, const char *stage);

typedef struct mossa_analysis_input {
    size_t n_models, n_tasks, n_layers;
    size_t control;                 /* index of the control model */
    const double *task_grade;       /* n_tasks readability grades, or NULL (no correlations) */
    mossa_analysis_load_fn load;
    mossa_analysis_release_fn release;  /* may be NULL */
    void *user;
} mossa_analysis_input;

typedef struct mossa_analysis_options {
    mossa_cka_options cka;          /* kernel/threshold/debiased; its n_threads, allocator are ignored */
    double variance;                /* fraction for the rank; 0 = 0.99 */
    const size_t *tsne_layers;      /* layer indices for the maps; NULL = first, 1/3, 1/2, 2/3, last */
    size_t n_tsne_layers;
    int no_tsne;                    /* nonzero: skip the maps */
    size_t tsne_max_per_task;       /* rows per task in a map; 0 = max(20, 600 / n_tasks) */
    size_t tsne_pca_dims;           /* 0 = 50 */
    mossa_tsne_options tsne;        /* iterations (0 = 500 here: 250 exaggerated + 250), seed, perplexity (0 = 30, lowered for few points) */
    size_t group_min_length;        /* see mossa_group_options; 0 = default */
    mossa_analysis_progress_fn progress;
    void *progress_user;
    int n_threads;
    const mossa_allocator *allocator;
} mossa_analysis_options;

typedef struct mossa_analysis_result {
    size_t n_models, n_tasks, n_layers, control;
    double *cka;                    /* [model][task][layer] */
    /* per [model][layer], over tasks */
    double *cka_mean, *cka_min, *cka_q1, *cka_median, *cka_q3, *cka_max;
    size_t *rank;                   /* [model][task][layer] */
    double *explained;              /* [model][task][layer]: fraction those dims explain */
    mossa_correlation *pearson, *spearman;  /* [model][layer]; n = 0 where undefined */
    mossa_layer_groups *groups;     /* [model] */
    mossa_status *groups_status;    /* [model]: MOSSA_OK where groups are defined */
    size_t n_maps;                  /* t-SNE layers */
    size_t *map_layer;              /* [n_maps] layer index of each map */
    size_t map_points;              /* points per map */
    size_t *map_task;               /* [map_points] task of each point */
    size_t *map_row;                /* [map_points] row of each point in its task */
    float *map;                     /* [model][map][point][2]; zeros for the control */
    double *map_kl;                 /* [model][map] */
    /* where a failure happened (valid when mossa_analyze fails in a load
       or a computation on a matrix) */
    size_t failed_model, failed_task, failed_layer;
    const mossa_allocator *allocator;
} mossa_analysis_result;

/* Runs the pipeline; on failure the result holds nothing to free but the
   failed_* location. Free a successful result with mossa_analysis_free. */
MOSSA_API mossa_status mossa_analyze(const mossa_analysis_input *input,
                                     const mossa_analysis_options *options,
                                     mossa_analysis_result *result);
MOSSA_API void mossa_analysis_free(mossa_analysis_result *result);

/* Default map layers for n_layers: indices 0, round((n-1)/3),
   round((n-1)/2), round(2(n-1)/3), n-1, duplicates removed; returns how
   many were written to out (at most 5). */
MOSSA_API size_t mossa_default_map_layers(size_t n_layers, size_t *out);

/* A task's readability grade: the mean Flesch-Kincaid grade of the lines
   of text (one example per line, '\n' or "\r\n"; a final line without a
   newline counts). *n_lines gets the line count, *n_scored the lines with
   at least one word (the others are left out of the mean).
   MOSSA_ERR_TOO_FEW_SAMPLES when no line has words. */
MOSSA_API mossa_status mossa_task_grade(const char *text, size_t len, double *grade,
                                        size_t *n_lines, size_t *n_scored);

#ifdef __cplusplus
}
#endif
