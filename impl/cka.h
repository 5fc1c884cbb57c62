/* ---------------------------------------------------------------------
   CKA and centered Gram matrices (impl/cka.c)

   CKA(X, Y) = HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)) for the n x n
   kernels K of X (n x dx) and L of Y (n x dy), rows = the same n examples.

   - linear: K = Xc Xc' with Xc explicitly centered (means in double, then
     one rounding to float). The cheaper exact form is chosen: two n x n
     Grams when n < dx + dy, else the feature form
     ||Xc'Yc||_F^2 / (||Xc'Xc||_F ||Yc'Yc||_F) (a SYRK of [Xc Yc]).
   - rbf: K_ij = exp(-|x_i - x_j|^2 / (2 sigma^2)), sigma^2 = t^2 *
     median of the FULL n x n matrix of squared distances (zero diagonal
     included, Kornblith et al.'s convention), t = threshold.
   - biased HSIC = <HKH, HLH> / (n-1)^2; debiased: the unbiased HSIC of
     Song et al. (2012) (U-centering), which needs n >= 4 and may give a
     negative CKA (reported as is).
   Products are float32 accumulated in float over blocks of 256 and
   promoted to double; all reductions are in double. Agreement with a
   float64 reference: about 1e-8 (linear, also at n = 10,000 with column
   means of 1e4), 1e-7 (rbf); tests hold it to 1e-6 and 1e-5.
   Extra memory: linear Gram form one packed centered copy of the larger
   input plus n^2/2 floats; feature form one packed centered copy of both
   inputs; rbf two kernels of n^2/2 floats plus one packed copy. Results are
   bit-identical for any n_threads; SIMD levels differ by rounding only.
   Errors: MOSSA_ERR_DIMENSION_MISMATCH (layer row counts differ),
   MOSSA_ERR_NONFINITE, MOSSA_ERR_ZERO_VARIANCE (a kernel is zero after
   centering: CKA undefined), MOSSA_ERR_TOO_FEW_SAMPLES (debiased with
   n < 4, or n < 2), MOSSA_ERR_ZERO_BANDWIDTH (median distance 0),
   MOSSA_ERR_INVALID_ARGUMENT (threshold < 0, NaN or Inf; bad kernel).
   Outputs are 0 on error, never NaN.
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef enum mossa_kernel_kind {
    MOSSA_KERNEL_LINEAR = 0,
    MOSSA_KERNEL_RBF = 1
} mossa_kernel_kind;

typedef struct mossa_cka_options {
    mossa_kernel_kind kernel;   /* default MOSSA_KERNEL_LINEAR */
    double threshold;           /* RBF: sigma^2 = threshold^2 * median(d^2); 0 = 1.0 */
    int debiased;               /* nonzero: unbiased HSIC (Song et al. 2012); needs n > 3 */
    int n_threads;              /* 0 = all online CPUs */
    const mossa_allocator *allocator;
} mossa_cka_options;

/* CKA between X (n x dx) and Y (n x dy), row-major float32. */
MOSSA_API mossa_status mossa_cka(const float *x, size_t n, size_t dx,
                                 const float *y, size_t dy,
                                 const mossa_cka_options *options, double *cka);

/* The three HSIC values behind mossa_cka: hsic[0] = HSIC(K, L),
   hsic[1] = HSIC(K, K), hsic[2] = HSIC(L, L) (biased: / (n-1)^2;
   debiased: Song et al.'s unbiased estimator). */
MOSSA_API mossa_status mossa_cka_hsic(const float *x, size_t n, size_t dx,
                                      const float *y, size_t dy,
                                      const mossa_cka_options *options, double hsic[3]);

/* The centered kernel matrix of X (n x d) as n x n doubles: HKH (or the
   U-centered kernel with a zero diagonal when options->debiased), K linear
   (Xc Xc', explicit centering) or RBF per options. */
MOSSA_API mossa_status mossa_centered_gram(const float *x, size_t n, size_t d,
                                           const mossa_cka_options *options, double *gram);

/* Centered feature-space product Xc' Yc (dx x dy doubles, row-major). */
MOSSA_API mossa_status mossa_centered_cross(const float *x, size_t n, size_t dx,
                                            const float *y, size_t dy,
                                            const mossa_cka_options *options, double *out);

/* ---- layer matrices ------------------------------------------------------
   A prepared layer: its kernel (strict upper triangle as floats, diagonal
   and centering offsets in double; kernel and estimator from the options),
   computed once and compared with many others in O(n^2). */
typedef struct mossa_cka_gram mossa_cka_gram;
MOSSA_API mossa_status mossa_cka_gram_create(const float *x, size_t n, size_t d,
                                             const mossa_cka_options *options,
                                             mossa_cka_gram **gram);
/* CKA of two prepared layers (same n, kernel and estimator). */
MOSSA_API mossa_status mossa_cka_gram_cka(const mossa_cka_gram *a, const mossa_cka_gram *b,
                                          const mossa_cka_options *options, double *cka);
MOSSA_API void mossa_cka_gram_destroy(mossa_cka_gram *gram);

/* out[i * lb + j] = CKA(A_i, B_j) for la layers A_i (n x dims_a[i]) and lb
   layers B_j (n x dims_b[j]). Each layer's kernel is computed once; memory:
   lb + 1 kernels of n (n-1) / 2 floats (upper triangle) plus O(n) each. */
MOSSA_API mossa_status mossa_cka_matrix(const float *const *a, const size_t *dims_a, size_t la,
                                        const float *const *b, const size_t *dims_b, size_t lb,
                                        size_t n, const mossa_cka_options *options, double *out);

/* ---- streaming: exact full-data linear CKA over row batches ----------------
   Mergeable sufficient statistics: the row count, column means and the
   centered co-moment matrices Cxx = sum (x - mx)(x - mx)', Cyy, Cxy, all in
   double. A batch is centered by its own means and folded in with the
   pairwise update of Chan, Golub & LeVeque (C = Ca + Cb + na nb / n * dd'),
   which, unlike raw sums x'x - n m m', keeps full precision when columns
   have means of 1e4 ("massive activations"). Merging in any grouping gives
   the same value up to rounding. Biased linear CKA only. */
typedef struct mossa_cka_stream mossa_cka_stream;
MOSSA_API mossa_status mossa_cka_stream_create(size_t dx, size_t dy, const mossa_cka_options *options,
                                               mossa_cka_stream **stream);
/* adds n rows (x: n x dx, y: n x dy) */
MOSSA_API mossa_status mossa_cka_stream_add(mossa_cka_stream *stream, const float *x, const float *y,
                                            size_t n);
/* dst += src (same dx, dy) */
MOSSA_API mossa_status mossa_cka_stream_merge(mossa_cka_stream *dst, const mossa_cka_stream *src);
MOSSA_API mossa_status mossa_cka_stream_finish(const mossa_cka_stream *stream, double *cka);
MOSSA_API void mossa_cka_stream_destroy(mossa_cka_stream *stream);
/* Flat state, e.g. to send it between processes: 3 + dx + dy + dx^2 + dy^2
   + dx*dy doubles: n, dx, dy, means of x, of y, Cxx, Cyy, Cxy (row-major). */
MOSSA_API size_t mossa_cka_stream_state_size(size_t dx, size_t dy);
MOSSA_API mossa_status mossa_cka_stream_export(const mossa_cka_stream *stream, double *state);
/* replaces the stream's state (dx, dy must match) */
MOSSA_API mossa_status mossa_cka_stream_import(mossa_cka_stream *stream, const double *state);
/* inout = merge(inout, in) on flat states (what an MPI user reduction op
   calls); both must have the same dx, dy. */
MOSSA_API mossa_status mossa_cka_stream_merge_state(double *inout, const double *in);
/* CKA from a flat state */
MOSSA_API mossa_status mossa_cka_stream_state_cka(const double *state, double *cka);

/* ---- minibatch CKA (Nguyen, Raghu & Kornblith 2021) ---------------------
   Averages the unbiased HSIC (Song et al.) of each batch:
   CKA = mean HSIC_1(K_b, L_b) / sqrt(mean HSIC_1(K_b, K_b) mean HSIC_1(L_b, L_b)).
   Zero-initialise; kernel per options (options->debiased is ignored:
   always unbiased); batches need n >= 4 rows. */
typedef struct mossa_cka_minibatch {
    double sum_xy, sum_xx, sum_yy;
    size_t batches;
} mossa_cka_minibatch;
MOSSA_API mossa_status mossa_cka_minibatch_add(mossa_cka_minibatch *mb, const float *x, size_t n,
                                               size_t dx, const float *y, size_t dy,
                                               const mossa_cka_options *options);
MOSSA_API void mossa_cka_minibatch_merge(mossa_cka_minibatch *dst, const mossa_cka_minibatch *src);
MOSSA_API mossa_status mossa_cka_minibatch_finish(const mossa_cka_minibatch *mb, double *cka);

#ifdef __cplusplus
}
#endif
