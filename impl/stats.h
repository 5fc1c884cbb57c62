/* ---------------------------------------------------------------------
   Statistics (impl/stats.c): correlation with p-values, a permutation
   test, and the segmentation of a per-layer curve into layer groups.

   CORRELATION
   mossa_pearson: r of the paired samples (two-pass, centered, double),
   two-sided p from Student's t with n - 2 degrees of freedom,
       t = r sqrt((n - 2) / (1 - r^2)),  p = I_{1 - r^2}((n - 2) / 2, 1 / 2)
   where I is the regularized incomplete beta function (continued fraction,
   modified Lentz). Writing p through 1 - r^2 keeps it exact at |r| = 1
   (p = 0) without an infinite t.
   mossa_spearman: Pearson's r of the ranks (ties get their average rank).
   p: for n <= MOSSA_SPEARMAN_EXACT_MAX (9) the exact permutation p-value,
   enumerating all n! orderings of the y ranks (ties included, so the null
   distribution is the exact conditional one); above that, the t
   approximation with n - 2 df (the same as scipy.stats.spearmanr).
   Both need n >= 3, finite input and non-constant x and y; otherwise a
   status (MOSSA_ERR_TOO_FEW_SAMPLES, _NONFINITE, _ZERO_VARIANCE), never NaN.

   LAYER GROUPS: which segment is which, and why
   The poster of Zhao, Ziser & Cohen (EMNLP 2024) describes the curve of
   CKA between the multi-task model E (Llama 2-SFT) and the per-task
   controls C_t along depth:
     - layers 1-9: *lower* CKA for Llama 2-SFT than for Llama 2: E keeps
       general, task-agnostic representations ("shared layers"); the curve
       is low and nearly flat;
     - layers 10-15: Llama 2-SFT becomes highly similar to the controls,
       and the correlation of CKA with reading difficulty "rises from layer
       10, peaking at 15": task-specific information is being formed, the
       curve climbs steeply ("transition layers");
     - layers 16-32: "similar pattern continues with reduced intensity",
       correlation "saturating": a high plateau that drifts slowly
       ("refinement layers").
   So the groups are three *contiguous* depth ranges whose defining
   difference is the slope of the curve: flat, steep, flat again. We fit
   the optimal 3-segment piecewise-linear least-squares model (each segment
   its own line y = a + b x over layer positions x = 0..n-1) by dynamic
   programming over the two breakpoints. Every segment's residual comes in
   O(1) from prefix sums of x, x^2, y, y^2, xy (long double), so the
   search is O(n^2) segments, O(k n^2) in all, and exact (global optimum,
   not greedy). The segments are named by depth: first = shared, second =
   transition, third = refinement, which is the paper's definition. The
   fit reports each segment's slope, so a caller can check that the
   profile has the paper's shape (`paper_shape` below: the transition
   segment rises, and faster than both others); the boundaries are
   reported either way, since they are where the curve changes regime.
   Robustness: a minimum segment length (default max(2, n / 8)) stops the
   fit from spending a segment on two noisy end points; any n >= 3 * min
   length works (n >= 6 with the default). Ties between equal-cost splits
   go to the earliest breakpoints.
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

#define MOSSA_SPEARMAN_EXACT_MAX 9

typedef struct mossa_correlation {
    double r;                   /* coefficient in [-1, 1] */
    double p;                   /* two-sided p-value */
    double t;                   /* r sqrt((n-2)/(1-r^2)); +-HUGE_VAL at |r| = 1 */
    size_t n;
    int exact;                  /* 1: p from exact permutation enumeration */
} mossa_correlation;

/* Regularized incomplete beta I_x(a, b) for a, b > 0, x in [0, 1]
   (relative error about 1e-14). Returns -1 for arguments out of range. */
MOSSA_API double mossa_incomplete_beta(double a, double b, double x);
/* Two-sided p-value of Student's t statistic with df > 0 degrees of
   freedom: P(|T| >= |t|). Returns -1 for df <= 0 or NaN t. */
MOSSA_API double mossa_student_t_p(double t, double df);

MOSSA_API mossa_status mossa_pearson(const double *x, const double *y, size_t n,
                                     mossa_correlation *out);
MOSSA_API mossa_status mossa_spearman(const double *x, const double *y, size_t n,
                                      mossa_correlation *out);
/* Average ranks (1-based; ties share their mean rank) of x into ranks. */
MOSSA_API mossa_status mossa_ranks(const double *x, size_t n, double *ranks);

typedef enum mossa_corr_kind {
    MOSSA_CORR_PEARSON = 0,
    MOSSA_CORR_SPEARMAN = 1
} mossa_corr_kind;

/* Monte Carlo permutation test of "no association": y is shuffled
   n_permutations times (0 = 9999; Fisher-Yates driven by the counter-based
   RNG, so the result depends on seed only) and
       p = (1 + #{|r_perm| >= |r_obs|}) / (1 + n_permutations),
   which is a valid (never zero) p-value. r_obs is written to *r. */
MOSSA_API mossa_status mossa_permutation_test(const double *x, const double *y, size_t n,
                                              mossa_corr_kind kind, size_t n_permutations,
                                              uint64_t seed, double *r, double *p);

/* Optimal k-segment piecewise-linear least-squares fit of y[0..n) over
   x = 0..n-1, each segment at least min_length (>= 2) points. starts[k]
   gets each segment's first index (starts[0] = 0); *rss the total
   residual sum of squares. O(k n^2) time, O(k n) memory (allocated). */
MOSSA_API mossa_status mossa_segment_linear(const double *y, size_t n, size_t k,
                                            size_t min_length, size_t *starts, double *rss);

typedef struct mossa_group_options {
    size_t min_length;          /* minimum layers per group; 0 = max(2, n / 8) */
    const mossa_allocator *allocator;
} mossa_group_options;

enum { MOSSA_GROUP_SHARED = 0, MOSSA_GROUP_TRANSITION = 1, MOSSA_GROUP_REFINEMENT = 2 };

typedef struct mossa_layer_groups {
    size_t first[3], last[3];   /* inclusive curve indices per group (shared, transition, refinement) */
    double intercept[3], slope[3]; /* each group's line y = intercept + slope * index */
    double rss;                 /* residual sum of squares of the 3-segment fit */
    double r2;                  /* 1 - rss / total sum of squares (1 when the curve is constant) */
    double r2_line;             /* R^2 of one straight line, for comparison */
    int paper_shape;            /* 1 if the transition slope is positive and steeper than both others */
} mossa_layer_groups;

MOSSA_API mossa_status mossa_layer_groups_fit(const double *curve, size_t n,
                                              const mossa_group_options *options,
                                              mossa_layer_groups *groups);

#ifdef __cplusplus
}
#endif
