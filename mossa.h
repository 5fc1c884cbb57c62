/* mossa.h - layer-by-layer analysis of neural-network representations.
   A single-file C library: CKA, randomized SVD, Barnes-Hut t-SNE,
   readability, and the MOSSA pipeline that ties them together.
   No dependencies beyond a C compiler and libc (and pthreads unless
   MOSSA_NO_THREADS). Public domain-style permissive licence: see the end
   of this file.

   ======================================================================
   QUICK START
   ======================================================================

   In exactly ONE C or C++ file of your project:

       #define MOSSA_IMPLEMENTATION
       #include "mossa.h"

   and in every other file that uses it, just #include "mossa.h".
   Link with -lm -lpthread (pkg-config --cflags --libs mossa says so).

       float *x, *y;  size_t n, dx, dy;      // your n x d row-major matrices
       mossa_cka_options o = {0};             // zero = documented defaults
       double cka;
       mossa_status s = mossa_cka(x, n, dx, y, dy, &o, &cka);
       if (s != MOSSA_OK) fprintf(stderr, "%s\n", mossa_status_string(s));

   ======================================================================
   CONVENTIONS
   ======================================================================

   - Every function that can fail returns mossa_status; MOSSA_OK is 0 and
     mossa_status_string() explains any other value. The library never
     prints, never calls exit/abort, and reads files only in the .npy
     functions (removed entirely by MOSSA_NO_STDIO).
   - Matrices are row-major float32, rows = examples, columns = features,
     passed as (pointer, rows, cols). Inputs are const; outputs belong to
     the caller.
   - Options structs are zero-initialisable: a zero field means "the
     documented default". Every options struct carries `n_threads`
     (0 = all online CPUs) and `allocator` (NULL = MOSSA_MALLOC/MOSSA_FREE).
   - Results do not depend on the thread count: parallel work is cut into
     tasks whose boundaries do not depend on it and reduced in a fixed
     order, so 1, 2 or 64 threads give bit-identical output.
   - Results agree across SIMD levels within the tolerances documented at
     each function (the levels round differently; none is "more right").

   ======================================================================
   CONFIGURATION MACROS (define before including)
   ======================================================================

   MOSSA_IMPLEMENTATION   emit the implementation in this translation unit
   MOSSA_STATIC           make every function static (private copy per TU)
   MOSSA_MALLOC(sz,u) / MOSSA_FREE(p,u)
                          default allocator (define both or neither);
                          u is the allocator's user pointer
   MOSSA_NO_THREADS       no pthreads; everything runs on the calling thread
   MOSSA_NO_STDIO         no <stdio.h>, no file I/O (the .npy *_file
                          functions are removed; the in-memory ones stay)
   MOSSA_NO_SIMD          compile the portable scalar kernels only

   ======================================================================
   SIMD DISPATCH
   ======================================================================

   The kernels exist in four versions: scalar (portable C), avx2
   (AVX2+FMA), avx512 (AVX-512 F+BW+DQ+VL) and neon (aarch64 baseline).
   They are compiled with per-function target attributes, never global
   -m flags, so one binary runs on any x86-64 and picks the best level
   the CPU *and the OS* support (CPUID plus XGETBV: the OS must save the
   YMM/ZMM state). The choice is made once, thread-safely, on first use.

   Forcing a level: set the environment variable MOSSA_SIMD to one of
   scalar, avx2, avx512, neon (or auto), or call mossa_simd_force(). A
   level the CPU lacks, or an unknown name, is an error: mossa_simd_force
   returns MOSSA_ERR_SIMD_UNAVAILABLE / MOSSA_ERR_SIMD_UNKNOWN, and a bad
   MOSSA_SIMD makes mossa_simd_init() and every status-returning entry
   point return that status. mossa never falls back silently.

   Vector math accuracy (measured against SLEEF's 1-ULP functions over
   the whole useful range by tests/test_kernels.c):
       mossa_expf_array   max error <= 2 ULP on [-87.3, 88.7]; exact 0 below
                          -103.97, +inf above 88.72, NaN in -> NaN out
       mossa_logf_array   max error <= 2 ULP on normal and subnormal
                          positives; log(0) = -inf, log(x<0) = NaN

   ======================================================================
   THREADS
   ======================================================================

   n_threads = 0 uses sysconf(_SC_NPROCESSORS_ONLN) threads. Each call
   starts its own small pool and stops it before returning: there is no
   hidden global pool, and calls from several threads at once are safe.
*/
#ifndef MOSSA_H_INCLUDED
#define MOSSA_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define MOSSA_VERSION_MAJOR 0
#define MOSSA_VERSION_MINOR 1
#define MOSSA_VERSION_PATCH 0
#define MOSSA_VERSION_STRING "0.1.0"

#if defined(MOSSA_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define MOSSA_API static __attribute__((unused))
#elif defined(MOSSA_STATIC)
#define MOSSA_API static
#else
#define MOSSA_API extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
   Status codes. One X-macro list: the enum and the messages of
   mossa_status_string() come from the same lines.
   --------------------------------------------------------------------- */
#define MOSSA__STATUS_LIST(X) \
    X(OK,                 "success") \
    X(ERR_INVALID_ARGUMENT,"invalid argument (null pointer, zero size or option out of range)") \
    X(ERR_OUT_OF_MEMORY,  "out of memory") \
    X(ERR_TOO_LARGE,      "size overflows the address space or a supported limit") \
    X(ERR_DIMENSION_MISMATCH,"matrices do not have the same number of rows") \
    X(ERR_NONFINITE,      "input contains NaN or Inf") \
    X(ERR_ZERO_VARIANCE,  "a matrix has zero variance after centering; the value is undefined") \
    X(ERR_TOO_FEW_SAMPLES,"too few samples for this estimator") \
    X(ERR_ZERO_BANDWIDTH, "RBF bandwidth is zero (all points identical or threshold 0)") \
    X(ERR_SIMD_UNKNOWN,   "unknown SIMD level name (expected scalar, avx2, avx512, neon or auto)") \
    X(ERR_SIMD_UNAVAILABLE,"requested SIMD level is not supported by this CPU/OS or this build") \
    X(ERR_THREADS,        "could not start worker threads") \
    X(ERR_IO,             "could not open or read the file") \
    X(ERR_WRITE,          "could not write the file") \
    X(ERR_NPY_MAGIC,      "not a .npy file (bad magic string)") \
    X(ERR_NPY_VERSION,    "unsupported .npy format version (expected 1.0, 2.0 or 3.0)") \
    X(ERR_NPY_HEADER,     "malformed .npy header") \
    X(ERR_NPY_DTYPE,      "unsupported .npy dtype (expected little-endian float16, float32 or float64)") \
    X(ERR_NPY_SHAPE,      "unsupported .npy shape (expected a 2-D array)") \
    X(ERR_NPY_TRUNCATED,  ".npy file is truncated (header or data shorter than declared)") \
    X(ERR_NOT_CONVERGED,  "iterative method did not converge") \
    X(ERR_PERPLEXITY,     "perplexity too large for the number of points") \
    X(ERR_CANCELLED,      "stopped by the progress callback") \
    X(ERR_DATA_DIR,       "malformed data directory") \
    X(ERR_NOT_IMPLEMENTED,"not implemented in this build") \
    X(ERR_INTERNAL,       "internal error (please report)")

typedef enum mossa_status {
#define MOSSA__STATUS_ENUM(name, msg) MOSSA_##name,
    MOSSA__STATUS_LIST(MOSSA__STATUS_ENUM)
#undef MOSSA__STATUS_ENUM
    MOSSA_STATUS_COUNT
} mossa_status;

/* A static English sentence for any status (never NULL). */
MOSSA_API const char *mossa_status_string(mossa_status status);
MOSSA_API const char *mossa_version(void);

/* ---------------------------------------------------------------------
   Allocator. Passed by pointer in options structs; NULL = the default
   (MOSSA_MALLOC / MOSSA_FREE, i.e. malloc/free). `alloc` may return NULL:
   every entry point then returns MOSSA_ERR_OUT_OF_MEMORY, frees what it
   took and leaves its outputs defined.
   --------------------------------------------------------------------- */
typedef struct mossa_allocator {
    void *(*alloc)(size_t size, void *user);
    void  (*free)(void *ptr, void *user);
    void  *user;
} mossa_allocator;

/* ---------------------------------------------------------------------
   SIMD levels and dispatch
   --------------------------------------------------------------------- */
typedef enum mossa_simd_level {
    MOSSA_SIMD_AUTO = 0,   /* the best the CPU supports */
    MOSSA_SIMD_SCALAR,
    MOSSA_SIMD_AVX2,
    MOSSA_SIMD_AVX512,
    MOSSA_SIMD_NEON,
    MOSSA_SIMD_LEVEL_COUNT
} mossa_simd_level;

/* Reads MOSSA_SIMD once and picks the level; returns the environment's
   error, if any. Calling it is optional: every entry point does it. */
MOSSA_API mossa_status mossa_simd_init(void);
/* Forces a level for the whole process (MOSSA_SIMD_AUTO = best again). */
MOSSA_API mossa_status mossa_simd_force(mossa_simd_level level);
MOSSA_API mossa_simd_level mossa_simd_active(void);
/* 1 if this CPU/OS and this build support the level. */
MOSSA_API int mossa_simd_available(mossa_simd_level level);
MOSSA_API const char *mossa_simd_name(mossa_simd_level level);
/* "scalar" -> MOSSA_SIMD_SCALAR ...; MOSSA_ERR_SIMD_UNKNOWN otherwise. */
MOSSA_API mossa_status mossa_simd_parse(const char *name, mossa_simd_level *level);
/* Threads that n_threads = 0 means (online CPUs; 1 with MOSSA_NO_THREADS). */
MOSSA_API int mossa_default_threads(void);

/* ---------------------------------------------------------------------
   Kernels (dispatched to the active SIMD level). Exposed for users'
   own code and microbenchmarks.
   --------------------------------------------------------------------- */
/* sum a[i]*b[i]: float32 products accumulated in float lanes over blocks
   of 256 elements, each block sum promoted to double. */
MOSSA_API double mossa_dot_f32(const float *a, const float *b, size_t n);
/* y[i] += alpha * x[i] */
MOSSA_API void mossa_axpy_f32(size_t n, float alpha, const float *x, float *y);
/* out[j] = sum_k (x[k] - Y[j*ldy + k])^2 for j < m: one row against many,
   computed from differences (no |x|^2 + |y|^2 - 2xy cancellation). */
MOSSA_API void mossa_sqdist_f32(const float *x, const float *Y, size_t m, size_t d,
                                size_t ldy, float *out);
/* y[i] = expf(x[i]), y[i] = logf(x[i]); x and y may alias. */
MOSSA_API void mossa_expf_array(const float *x, float *y, size_t n);
MOSSA_API void mossa_logf_array(const float *x, float *y, size_t n);

/* ---------------------------------------------------------------------
   Counter-based random numbers: value i of stream (seed) is a pure
   function of (seed, i), so any partition over threads gives the same
   numbers.
   --------------------------------------------------------------------- */
MOSSA_API uint64_t mossa_rng_u64(uint64_t seed, uint64_t index);
/* uniform in [0, 1) with 53 random bits */
MOSSA_API double mossa_rng_uniform(uint64_t seed, uint64_t index);
/* standard normal (Box-Muller on two uniforms derived from index) */
MOSSA_API double mossa_rng_normal(uint64_t seed, uint64_t index);

#ifdef __cplusplus
}
#endif

/* ==== impl/npy.h ==== */
/* ---------------------------------------------------------------------
   .npy I/O (impl/npy.c). The library's only file access; MOSSA_NO_STDIO
   removes the path-based functions (the in-memory ones stay).

   READING accepts exactly what a 2-D float matrix saved by numpy looks
   like, in any of the three format versions:
   - magic "\x93NUMPY", version 1.0 (2-byte little-endian header length),
     2.0 or 3.0 (4-byte); any other version -> MOSSA_ERR_NPY_VERSION,
     any other magic -> MOSSA_ERR_NPY_MAGIC.
   - a header of at most 1 MiB (numpy writes ~128 bytes; a larger declared
     length is refused with MOSSA_ERR_NPY_HEADER before anything is
     allocated). A header longer than the file -> MOSSA_ERR_NPY_TRUNCATED.
   - the header dict: keys 'descr', 'fortran_order' and 'shape' in any
     order, each exactly once and nothing else; single or double quotes;
     any spaces, tabs or newlines between tokens; an optional trailing
     comma; Python-2 style integers ("3L"); trailing padding of any
     whitespace (the final '\n' numpy writes is not required). Anything
     else (missing or duplicate keys, unterminated strings, fortran_order
     not True/False, junk after the '}') -> MOSSA_ERR_NPY_HEADER.
   - descr '<f2', '<f4' or '<f8' (little-endian IEEE binary16/32/64).
     Big-endian ('>f4'), native/unspecified ('=f4', '|f4', 'f4'),
     integers, complex, structured or object dtypes -> MOSSA_ERR_NPY_DTYPE.
   - shape a tuple of exactly two non-negative integers (rows, cols).
     1-D (n,) arrays are NOT taken as n x 1 (ambiguous: a row or a column
     vector?) and are refused like 0-D and 3-D ones, and negative
     dimensions, with MOSSA_ERR_NPY_SHAPE; a dimension, rows*cols, or the
     byte count that overflows size_t -> MOSSA_ERR_TOO_LARGE.
   - zero rows or zero columns are valid files: they are read (rows/cols
     reported, *out a valid 1-byte allocation to free with mossa_free);
     the analyses reject empty matrices themselves.
   - data shorter than rows*cols*itemsize -> MOSSA_ERR_NPY_TRUNCATED;
     bytes after the data are ignored (several arrays np.save'd one after
     another into one file are valid; the first one is read).
   Values: float32 as stored; float16 converted exactly (subnormals, +-0,
   +-inf and NaN payloads preserved); float64 rounded to nearest float32
   (beyond +-FLT_MAX this gives +-inf, which the analyses then refuse
   with MOSSA_ERR_NONFINITE). Fortran-order data is transposed, so the
   output is always row-major rows x cols float32.

   Safety: no read outside the buffer/file, whatever the header says; a
   huge declared shape fails with MOSSA_ERR_NPY_TRUNCATED (or
   MOSSA_ERR_TOO_LARGE) before the output is allocated, because the file
   size is checked first (non-seekable files such as pipes are read in
   growing chunks instead, so memory follows the data actually present).

   Speed: C-order float32 is read straight into the output; Fortran order
   is transposed 16 columns at a time through a staging buffer of at
   most 4 MiB. On Linux, outputs of 4 MiB or more from the default
   allocator get madvise(MADV_HUGEPAGE) before they are filled, as numpy
   does (page faults dominate large reads on virtual machines); define
   MOSSA_NO_HUGEPAGES to leave that out.

   Outputs: on success *out is a new rows x cols array from `allocator`
   (NULL = MOSSA_MALLOC); free it with mossa_free(*out, allocator). On
   any failure *out is NULL and the sizes are 0 (except as noted).

   WRITING (mossa_npy_write): float32, little-endian, C order, format 1.0,
   byte-for-byte what numpy >= 1.24 writes for the same array (header
   padded with spaces and '\n' so the data starts at a multiple of 64).
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct mossa_npy_info {
    size_t rows, cols;        /* shape */
    int dtype_bytes;          /* 2, 4 or 8 (float16, float32, float64) */
    int fortran_order;        /* 1 if column-major */
    int version_major;        /* 1, 2 or 3 */
    size_t data_offset;       /* bytes from the start of the file to the data */
    size_t data_bytes;        /* rows * cols * dtype_bytes */
} mossa_npy_info;

/* Frees memory returned by the npy functions (with the same allocator). */
MOSSA_API void mossa_free(void *ptr, const mossa_allocator *allocator);

/* Parses the header at the start of buf (len bytes may be just a prefix
   holding the header; the data is not looked at). MOSSA_ERR_NPY_TRUNCATED
   if buf ends before the header does. */
MOSSA_API mossa_status mossa_npy_parse_header(const void *buf, size_t len, mossa_npy_info *info);
/* Decodes a whole .npy image held in memory into a new float32 array. */
MOSSA_API mossa_status mossa_npy_decode(const void *buf, size_t len, const mossa_allocator *allocator,
                                        float **out, size_t *rows, size_t *cols);

#ifndef MOSSA_NO_STDIO
/* Reads a 2-D .npy file into a new row-major float32 array. MOSSA_ERR_IO
   when the file cannot be opened or read. */
MOSSA_API mossa_status mossa_npy_read(const char *path, const mossa_allocator *allocator,
                                      float **out, size_t *rows, size_t *cols);
/* Reads the header only (and checks that the file holds the declared
   data when its size can be known). */
MOSSA_API mossa_status mossa_npy_read_info(const char *path, mossa_npy_info *info);
/* Reads rows [row0, row0 + nrows) only (for sharding): C-order files are
   read from the slice's offset, Fortran-order ones piece by piece (one
   contiguous run per column), so a process touches only its share.
   *total_rows gets the file's row count. A slice past the end returns
   MOSSA_ERR_INVALID_ARGUMENT with *cols and *total_rows still set (so
   nrows = 0 probes the shape); nrows = 0 inside the file succeeds with a
   1-byte *out. The whole declared data must be present in a seekable
   file (MOSSA_ERR_NPY_TRUNCATED otherwise), even outside the slice. */
MOSSA_API mossa_status mossa_npy_read_rows(const char *path, size_t row0, size_t nrows,
                                           const mossa_allocator *allocator, float **out,
                                           size_t *cols, size_t *total_rows);
/* Writes x (rows x cols, row-major) as float32 .npy version 1.0.
   MOSSA_ERR_WRITE when the file cannot be created or fully written (it
   may then be left partially written). */
MOSSA_API mossa_status mossa_npy_write(const char *path, const float *x, size_t rows, size_t cols);
#endif

#ifdef __cplusplus
}
#endif

/* ==== impl/cka.h ==== */
/* ---------------------------------------------------------------------
   CKA and centered Gram matrices (impl/cka.c)
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

#ifdef __cplusplus
}
#endif

/* ==== impl/svd.h ==== */
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

/* ==== impl/tsne.h ==== */
/* ---------------------------------------------------------------------
   Barnes-Hut t-SNE (impl/tsne.c)

   Pipeline: exact k-nearest neighbours (k = min(3 * perplexity, n - 1)),
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
     variance.
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
   (ties by index), ascending; Euclidean distances. Uses n_threads and
   allocator of options (NULL = defaults). */
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

/* ==== impl/text.h ==== */
/* ---------------------------------------------------------------------
   Readability (impl/text.c)
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct mossa_text_stats {
    uint64_t sentences, words, syllables, letters, polysyllables, complex_words, characters;
} mossa_text_stats;

typedef struct mossa_readability_scores {
    int defined;                /* 0 when there are no words or no sentences */
    double flesch_kincaid_grade;
    double flesch_reading_ease;
    double automated_readability_index;
    double coleman_liau_index;
    double gunning_fog;
    double smog;
} mossa_readability_scores;

/* Syllables in one word (case-insensitive, UTF-8). */
MOSSA_API int mossa_syllables(const char *word, size_t len);
/* Scans a whole text and scores it; either output may be NULL. */
MOSSA_API mossa_status mossa_readability(const char *text, size_t len,
                                         mossa_text_stats *stats,
                                         mossa_readability_scores *scores);

#ifdef __cplusplus
}
#endif

/* ==== impl/stats.h ==== */
/* ---------------------------------------------------------------------
   stats (impl/stats.c)
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

/* ==== impl/analysis.h ==== */
/* ---------------------------------------------------------------------
   analysis (impl/analysis.c)
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* MOSSA_H_INCLUDED */

#if defined(MOSSA_IMPLEMENTATION) && !defined(MOSSA_IMPLEMENTATION_DONE)
#define MOSSA_IMPLEMENTATION_DONE

/* ==== impl/internal.h ==== */
/* internal.h - private helpers shared by the implementation files.
   Everything here is named mossa__ (double underscore) and is not API. */

#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <limits.h>
#ifndef MOSSA_NO_STDIO
#include <stdio.h>
#endif
#ifndef MOSSA_NO_THREADS
#include <pthread.h>
#include <unistd.h>
#endif

#if defined(MOSSA_MALLOC) != defined(MOSSA_FREE)
#error "define both MOSSA_MALLOC and MOSSA_FREE, or neither"
#endif
#ifndef MOSSA_MALLOC
#define MOSSA_MALLOC(sz, u) ((void)(u), malloc(sz))
#define MOSSA_FREE(p, u) ((void)(u), free(p))
#endif

#ifdef MOSSA_STATIC
#define MOSSA_DEF static
#else
#define MOSSA_DEF
#endif

/* ---- compiler and ISA detection ------------------------------------ */
#if defined(__GNUC__) || defined(__clang__)
#define MOSSA__GNUC 1
#define MOSSA__UNUSED __attribute__((unused))
#define MOSSA__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define MOSSA__GNUC 0
#define MOSSA__UNUSED
#define MOSSA__LIKELY(x) (x)
#endif

#if defined(__cplusplus)
#define MOSSA__RESTRICT __restrict
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#define MOSSA__RESTRICT restrict
#else
#define MOSSA__RESTRICT
#endif

#if !defined(MOSSA_NO_SIMD) && MOSSA__GNUC && (defined(__x86_64__) || defined(_M_X64))
#define MOSSA__X86 1
#include <immintrin.h>
#define MOSSA__TARGET_AVX2 __attribute__((target("avx2,fma")))
#define MOSSA__TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#else
#define MOSSA__X86 0
#endif

#if !defined(MOSSA_NO_SIMD) && MOSSA__GNUC && defined(__aarch64__)
#define MOSSA__NEON 1
#include <arm_neon.h>
#else
#define MOSSA__NEON 0
#endif

/* ---- allocation ------------------------------------------------------ */
/* Every internal allocation goes through a mossa__ctx so that a caller's
   allocator (and the test allocator that fails the k-th call) sees it. */
typedef struct mossa__pool mossa__pool;

typedef struct mossa__ctx {
    const mossa_allocator *allocator; /* NULL = MOSSA_MALLOC/MOSSA_FREE */
    int n_threads;                    /* resolved: >= 1 */
    mossa__pool *pool;                /* NULL when n_threads == 1 */
} mossa__ctx;

static MOSSA__UNUSED void *mossa__alloc(const mossa__ctx *ctx, size_t size);
static MOSSA__UNUSED void *mossa__calloc(const mossa__ctx *ctx, size_t count, size_t size);
static MOSSA__UNUSED void mossa__free(const mossa__ctx *ctx, void *ptr);
/* size = a * b (* c), or 0 with *overflow set */
static MOSSA__UNUSED int mossa__mul_overflows(size_t a, size_t b, size_t *out);

/* Starts the context's pool (n_threads <= 0 means all online CPUs).
   Always pair with mossa__ctx_end. */
static MOSSA__UNUSED mossa_status mossa__ctx_begin(mossa__ctx *ctx, int n_threads,
                                     const mossa_allocator *allocator);
static MOSSA__UNUSED void mossa__ctx_end(mossa__ctx *ctx);

/* ---- parallel loop ----------------------------------------------------
   Runs fn(arg, task, worker) for task in [0, n_tasks) on the context's
   threads (worker in [0, ctx->n_threads)). Tasks are taken dynamically,
   so a task must write only its own outputs; deterministic reductions
   store per-task partials and sum them in task order afterwards. Task
   boundaries must never depend on the thread count. */
typedef void (*mossa__task_fn)(void *arg, size_t task, int worker);
static MOSSA__UNUSED void mossa__parallel(mossa__ctx *ctx, size_t n_tasks, mossa__task_fn fn, void *arg);

/* ---- dispatch table ---------------------------------------------------
   One table per SIMD level; the active one is chosen once. Modules add
   their kernels in their own section so that the pieces stay apart. */
typedef struct mossa__kernels {
    mossa_simd_level level;
    /* foundation */
    double (*dot)(const float *a, const float *b, size_t n);
    void (*axpy)(size_t n, float alpha, const float *x, float *y);
    void (*sqdist)(const float *x, const float *Y, size_t m, size_t d, size_t ldy, float *out);
    void (*expf_array)(const float *x, float *y, size_t n);
    void (*logf_array)(const float *x, float *y, size_t n);
    /* gemm / cka */
    /* svd */
    /* tsne */
    /* out[j*32 + q] (+)= sum_k (qt[k*32 + q] - r[j*ldr + k])^2 for 32 queries
       (qt: d x 32 panel) and nr reference rows; accumulate != 0 adds. */
    void (*tsne_knn_tile)(const float *qt, size_t d, const float *r, size_t ldr, size_t nr,
                          float *out, int accumulate);
    /* Barnes-Hut interactions of nt targets with ns sources (ns a multiple
       of 16, padding has mass 0): q = 1/(1+|t-s|^2); acc[4t] += sum m q,
       acc[4t+1+c] += sum m q^2 (t_c - s_c). */
    void (*tsne_repulse2)(const float *tx, const float *ty, size_t nt, const float *sx,
                          const float *sy, const float *sm, size_t ns, float *acc);
    void (*tsne_repulse3)(const float *tx, const float *ty, const float *tz, size_t nt,
                          const float *sx, const float *sy, const float *sz, const float *sm,
                          size_t ns, float *acc);
    /* Attractive forces of directed edges of rows [i0, i1): for edge i->j with
       weight w, f = w q (y_i - y_j), q = 1/(1+|y_i-y_j|^2); buf[i] += f,
       buf[j] -= f (y and buf n x dims). */
    void (*tsne_attract)(int dims, const float *y, size_t i0, size_t i1, const size_t *indptr,
                         const int32_t *col, const float *w, float *buf);
    /* text */
} mossa__kernels;

/* The active table (initialising dispatch on first use). */
static MOSSA__UNUSED const mossa__kernels *mossa__k(void);
/* MOSSA_OK, or the error a bad MOSSA_SIMD environment variable caused. */
static MOSSA__UNUSED mossa_status mossa__dispatch_status(void);

#ifdef MOSSA_TEST_HOOKS
/* Test builds count kernel calls per level so a test can prove that a
   forced level really ran. */
static MOSSA__UNUSED unsigned long mossa__test_calls[MOSSA_SIMD_LEVEL_COUNT];
MOSSA_DEF unsigned long mossa_test_kernel_calls(mossa_simd_level level);
#endif

/* ---- matrix products (impl/gemm.c) ------------------------------------
   C (m x n, double, row-major, ldc) = beta * C + op(A) * op(B), with A and
   B float32 row-major; op(A) is A (m x k) or, when trans_a, A^T where A is
   k x m. Float products are accumulated in float over short k-blocks and
   promoted to double. */
static MOSSA__UNUSED mossa_status mossa__gemm(mossa__ctx *ctx, int trans_a, int trans_b,
                                size_t m, size_t n, size_t k,
                                const float *A, size_t lda,
                                const float *B, size_t ldb,
                                double beta, double *C, size_t ldc);

/* ---- small helpers ----------------------------------------------------- */
static MOSSA__UNUSED int mossa__all_finite(const float *x, size_t count);
#define MOSSA__MIN(a, b) ((a) < (b) ? (a) : (b))
#define MOSSA__MAX(a, b) ((a) > (b) ? (a) : (b))
#define MOSSA__CHECK(expr) do { mossa_status mossa__s_ = (expr); if (mossa__s_ != MOSSA_OK) return mossa__s_; } while (0)

/* ==== impl/core.c ==== */
/* core.c - status strings, allocation, counter-based RNG, thread pool. */

/* ---- status ------------------------------------------------------------ */
MOSSA_DEF const char *mossa_status_string(mossa_status status)
{
    static const char *const messages[] = {
#define MOSSA__STATUS_MSG(name, msg) msg,
        MOSSA__STATUS_LIST(MOSSA__STATUS_MSG)
#undef MOSSA__STATUS_MSG
    };
    if ((int)status < 0 || (int)status >= (int)MOSSA_STATUS_COUNT)
        return "unknown status code";
    return messages[status];
}

MOSSA_DEF const char *mossa_version(void) { return MOSSA_VERSION_STRING; }

/* ---- allocation -------------------------------------------------------- */
static void *mossa__alloc(const mossa__ctx *ctx, size_t size)
{
    if (size == 0) size = 1;
    if (ctx && ctx->allocator && ctx->allocator->alloc)
        return ctx->allocator->alloc(size, ctx->allocator->user);
    return MOSSA_MALLOC(size, (void *)0);
}

static int mossa__mul_overflows(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > (size_t)-1 / a) { *out = 0; return 1; }
    *out = a * b;
    return 0;
}

static void *mossa__calloc(const mossa__ctx *ctx, size_t count, size_t size)
{
    size_t bytes;
    void *p;
    if (mossa__mul_overflows(count, size, &bytes)) return NULL;
    p = mossa__alloc(ctx, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

static void mossa__free(const mossa__ctx *ctx, void *ptr)
{
    if (!ptr) return;
    if (ctx && ctx->allocator && ctx->allocator->free) {
        ctx->allocator->free(ptr, ctx->allocator->user);
        return;
    }
    MOSSA_FREE(ptr, (void *)0);
}

static int mossa__all_finite(const float *x, size_t count)
{
    /* x - x is 0 for finite x and NaN for NaN/Inf; summing in blocks keeps
       the loop branch-free and vectorisable. */
    size_t i;
    for (i = 0; i < count; i += 1024) {
        size_t j, end = MOSSA__MIN(count, i + 1024);
        float acc = 0.0f;
        for (j = i; j < end; ++j) acc += x[j] - x[j];
        if (acc != 0.0f) return 0;
    }
    return 1;
}

/* ---- counter-based RNG --------------------------------------------------
   splitmix64's finaliser applied twice to (seed, index): a bijective mix
   with full avalanche, cheap, and independent of evaluation order. */
static uint64_t mossa__mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

MOSSA_DEF uint64_t mossa_rng_u64(uint64_t seed, uint64_t index)
{
    return mossa__mix64(mossa__mix64(seed + 0x9e3779b97f4a7c15ULL) ^
                        (index * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL));
}

MOSSA_DEF double mossa_rng_uniform(uint64_t seed, uint64_t index)
{
    return (double)(mossa_rng_u64(seed, index) >> 11) * (1.0 / 9007199254740992.0);
}

MOSSA_DEF double mossa_rng_normal(uint64_t seed, uint64_t index)
{
    /* Box-Muller from two uniforms drawn at 2*index and 2*index+1; u1 in
       (0, 1] so the log is finite. */
    double u1 = 1.0 - mossa_rng_uniform(seed, 2 * index);
    double u2 = mossa_rng_uniform(seed, 2 * index + 1);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

/* ---- threads ------------------------------------------------------------- */
MOSSA_DEF int mossa_default_threads(void)
{
#ifdef MOSSA_NO_THREADS
    return 1;
#else
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > 256) n = 256;
    return (int)n;
#endif
}

#ifndef MOSSA_NO_THREADS
struct mossa__pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready;   /* a new job (generation) or shutdown */
    pthread_cond_t work_done;    /* the last task of a job finished */
    pthread_t *threads;
    int n_workers;               /* threads besides the caller */
    int n_started;
    int shutdown;
    unsigned long generation;
    /* the current job */
    mossa__task_fn fn;
    void *arg;
    size_t n_tasks, next_task, done_tasks;
};

typedef struct mossa__worker_arg { mossa__pool *pool; int id; } mossa__worker_arg;

/* Takes tasks of the current job until none is left; called with the
   lock held, returns with it held. */
static void mossa__pool_drain(mossa__pool *pool, int worker)
{
    while (pool->next_task < pool->n_tasks) {
        size_t task = pool->next_task++;
        mossa__task_fn fn = pool->fn;
        void *arg = pool->arg;
        pthread_mutex_unlock(&pool->lock);
        fn(arg, task, worker);
        pthread_mutex_lock(&pool->lock);
        if (++pool->done_tasks == pool->n_tasks)
            pthread_cond_broadcast(&pool->work_done);
    }
}

static void *mossa__pool_main(void *raw)
{
    mossa__pool *pool = ((mossa__worker_arg *)raw)->pool;
    int id = ((mossa__worker_arg *)raw)->id;
    unsigned long seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->shutdown && pool->generation == seen)
            pthread_cond_wait(&pool->work_ready, &pool->lock);
        if (pool->shutdown) break;
        seen = pool->generation;
        mossa__pool_drain(pool, id);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}
#endif

static mossa_status mossa__ctx_begin(mossa__ctx *ctx, int n_threads,
                                     const mossa_allocator *allocator)
{
    mossa_status st = mossa__dispatch_status();
    ctx->allocator = allocator;
    ctx->pool = NULL;
    ctx->n_threads = 1;
    if (st != MOSSA_OK) return st;
    if (n_threads < 0) return MOSSA_ERR_INVALID_ARGUMENT;
#ifdef MOSSA_NO_THREADS
    (void)n_threads;
    return MOSSA_OK;
#else
    if (n_threads == 0) n_threads = mossa_default_threads();
    if (n_threads > 1024) n_threads = 1024;
    if (n_threads == 1) return MOSSA_OK;
    {
        mossa__pool *pool;
        /* worker args live right after the pool struct's thread array */
        mossa__worker_arg *args;
        int i;
        pool = (mossa__pool *)mossa__calloc(ctx, 1, sizeof(*pool));
        if (!pool) return MOSSA_ERR_OUT_OF_MEMORY;
        pool->n_workers = n_threads - 1;
        pool->threads = (pthread_t *)mossa__calloc(ctx, (size_t)pool->n_workers,
                                                   sizeof(pthread_t) + sizeof(mossa__worker_arg));
        if (!pool->threads) { mossa__free(ctx, pool); return MOSSA_ERR_OUT_OF_MEMORY; }
        args = (mossa__worker_arg *)(void *)(pool->threads + pool->n_workers);
        if (pthread_mutex_init(&pool->lock, NULL) != 0) {
            mossa__free(ctx, pool->threads); mossa__free(ctx, pool);
            return MOSSA_ERR_THREADS;
        }
        pthread_cond_init(&pool->work_ready, NULL);
        pthread_cond_init(&pool->work_done, NULL);
        ctx->pool = pool;
        ctx->n_threads = n_threads;
        for (i = 0; i < pool->n_workers; ++i) {
            args[i].pool = pool;
            args[i].id = i + 1;
            if (pthread_create(&pool->threads[i], NULL, mossa__pool_main, &args[i]) != 0) {
                mossa__ctx_end(ctx);
                return MOSSA_ERR_THREADS;
            }
            pool->n_started = i + 1;
        }
    }
    return MOSSA_OK;
#endif
}

static void mossa__ctx_end(mossa__ctx *ctx)
{
#ifndef MOSSA_NO_THREADS
    mossa__pool *pool = ctx->pool;
    int i;
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        pool->shutdown = 1;
        pthread_cond_broadcast(&pool->work_ready);
        pthread_mutex_unlock(&pool->lock);
        for (i = 0; i < pool->n_started; ++i) pthread_join(pool->threads[i], NULL);
        pthread_cond_destroy(&pool->work_ready);
        pthread_cond_destroy(&pool->work_done);
        pthread_mutex_destroy(&pool->lock);
        mossa__free(ctx, pool->threads);
        mossa__free(ctx, pool);
    }
#endif
    ctx->pool = NULL;
    ctx->n_threads = 1;
}

static void mossa__parallel(mossa__ctx *ctx, size_t n_tasks, mossa__task_fn fn, void *arg)
{
    size_t t;
#ifndef MOSSA_NO_THREADS
    mossa__pool *pool = ctx ? ctx->pool : NULL;
    if (pool && n_tasks > 1) {
        pthread_mutex_lock(&pool->lock);
        pool->fn = fn;
        pool->arg = arg;
        pool->n_tasks = n_tasks;
        pool->next_task = 0;
        pool->done_tasks = 0;
        pool->generation++;
        pthread_cond_broadcast(&pool->work_ready);
        mossa__pool_drain(pool, 0);
        while (pool->done_tasks < pool->n_tasks)
            pthread_cond_wait(&pool->work_done, &pool->lock);
        pthread_mutex_unlock(&pool->lock);
        return;
    }
#endif
    (void)ctx;
    for (t = 0; t < n_tasks; ++t) fn(arg, t, 0);
}

#ifdef MOSSA_TEST_HOOKS
/* ---- test hooks: the pool seen through a deterministic reduction -------
   Sums x in tasks of MOSSA_TEST_SUM_BLOCK elements (each summed left to
   right in double), then adds the task partials in task order: out[0].
   A second job on the same pool sums x[i]^2 the same way: out[1]. */
#define MOSSA_TEST_SUM_BLOCK 64
typedef struct mossa__test_sum {
    const double *x;
    size_t n;
    double *partial;
    int square, n_threads;
    int bad_worker;
} mossa__test_sum;

static void mossa__test_sum_task(void *raw, size_t task, int worker)
{
    mossa__test_sum *a = (mossa__test_sum *)raw;
    size_t i = task * MOSSA_TEST_SUM_BLOCK, end = MOSSA__MIN(a->n, i + MOSSA_TEST_SUM_BLOCK);
    double s = 0.0;
    if (worker < 0 || worker >= a->n_threads) a->bad_worker = 1;
    for (; i < end; ++i) s += a->square ? a->x[i] * a->x[i] : a->x[i];
    a->partial[task] = s;
}

MOSSA_DEF mossa_status mossa_test_parallel_sum(const double *x, size_t n, int n_threads,
                                               const mossa_allocator *allocator, double *out);
MOSSA_DEF mossa_status mossa_test_parallel_sum(const double *x, size_t n, int n_threads,
                                               const mossa_allocator *allocator, double *out)
{
    mossa__ctx ctx;
    mossa__test_sum a;
    size_t n_tasks = (n + MOSSA_TEST_SUM_BLOCK - 1) / MOSSA_TEST_SUM_BLOCK, t;
    int pass;
    mossa_status st;
    if (!out || (!x && n)) return MOSSA_ERR_INVALID_ARGUMENT;
    out[0] = out[1] = 0.0;
    st = mossa__ctx_begin(&ctx, n_threads, allocator);
    if (st != MOSSA_OK) return st;
    a.x = x;
    a.n = n;
    a.n_threads = ctx.n_threads;
    a.bad_worker = 0;
    a.partial = (double *)mossa__calloc(&ctx, n_tasks, sizeof(double));
    if (!a.partial) { mossa__ctx_end(&ctx); return MOSSA_ERR_OUT_OF_MEMORY; }
    for (pass = 0; pass < 2; ++pass) {
        double s = 0.0;
        a.square = pass;
        for (t = 0; t < n_tasks; ++t) a.partial[t] = NAN; /* a task that never ran shows */
        mossa__parallel(&ctx, n_tasks, mossa__test_sum_task, &a);
        for (t = 0; t < n_tasks; ++t) s += a.partial[t];
        out[pass] = s;
    }
    mossa__free(&ctx, a.partial);
    mossa__ctx_end(&ctx);
    return a.bad_worker ? MOSSA_ERR_INTERNAL : MOSSA_OK;
}
#endif

/* ==== impl/dispatch.c ==== */
/* dispatch.c - CPU feature detection and the kernel table.

   x86: AVX2 needs CPUID.7.EBX[5] (AVX2), CPUID.1.ECX[12] (FMA), [27]
   (OSXSAVE) and XGETBV showing the OS saves XMM+YMM (bits 1,2). AVX-512
   additionally needs F, DQ, BW, VL (CPUID.7.EBX bits 16, 17, 30, 31) and
   the OS saving opmask and ZMM state (XCR0 bits 5, 6, 7). aarch64 always
   has NEON. The tables are filled once (pthread_once), the active table
   is published with an atomic store, so concurrent first calls are safe. */

static mossa__kernels mossa__tables[MOSSA_SIMD_LEVEL_COUNT];
static int mossa__level_ok[MOSSA_SIMD_LEVEL_COUNT];
static mossa_simd_level mossa__best_level;
static mossa_status mossa__env_status;
static const mossa__kernels *mossa__active_table;

static void mossa__fill_scalar(mossa__kernels *t);
#if MOSSA__X86
static void mossa__fill_avx2(mossa__kernels *t);
static void mossa__fill_avx512(mossa__kernels *t);
#endif
#if MOSSA__NEON
static void mossa__fill_neon(mossa__kernels *t);
#endif

#if MOSSA__GNUC
#define MOSSA__LOAD_PTR(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define MOSSA__STORE_PTR(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#else
#define MOSSA__LOAD_PTR(p) (p)
#define MOSSA__STORE_PTR(p, v) ((p) = (v))
#endif

#if MOSSA__X86
static void mossa__cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    unsigned a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(sub));
    r[0] = a; r[1] = b; r[2] = c; r[3] = d;
}

static uint64_t mossa__xgetbv(void)
{
    unsigned lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void mossa__detect_x86(void)
{
    unsigned r1[4], r7[4], r0[4];
    uint64_t xcr0 = 0;
    int osxsave, avx2, avx512;
    mossa__cpuid(0, 0, r0);
    if (r0[0] < 7) return;
    mossa__cpuid(1, 0, r1);
    mossa__cpuid(7, 0, r7);
    osxsave = (r1[2] >> 27) & 1;
    if (osxsave) xcr0 = mossa__xgetbv();
    avx2 = osxsave && (xcr0 & 0x6) == 0x6 && ((r1[2] >> 12) & 1) /* FMA */
           && ((r1[2] >> 28) & 1) /* AVX */ && ((r7[1] >> 5) & 1) /* AVX2 */;
    avx512 = avx2 && (xcr0 & 0xe6) == 0xe6 && ((r7[1] >> 16) & 1) /* F */
             && ((r7[1] >> 17) & 1) /* DQ */ && ((r7[1] >> 30) & 1) /* BW */
             && ((r7[1] >> 31) & 1) /* VL */;
    mossa__level_ok[MOSSA_SIMD_AVX2] = avx2;
    mossa__level_ok[MOSSA_SIMD_AVX512] = avx512;
}
#endif

static void mossa__dispatch_once(void)
{
    const char *env;
    mossa_simd_level lvl = MOSSA_SIMD_SCALAR, forced;
    int i;
    mossa__fill_scalar(&mossa__tables[MOSSA_SIMD_SCALAR]);
    mossa__level_ok[MOSSA_SIMD_SCALAR] = 1;
#if MOSSA__X86
    mossa__detect_x86();
    mossa__fill_avx2(&mossa__tables[MOSSA_SIMD_AVX2]);
    mossa__fill_avx512(&mossa__tables[MOSSA_SIMD_AVX512]);
#endif
#if MOSSA__NEON
    mossa__level_ok[MOSSA_SIMD_NEON] = 1;
    mossa__fill_neon(&mossa__tables[MOSSA_SIMD_NEON]);
#endif
    for (i = MOSSA_SIMD_SCALAR; i < MOSSA_SIMD_LEVEL_COUNT; ++i) {
        mossa__tables[i].level = (mossa_simd_level)i;
        if (mossa__level_ok[i]) lvl = (mossa_simd_level)i;
    }
    mossa__best_level = lvl;
    mossa__env_status = MOSSA_OK;
    env = getenv("MOSSA_SIMD");
    if (env && env[0]) {
        mossa__env_status = mossa_simd_parse(env, &forced);
        if (mossa__env_status == MOSSA_OK && forced != MOSSA_SIMD_AUTO) {
            if (mossa__level_ok[forced]) lvl = forced;
            else mossa__env_status = MOSSA_ERR_SIMD_UNAVAILABLE;
        }
    }
    MOSSA__STORE_PTR(mossa__active_table, (const mossa__kernels *)&mossa__tables[lvl]);
}

#ifndef MOSSA_NO_THREADS
static pthread_once_t mossa__dispatch_flag = PTHREAD_ONCE_INIT;
static void mossa__dispatch_init(void) { pthread_once(&mossa__dispatch_flag, mossa__dispatch_once); }
#else
static void mossa__dispatch_init(void)
{
    if (!mossa__active_table) mossa__dispatch_once();
}
#endif

static const mossa__kernels *mossa__k(void)
{
    const mossa__kernels *t = MOSSA__LOAD_PTR(mossa__active_table);
    if (MOSSA__LIKELY(t != NULL)) return t;
    mossa__dispatch_init();
    return MOSSA__LOAD_PTR(mossa__active_table);
}

static mossa_status mossa__dispatch_status(void)
{
    mossa__dispatch_init();
    return mossa__env_status;
}

MOSSA_DEF mossa_status mossa_simd_init(void) { return mossa__dispatch_status(); }

MOSSA_DEF int mossa_simd_available(mossa_simd_level level)
{
    mossa__dispatch_init();
    if (level == MOSSA_SIMD_AUTO) return 1;
    if ((int)level <= 0 || (int)level >= (int)MOSSA_SIMD_LEVEL_COUNT) return 0;
    return mossa__level_ok[level];
}

MOSSA_DEF mossa_status mossa_simd_force(mossa_simd_level level)
{
    mossa__dispatch_init();
    if ((int)level < 0 || (int)level >= (int)MOSSA_SIMD_LEVEL_COUNT) return MOSSA_ERR_SIMD_UNKNOWN;
    if (level == MOSSA_SIMD_AUTO) level = mossa__best_level;
    if (!mossa__level_ok[level]) return MOSSA_ERR_SIMD_UNAVAILABLE;
    MOSSA__STORE_PTR(mossa__active_table, (const mossa__kernels *)&mossa__tables[level]);
    /* an explicit, valid choice supersedes a bad MOSSA_SIMD */
    mossa__env_status = MOSSA_OK;
    return MOSSA_OK;
}

MOSSA_DEF mossa_simd_level mossa_simd_active(void) { return mossa__k()->level; }

MOSSA_DEF const char *mossa_simd_name(mossa_simd_level level)
{
    switch (level) {
    case MOSSA_SIMD_AUTO: return "auto";
    case MOSSA_SIMD_SCALAR: return "scalar";
    case MOSSA_SIMD_AVX2: return "avx2";
    case MOSSA_SIMD_AVX512: return "avx512";
    case MOSSA_SIMD_NEON: return "neon";
    default: return "unknown";
    }
}

MOSSA_DEF mossa_status mossa_simd_parse(const char *name, mossa_simd_level *level)
{
    int i;
    if (!name || !level) return MOSSA_ERR_INVALID_ARGUMENT;
    for (i = 0; i < (int)MOSSA_SIMD_LEVEL_COUNT; ++i) {
        if (strcmp(name, mossa_simd_name((mossa_simd_level)i)) == 0) {
            *level = (mossa_simd_level)i;
            return MOSSA_OK;
        }
    }
    return MOSSA_ERR_SIMD_UNKNOWN;
}

#ifdef MOSSA_TEST_HOOKS
#define MOSSA__COUNT_CALL() __atomic_fetch_add(&mossa__test_calls[mossa__k()->level], 1UL, __ATOMIC_RELAXED)
MOSSA_DEF unsigned long mossa_test_kernel_calls(mossa_simd_level level)
{
    if ((int)level < 0 || (int)level >= (int)MOSSA_SIMD_LEVEL_COUNT) return 0;
    return __atomic_load_n(&mossa__test_calls[level], __ATOMIC_RELAXED);
}
#else
#define MOSSA__COUNT_CALL() ((void)0)
#endif

/* ---- public kernel entry points -------------------------------------- */
MOSSA_DEF double mossa_dot_f32(const float *a, const float *b, size_t n)
{
    MOSSA__COUNT_CALL();
    return mossa__k()->dot(a, b, n);
}

MOSSA_DEF void mossa_axpy_f32(size_t n, float alpha, const float *x, float *y)
{
    MOSSA__COUNT_CALL();
    mossa__k()->axpy(n, alpha, x, y);
}

MOSSA_DEF void mossa_sqdist_f32(const float *x, const float *Y, size_t m, size_t d,
                                size_t ldy, float *out)
{
    MOSSA__COUNT_CALL();
    mossa__k()->sqdist(x, Y, m, d, ldy, out);
}

MOSSA_DEF void mossa_expf_array(const float *x, float *y, size_t n)
{
    MOSSA__COUNT_CALL();
    mossa__k()->expf_array(x, y, n);
}

MOSSA_DEF void mossa_logf_array(const float *x, float *y, size_t n)
{
    MOSSA__COUNT_CALL();
    mossa__k()->logf_array(x, y, n);
}

/* ==== impl/kernels/scalar.c ==== */
/* kernels/scalar.c - the portable reference level. Every vector level
   implements the same algorithms, so the levels differ only in rounding
   (lane-wise summation order, fused multiply-adds). */

/* ---- foundation ---------------------------------------------------------- */
#define MOSSA__DOT_BLOCK 256

static double mossa__dot_scalar(const float *a, const float *b, size_t n)
{
    /* 8 float accumulators per block mimic the vector levels' lanes; each
       block's sum is promoted to double so long dots do not drift. */
    double total = 0.0;
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int l;
        for (; i + 8 <= end; i += 8)
            for (l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
        for (; i < end; ++i) acc[0] += a[i] * b[i];
        total += (double)(((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])));
    }
    return total;
}

static void mossa__axpy_scalar(size_t n, float alpha, const float *x, float *y)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] += alpha * x[i];
}

static void mossa__sqdist_scalar(const float *x, const float *Y, size_t m, size_t d,
                                 size_t ldy, float *out)
{
    size_t j, k;
    for (j = 0; j < m; ++j) {
        const float *y = Y + j * ldy;
        float acc[4] = {0, 0, 0, 0};
        for (k = 0; k + 4 <= d; k += 4) {
            float d0 = x[k] - y[k], d1 = x[k + 1] - y[k + 1];
            float d2 = x[k + 2] - y[k + 2], d3 = x[k + 3] - y[k + 3];
            acc[0] += d0 * d0; acc[1] += d1 * d1; acc[2] += d2 * d2; acc[3] += d3 * d3;
        }
        for (; k < d; ++k) { float t = x[k] - y[k]; acc[0] += t * t; }
        out[j] = (acc[0] + acc[2]) + (acc[1] + acc[3]);
    }
}

/* ---- expf ----------------------------------------------------------------
   exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 computed with a
   two-part ln 2 (Cody-Waite), |r| <= ln2/2; exp(r) by a degree-6 polynomial
   (Cephes coefficients). 2^n is applied in two halves so that results in
   the subnormal range and up to FLT_MAX are reached without overflow. */
#define MOSSA__EXP_HI 88.72283935546875f       /* above: +inf */
#define MOSSA__EXP_LO (-103.97208404541015625f) /* below: 0 */
#define MOSSA__LOG2E 1.44269502162933349609375f
#define MOSSA__LN2_HI 0.693359375f
#define MOSSA__LN2_LO (-2.12194440e-4f)
#define MOSSA__EXP_P0 1.9875691500e-4f
#define MOSSA__EXP_P1 1.3981999507e-3f
#define MOSSA__EXP_P2 8.3334519073e-3f
#define MOSSA__EXP_P3 4.1665795894e-2f
#define MOSSA__EXP_P4 1.6666665459e-1f
#define MOSSA__EXP_P5 5.0000001201e-1f

static float mossa__pow2i(int n) /* 2^n for -126 <= n <= 127 */
{
    union { uint32_t u; float f; } v;
    v.u = (uint32_t)(n + 127) << 23;
    return v.f;
}

static float mossa__expf_scalar1(float x)
{
    float fn, r, r2, p;
    int n, n1;
    if (x != x) return x;
    if (x > MOSSA__EXP_HI) return HUGE_VALF;
    if (x < MOSSA__EXP_LO) return 0.0f;
    fn = floorf(x * MOSSA__LOG2E + 0.5f);
    r = x - fn * MOSSA__LN2_HI;
    r = r - fn * MOSSA__LN2_LO;
    r2 = r * r;
    p = MOSSA__EXP_P0;
    p = p * r + MOSSA__EXP_P1;
    p = p * r + MOSSA__EXP_P2;
    p = p * r + MOSSA__EXP_P3;
    p = p * r + MOSSA__EXP_P4;
    p = p * r + MOSSA__EXP_P5;
    p = p * r2 + r + 1.0f;
    n = (int)fn;
    n1 = n / 2;
    return p * mossa__pow2i(n1) * mossa__pow2i(n - n1);
}

static void mossa__expf_scalar(const float *x, float *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] = mossa__expf_scalar1(x[i]);
}

/* ---- logf ----------------------------------------------------------------
   x = m 2^e with m in [sqrt(1/2), sqrt(2)); log(x) = e ln 2 + log1p(f),
   f = m - 1, log1p by f - f^2/2 + f^3 P(f) (Cephes logf, degree 8).
   Subnormals are scaled by 2^23 first. */
#define MOSSA__SQRTHF 0.707106781186547524f
#define MOSSA__LOG_P0 7.0376836292e-2f
#define MOSSA__LOG_P1 (-1.1514610310e-1f)
#define MOSSA__LOG_P2 1.1676998740e-1f
#define MOSSA__LOG_P3 (-1.2420140846e-1f)
#define MOSSA__LOG_P4 1.4249322787e-1f
#define MOSSA__LOG_P5 (-1.6668057665e-1f)
#define MOSSA__LOG_P6 2.0000714765e-1f
#define MOSSA__LOG_P7 (-2.4999993993e-1f)
#define MOSSA__LOG_P8 3.3333331174e-1f

static float mossa__logf_scalar1(float x)
{
    union { uint32_t u; float f; } v;
    float m, f, z, y, fe;
    int e;
    if (x != x) return x;
    if (x < 0.0f) return (float)NAN;
    if (x == 0.0f) return -HUGE_VALF;
    if (x == HUGE_VALF) return x;
    v.f = x;
    e = 0;
    if (v.u < 0x00800000u) { v.f = x * 8388608.0f; e = -23; }  /* subnormal */
    e += (int)(v.u >> 23) - 126;
    v.u = (v.u & 0x007fffffu) | 0x3f000000u;                     /* m in [0.5, 1) */
    m = v.f;
    if (m < MOSSA__SQRTHF) { e -= 1; f = m + m - 1.0f; }
    else f = m - 1.0f;
    z = f * f;
    y = MOSSA__LOG_P0;
    y = y * f + MOSSA__LOG_P1;
    y = y * f + MOSSA__LOG_P2;
    y = y * f + MOSSA__LOG_P3;
    y = y * f + MOSSA__LOG_P4;
    y = y * f + MOSSA__LOG_P5;
    y = y * f + MOSSA__LOG_P6;
    y = y * f + MOSSA__LOG_P7;
    y = y * f + MOSSA__LOG_P8;
    y = y * f * z;
    fe = (float)e;
    y += fe * MOSSA__LN2_LO;
    y += -0.5f * z;
    return f + y + fe * MOSSA__LN2_HI;
}

static void mossa__logf_scalar(const float *x, float *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] = mossa__logf_scalar1(x[i]);
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
static void mossa__tsne_knn_tile_scalar(const float *qt, size_t d, const float *r, size_t ldr,
                                        size_t nr, float *out, int accumulate)
{
    size_t j, k;
    int q;
    for (j = 0; j < nr; ++j) {
        const float *rj = r + j * ldr;
        float s[32];
        for (q = 0; q < 32; ++q) s[q] = accumulate ? out[j * 32 + q] : 0.0f;
        for (k = 0; k < d; ++k) {
            const float *qk = qt + k * 32;
            float rk = rj[k];
            for (q = 0; q < 32; ++q) { float t = qk[q] - rk; s[q] += t * t; }
        }
        for (q = 0; q < 32; ++q) out[j * 32 + q] = s[q];
    }
}

static void mossa__tsne_repulse2_scalar(const float *tx, const float *ty, size_t nt,
                                        const float *sx, const float *sy, const float *sm,
                                        size_t ns, float *acc)
{
    size_t t, j;
    for (t = 0; t < nt; ++t) {
        float xi = tx[t], yi = ty[t], z = 0.0f, fx = 0.0f, fy = 0.0f;
        for (j = 0; j < ns; ++j) {
            float dx = xi - sx[j], dy = yi - sy[j];
            float q = 1.0f / (1.0f + dx * dx + dy * dy);
            float mq = sm[j] * q;
            z += mq;
            mq *= q;
            fx += mq * dx;
            fy += mq * dy;
        }
        acc[4 * t] += z;
        acc[4 * t + 1] += fx;
        acc[4 * t + 2] += fy;
    }
}

static void mossa__tsne_repulse3_scalar(const float *tx, const float *ty, const float *tz, size_t nt,
                                        const float *sx, const float *sy, const float *sz,
                                        const float *sm, size_t ns, float *acc)
{
    size_t t, j;
    for (t = 0; t < nt; ++t) {
        float xi = tx[t], yi = ty[t], zi = tz[t], z = 0.0f, fx = 0.0f, fy = 0.0f, fz = 0.0f;
        for (j = 0; j < ns; ++j) {
            float dx = xi - sx[j], dy = yi - sy[j], dz = zi - sz[j];
            float q = 1.0f / (1.0f + dx * dx + dy * dy + dz * dz);
            float mq = sm[j] * q;
            z += mq;
            mq *= q;
            fx += mq * dx;
            fy += mq * dy;
            fz += mq * dz;
        }
        acc[4 * t] += z;
        acc[4 * t + 1] += fx;
        acc[4 * t + 2] += fy;
        acc[4 * t + 3] += fz;
    }
}

static void mossa__tsne_attract_scalar(int dims, const float *y, size_t i0, size_t i1,
                                       const size_t *indptr, const int32_t *col, const float *w,
                                       float *buf)
{
    size_t i, e;
    int c;
    for (i = i0; i < i1; ++i) {
        const float *yi = y + i * (size_t)dims;
        float fi[3] = {0.0f, 0.0f, 0.0f};
        for (e = indptr[i]; e < indptr[i + 1]; ++e) {
            size_t j = (size_t)col[e];
            const float *yj = y + j * (size_t)dims;
            float diff[3], d2 = 0.0f, f;
            for (c = 0; c < dims; ++c) { diff[c] = yi[c] - yj[c]; d2 += diff[c] * diff[c]; }
            f = w[e] / (1.0f + d2);
            for (c = 0; c < dims; ++c) {
                fi[c] += f * diff[c];
                buf[j * (size_t)dims + (size_t)c] -= f * diff[c];
            }
        }
        for (c = 0; c < dims; ++c) buf[i * (size_t)dims + (size_t)c] += fi[c];
    }
}
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_scalar(mossa__kernels *t)
{
    /* foundation */
    t->dot = mossa__dot_scalar;
    t->axpy = mossa__axpy_scalar;
    t->sqdist = mossa__sqdist_scalar;
    t->expf_array = mossa__expf_scalar;
    t->logf_array = mossa__logf_scalar;
    /* gemm / cka */
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_scalar;
    t->tsne_repulse2 = mossa__tsne_repulse2_scalar;
    t->tsne_repulse3 = mossa__tsne_repulse3_scalar;
    t->tsne_attract = mossa__tsne_attract_scalar;
    /* text */
}

/* ==== impl/kernels/avx2.c ==== */
/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
MOSSA__TARGET_AVX2 static void mossa__tsne_knn_tile_avx2(const float *qt, size_t d, const float *r,
                                                         size_t ldr, size_t nr, float *out,
                                                         int accumulate)
{
    size_t j = 0, k;
    int l;
    for (; j + 2 <= nr; j += 2) {
        const float *r0 = r + j * ldr, *r1 = r0 + ldr;
        float *o = out + j * 32;
        __m256 a0[4], a1[4];
        for (l = 0; l < 4; ++l) {
            a0[l] = accumulate ? _mm256_loadu_ps(o + 8 * l) : _mm256_setzero_ps();
            a1[l] = accumulate ? _mm256_loadu_ps(o + 32 + 8 * l) : _mm256_setzero_ps();
        }
        for (k = 0; k < d; ++k) {
            __m256 b0 = _mm256_set1_ps(r0[k]), b1 = _mm256_set1_ps(r1[k]);
            for (l = 0; l < 4; ++l) {
                __m256 q = _mm256_loadu_ps(qt + k * 32 + 8 * l);
                __m256 t0 = _mm256_sub_ps(q, b0), t1 = _mm256_sub_ps(q, b1);
                a0[l] = _mm256_fmadd_ps(t0, t0, a0[l]);
                a1[l] = _mm256_fmadd_ps(t1, t1, a1[l]);
            }
        }
        for (l = 0; l < 4; ++l) { _mm256_storeu_ps(o + 8 * l, a0[l]); _mm256_storeu_ps(o + 32 + 8 * l, a1[l]); }
    }
    for (; j < nr; ++j) {
        const float *r0 = r + j * ldr;
        float *o = out + j * 32;
        __m256 a0[4];
        for (l = 0; l < 4; ++l) a0[l] = accumulate ? _mm256_loadu_ps(o + 8 * l) : _mm256_setzero_ps();
        for (k = 0; k < d; ++k) {
            __m256 b0 = _mm256_set1_ps(r0[k]);
            for (l = 0; l < 4; ++l) {
                __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(qt + k * 32 + 8 * l), b0);
                a0[l] = _mm256_fmadd_ps(t0, t0, a0[l]);
            }
        }
        for (l = 0; l < 4; ++l) _mm256_storeu_ps(o + 8 * l, a0[l]);
    }
}

MOSSA__TARGET_AVX2 static float mossa__hsum256(__m256 v)
{
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
    return _mm_cvtss_f32(lo);
}

/* 1/x by rcp (12 bits) and one Newton step (~2^-23) */
#define MOSSA__RCP256(x) \
    _mm256_mul_ps(_mm256_rcp_ps(x), _mm256_fnmadd_ps((x), _mm256_rcp_ps(x), _mm256_set1_ps(2.0f)))

MOSSA__TARGET_AVX2 static void mossa__tsne_repulse2_avx2(const float *tx, const float *ty, size_t nt,
                                                         const float *sx, const float *sy,
                                                         const float *sm, size_t ns, float *acc)
{
    size_t t = 0, j;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; t + 2 <= nt; t += 2) {
        __m256 x0 = _mm256_set1_ps(tx[t]), x1 = _mm256_set1_ps(tx[t + 1]);
        __m256 y0 = _mm256_set1_ps(ty[t]), y1 = _mm256_set1_ps(ty[t + 1]);
        __m256 z0 = _mm256_setzero_ps(), z1 = z0, fx0 = z0, fx1 = z0, fy0 = z0, fy1 = z0;
        for (j = 0; j < ns; j += 8) {
            __m256 px = _mm256_loadu_ps(sx + j), py = _mm256_loadu_ps(sy + j), pm = _mm256_loadu_ps(sm + j);
            __m256 dx, dy, s, q, mq;
#define MOSSA__REP2_STEP8(X, Y, Z, FX, FY)                                  \
            dx = _mm256_sub_ps(X, px); dy = _mm256_sub_ps(Y, py);           \
            s = _mm256_fmadd_ps(dx, dx, _mm256_fmadd_ps(dy, dy, one));       \
            q = MOSSA__RCP256(s);                                           \
            mq = _mm256_mul_ps(pm, q);                                      \
            Z = _mm256_add_ps(Z, mq);                                       \
            mq = _mm256_mul_ps(mq, q);                                      \
            FX = _mm256_fmadd_ps(mq, dx, FX); FY = _mm256_fmadd_ps(mq, dy, FY);
            MOSSA__REP2_STEP8(x0, y0, z0, fx0, fy0)
            MOSSA__REP2_STEP8(x1, y1, z1, fx1, fy1)
        }
        acc[4 * t] += mossa__hsum256(z0); acc[4 * t + 1] += mossa__hsum256(fx0); acc[4 * t + 2] += mossa__hsum256(fy0);
        acc[4 * t + 4] += mossa__hsum256(z1); acc[4 * t + 5] += mossa__hsum256(fx1); acc[4 * t + 6] += mossa__hsum256(fy1);
    }
    for (; t < nt; ++t) {
        __m256 x0 = _mm256_set1_ps(tx[t]), y0 = _mm256_set1_ps(ty[t]);
        __m256 z0 = _mm256_setzero_ps(), fx0 = z0, fy0 = z0;
        for (j = 0; j < ns; j += 8) {
            __m256 px = _mm256_loadu_ps(sx + j), py = _mm256_loadu_ps(sy + j), pm = _mm256_loadu_ps(sm + j);
            __m256 dx, dy, s, q, mq;
            MOSSA__REP2_STEP8(x0, y0, z0, fx0, fy0)
        }
        acc[4 * t] += mossa__hsum256(z0); acc[4 * t + 1] += mossa__hsum256(fx0); acc[4 * t + 2] += mossa__hsum256(fy0);
    }
#undef MOSSA__REP2_STEP8
}

MOSSA__TARGET_AVX2 static void mossa__tsne_repulse3_avx2(const float *tx, const float *ty, const float *tz,
                                                         size_t nt, const float *sx, const float *sy,
                                                         const float *sz, const float *sm, size_t ns,
                                                         float *acc)
{
    size_t t, j;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (t = 0; t < nt; ++t) {
        __m256 x0 = _mm256_set1_ps(tx[t]), y0 = _mm256_set1_ps(ty[t]), w0 = _mm256_set1_ps(tz[t]);
        __m256 z0 = _mm256_setzero_ps(), fx0 = z0, fy0 = z0, fz0 = z0;
        for (j = 0; j < ns; j += 8) {
            __m256 px = _mm256_loadu_ps(sx + j), py = _mm256_loadu_ps(sy + j), pz = _mm256_loadu_ps(sz + j);
            __m256 pm = _mm256_loadu_ps(sm + j);
            __m256 dx = _mm256_sub_ps(x0, px), dy = _mm256_sub_ps(y0, py), dz = _mm256_sub_ps(w0, pz);
            __m256 s = _mm256_fmadd_ps(dx, dx, _mm256_fmadd_ps(dy, dy, _mm256_fmadd_ps(dz, dz, one)));
            __m256 q = MOSSA__RCP256(s), mq = _mm256_mul_ps(pm, q);
            z0 = _mm256_add_ps(z0, mq);
            mq = _mm256_mul_ps(mq, q);
            fx0 = _mm256_fmadd_ps(mq, dx, fx0); fy0 = _mm256_fmadd_ps(mq, dy, fy0); fz0 = _mm256_fmadd_ps(mq, dz, fz0);
        }
        acc[4 * t] += mossa__hsum256(z0); acc[4 * t + 1] += mossa__hsum256(fx0);
        acc[4 * t + 2] += mossa__hsum256(fy0); acc[4 * t + 3] += mossa__hsum256(fz0);
    }
}
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx2;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx2;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx2;
    /* text */
}

#endif /* MOSSA__X86 */

/* ==== impl/kernels/avx512.c ==== */
/* kernels/avx512.c - AVX-512 F/BW/DQ/VL (512-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
MOSSA__TARGET_AVX512 static void mossa__tsne_knn_tile_avx512(const float *qt, size_t d, const float *r,
                                                             size_t ldr, size_t nr, float *out,
                                                             int accumulate)
{
    size_t j = 0, k;
    for (; j + 4 <= nr; j += 4) {
        const float *r0 = r + j * ldr, *r1 = r0 + ldr, *r2 = r1 + ldr, *r3 = r2 + ldr;
        float *o = out + j * 32;
        __m512 a00, a01, a10, a11, a20, a21, a30, a31;
        if (accumulate) {
            a00 = _mm512_loadu_ps(o); a01 = _mm512_loadu_ps(o + 16);
            a10 = _mm512_loadu_ps(o + 32); a11 = _mm512_loadu_ps(o + 48);
            a20 = _mm512_loadu_ps(o + 64); a21 = _mm512_loadu_ps(o + 80);
            a30 = _mm512_loadu_ps(o + 96); a31 = _mm512_loadu_ps(o + 112);
        } else {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = _mm512_setzero_ps();
        }
        for (k = 0; k < d; ++k) {
            __m512 q0 = _mm512_loadu_ps(qt + k * 32), q1 = _mm512_loadu_ps(qt + k * 32 + 16), b, t0, t1;
            b = _mm512_set1_ps(r0[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a00 = _mm512_fmadd_ps(t0, t0, a00); a01 = _mm512_fmadd_ps(t1, t1, a01);
            b = _mm512_set1_ps(r1[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a10 = _mm512_fmadd_ps(t0, t0, a10); a11 = _mm512_fmadd_ps(t1, t1, a11);
            b = _mm512_set1_ps(r2[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a20 = _mm512_fmadd_ps(t0, t0, a20); a21 = _mm512_fmadd_ps(t1, t1, a21);
            b = _mm512_set1_ps(r3[k]); t0 = _mm512_sub_ps(q0, b); t1 = _mm512_sub_ps(q1, b);
            a30 = _mm512_fmadd_ps(t0, t0, a30); a31 = _mm512_fmadd_ps(t1, t1, a31);
        }
        _mm512_storeu_ps(o, a00); _mm512_storeu_ps(o + 16, a01);
        _mm512_storeu_ps(o + 32, a10); _mm512_storeu_ps(o + 48, a11);
        _mm512_storeu_ps(o + 64, a20); _mm512_storeu_ps(o + 80, a21);
        _mm512_storeu_ps(o + 96, a30); _mm512_storeu_ps(o + 112, a31);
    }
    for (; j < nr; ++j) {
        const float *r0 = r + j * ldr;
        float *o = out + j * 32;
        __m512 a0 = accumulate ? _mm512_loadu_ps(o) : _mm512_setzero_ps();
        __m512 a1 = accumulate ? _mm512_loadu_ps(o + 16) : _mm512_setzero_ps();
        for (k = 0; k < d; ++k) {
            __m512 b = _mm512_set1_ps(r0[k]);
            __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(qt + k * 32), b);
            __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(qt + k * 32 + 16), b);
            a0 = _mm512_fmadd_ps(t0, t0, a0); a1 = _mm512_fmadd_ps(t1, t1, a1);
        }
        _mm512_storeu_ps(o, a0); _mm512_storeu_ps(o + 16, a1);
    }
}

/* horizontal sum in a fixed order (own version: g++ 12 warns about the
   _mm512_undefined_ps inside _mm512_reduce_add_ps and the 512->256 casts) */
MOSSA__TARGET_AVX512 static float mossa__tsne_hsum512(__m512 v)
{
    float t[16];
    int l;
    _mm512_storeu_ps(t, v);
    for (l = 0; l < 8; ++l) t[l] += t[l + 8];
    for (l = 0; l < 4; ++l) t[l] += t[l + 4];
    return (t[0] + t[2]) + (t[1] + t[3]);
}

/* 1/x by rcp14 and one Newton step (relative error ~2^-28, below float's).
   The maskz forms avoid g++ 12's false maybe-uninitialized warning on
   the _mm512_undefined_ps inside the unmasked intrinsics. */
#define MOSSA__RCP512(x) \
    _mm512_mul_ps(_mm512_maskz_rcp14_ps(0xFFFF, x), _mm512_fnmadd_ps((x), _mm512_maskz_rcp14_ps(0xFFFF, x), _mm512_set1_ps(2.0f)))

MOSSA__TARGET_AVX512 static void mossa__tsne_repulse2_avx512(const float *tx, const float *ty, size_t nt,
                                                             const float *sx, const float *sy,
                                                             const float *sm, size_t ns, float *acc)
{
    size_t t = 0, j;
    const __m512 one = _mm512_set1_ps(1.0f);
    for (; t + 4 <= nt; t += 4) {
        __m512 x0 = _mm512_set1_ps(tx[t]), x1 = _mm512_set1_ps(tx[t + 1]);
        __m512 x2 = _mm512_set1_ps(tx[t + 2]), x3 = _mm512_set1_ps(tx[t + 3]);
        __m512 y0 = _mm512_set1_ps(ty[t]), y1 = _mm512_set1_ps(ty[t + 1]);
        __m512 y2 = _mm512_set1_ps(ty[t + 2]), y3 = _mm512_set1_ps(ty[t + 3]);
        __m512 z0 = _mm512_setzero_ps(), z1 = z0, z2 = z0, z3 = z0;
        __m512 fx0 = z0, fx1 = z0, fx2 = z0, fx3 = z0, fy0 = z0, fy1 = z0, fy2 = z0, fy3 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pm = _mm512_loadu_ps(sm + j);
            __m512 dx, dy, s, q, mq;
#define MOSSA__REP2_STEP(X, Y, Z, FX, FY)                                   \
            dx = _mm512_sub_ps(X, px); dy = _mm512_sub_ps(Y, py);           \
            s = _mm512_fmadd_ps(dx, dx, _mm512_fmadd_ps(dy, dy, one));       \
            q = MOSSA__RCP512(s);                                           \
            mq = _mm512_mul_ps(pm, q);                                      \
            Z = _mm512_add_ps(Z, mq);                                       \
            mq = _mm512_mul_ps(mq, q);                                      \
            FX = _mm512_fmadd_ps(mq, dx, FX); FY = _mm512_fmadd_ps(mq, dy, FY);
            MOSSA__REP2_STEP(x0, y0, z0, fx0, fy0)
            MOSSA__REP2_STEP(x1, y1, z1, fx1, fy1)
            MOSSA__REP2_STEP(x2, y2, z2, fx2, fy2)
            MOSSA__REP2_STEP(x3, y3, z3, fx3, fy3)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0); acc[4 * t + 2] += mossa__tsne_hsum512(fy0);
        acc[4 * t + 4] += mossa__tsne_hsum512(z1); acc[4 * t + 5] += mossa__tsne_hsum512(fx1); acc[4 * t + 6] += mossa__tsne_hsum512(fy1);
        acc[4 * t + 8] += mossa__tsne_hsum512(z2); acc[4 * t + 9] += mossa__tsne_hsum512(fx2); acc[4 * t + 10] += mossa__tsne_hsum512(fy2);
        acc[4 * t + 12] += mossa__tsne_hsum512(z3); acc[4 * t + 13] += mossa__tsne_hsum512(fx3); acc[4 * t + 14] += mossa__tsne_hsum512(fy3);
    }
    for (; t < nt; ++t) {
        __m512 x0 = _mm512_set1_ps(tx[t]), y0 = _mm512_set1_ps(ty[t]);
        __m512 z0 = _mm512_setzero_ps(), fx0 = z0, fy0 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pm = _mm512_loadu_ps(sm + j);
            __m512 dx, dy, s, q, mq;
            MOSSA__REP2_STEP(x0, y0, z0, fx0, fy0)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0); acc[4 * t + 2] += mossa__tsne_hsum512(fy0);
    }
#undef MOSSA__REP2_STEP
}

MOSSA__TARGET_AVX512 static void mossa__tsne_repulse3_avx512(const float *tx, const float *ty, const float *tz,
                                                             size_t nt, const float *sx, const float *sy,
                                                             const float *sz, const float *sm, size_t ns,
                                                             float *acc)
{
    size_t t = 0, j;
    const __m512 one = _mm512_set1_ps(1.0f);
    for (; t + 2 <= nt; t += 2) {
        __m512 x0 = _mm512_set1_ps(tx[t]), x1 = _mm512_set1_ps(tx[t + 1]);
        __m512 y0 = _mm512_set1_ps(ty[t]), y1 = _mm512_set1_ps(ty[t + 1]);
        __m512 w0 = _mm512_set1_ps(tz[t]), w1 = _mm512_set1_ps(tz[t + 1]);
        __m512 z0 = _mm512_setzero_ps(), z1 = z0, fx0 = z0, fx1 = z0, fy0 = z0, fy1 = z0, fz0 = z0, fz1 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pz = _mm512_loadu_ps(sz + j);
            __m512 pm = _mm512_loadu_ps(sm + j), dx, dy, dz, s, q, mq;
#define MOSSA__REP3_STEP(X, Y, W, Z, FX, FY, FZ)                            \
            dx = _mm512_sub_ps(X, px); dy = _mm512_sub_ps(Y, py); dz = _mm512_sub_ps(W, pz); \
            s = _mm512_fmadd_ps(dx, dx, _mm512_fmadd_ps(dy, dy, _mm512_fmadd_ps(dz, dz, one))); \
            q = MOSSA__RCP512(s);                                           \
            mq = _mm512_mul_ps(pm, q);                                      \
            Z = _mm512_add_ps(Z, mq);                                       \
            mq = _mm512_mul_ps(mq, q);                                      \
            FX = _mm512_fmadd_ps(mq, dx, FX); FY = _mm512_fmadd_ps(mq, dy, FY); FZ = _mm512_fmadd_ps(mq, dz, FZ);
            MOSSA__REP3_STEP(x0, y0, w0, z0, fx0, fy0, fz0)
            MOSSA__REP3_STEP(x1, y1, w1, z1, fx1, fy1, fz1)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0);
        acc[4 * t + 2] += mossa__tsne_hsum512(fy0); acc[4 * t + 3] += mossa__tsne_hsum512(fz0);
        acc[4 * t + 4] += mossa__tsne_hsum512(z1); acc[4 * t + 5] += mossa__tsne_hsum512(fx1);
        acc[4 * t + 6] += mossa__tsne_hsum512(fy1); acc[4 * t + 7] += mossa__tsne_hsum512(fz1);
    }
    for (; t < nt; ++t) {
        __m512 x0 = _mm512_set1_ps(tx[t]), y0 = _mm512_set1_ps(ty[t]), w0 = _mm512_set1_ps(tz[t]);
        __m512 z0 = _mm512_setzero_ps(), fx0 = z0, fy0 = z0, fz0 = z0;
        for (j = 0; j < ns; j += 16) {
            __m512 px = _mm512_loadu_ps(sx + j), py = _mm512_loadu_ps(sy + j), pz = _mm512_loadu_ps(sz + j);
            __m512 pm = _mm512_loadu_ps(sm + j), dx, dy, dz, s, q, mq;
            MOSSA__REP3_STEP(x0, y0, w0, z0, fx0, fy0, fz0)
        }
        acc[4 * t] += mossa__tsne_hsum512(z0); acc[4 * t + 1] += mossa__tsne_hsum512(fx0);
        acc[4 * t + 2] += mossa__tsne_hsum512(fy0); acc[4 * t + 3] += mossa__tsne_hsum512(fz0);
    }
#undef MOSSA__REP3_STEP
}

/* 2-D attraction: a 64-bit gather fetches (x, y) of 8 neighbours at once;
   lanes stay interleaved (x0 y0 x1 y1 ...) like y and buf, so the forces
   are scattered back as pairs too (columns in a row are distinct). */
MOSSA__TARGET_AVX512 static void mossa__tsne_attract_avx512(int dims, const float *y, size_t i0, size_t i1,
                                                            const size_t *indptr, const int32_t *col,
                                                            const float *w, float *buf)
{
    size_t i, e;
    const __m512i dup = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    const __m512 one = _mm512_set1_ps(1.0f);
    if (dims != 2) { mossa__tsne_attract_scalar(dims, y, i0, i1, indptr, col, w, buf); return; }
    for (i = i0; i < i1; ++i) {
        __m512 yi, fi = _mm512_setzero_ps();
        size_t e0 = indptr[i], e1 = indptr[i + 1];
        float fx = 0.0f, fy = 0.0f, tmp[16];
        {
            double pair;
            memcpy(&pair, y + 2 * i, sizeof(pair));
            yi = _mm512_castpd_ps(_mm512_set1_pd(pair));
        }
        for (e = e0; e < e1; e += 8) {
            size_t m = MOSSA__MIN((size_t)8, e1 - e);
            __mmask8 k8 = (__mmask8)((1u << m) - 1u);
            __mmask16 k16 = (__mmask16)((1u << (2 * m)) - 1u);
            __m256i idx = _mm256_maskz_loadu_epi32(k8, col + e);
            __m512 g = _mm512_castpd_ps(_mm512_mask_i32gather_pd(_mm512_setzero_pd(), k8, idx, (const double *)(const void *)y, 8));
            __m512 wv = _mm512_maskz_permutexvar_ps(0xFFFF, dup, _mm512_castps256_ps512(_mm256_maskz_loadu_ps(k8, w + e)));
            __m512 diff = _mm512_sub_ps(yi, g), sq = _mm512_mul_ps(diff, diff), f;
            __m512 s = _mm512_add_ps(one, _mm512_add_ps(sq, _mm512_maskz_permute_ps(0xFFFF, sq, 0xB1)));
            f = _mm512_maskz_mul_ps(k16, _mm512_div_ps(wv, s), diff);
            fi = _mm512_add_ps(fi, f);
            _mm512_storeu_ps(tmp, f);
            {
                size_t l;
                for (l = 0; l < m; ++l) {
                    float *bj = buf + 2 * (size_t)col[e + l];
                    bj[0] -= tmp[2 * l];
                    bj[1] -= tmp[2 * l + 1];
                }
            }
        }
        _mm512_storeu_ps(tmp, fi);
        {
            int l;
            for (l = 0; l < 16; l += 2) { fx += tmp[l]; fy += tmp[l + 1]; }
        }
        buf[2 * i] += fx;
        buf[2 * i + 1] += fy;
    }
}
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx512;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx512;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx512;
    t->tsne_attract = mossa__tsne_attract_avx512;
    /* text */
}

#endif /* MOSSA__X86 */

/* ==== impl/kernels/neon.c ==== */
/* kernels/neon.c - NEON (aarch64 baseline, 128-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__NEON

/* ---- foundation ---------------------------------------------------------- */
/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
static void mossa__tsne_knn_tile_neon(const float *qt, size_t d, const float *r, size_t ldr, size_t nr,
                                      float *out, int accumulate)
{
    size_t j, k;
    int l;
    for (j = 0; j < nr; ++j) {
        const float *rj = r + j * ldr;
        float *o = out + j * 32;
        float32x4_t a[8];
        for (l = 0; l < 8; ++l) a[l] = accumulate ? vld1q_f32(o + 4 * l) : vdupq_n_f32(0.0f);
        for (k = 0; k < d; ++k) {
            float32x4_t b = vdupq_n_f32(rj[k]);
            for (l = 0; l < 8; ++l) {
                float32x4_t t = vsubq_f32(vld1q_f32(qt + k * 32 + 4 * l), b);
                a[l] = vfmaq_f32(a[l], t, t);
            }
        }
        for (l = 0; l < 8; ++l) vst1q_f32(o + 4 * l, a[l]);
    }
}

static void mossa__tsne_repulse2_neon(const float *tx, const float *ty, size_t nt, const float *sx,
                                      const float *sy, const float *sm, size_t ns, float *acc)
{
    size_t t, j;
    const float32x4_t one = vdupq_n_f32(1.0f);
    for (t = 0; t < nt; ++t) {
        float32x4_t x0 = vdupq_n_f32(tx[t]), y0 = vdupq_n_f32(ty[t]);
        float32x4_t z = vdupq_n_f32(0.0f), fx = z, fy = z;
        for (j = 0; j < ns; j += 4) {
            float32x4_t dx = vsubq_f32(x0, vld1q_f32(sx + j)), dy = vsubq_f32(y0, vld1q_f32(sy + j));
            float32x4_t s = vfmaq_f32(vfmaq_f32(one, dy, dy), dx, dx);
            float32x4_t q = vdivq_f32(one, s), mq = vmulq_f32(vld1q_f32(sm + j), q);
            z = vaddq_f32(z, mq);
            mq = vmulq_f32(mq, q);
            fx = vfmaq_f32(fx, mq, dx);
            fy = vfmaq_f32(fy, mq, dy);
        }
        acc[4 * t] += vaddvq_f32(z);
        acc[4 * t + 1] += vaddvq_f32(fx);
        acc[4 * t + 2] += vaddvq_f32(fy);
    }
}
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_neon;
    t->tsne_repulse2 = mossa__tsne_repulse2_neon;
    /* text */
}

#endif /* MOSSA__NEON */

/* ==== impl/gemm.c ==== */
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

/* ==== impl/npy.c ==== */
/* npy.c - .npy reading and writing: the library's only file access.
   Format reference: numpy/lib/format.py (NEP 1). Every length that comes
   from the file is checked against the bytes actually present before it
   is used, and every size product goes through mossa__mul_overflows. */

#define MOSSA__NPY_MAGIC_LEN 6
/* numpy writes ~128-byte headers for a 2-D array; anything near this cap
   is hostile or broken, and refusing it bounds the header allocation. */
#define MOSSA__NPY_MAX_HEADER ((size_t)1 << 20)
/* numpy's GROWTH_AXIS_MAX_DIGITS and ARRAY_ALIGN (format.py) */
#define MOSSA__NPY_GROWTH_DIGITS 21
#define MOSSA__NPY_ALIGN 64

#if defined(__linux__) && !defined(MOSSA_NO_HUGEPAGES)
#include <sys/mman.h>
#define MOSSA__NPY_HUGEPAGES 1
#ifdef MADV_HUGEPAGE
#define MOSSA__MADV_HUGEPAGE MADV_HUGEPAGE
#else
/* Strict -std=c99 hides the Linux-only part of <sys/mman.h>; the call and
   the constant are the same on every Linux ABI (uapi mman-common.h). */
#define MOSSA__MADV_HUGEPAGE 14
#ifdef __cplusplus
extern "C"
#endif
int madvise(void *addr, size_t length, int advice);
#endif
#endif

/* Asks Linux for transparent huge pages on a large output before it is
   first touched, as numpy does for arrays of 4 MiB and more: on virtual
   machines 4 KiB page faults and TLB misses can cost several times the
   read itself (measured: 10x for a 160 MB float32 file). Only for the
   default allocator, whose memory mossa knows the nature of. Advice
   only; failure changes nothing. */
static void mossa__npy_advise(const mossa_allocator *allocator, void *p, size_t bytes)
{
#ifdef MOSSA__NPY_HUGEPAGES
    if (p && bytes >= ((size_t)4 << 20) && (!allocator || !allocator->alloc)) {
        /* 64 KiB alignment suits both 4 KiB and 64 KiB page kernels */
        size_t skip = (size_t)(65536 - (uintptr_t)p % 65536) % 65536;
        (void)madvise((char *)p + skip, bytes - skip, MOSSA__MADV_HUGEPAGE);
    }
#else
    (void)allocator; (void)p; (void)bytes;
#endif
}

MOSSA_DEF void mossa_free(void *ptr, const mossa_allocator *allocator)
{
    mossa__ctx ctx;
    ctx.allocator = allocator;
    ctx.n_threads = 1;
    ctx.pool = NULL;
    mossa__free(&ctx, ptr);
}

static int mossa__npy_host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- header ---------------------------------------------------------------
   Magic, version and header length. *prefix gets 10 (v1) or 12 (v2/3). */
static mossa_status mossa__npy_prefix(const unsigned char *b, size_t len, int *major,
                                      size_t *prefix, size_t *header_len)
{
    static const unsigned char magic[MOSSA__NPY_MAGIC_LEN] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    size_t n = MOSSA__MIN(len, (size_t)MOSSA__NPY_MAGIC_LEN);
    /* A short buffer that agrees with the magic so far is a truncated
       .npy file; one that disagrees is not a .npy file at all. */
    if (memcmp(b, magic, n) != 0) return MOSSA_ERR_NPY_MAGIC;
    if (len < 8) return MOSSA_ERR_NPY_TRUNCATED;
    if ((b[6] != 1 && b[6] != 2 && b[6] != 3) || b[7] != 0) return MOSSA_ERR_NPY_VERSION;
    *major = b[6];
    *prefix = b[6] == 1 ? 10 : 12;
    if (len < *prefix) return MOSSA_ERR_NPY_TRUNCATED;
    if (b[6] == 1)
        *header_len = (size_t)b[8] | (size_t)b[9] << 8;
    else {
        uint32_t h = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
        if (h > MOSSA__NPY_MAX_HEADER) return MOSSA_ERR_NPY_HEADER;
        *header_len = (size_t)h;
    }
    return MOSSA_OK;
}

/* A tiny scanner for the Python literal numpy writes. It never looks
   past `end`; it is a recogniser for the one shape of dict we accept,
   not a Python parser. */
typedef struct mossa__npy_scan {
    const unsigned char *p, *end;
} mossa__npy_scan;

static void mossa__npy_ws(mossa__npy_scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
                             *s->p == '\r' || *s->p == '\f'))
        ++s->p;
}

/* A quoted string; its first cap-1 characters go to buf (NUL-ended) and
   *fits says whether all of it did. No escapes: a backslash makes the
   string unusable (it can match nothing we accept). */
static int mossa__npy_string(mossa__npy_scan *s, char *buf, size_t cap, int *fits)
{
    unsigned char q;
    size_t n = 0;
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"')) return 0;
    q = *s->p++;
    *fits = 1;
    while (s->p < s->end && *s->p != q) {
        unsigned char c = *s->p++;
        if (c == '\n' || c == '\r' || c == 0) return 0; /* Python strings cannot span lines */
        if (c == '\\') *fits = 0;
        if (n + 1 < cap) buf[n++] = (char)c;
        else *fits = 0;
    }
    if (s->p >= s->end) return 0; /* unterminated */
    ++s->p;
    buf[n] = 0;
    return 1;
}

static int mossa__npy_word(mossa__npy_scan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0) return 0;
    /* "Falsey" is not False */
    if ((size_t)(s->end - s->p) > n) {
        unsigned char c = s->p[n];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
            return 0;
    }
    s->p += n;
    return 1;
}

/* Skips one value we do not interpret (a structured descr such as
   [('a', '<f4')]): balanced brackets and strings up to a ',' or '}' at
   depth 0. Returns 0 on unbalanced input. */
static int mossa__npy_skip_value(mossa__npy_scan *s)
{
    int depth = 0;
    char tmp[2];
    int fits;
    while (s->p < s->end) {
        unsigned char c = *s->p;
        if (c == '\'' || c == '"') {
            if (!mossa__npy_string(s, tmp, sizeof(tmp), &fits)) return 0;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0) return c == '}';
            --depth;
        } else if (c == ',' && depth == 0) return 1;
        ++s->p;
    }
    return 0;
}

typedef struct mossa__npy_shape {
    int ndim;        /* -1: not a tuple */
    size_t dim[2];
    int negative, overflow;
} mossa__npy_shape;

/* '(' [int (',' int)* [',']] ')' where a lone int needs its comma, as
   in Python. Integers: optional '-', digits, optional L (Python 2). */
static int mossa__npy_shape_tuple(mossa__npy_scan *s, mossa__npy_shape *sh)
{
    int commas_after_last = 0, n = 0;
    sh->ndim = 0;
    sh->negative = sh->overflow = 0;
    sh->dim[0] = sh->dim[1] = 0;
    if (s->p >= s->end || *s->p != '(') return 0;
    ++s->p;
    for (;;) {
        size_t v = 0;
        int neg = 0, digits = 0;
        mossa__npy_ws(s);
        if (s->p < s->end && *s->p == ')') break;
        if (n > 0 && !commas_after_last) return 0; /* "(3 4)" */
        if (s->p < s->end && *s->p == '-') { neg = 1; ++s->p; mossa__npy_ws(s); }
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            size_t d = (size_t)(*s->p - '0');
            if (v > ((size_t)-1 - d) / 10) sh->overflow = 1;
            else v = v * 10 + d;
            ++digits;
            ++s->p;
        }
        if (!digits) return 0;
        if (s->p < s->end && (*s->p == 'L' || *s->p == 'l')) ++s->p;
        if (neg && v != 0) sh->negative = 1;
        if (n < 2) sh->dim[n] = v;
        ++n;
        mossa__npy_ws(s);
        commas_after_last = 0;
        if (s->p < s->end && *s->p == ',') { ++s->p; commas_after_last = 1; }
    }
    ++s->p; /* ')' */
    /* "(3)" is the int 3, not a tuple */
    sh->ndim = (n == 1 && !commas_after_last) ? -1 : n;
    return 1;
}

MOSSA_DEF mossa_status mossa_npy_parse_header(const void *buf, size_t len, mossa_npy_info *info)
{
    const unsigned char *b = (const unsigned char *)buf;
    mossa__npy_scan s;
    mossa__npy_shape shape;
    size_t prefix = 0, header_len = 0, elems, bytes, out_bytes;
    int major = 0, have_descr = 0, have_fortran = 0, have_shape = 0;
    int fortran = 0, dtype_bytes = 0;
    mossa_status st;

    if (!info) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(info, 0, sizeof(*info));
    if (!buf && len) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!buf) return MOSSA_ERR_NPY_TRUNCATED;
    st = mossa__npy_prefix(b, len, &major, &prefix, &header_len);
    if (st != MOSSA_OK) return st;
    if (len - prefix < header_len) return MOSSA_ERR_NPY_TRUNCATED;

    shape.ndim = 0;
    s.p = b + prefix;
    s.end = b + prefix + header_len;
    mossa__npy_ws(&s);
    if (s.p >= s.end || *s.p != '{') return MOSSA_ERR_NPY_HEADER;
    ++s.p;
    for (;;) {
        char key[16], val[8];
        int fits;
        mossa__npy_ws(&s);
        if (s.p < s.end && *s.p == '}') break;
        if (!mossa__npy_string(&s, key, sizeof(key), &fits)) return MOSSA_ERR_NPY_HEADER;
        mossa__npy_ws(&s);
        if (s.p >= s.end || *s.p != ':') return MOSSA_ERR_NPY_HEADER;
        ++s.p;
        mossa__npy_ws(&s);
        if (fits && strcmp(key, "descr") == 0 && !have_descr) {
            have_descr = 1;
            if (s.p < s.end && (*s.p == '\'' || *s.p == '"')) {
                if (!mossa__npy_string(&s, val, sizeof(val), &fits)) return MOSSA_ERR_NPY_HEADER;
                if (fits && strcmp(val, "<f2") == 0) dtype_bytes = 2;
                else if (fits && strcmp(val, "<f4") == 0) dtype_bytes = 4;
                else if (fits && strcmp(val, "<f8") == 0) dtype_bytes = 8;
            } else {
                /* a structured dtype (a list) or a number: parse past it */
                const unsigned char *start = s.p;
                if (!mossa__npy_skip_value(&s) || s.p == start) return MOSSA_ERR_NPY_HEADER;
            }
        } else if (fits && strcmp(key, "fortran_order") == 0 && !have_fortran) {
            have_fortran = 1;
            if (mossa__npy_word(&s, "True")) fortran = 1;
            else if (mossa__npy_word(&s, "False")) fortran = 0;
            else return MOSSA_ERR_NPY_HEADER;
        } else if (fits && strcmp(key, "shape") == 0 && !have_shape) {
            have_shape = 1;
            if (!mossa__npy_shape_tuple(&s, &shape)) return MOSSA_ERR_NPY_HEADER;
        } else {
            return MOSSA_ERR_NPY_HEADER; /* unknown or repeated key */
        }
        mossa__npy_ws(&s);
        if (s.p < s.end && *s.p == ',') { ++s.p; continue; }
        if (s.p < s.end && *s.p == '}') break;
        return MOSSA_ERR_NPY_HEADER;
    }
    ++s.p; /* '}' */
    mossa__npy_ws(&s);
    if (s.p != s.end) return MOSSA_ERR_NPY_HEADER;
    if (!have_descr || !have_fortran || !have_shape) return MOSSA_ERR_NPY_HEADER;
    if (!dtype_bytes) return MOSSA_ERR_NPY_DTYPE;
    if (shape.ndim != 2 || shape.negative) return MOSSA_ERR_NPY_SHAPE;
    if (shape.overflow) return MOSSA_ERR_TOO_LARGE;
    /* The float32 output may be larger than the data (float16 input). */
    if (mossa__mul_overflows(shape.dim[0], shape.dim[1], &elems) ||
        mossa__mul_overflows(elems, (size_t)dtype_bytes, &bytes) ||
        mossa__mul_overflows(elems, sizeof(float), &out_bytes) ||
        bytes > (size_t)-1 - (prefix + header_len))
        return MOSSA_ERR_TOO_LARGE;

    info->rows = shape.dim[0];
    info->cols = shape.dim[1];
    info->dtype_bytes = dtype_bytes;
    info->fortran_order = fortran;
    info->version_major = major;
    info->data_offset = prefix + header_len;
    info->data_bytes = bytes;
    return MOSSA_OK;
}

/* ---- conversion ------------------------------------------------------------ */
/* binary16 -> binary32 is exact: every half is a float. Bit-level, so
   it does not depend on the host's half support; NaN payloads are kept
   (shifted), as numpy's npy_halfbits_to_floatbits does. */
static float mossa__npy_half(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (uint32_t)(h >> 10) & 0x1fu, m = (uint32_t)h & 0x3ffu, bits;
    float f;
    if (e == 0x1f) {
        bits = sign | 0x7f800000u | (m << 13);
    } else if (e != 0) {
        bits = sign | ((e + 112u) << 23) | (m << 13); /* rebias 15 -> 127 */
    } else if (m == 0) {
        bits = sign;
    } else {
        /* subnormal m * 2^-24: shift the leading one into the implicit
           bit; 2^-14 (the smallest normal half) is float exponent 113 */
        uint32_t fe = 113;
        while (!(m & 0x400u)) { m <<= 1; --fe; }
        bits = sign | (fe << 23) | ((m & 0x3ffu) << 13);
    }
    memcpy(&f, &bits, sizeof(f));
    return f;
}

/* One little-endian element of isz bytes as float32. The float64 ->
   float32 cast rounds to nearest (IEEE 754 / C Annex F; out-of-range
   values become +-inf). The byte assembly compiles to plain loads. */
static float mossa__npy_load1(const unsigned char *q, int isz)
{
    float v;
    if (isz == 2) {
        v = mossa__npy_half((uint16_t)(q[0] | q[1] << 8));
    } else if (isz == 4) {
        uint32_t u = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        memcpy(&v, &u, 4);
    } else {
        uint64_t u = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24 |
                     (uint64_t)q[4] << 32 | (uint64_t)q[5] << 40 | (uint64_t)q[6] << 48 | (uint64_t)q[7] << 56;
        double d;
        memcpy(&d, &u, 8);
        v = (float)d;
    }
    return v;
}

/* count elements from src into dst[i*stride] */
static void mossa__npy_convert(const unsigned char *src, size_t count, int isz, int host_le,
                               float *dst, size_t stride)
{
    size_t i;
    if (isz == 4 && stride == 1 && host_le) {
        memcpy(dst, src, count * 4);
        return;
    }
    if (isz == 8 && stride == 1 && host_le) {
        /* separate loop so that the compiler vectorises the conversion */
        for (i = 0; i < count; ++i) {
            double d;
            memcpy(&d, src + 8 * i, 8);
            dst[i] = (float)d;
        }
        return;
    }
    for (i = 0; i < count; ++i) dst[i * stride] = mossa__npy_load1(src + i * (size_t)isz, isz);
}

/* Fortran order is transposed a group of columns at a time: writing one
   column straight into a row-major output touches a new cache line (and,
   for wide matrices, a new page) per element; walking k columns side by
   side writes each output row segment once, contiguously. Column j of
   the group has nrows elements at src + j*col_bytes. */
#define MOSSA__NPY_GROUP 16
static void mossa__npy_convert_cols(const unsigned char *src, size_t col_bytes, size_t k,
                                    size_t nrows, int isz, float *out, size_t cols)
{
    size_t r, j;
    for (r = 0; r < nrows; ++r) {
        const unsigned char *q = src + r * (size_t)isz;
        float *o = out + r * cols;
        for (j = 0; j < k; ++j) o[j] = mossa__npy_load1(q + j * col_bytes, isz);
    }
}

/* Converts rows [row0, row0 + nrows) from data, which holds the file's
   data bytes from offset `base` (relative to the data start) on. */
static void mossa__npy_convert_slice(const mossa_npy_info *info, const unsigned char *data,
                                     size_t base, size_t row0, size_t nrows, float *out)
{
    size_t isz = (size_t)info->dtype_bytes, c0;
    /* no overflow: every offset is inside rows*cols*isz, checked by the
       header parser */
    if (nrows == 0 || info->cols == 0) return;
    if (!info->fortran_order) {
        mossa__npy_convert(data + (row0 * info->cols * isz - base), nrows * info->cols,
                           info->dtype_bytes, mossa__npy_host_is_le(), out, 1);
        return;
    }
    for (c0 = 0; c0 < info->cols; c0 += MOSSA__NPY_GROUP) {
        size_t k = MOSSA__MIN((size_t)MOSSA__NPY_GROUP, info->cols - c0);
        mossa__npy_convert_cols(data + ((c0 * info->rows + row0) * isz - base), info->rows * isz, k,
                                nrows, info->dtype_bytes, out + c0, info->cols);
    }
}

MOSSA_DEF mossa_status mossa_npy_decode(const void *buf, size_t len, const mossa_allocator *allocator,
                                        float **out, size_t *rows, size_t *cols)
{
    mossa_npy_info info;
    mossa__ctx ctx;
    mossa_status st;
    float *x;
    if (out) *out = NULL;
    if (rows) *rows = 0;
    if (cols) *cols = 0;
    if (!out || !rows || !cols || (!buf && len)) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa_npy_parse_header(buf, len, &info);
    if (st != MOSSA_OK) return st;
    if (len - info.data_offset < info.data_bytes) return MOSSA_ERR_NPY_TRUNCATED;
    st = mossa__ctx_begin(&ctx, 1, allocator);
    if (st != MOSSA_OK) return st;
    x = (float *)mossa__alloc(&ctx, info.rows * info.cols * sizeof(float));
    if (!x) { mossa__ctx_end(&ctx); return MOSSA_ERR_OUT_OF_MEMORY; }
    mossa__npy_advise(allocator, x, info.rows * info.cols * sizeof(float));
    mossa__npy_convert_slice(&info, (const unsigned char *)buf + info.data_offset, 0, 0,
                             info.rows, x);
    mossa__ctx_end(&ctx);
    *out = x;
    *rows = info.rows;
    *cols = info.cols;
    return MOSSA_OK;
}

#ifndef MOSSA_NO_STDIO
/* ---- files ----------------------------------------------------------------- */
/* Reads up to n bytes; MOSSA_ERR_IO on a read error, NPY_TRUNCATED at EOF. */
static mossa_status mossa__npy_fread(FILE *f, void *dst, size_t n)
{
    size_t got = n ? fread(dst, 1, n, f) : 0;
    if (got == n) return MOSSA_OK;
    return ferror(f) ? MOSSA_ERR_IO : MOSSA_ERR_NPY_TRUNCATED;
}

/* Opens path and parses its header. Leaves the stream just after the
   header; *size is the file size, or -1 when it cannot be known (pipes),
   in which case the stream is still positioned right after the header. */
static mossa_status mossa__npy_open(const char *path, mossa__ctx *ctx, FILE **fp,
                                    mossa_npy_info *info, long *size)
{
    unsigned char pre[12];
    unsigned char *hdr;
    size_t got, prefix = 0, header_len = 0, total;
    int major = 0;
    mossa_status st;
    FILE *f;

    *fp = NULL;
    *size = -1;
    if (!path) return MOSSA_ERR_INVALID_ARGUMENT;
    f = fopen(path, "rb");
    if (!f) return MOSSA_ERR_IO;
    /* The file size, so that a huge declared shape is refused before the
       output is allocated. Asked before reading anything: fseek fails on
       pipes, which are then read as a stream from where they are. */
    if (fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        /* end < 0: a file beyond LONG_MAX on a platform with a 32-bit long */
        if (end < 0) { fclose(f); return MOSSA_ERR_TOO_LARGE; }
        if (fseek(f, 0, SEEK_SET) != 0) { fclose(f); return MOSSA_ERR_IO; }
        *size = end;
    } else {
        clearerr(f);
    }
    got = fread(pre, 1, 8, f);
    if (got < 8 && ferror(f)) { fclose(f); return MOSSA_ERR_IO; }
    st = mossa__npy_prefix(pre, got, &major, &prefix, &header_len);
    if (st == MOSSA_ERR_NPY_TRUNCATED && got == 8) {
        got += fread(pre + 8, 1, major == 1 ? 2 : 4, f);
        if (ferror(f)) { fclose(f); return MOSSA_ERR_IO; }
        st = mossa__npy_prefix(pre, got, &major, &prefix, &header_len);
    }
    if (st != MOSSA_OK) { fclose(f); return st; }
    /* header_len <= 1 MiB here (v1 is at most 65535 by construction) */
    total = prefix + header_len;
    hdr = (unsigned char *)mossa__alloc(ctx, total);
    if (!hdr) { fclose(f); return MOSSA_ERR_OUT_OF_MEMORY; }
    memcpy(hdr, pre, prefix);
    st = mossa__npy_fread(f, hdr + prefix, header_len);
    if (st == MOSSA_OK) st = mossa_npy_parse_header(hdr, total, info);
    mossa__free(ctx, hdr);
    if (st != MOSSA_OK) { fclose(f); return st; }

    if (*size >= 0 && ((unsigned long)*size < info->data_offset ||
                       (size_t)((unsigned long)*size - info->data_offset) < info->data_bytes)) {
        fclose(f);
        return MOSSA_ERR_NPY_TRUNCATED;
    }
    *fp = f;
    return MOSSA_OK;
}

/* Seekable file: C order is read from the slice's offset through a small
   staging buffer (or straight into the output when no conversion is
   needed). Fortran order is read a group of columns at a time into a
   staging buffer of at most 4 MiB (one fread when the slice is all rows,
   one per column otherwise) and transposed from there; a column too
   tall for the group buffer is read in chunks and written with a stride. */
static mossa_status mossa__npy_read_seekable(FILE *f, mossa__ctx *ctx, const mossa_npy_info *info,
                                             size_t row0, size_t nrows, float *out)
{
    unsigned char small[16384];
    unsigned char *stage;
    size_t isz = (size_t)info->dtype_bytes, col_bytes = nrows * isz, group, c0, j;
    int le = mossa__npy_host_is_le();
    mossa_status st = MOSSA_OK;
    if (nrows == 0 || info->cols == 0) return MOSSA_OK;
    /* offsets fit in long: the file size (a long) covers the data */
    if (!info->fortran_order) {
        size_t count = nrows * info->cols, done = 0;
        if (fseek(f, (long)(info->data_offset + row0 * info->cols * isz), SEEK_SET) != 0) return MOSSA_ERR_IO;
        if (isz == 4 && le) return mossa__npy_fread(f, out, count * 4); /* bytes as they are */
        while (done < count) {
            size_t m = MOSSA__MIN(sizeof(small) / isz, count - done);
            MOSSA__CHECK(mossa__npy_fread(f, small, m * isz));
            mossa__npy_convert(small, m, info->dtype_bytes, le, out + done, 1);
            done += m;
        }
        return MOSSA_OK;
    }
    group = MOSSA__MIN((size_t)MOSSA__NPY_GROUP, info->cols);
    if (group * col_bytes > ((size_t)4 << 20)) group = ((size_t)4 << 20) / col_bytes;
    if (group <= 1) {
        for (c0 = 0; c0 < info->cols; ++c0) {
            size_t done = 0;
            if (fseek(f, (long)(info->data_offset + (c0 * info->rows + row0) * isz), SEEK_SET) != 0)
                return MOSSA_ERR_IO;
            while (done < nrows) {
                size_t m = MOSSA__MIN(sizeof(small) / isz, nrows - done);
                MOSSA__CHECK(mossa__npy_fread(f, small, m * isz));
                mossa__npy_convert(small, m, info->dtype_bytes, le, out + done * info->cols + c0, info->cols);
                done += m;
            }
        }
        return MOSSA_OK;
    }
    stage = (unsigned char *)mossa__alloc(ctx, group * col_bytes);
    if (!stage) return MOSSA_ERR_OUT_OF_MEMORY;
    for (c0 = 0; c0 < info->cols && st == MOSSA_OK; c0 += group) {
        size_t k = MOSSA__MIN(group, info->cols - c0);
        for (j = 0; j < k && st == MOSSA_OK; ++j) {
            /* all rows: the k columns are one contiguous run */
            if (j > 0 && nrows == info->rows) break;
            if (fseek(f, (long)(info->data_offset + ((c0 + j) * info->rows + row0) * isz), SEEK_SET) != 0)
                st = MOSSA_ERR_IO;
            else
                st = mossa__npy_fread(f, stage + j * col_bytes, nrows == info->rows ? k * col_bytes : col_bytes);
        }
        if (st == MOSSA_OK)
            mossa__npy_convert_cols(stage, col_bytes, k, nrows, info->dtype_bytes, out + c0, info->cols);
    }
    mossa__free(ctx, stage);
    return st;
}

/* Non-seekable stream (a pipe): read the bytes from the data start to the
   slice's end into a buffer that doubles as data arrives, so a header
   declaring terabytes over a short pipe ends in NPY_TRUNCATED, not in a
   terabyte allocation. *raw gets the buffer, *base the byte offset (from
   the data start) of its first byte. */
static mossa_status mossa__npy_read_stream(FILE *f, mossa__ctx *ctx, const mossa_npy_info *info,
                                           size_t row0, size_t nrows, unsigned char **raw,
                                           size_t *base)
{
    size_t isz = (size_t)info->dtype_bytes, first, last, need, have = 0, cap = 0;
    unsigned char *buf = NULL;
    *raw = NULL;
    *base = 0;
    if (nrows == 0 || info->cols == 0) return MOSSA_OK;
    if (info->fortran_order) {
        first = row0 * isz;
        last = ((info->cols - 1) * info->rows + row0 + nrows) * isz;
    } else {
        first = row0 * info->cols * isz;
        last = (row0 + nrows) * info->cols * isz;
    }
    /* skip to the slice */
    while (have < first) {
        unsigned char skip[4096];
        size_t m = MOSSA__MIN(sizeof(skip), first - have);
        MOSSA__CHECK(mossa__npy_fread(f, skip, m));
        have += m;
    }
    need = last - first;
    have = 0;
    while (have < need) {
        size_t m;
        mossa_status st;
        if (have == cap) {
            size_t ncap = cap ? (cap > need / 2 ? need : cap * 2) : MOSSA__MIN(need, (size_t)65536);
            unsigned char *nb = (unsigned char *)mossa__alloc(ctx, ncap);
            if (!nb) { mossa__free(ctx, buf); return MOSSA_ERR_OUT_OF_MEMORY; }
            if (have) memcpy(nb, buf, have);
            mossa__free(ctx, buf);
            buf = nb;
            cap = ncap;
        }
        m = cap - have;
        st = mossa__npy_fread(f, buf + have, m);
        if (st != MOSSA_OK) { mossa__free(ctx, buf); return st; }
        have += m;
    }
    *raw = buf;
    *base = first;
    return MOSSA_OK;
}

static mossa_status mossa__npy_read_slice(const char *path, size_t row0, size_t nrows, int whole,
                                          const mossa_allocator *allocator, float **out,
                                          mossa_npy_info *info)
{
    mossa__ctx ctx;
    FILE *f = NULL;
    long size;
    float *x = NULL;
    unsigned char *raw = NULL;
    size_t base = 0;
    mossa_status st;

    st = mossa__ctx_begin(&ctx, 1, allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__npy_open(path, &ctx, &f, info, &size);
    if (st != MOSSA_OK) { mossa__ctx_end(&ctx); return st; }
    if (whole) nrows = info->rows;
    if (row0 > info->rows || nrows > info->rows - row0) {
        fclose(f);
        mossa__ctx_end(&ctx);
        return MOSSA_ERR_INVALID_ARGUMENT;
    }
    if (size < 0) st = mossa__npy_read_stream(f, &ctx, info, row0, nrows, &raw, &base);
    if (st == MOSSA_OK) {
        /* nrows * cols * 4 <= rows * cols * 4, checked by the parser */
        x = (float *)mossa__alloc(&ctx, nrows * info->cols * sizeof(float));
        if (!x) st = MOSSA_ERR_OUT_OF_MEMORY;
        else mossa__npy_advise(allocator, x, nrows * info->cols * sizeof(float));
    }
    if (st == MOSSA_OK) {
        if (size < 0) mossa__npy_convert_slice(info, raw, base, row0, nrows, x);
        else st = mossa__npy_read_seekable(f, &ctx, info, row0, nrows, x);
    }
    mossa__free(&ctx, raw);
    fclose(f);
    if (st != MOSSA_OK) { mossa__free(&ctx, x); x = NULL; }
    mossa__ctx_end(&ctx);
    *out = x;
    return st;
}

MOSSA_DEF mossa_status mossa_npy_read(const char *path, const mossa_allocator *allocator,
                                      float **out, size_t *rows, size_t *cols)
{
    mossa_npy_info info;
    mossa_status st;
    if (out) *out = NULL;
    if (rows) *rows = 0;
    if (cols) *cols = 0;
    if (!path || !out || !rows || !cols) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__npy_read_slice(path, 0, 0, 1, allocator, out, &info);
    if (st != MOSSA_OK) return st;
    *rows = info.rows;
    *cols = info.cols;
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_npy_read_info(const char *path, mossa_npy_info *info)
{
    mossa__ctx ctx;
    FILE *f;
    long size;
    mossa_status st;
    if (!info) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(info, 0, sizeof(*info));
    if (!path) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, 1, NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__npy_open(path, &ctx, &f, info, &size);
    if (st == MOSSA_OK) fclose(f);
    else memset(info, 0, sizeof(*info));
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_npy_read_rows(const char *path, size_t row0, size_t nrows,
                                           const mossa_allocator *allocator, float **out,
                                           size_t *cols, size_t *total_rows)
{
    mossa_npy_info info;
    mossa_status st;
    if (out) *out = NULL;
    if (cols) *cols = 0;
    if (total_rows) *total_rows = 0;
    if (!path || !out || !cols || !total_rows) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(&info, 0, sizeof(info));
    st = mossa__npy_read_slice(path, row0, nrows, 0, allocator, out, &info);
    if (st == MOSSA_OK || st == MOSSA_ERR_INVALID_ARGUMENT) {
        /* also for a slice past the end: the caller learns the shape */
        *cols = info.cols;
        *total_rows = info.rows;
    }
    return st;
}

/* Decimal digits of v into p (no NUL); returns the count. */
static size_t mossa__npy_utoa(size_t v, char *p)
{
    char tmp[24];
    size_t n = 0, i;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (i = 0; i < n; ++i) p[i] = tmp[n - 1 - i];
    return n;
}

MOSSA_DEF mossa_status mossa_npy_write(const char *path, const float *x, size_t rows, size_t cols)
{
    /* numpy's _write_array_header: the dict with sorted keys, spare spaces
       so the row count can grow in place (GROWTH_AXIS_MAX_DIGITS), then
       spaces and '\n' up to a multiple of ARRAY_ALIGN. Even when already
       aligned numpy adds a full 64 bytes; so do we, to match its bytes. */
    static const char head[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    char h[256];
    size_t n = 0, d, hlen, pad, elems, bytes, i;
    mossa__ctx ctx;
    mossa_status st;
    FILE *f;
    int ok;

    if (!path || (!x && (rows && cols))) return MOSSA_ERR_INVALID_ARGUMENT;
    if (mossa__mul_overflows(rows, cols, &elems) || mossa__mul_overflows(elems, 4, &bytes))
        return MOSSA_ERR_TOO_LARGE;
    st = mossa__ctx_begin(&ctx, 1, NULL); /* reports a bad MOSSA_SIMD like every entry point */
    mossa__ctx_end(&ctx);
    if (st != MOSSA_OK) return st;

    memcpy(h, "\x93NUMPY\x01\x00", 8);
    n = 10;
    memcpy(h + n, head, sizeof(head) - 1);
    n += sizeof(head) - 1;
    d = mossa__npy_utoa(rows, h + n);
    n += d;
    h[n++] = ',';
    h[n++] = ' ';
    n += mossa__npy_utoa(cols, h + n);
    memcpy(h + n, "), }", 4);
    n += 4;
    for (i = d; i < MOSSA__NPY_GROWTH_DIGITS; ++i) h[n++] = ' ';
    hlen = n - 10 + 1;
    pad = MOSSA__NPY_ALIGN - (10 + hlen) % MOSSA__NPY_ALIGN;
    for (i = 0; i < pad; ++i) h[n++] = ' ';
    h[n++] = '\n';
    h[8] = (char)((n - 10) & 0xff);
    h[9] = (char)((n - 10) >> 8);

    f = fopen(path, "wb");
    if (!f) return MOSSA_ERR_WRITE;
    ok = fwrite(h, 1, n, f) == n;
    if (ok && bytes) {
        if (mossa__npy_host_is_le()) {
            ok = fwrite(x, 1, bytes, f) == bytes;
        } else {
            unsigned char stage[4096];
            size_t done = 0;
            while (ok && done < elems) {
                size_t m = MOSSA__MIN(elems - done, sizeof(stage) / 4), j;
                for (j = 0; j < m; ++j) {
                    uint32_t u;
                    memcpy(&u, x + done + j, 4);
                    stage[4 * j] = (unsigned char)u;
                    stage[4 * j + 1] = (unsigned char)(u >> 8);
                    stage[4 * j + 2] = (unsigned char)(u >> 16);
                    stage[4 * j + 3] = (unsigned char)(u >> 24);
                }
                ok = fwrite(stage, 1, 4 * m, f) == 4 * m;
                done += m;
            }
        }
    }
    if (fclose(f) != 0) ok = 0;
    return ok ? MOSSA_OK : MOSSA_ERR_WRITE;
}
#endif

/* ==== impl/cka.c ==== */
/* cka.c - CKA and centered Gram matrices. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_cka(const float *x, size_t n, size_t dx, const float *y, size_t dy,
                                 const mossa_cka_options *options, double *cka)
{ (void)x; (void)n; (void)dx; (void)y; (void)dy; (void)options; (void)cka; return MOSSA_ERR_NOT_IMPLEMENTED; }

/* ==== impl/svd.c ==== */
/* svd.c - randomized SVD and the variance rank. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_svd_randomized(const float *x, size_t n, size_t d, size_t k,
                                            const mossa_svd_options *options,
                                            double *s, float *u, float *vt)
{ (void)x; (void)n; (void)d; (void)k; (void)options; (void)s; (void)u; (void)vt; return MOSSA_ERR_NOT_IMPLEMENTED; }
MOSSA_DEF mossa_status mossa_variance_rank(const float *x, size_t n, size_t d,
                                           const mossa_rank_options *options, mossa_rank_result *result)
{ (void)x; (void)n; (void)d; (void)options; (void)result; return MOSSA_ERR_NOT_IMPLEMENTED; }

/* ==== impl/tsne.c ==== */
/* tsne.c - Barnes-Hut t-SNE (van der Maaten 2014) with the optimiser of
   bhtsne/sklearn. Conventions (theta, learning-rate units, schedule) are
   documented in tsne.h.

   Layout of the work:
   - P is kept as DIRECTED edges: row i holds its k neighbours j with
     weight w_ij = p_{j|i} / (2n), so the joint P_ij = w_ij + w_ji without
     materialising the symmetric union (8 bytes per edge; the union CSR
     would need about 1.4x as many entries). The attractive pass applies
     each edge to both ends (i gets +f, j gets -f) into one of a fixed
     number of per-task buffers that are summed in task order.
   - Repulsion: every iteration the points are sorted along a Morton curve
     (radix sort of 48/63-bit keys) and a compressed quadtree/octree is
     built over the sorted array (a node = a key range, children stored
     contiguously, no per-node allocation). Leaves (<= MOSSA__TSNE_LEAF
     points) are the target groups: one tree walk per leaf collects the
     accepted cells and the leaf-neighbour points into an interaction
     list, and a SIMD kernel evaluates all (target, source) pairs. A cell
     is accepted when width < theta * (distance from its centre of mass to
     the leaf's bounding box), which implies the per-point criterion.
   - Tasks never depend on the thread count and partial sums (Z, forces)
     are combined in task order, so results are bit-identical for any
     n_threads. */

#define MOSSA__TSNE_LEAF 16          /* max points per leaf */
#define MOSSA__TSNE_GROUP 128        /* max targets per group (one tree walk each) */
#define MOSSA__TSNE_LIST 2048        /* interaction list flush size */
#define MOSSA__TSNE_ATTR_TASKS 8     /* attractive-force buffers */
#define MOSSA__TSNE_REP_POINTS 256   /* points per repulsion task (at least) */
#define MOSSA__TSNE_UPD_POINTS 2048  /* points per update task */
#define MOSSA__TSNE_MAX_STEP 5.0      /* max update norm per point and iteration */
#define MOSSA__TSNE_EXACT_Z_MAX 30000 /* final KL: exact normaliser up to this n */
#define MOSSA__TSNE_KNN_QB 32
#define MOSSA__TSNE_KNN_RB 128
#define MOSSA__TSNE_KNN_DB 512

typedef struct mossa__tsne_node {
    float c[3];          /* centre of mass */
    float w2;            /* squared full width of the cell */
    uint32_t begin, end; /* points [begin, end) in Morton order */
    int32_t child;       /* first child (children contiguous), -1 = leaf */
    int32_t nchild;
} mossa__tsne_node;

struct mossa_tsne_state {
    mossa_tsne_options opt;  /* resolved */
    size_t n;
    int dims;
    int k;                   /* neighbours (0 for affinity input) */
    size_t *indptr;          /* n + 1 */
    int32_t *col;            /* directed edges, columns ascending per row */
    float *w;                /* weights, sum = 1/2 */
    double p_entropy;        /* sum over ordered pairs of P log P */
    double *y, *update, *gains;
    double lr;
    int iter;
    mossa__ctx actx;         /* allocator only (threads start per run) */
};

/* ---- small helpers ---------------------------------------------------------- */
static MOSSA__UNUSED void mossa__tsne_heap_sift(float *d, int32_t *ix, size_t n, size_t i)
{
    /* max-heap on (distance, index) */
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && (d[l] > d[m] || (d[l] == d[m] && ix[l] > ix[m]))) m = l;
        if (r < n && (d[r] > d[m] || (d[r] == d[m] && ix[r] > ix[m]))) m = r;
        if (m == i) return;
        { float td = d[i]; int32_t ti = ix[i]; d[i] = d[m]; ix[i] = ix[m]; d[m] = td; ix[m] = ti; }
        i = m;
    }
}

/* Sorts (key ascending) arrays of int32 keys with float payload in place. */
static void mossa__tsne_sort_cols(int32_t *c, float *v, size_t n)
{
    size_t i, end;
    if (n < 2) return;
    /* heapsort: max-heap on c */
    for (i = n / 2; i-- > 0;) {
        size_t r = i;
        for (;;) {
            size_t l = 2 * r + 1, m = r;
            if (l < n && c[l] > c[m]) m = l;
            if (l + 1 < n && c[l + 1] > c[m]) m = l + 1;
            if (m == r) break;
            { int32_t tc = c[r]; float tv = v[r]; c[r] = c[m]; v[r] = v[m]; c[m] = tc; v[m] = tv; }
            r = m;
        }
    }
    for (end = n - 1; end > 0; --end) {
        size_t r = 0;
        { int32_t tc = c[0]; float tv = v[0]; c[0] = c[end]; v[0] = v[end]; c[end] = tc; v[end] = tv; }
        for (;;) {
            size_t l = 2 * r + 1, m = r;
            if (l < end && c[l] > c[m]) m = l;
            if (l + 1 < end && c[l + 1] > c[m]) m = l + 1;
            if (m == r) break;
            { int32_t tc = c[r]; float tv = v[r]; c[r] = c[m]; v[r] = v[m]; c[m] = tc; v[m] = tv; }
            r = m;
        }
    }
}

/* ---- exact kNN: blocked brute force ----------------------------------------
   32 queries are transposed into a d x 32 panel; reference rows stream
   through the tile kernel (differences, not |x|^2+|y|^2-2xy, so near
   neighbours keep full float precision), and a max-heap per query keeps
   the k best (distance, index) pairs. d is chunked so the panel stays in
   cache. Self is excluded by index; duplicates are ordinary neighbours. */
typedef struct mossa__tsne_knn_job {
    const float *x;
    size_t n, d, k;
    int32_t *idx;      /* n x k */
    float *dist;       /* n x k squared */
    float *scratch;    /* per worker: panel (d x 32) + tile (RB x 32) */
    size_t scratch_stride;
} mossa__tsne_knn_job;

static void mossa__tsne_knn_task(void *arg, size_t task, int worker)
{
    mossa__tsne_knn_job *J = (mossa__tsne_knn_job *)arg;
    size_t q0 = task * MOSSA__TSNE_KNN_QB, nq = MOSSA__MIN(J->n - q0, (size_t)MOSSA__TSNE_KNN_QB);
    float *panel = J->scratch + (size_t)worker * J->scratch_stride;
    float *tile = panel + J->d * MOSSA__TSNE_KNN_QB;
    size_t filled[MOSSA__TSNE_KNN_QB];
    size_t q, k, r0, c0, j, K = J->k, d = J->d;
    const mossa__kernels *kt = mossa__k();
    for (k = 0; k < d; ++k)
        for (q = 0; q < MOSSA__TSNE_KNN_QB; ++q)
            panel[k * MOSSA__TSNE_KNN_QB + q] = q < nq ? J->x[(q0 + q) * d + k] : 0.0f;
    for (q = 0; q < nq; ++q) filled[q] = 0;
    for (r0 = 0; r0 < J->n; r0 += MOSSA__TSNE_KNN_RB) {
        size_t nr = MOSSA__MIN(J->n - r0, (size_t)MOSSA__TSNE_KNN_RB);
        for (c0 = 0; c0 < d || c0 == 0; c0 += MOSSA__TSNE_KNN_DB) {
            size_t dc = MOSSA__MIN(d - c0, (size_t)MOSSA__TSNE_KNN_DB);
            kt->tsne_knn_tile(panel + c0 * MOSSA__TSNE_KNN_QB, dc, J->x + r0 * d + c0, d, nr, tile, c0 > 0);
            if (d == 0) break;
        }
        for (q = 0; q < nq; ++q) {
            float *hd = J->dist + (q0 + q) * K;
            int32_t *hi = J->idx + (q0 + q) * K;
            size_t qi = q0 + q, f = filled[q];
            for (j = 0; j < nr; ++j) {
                float dd = tile[j * MOSSA__TSNE_KNN_QB + q];
                int32_t ji = (int32_t)(r0 + j);
                if (r0 + j == qi) continue;
                if (f < K) {
                    /* sift up */
                    size_t c = f++;
                    hd[c] = dd; hi[c] = ji;
                    while (c > 0) {
                        size_t p = (c - 1) / 2;
                        if (hd[p] > hd[c] || (hd[p] == hd[c] && hi[p] > hi[c])) break;
                        { float td = hd[p]; int32_t ti = hi[p]; hd[p] = hd[c]; hi[p] = hi[c]; hd[c] = td; hi[c] = ti; }
                        c = p;
                    }
                } else if (dd < hd[0]) {  /* ties keep the lower index (seen first) */
                    hd[0] = dd; hi[0] = ji;
                    mossa__tsne_heap_sift(hd, hi, K, 0);
                }
            }
            filled[q] = f;
        }
    }
    /* heap -> ascending */
    for (q = 0; q < nq; ++q) {
        float *hd = J->dist + (q0 + q) * K;
        int32_t *hi = J->idx + (q0 + q) * K;
        size_t end;
        for (end = K; end-- > 1;) {
            float td = hd[0]; int32_t ti = hi[0];
            hd[0] = hd[end]; hi[0] = hi[end]; hd[end] = td; hi[end] = ti;
            mossa__tsne_heap_sift(hd, hi, end, 0);
        }
    }
}

/* squared distances in dist */
static mossa_status mossa__tsne_knn_sq(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
                                       int32_t *idx, float *dist)
{
    mossa__tsne_knn_job J;
    size_t stride = MOSSA__MAX(d, (size_t)1) * MOSSA__TSNE_KNN_QB + MOSSA__TSNE_KNN_RB * MOSSA__TSNE_KNN_QB;
    J.x = x; J.n = n; J.d = d; J.k = k; J.idx = idx; J.dist = dist;
    J.scratch_stride = stride;
    J.scratch = (float *)mossa__alloc(ctx, stride * (size_t)ctx->n_threads * sizeof(float));
    if (!J.scratch) return MOSSA_ERR_OUT_OF_MEMORY;
    mossa__parallel(ctx, (n + MOSSA__TSNE_KNN_QB - 1) / MOSSA__TSNE_KNN_QB, mossa__tsne_knn_task, &J);
    mossa__free(ctx, J.scratch);
    return MOSSA_OK;
}

/* ---- perplexity calibration ---------------------------------------------------
   H(beta) = log S + beta <d'> with S = sum exp(-beta d'_j), d' = d - min d
   (the shift leaves p unchanged and keeps S >= 1). H falls monotonically in
   beta with dH/dbeta = -beta Var_p(d'); Newton steps inside a bisection
   bracket converge in a handful of iterations from beta = 1/mean(d'). */
static double mossa__tsne_calibrate_row(const float *d2, size_t k, double log_perp, float *p)
{
    double dmin = HUGE_VAL, mean = 0.0, beta, lo = 0.0, hi = HUGE_VAL, S = 0.0;
    size_t j;
    int it;
    if (k == 0) return 0.0;
    for (j = 0; j < k; ++j) if ((double)d2[j] < dmin) dmin = (double)d2[j];
    for (j = 0; j < k; ++j) mean += (double)d2[j] - dmin;
    mean /= (double)k;
    if (!(mean > 0.0)) {                 /* all neighbours equidistant: uniform */
        for (j = 0; j < k; ++j) p[j] = (float)(1.0 / (double)k);
        return 0.0;
    }
    beta = 1.0 / mean;
    for (it = 0; it < 200; ++it) {
        double S1 = 0.0, S2 = 0.0, m, var, H, diff, nb;
        S = 0.0;
        for (j = 0; j < k; ++j) {
            double dd = (double)d2[j] - dmin, e = exp(-beta * dd);
            S += e; S1 += e * dd; S2 += e * dd * dd;
        }
        m = S1 / S;
        var = S2 / S - m * m;
        H = log(S) + beta * m;
        diff = H - log_perp;
        if (fabs(diff) < 1e-10) break;
        if (diff > 0) lo = beta; else hi = beta;
        nb = (var > 0.0) ? beta + diff / (beta * var) : -1.0;
        if (!(nb > lo && nb < hi)) nb = (hi == HUGE_VAL) ? beta * 2.0 : 0.5 * (lo + hi);
        if (nb == beta) break;
        beta = nb;
    }
    S = 0.0;
    for (j = 0; j < k; ++j) S += exp(-beta * ((double)d2[j] - dmin));
    for (j = 0; j < k; ++j) p[j] = (float)(exp(-beta * ((double)d2[j] - dmin)) / S);
    return beta;
}

MOSSA_DEF double mossa_tsne_calibrate(const float *sqdist, size_t k, double perplexity, float *p)
{
    if (!sqdist || !p || k == 0 || !(perplexity > 0.0)) return 0.0;
    return mossa__tsne_calibrate_row(sqdist, k, log(perplexity), p);
}

typedef struct mossa__tsne_cal_job {
    float *d2;          /* in: squared distances; out: weights p_{j|i} / (2n) */
    int32_t *col;
    size_t n, k;
    double log_perp;
} mossa__tsne_cal_job;

static void mossa__tsne_cal_task(void *arg, size_t task, int worker)
{
    mossa__tsne_cal_job *J = (mossa__tsne_cal_job *)arg;
    size_t i, j, i0 = task * 256, i1 = MOSSA__MIN(J->n, i0 + 256);
    double scale = 1.0 / (2.0 * (double)J->n);
    (void)worker;
    for (i = i0; i < i1; ++i) {
        float *row = J->d2 + i * J->k;
        mossa__tsne_calibrate_row(row, J->k, J->log_perp, row);
        for (j = 0; j < J->k; ++j) row[j] = (float)((double)row[j] * scale);
        mossa__tsne_sort_cols(J->col + i * J->k, row, J->k);
    }
}

/* ---- sum over ordered pairs of P log P (constant part of KL) ---------------- */
typedef struct mossa__tsne_ent_job {
    const mossa_tsne_state *s;
    double *part;
} mossa__tsne_ent_job;

/* weight of edge j->i, 0 if absent (columns ascending per row) */
static float mossa__tsne_edge_weight(const mossa_tsne_state *s, size_t j, int32_t i)
{
    size_t lo = s->indptr[j], hi = s->indptr[j + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->col[mid] < i) lo = mid + 1; else hi = mid;
    }
    return (lo < s->indptr[j + 1] && s->col[lo] == i) ? s->w[lo] : 0.0f;
}

static void mossa__tsne_ent_task(void *arg, size_t task, int worker)
{
    mossa__tsne_ent_job *J = (mossa__tsne_ent_job *)arg;
    const mossa_tsne_state *s = J->s;
    size_t i, e, i0 = task * 1024, i1 = MOSSA__MIN(s->n, i0 + 1024);
    double acc = 0.0;
    (void)worker;
    for (i = i0; i < i1; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
            double wr = (double)mossa__tsne_edge_weight(s, (size_t)s->col[e], (int32_t)i);
            double P = (double)s->w[e] + wr;
            /* a mutual pair is met twice (once per direction), a one-way pair once */
            if (P > 0.0) acc += (wr > 0.0 ? 1.0 : 2.0) * P * log(P);
        }
    J->part[task] = acc;
}

static mossa_status mossa__tsne_entropy(mossa__ctx *ctx, mossa_tsne_state *s)
{
    size_t nt = (s->n + 1023) / 1024, t;
    mossa__tsne_ent_job J;
    J.s = s;
    J.part = (double *)mossa__calloc(ctx, nt, sizeof(double));
    if (!J.part) return MOSSA_ERR_OUT_OF_MEMORY;
    mossa__parallel(ctx, nt, mossa__tsne_ent_task, &J);
    s->p_entropy = 0.0;
    for (t = 0; t < nt; ++t) s->p_entropy += J.part[t];
    mossa__free(ctx, J.part);
    return MOSSA_OK;
}

/* ---- PCA initialisation ---------------------------------------------------------
   Subspace iteration on the explicitly centred data (x - mean in double, so
   large-mean columns do not cancel): V <- orth(Xc^T Xc V) with b = dims + 6
   columns, then Rayleigh-Ritz on the b x b matrix (Jacobi). Row chunks are
   fixed (independent of threads) and reduced in order. */
typedef struct mossa__tsne_pca_job {
    const float *x;
    size_t n, d, b, chunk;
    const double *mean;
    double *V;      /* d x b */
    double *W;      /* n x b */
    double *part;   /* tasks x d x b */
    int mode;       /* 0: W = Xc V; 1: part = Xc^T W; 2: part = column sums */
} mossa__tsne_pca_job;

static void mossa__tsne_pca_task(void *arg, size_t task, int worker)
{
    mossa__tsne_pca_job *J = (mossa__tsne_pca_job *)arg;
    size_t i, c, l, i0 = task * J->chunk, i1 = MOSSA__MIN(J->n, i0 + J->chunk), d = J->d, b = J->b;
    double *part = J->part + task * d * b;
    (void)worker;
    if (J->mode == 2) {
        for (c = 0; c < d; ++c) part[c] = 0.0;
        for (i = i0; i < i1; ++i) for (c = 0; c < d; ++c) part[c] += (double)J->x[i * d + c];
        return;
    }
    if (J->mode == 1) for (c = 0; c < d * b; ++c) part[c] = 0.0;
    for (i = i0; i < i1; ++i) {
        const float *xi = J->x + i * d;
        double *wi = J->W + i * b;
        if (J->mode == 0) {
            for (l = 0; l < b; ++l) wi[l] = 0.0;
            for (c = 0; c < d; ++c) {
                double v = (double)xi[c] - J->mean[c];
                const double *vc = J->V + c * b;
                for (l = 0; l < b; ++l) wi[l] += v * vc[l];
            }
        } else {
            for (c = 0; c < d; ++c) {
                double v = (double)xi[c] - J->mean[c];
                double *pc = part + c * b;
                for (l = 0; l < b; ++l) pc[l] += v * wi[l];
            }
        }
    }
}

/* orthonormalise the b columns of A (m x b, row-major) by modified Gram-Schmidt */
static void mossa__tsne_orth(double *A, size_t m, size_t b)
{
    size_t c, l, i;
    for (c = 0; c < b; ++c) {
        double nrm = 0.0;
        for (l = 0; l < c; ++l) {
            double dot = 0.0;
            for (i = 0; i < m; ++i) dot += A[i * b + c] * A[i * b + l];
            for (i = 0; i < m; ++i) A[i * b + c] -= dot * A[i * b + l];
        }
        for (i = 0; i < m; ++i) nrm += A[i * b + c] * A[i * b + c];
        nrm = sqrt(nrm);
        if (nrm > 0.0) for (i = 0; i < m; ++i) A[i * b + c] /= nrm;
    }
}

/* cyclic Jacobi: S (b x b symmetric) -> eigenvalues ev, eigenvectors E (columns) */
static void mossa__tsne_jacobi(double *S, size_t b, double *ev, double *E)
{
    size_t i, j, r, sweep;
    for (i = 0; i < b; ++i) for (j = 0; j < b; ++j) E[i * b + j] = (i == j);
    for (sweep = 0; sweep < 60; ++sweep) {
        double off = 0.0;
        for (i = 0; i < b; ++i) for (j = i + 1; j < b; ++j) off += S[i * b + j] * S[i * b + j];
        if (off < 1e-30) break;
        for (i = 0; i < b; ++i)
            for (j = i + 1; j < b; ++j) {
                double apq = S[i * b + j], th, t, cs, sn;
                if (fabs(apq) < 1e-300) continue;
                th = (S[j * b + j] - S[i * b + i]) / (2.0 * apq);
                t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1.0));
                cs = 1.0 / sqrt(t * t + 1.0);
                sn = t * cs;
                for (r = 0; r < b; ++r) {          /* columns i, j */
                    double a = S[r * b + i], c2 = S[r * b + j];
                    S[r * b + i] = cs * a - sn * c2;
                    S[r * b + j] = sn * a + cs * c2;
                }
                for (r = 0; r < b; ++r) {          /* rows i, j */
                    double a = S[i * b + r], c2 = S[j * b + r];
                    S[i * b + r] = cs * a - sn * c2;
                    S[j * b + r] = sn * a + cs * c2;
                }
                for (r = 0; r < b; ++r) {
                    double a = E[r * b + i], c2 = E[r * b + j];
                    E[r * b + i] = cs * a - sn * c2;
                    E[r * b + j] = sn * a + cs * c2;
                }
            }
    }
    for (i = 0; i < b; ++i) ev[i] = S[i * b + i];
}

/* y (n x dims) = PCA scores scaled to std(first) = 1e-4; *ok = 0 when the
   data has no variance (caller falls back to random). */
static mossa_status mossa__tsne_pca(mossa__ctx *ctx, const float *x, size_t n, size_t d, int dims,
                                    uint64_t seed, double *y, int *ok)
{
    mossa__tsne_pca_job J;
    size_t b = MOSSA__MIN(d, (size_t)dims + 6), nt, t, i, c, l, it;
    double *mean = NULL, *S = NULL, *E = NULL, *ev = NULL;
    int order[16];
    double sd = 0.0, mu = 0.0;
    mossa_status st = MOSSA_ERR_OUT_OF_MEMORY;
    *ok = 0;
    J.x = x; J.n = n; J.d = d; J.b = b;
    J.chunk = MOSSA__MAX((size_t)512, (n + 31) / 32);
    nt = (n + J.chunk - 1) / J.chunk;
    J.V = J.W = J.part = NULL;
    mean = (double *)mossa__calloc(ctx, d, sizeof(double));
    J.V = (double *)mossa__alloc(ctx, d * b * sizeof(double));
    J.W = (double *)mossa__alloc(ctx, n * b * sizeof(double));
    J.part = (double *)mossa__alloc(ctx, nt * d * b * sizeof(double));
    S = (double *)mossa__alloc(ctx, 3 * b * b * sizeof(double));
    if (!mean || !J.V || !J.W || !J.part || !S) goto done;
    E = S + b * b; ev = E + b * b;
    J.mean = mean;
    J.mode = 2;
    mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
    for (t = 0; t < nt; ++t) for (c = 0; c < d; ++c) mean[c] += J.part[t * d * b + c];
    for (c = 0; c < d; ++c) mean[c] /= (double)n;
    for (c = 0; c < d * b; ++c) J.V[c] = mossa_rng_normal(seed ^ 0x70CA5EEDull, c);
    mossa__tsne_orth(J.V, d, b);
    for (it = 0; it < 12; ++it) {
        J.mode = 0; mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
        J.mode = 1; mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
        for (c = 0; c < d * b; ++c) {
            double acc = 0.0;
            for (t = 0; t < nt; ++t) acc += J.part[t * d * b + c];
            J.V[c] = acc;
        }
        mossa__tsne_orth(J.V, d, b);
    }
    J.mode = 0; mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
    for (l = 0; l < b; ++l)
        for (c = 0; c < b; ++c) {
            double acc = 0.0;
            for (i = 0; i < n; ++i) acc += J.W[i * b + l] * J.W[i * b + c];
            S[l * b + c] = acc;
        }
    mossa__tsne_jacobi(S, b, ev, E);
    for (l = 0; l < b; ++l) order[l] = (int)l;
    for (l = 0; l < b; ++l)       /* selection sort, descending eigenvalue */
        for (c = l + 1; c < b; ++c)
            if (ev[order[c]] > ev[order[l]]) { int tmp = order[l]; order[l] = order[c]; order[c] = tmp; }
    for (l = 0; l < (size_t)dims; ++l) {
        size_t col = l < b ? (size_t)order[l] : 0;
        double big = 0.0, sign = 1.0;
        /* sign: the largest loading of the component is positive */
        for (c = 0; c < d; ++c) {
            double load = 0.0;
            size_t m;
            for (m = 0; m < b; ++m) load += J.V[c * b + m] * E[m * b + col];
            if (fabs(load) > fabs(big)) big = load;
        }
        if (big < 0) sign = -1.0;
        for (i = 0; i < n; ++i) {
            double v = 0.0;
            size_t m;
            if (l < b) for (m = 0; m < b; ++m) v += J.W[i * b + m] * E[m * b + col];
            y[i * (size_t)dims + l] = sign * v;
        }
    }
    for (i = 0; i < n; ++i) mu += y[i * (size_t)dims];
    mu /= (double)n;
    for (i = 0; i < n; ++i) sd += (y[i * (size_t)dims] - mu) * (y[i * (size_t)dims] - mu);
    sd = sqrt(sd / (double)n);
    st = MOSSA_OK;
    if (sd > 0.0 && isfinite(sd) && sd > 1e-12 * (1.0 + fabs(mu))) {
        for (i = 0; i < n * (size_t)dims; ++i) y[i] *= 1e-4 / sd;
        *ok = 1;
    }
done:
    mossa__free(ctx, mean); mossa__free(ctx, J.V); mossa__free(ctx, J.W);
    mossa__free(ctx, J.part); mossa__free(ctx, S);
    return st;
}

/* ---- options and state ------------------------------------------------------- */
static mossa_status mossa__tsne_resolve(const mossa_tsne_options *in, mossa_tsne_options *o)
{
    if (in) *o = *in; else memset(o, 0, sizeof(*o));
    if (o->dims == 0) o->dims = 2;
    if (o->dims != 2 && o->dims != 3) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->perplexity == 0.0) o->perplexity = 30.0;
    if (!(o->perplexity > 0.0) || !isfinite(o->perplexity)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->theta == 0.0) o->theta = 0.5;
    if (o->theta != o->theta || o->theta > 1e3) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->iterations == 0) o->iterations = 1000;
    if (o->iterations < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->init != MOSSA_TSNE_INIT_PCA && o->init != MOSSA_TSNE_INIT_RANDOM) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!(o->learning_rate >= 0.0) || !isfinite(o->learning_rate)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->exaggeration == 0.0) o->exaggeration = 12.0;
    if (!(o->exaggeration > 0.0) || !isfinite(o->exaggeration)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->exaggeration_iterations == 0) o->exaggeration_iterations = 250;
    if (o->exaggeration_iterations < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->n_threads < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    return MOSSA_OK;
}

static void mossa__tsne_free_state(mossa_tsne_state *s)
{
    mossa__ctx ctx;
    if (!s) return;
    ctx = s->actx;
    mossa__free(&ctx, s->indptr); mossa__free(&ctx, s->col); mossa__free(&ctx, s->w);
    mossa__free(&ctx, s->y); mossa__free(&ctx, s->update); mossa__free(&ctx, s->gains);
    mossa__free(&ctx, s);
}

/* allocates the state with its embedding arrays (edges are the caller's) */
static mossa_status mossa__tsne_new_state(const mossa_tsne_options *o, size_t n, mossa_tsne_state **out)
{
    mossa__ctx ctx;
    mossa_tsne_state *s;
    size_t cnt, i;
    ctx.allocator = o->allocator; ctx.n_threads = 1; ctx.pool = NULL;
    *out = NULL;
    if (n > (size_t)INT32_MAX) return MOSSA_ERR_TOO_LARGE;
    if (mossa__mul_overflows(n, (size_t)o->dims * sizeof(double), &cnt)) return MOSSA_ERR_TOO_LARGE;
    s = (mossa_tsne_state *)mossa__calloc(&ctx, 1, sizeof(*s));
    if (!s) return MOSSA_ERR_OUT_OF_MEMORY;
    s->actx = ctx;
    s->opt = *o;
    s->n = n;
    s->dims = o->dims;
    s->y = (double *)mossa__alloc(&ctx, cnt);
    s->update = (double *)mossa__calloc(&ctx, n * (size_t)o->dims, sizeof(double));
    s->gains = (double *)mossa__alloc(&ctx, cnt);
    if (!s->y || !s->update || !s->gains) { mossa__tsne_free_state(s); return MOSSA_ERR_OUT_OF_MEMORY; }
    for (i = 0; i < n * (size_t)o->dims; ++i) s->gains[i] = 1.0;
    s->lr = o->learning_rate > 0.0 ? o->learning_rate : MOSSA__MAX((double)n / 12.0, 200.0);
    *out = s;
    return MOSSA_OK;
}

static void mossa__tsne_random_init(mossa_tsne_state *s)
{
    size_t i;
    for (i = 0; i < s->n * (size_t)s->dims; ++i) s->y[i] = 1e-4 * mossa_rng_normal(s->opt.seed, i);
}

static mossa_status mossa__tsne_user_init(mossa_tsne_state *s)
{
    size_t i, m = s->n * (size_t)s->dims;
    if (!mossa__all_finite(s->opt.init_y, m)) return MOSSA_ERR_NONFINITE;
    for (i = 0; i < m; ++i) s->y[i] = (double)s->opt.init_y[i];
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_tsne_knn(const float *x, size_t n, size_t d, size_t k,
                                      const mossa_tsne_options *options,
                                      int32_t *indices, float *distances)
{
    mossa__ctx ctx;
    mossa_status st;
    size_t i, cnt;
    if (!x || !indices || !distances || n == 0 || d == 0 || k == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (k >= n) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n > (size_t)INT32_MAX || mossa__mul_overflows(n, d, &cnt) || mossa__mul_overflows(n, k, &cnt))
        return MOSSA_ERR_TOO_LARGE;
    if (!mossa__all_finite(x, n * d)) return MOSSA_ERR_NONFINITE;
    st = mossa__ctx_begin(&ctx, options ? options->n_threads : 0, options ? options->allocator : NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_knn_sq(&ctx, x, n, d, k, indices, distances);
    mossa__ctx_end(&ctx);
    if (st == MOSSA_OK) for (i = 0; i < n * k; ++i) distances[i] = sqrtf(distances[i]);
    return st;
}

/* common tail of the begin functions: entropy constant, init */
static mossa_status mossa__tsne_finish_begin(mossa__ctx *ctx, mossa_tsne_state *s)
{
    return mossa__tsne_entropy(ctx, s);
}

MOSSA_DEF mossa_status mossa_tsne_begin(const float *x, size_t n, size_t d,
                                        const mossa_tsne_options *options,
                                        mossa_tsne_state **state)
{
    mossa_tsne_options o;
    mossa_tsne_state *s = NULL;
    mossa__ctx ctx;
    mossa_status st;
    size_t k, i, cnt;
    int ok = 0;
    mossa__tsne_cal_job C;
    if (!state) return MOSSA_ERR_INVALID_ARGUMENT;
    *state = NULL;
    MOSSA__CHECK(mossa__tsne_resolve(options, &o));
    if (!x || d == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 2) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (o.perplexity > (double)(n - 1)) return MOSSA_ERR_PERPLEXITY;
    if (mossa__mul_overflows(n, d, &cnt)) return MOSSA_ERR_TOO_LARGE;
    if (!mossa__all_finite(x, n * d)) return MOSSA_ERR_NONFINITE;
    k = (size_t)(3.0 * o.perplexity);
    if (k > n - 1) k = n - 1;
    if (k < 1) k = 1;
    if (mossa__mul_overflows(n, k * sizeof(float), &cnt)) return MOSSA_ERR_TOO_LARGE;
    MOSSA__CHECK(mossa__tsne_new_state(&o, n, &s));
    s->k = (int)k;
    st = mossa__ctx_begin(&ctx, o.n_threads, o.allocator);
    if (st != MOSSA_OK) { mossa__tsne_free_state(s); return st; }
    /* init first: PCA temporaries are gone before the neighbour graph exists */
    if (o.init_y) st = mossa__tsne_user_init(s);
    else if (o.init == MOSSA_TSNE_INIT_PCA) {
        st = mossa__tsne_pca(&ctx, x, n, d, o.dims, o.seed, s->y, &ok);
        if (st == MOSSA_OK && !ok) mossa__tsne_random_init(s);
    } else mossa__tsne_random_init(s);
    if (st != MOSSA_OK) goto fail;
    st = MOSSA_ERR_OUT_OF_MEMORY;
    s->indptr = (size_t *)mossa__alloc(&ctx, (n + 1) * sizeof(size_t));
    s->col = (int32_t *)mossa__alloc(&ctx, n * k * sizeof(int32_t));
    s->w = (float *)mossa__alloc(&ctx, n * k * sizeof(float));
    if (!s->indptr || !s->col || !s->w) goto fail;
    for (i = 0; i <= n; ++i) s->indptr[i] = i * k;
    st = mossa__tsne_knn_sq(&ctx, x, n, d, k, s->col, s->w);
    if (st != MOSSA_OK) goto fail;
    C.d2 = s->w; C.col = s->col; C.n = n; C.k = k; C.log_perp = log(o.perplexity);
    mossa__parallel(&ctx, (n + 255) / 256, mossa__tsne_cal_task, &C);
    st = mossa__tsne_finish_begin(&ctx, s);
    if (st != MOSSA_OK) goto fail;
    mossa__ctx_end(&ctx);
    *state = s;
    return MOSSA_OK;
fail:
    mossa__ctx_end(&ctx);
    mossa__tsne_free_state(s);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_begin_knn(size_t n, size_t k, const int32_t *indices,
                                            const float *distances,
                                            const mossa_tsne_options *options,
                                            mossa_tsne_state **state)
{
    mossa_tsne_options o;
    mossa_tsne_state *s = NULL;
    mossa__ctx ctx;
    mossa_status st;
    size_t i, j, cnt;
    mossa__tsne_cal_job C;
    if (!state) return MOSSA_ERR_INVALID_ARGUMENT;
    *state = NULL;
    MOSSA__CHECK(mossa__tsne_resolve(options, &o));
    if (!indices || !distances || k == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 2) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (o.perplexity > (double)k) return MOSSA_ERR_PERPLEXITY;
    if (mossa__mul_overflows(n, k * sizeof(float), &cnt)) return MOSSA_ERR_TOO_LARGE;
    for (i = 0; i < n; ++i)
        for (j = 0; j < k; ++j) {
            int32_t c = indices[i * k + j];
            float dv = distances[i * k + j];
            if (c < 0 || (size_t)c >= n || (size_t)c == i) return MOSSA_ERR_INVALID_ARGUMENT;
            if (!(dv >= 0.0f) || !isfinite(dv)) return dv != dv || isinf(dv) ? MOSSA_ERR_NONFINITE : MOSSA_ERR_INVALID_ARGUMENT;
        }
    MOSSA__CHECK(mossa__tsne_new_state(&o, n, &s));
    s->k = (int)k;
    st = mossa__ctx_begin(&ctx, o.n_threads, o.allocator);
    if (st != MOSSA_OK) { mossa__tsne_free_state(s); return st; }
    if (o.init_y) st = mossa__tsne_user_init(s); else mossa__tsne_random_init(s);
    if (st != MOSSA_OK) goto fail;
    st = MOSSA_ERR_OUT_OF_MEMORY;
    s->indptr = (size_t *)mossa__alloc(&ctx, (n + 1) * sizeof(size_t));
    s->col = (int32_t *)mossa__alloc(&ctx, n * k * sizeof(int32_t));
    s->w = (float *)mossa__alloc(&ctx, n * k * sizeof(float));
    if (!s->indptr || !s->col || !s->w) goto fail;
    for (i = 0; i <= n; ++i) s->indptr[i] = i * k;
    memcpy(s->col, indices, n * k * sizeof(int32_t));
    for (i = 0; i < n * k; ++i) s->w[i] = distances[i] * distances[i];
    C.d2 = s->w; C.col = s->col; C.n = n; C.k = k; C.log_perp = log(o.perplexity);
    mossa__parallel(&ctx, (n + 255) / 256, mossa__tsne_cal_task, &C);
    /* repeated neighbours in a row: merge (rows are sorted by column now) */
    for (i = 0; i < n; ++i)
        for (j = i * k + 1; j < (i + 1) * k; ++j)
            if (s->col[j] == s->col[j - 1]) { st = MOSSA_ERR_INVALID_ARGUMENT; goto fail; }
    st = mossa__tsne_finish_begin(&ctx, s);
    if (st != MOSSA_OK) goto fail;
    mossa__ctx_end(&ctx);
    *state = s;
    return MOSSA_OK;
fail:
    mossa__ctx_end(&ctx);
    mossa__tsne_free_state(s);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_begin_affinity(size_t n, const size_t *indptr,
                                                 const int32_t *indices, const float *values,
                                                 const mossa_tsne_options *options,
                                                 mossa_tsne_state **state)
{
    mossa_tsne_options o;
    mossa_tsne_state *s = NULL;
    mossa__ctx ctx;
    mossa_status st;
    size_t i, e, m = 0, nnz;
    double total = 0.0;
    if (!state) return MOSSA_ERR_INVALID_ARGUMENT;
    *state = NULL;
    MOSSA__CHECK(mossa__tsne_resolve(options, &o));
    if (!indptr || (!indices && indptr[n] > indptr[0]) || (!values && indptr[n] > indptr[0]))
        return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 2) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (indptr[0] != 0) return MOSSA_ERR_INVALID_ARGUMENT;
    for (i = 0; i < n; ++i) if (indptr[i + 1] < indptr[i]) return MOSSA_ERR_INVALID_ARGUMENT;
    nnz = indptr[n];
    for (e = 0; e < nnz; ++e) {
        if (indices[e] < 0 || (size_t)indices[e] >= n) return MOSSA_ERR_INVALID_ARGUMENT;
        if (values[e] != values[e] || isinf(values[e])) return MOSSA_ERR_NONFINITE;
        if (values[e] < 0.0f) return MOSSA_ERR_INVALID_ARGUMENT;
    }
    MOSSA__CHECK(mossa__tsne_new_state(&o, n, &s));
    st = mossa__ctx_begin(&ctx, o.n_threads, o.allocator);
    if (st != MOSSA_OK) { mossa__tsne_free_state(s); return st; }
    if (o.init_y) st = mossa__tsne_user_init(s); else mossa__tsne_random_init(s);
    if (st != MOSSA_OK) goto fail;
    st = MOSSA_ERR_OUT_OF_MEMORY;
    s->indptr = (size_t *)mossa__alloc(&ctx, (n + 1) * sizeof(size_t));
    s->col = (int32_t *)mossa__alloc(&ctx, (nnz ? nnz : 1) * sizeof(int32_t));
    s->w = (float *)mossa__alloc(&ctx, (nnz ? nnz : 1) * sizeof(float));
    if (!s->indptr || !s->col || !s->w) goto fail;
    s->indptr[0] = 0;
    for (i = 0; i < n; ++i) {
        size_t r0 = m, a;
        for (e = indptr[i]; e < indptr[i + 1]; ++e)
            if ((size_t)indices[e] != i && values[e] > 0.0f) { s->col[m] = indices[e]; s->w[m] = values[e]; ++m; }
        mossa__tsne_sort_cols(s->col + r0, s->w + r0, m - r0);
        /* merge duplicates */
        for (a = r0, e = r0; e < m; ++e) {
            if (a > r0 && s->col[a - 1] == s->col[e]) s->w[a - 1] += s->w[e];
            else { s->col[a] = s->col[e]; s->w[a] = s->w[e]; ++a; }
        }
        m = a;
        s->indptr[i + 1] = m;
    }
    for (e = 0; e < m; ++e) total += (double)s->w[e];
    if (!(total > 0.0) || !isfinite(total)) { st = MOSSA_ERR_INVALID_ARGUMENT; goto fail; }
    for (e = 0; e < m; ++e) s->w[e] = (float)((double)s->w[e] / (2.0 * total));
    st = mossa__tsne_finish_begin(&ctx, s);
    if (st != MOSSA_OK) goto fail;
    mossa__ctx_end(&ctx);
    *state = s;
    return MOSSA_OK;
fail:
    mossa__ctx_end(&ctx);
    mossa__tsne_free_state(s);
    return st;
}

MOSSA_DEF void mossa_tsne_end(mossa_tsne_state *state) { mossa__tsne_free_state(state); }
MOSSA_DEF int mossa_tsne_iteration(const mossa_tsne_state *state) { return state ? state->iter : 0; }
MOSSA_DEF size_t mossa_tsne_size(const mossa_tsne_state *state) { return state ? state->n : 0; }

MOSSA_DEF void mossa_tsne_get_embedding(const mossa_tsne_state *state, float *y)
{
    size_t i;
    if (!state || !y) return;
    for (i = 0; i < state->n * (size_t)state->dims; ++i) y[i] = (float)state->y[i];
}

MOSSA_DEF void mossa_tsne_set_embedding(mossa_tsne_state *state, const float *y)
{
    size_t i;
    if (!state || !y) return;
    for (i = 0; i < state->n * (size_t)state->dims; ++i) state->y[i] = (double)y[i];
}

MOSSA_DEF mossa_status mossa_tsne_joint_p(const mossa_tsne_state *s, size_t *nnz,
                                          size_t *indptr, int32_t *indices, double *values)
{
    size_t i, e, m = 0, *cur;
    mossa__ctx ctx;
    if (!s || !nnz) return MOSSA_ERR_INVALID_ARGUMENT;
    /* each directed edge gives an entry in its row; a one-way edge i->j
       also gives the mirror entry in row j (a mutual pair has both edges) */
    for (i = 0; i < s->n; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e)
            m += mossa__tsne_edge_weight(s, (size_t)s->col[e], (int32_t)i) > 0.0f ? 1 : 2;
    if (!indices) { *nnz = m; return MOSSA_OK; }
    if (!indptr || !values || *nnz < m) return MOSSA_ERR_INVALID_ARGUMENT;
    *nnz = m;
    ctx = s->actx;
    cur = (size_t *)mossa__alloc(&ctx, s->n * sizeof(size_t));
    if (!cur) return MOSSA_ERR_OUT_OF_MEMORY;
    for (i = 0; i <= s->n; ++i) indptr[i] = 0;
    for (i = 0; i < s->n; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
            indptr[i + 1]++;
            if (mossa__tsne_edge_weight(s, (size_t)s->col[e], (int32_t)i) == 0.0f) indptr[(size_t)s->col[e] + 1]++;
        }
    for (i = 0; i < s->n; ++i) { indptr[i + 1] += indptr[i]; cur[i] = indptr[i]; }
    for (i = 0; i < s->n; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
            size_t j = (size_t)s->col[e];
            double wr = (double)mossa__tsne_edge_weight(s, j, (int32_t)i);
            indices[cur[i]] = (int32_t)j;
            values[cur[i]++] = (double)s->w[e] + wr;
            if (wr == 0.0) { indices[cur[j]] = (int32_t)i; values[cur[j]++] = (double)s->w[e]; }
        }
    for (i = 0; i < s->n; ++i) {      /* insertion sort of each row by column */
        size_t a, b;
        for (a = indptr[i] + 1; a < indptr[i + 1]; ++a) {
            int32_t c = indices[a];
            double v = values[a];
            for (b = a; b > indptr[i] && indices[b - 1] > c; --b) { indices[b] = indices[b - 1]; values[b] = values[b - 1]; }
            indices[b] = c; values[b] = v;
        }
    }
    mossa__free(&ctx, cur);
    return MOSSA_OK;
}

/* ---- the iteration engine ------------------------------------------------------ */
typedef struct mossa__tsne_ws {
    mossa_tsne_state *s;
    mossa__ctx *ctx;
    size_t n;
    int dims, bits;               /* Morton bits per dimension */
    float *yf;                    /* n x dims, input order */
    float *rep;                   /* n x dims, input order: sum_j q_ij^2 (y_i - y_j) */
    float *abuf;                  /* ATTR_TASKS x n x dims */
    uint64_t *key, *key2;
    uint32_t *perm, *perm2;
    float *sc[3];                 /* coordinates in Morton order (SoA) */
    mossa__tsne_node *nodes;
    size_t nnodes, cap;
    uint32_t *gstart;             /* groups: [gstart[g], gstart[g+1]) */
    size_t ngroups;
    size_t *tgroup;               /* repulsion task t: groups [tgroup[t], tgroup[t+1]) */
    size_t ntasks;
    double *task_z, *task_log;
    size_t abound[MOSSA__TSNE_ATTR_TASKS + 1];
    float *wscratch;              /* per worker: list (4 x (LIST+16)) + acc (4 x 64) */
    int32_t *wstack;              /* per worker: 1024 */
    size_t wstride;
    float theta2;
    int exact, want_log;
    double Z, slog;               /* results of the last passes */
} mossa__tsne_ws;

#define MOSSA__TSNE_STACK 1024

static void mossa__tsne_ws_free(mossa__tsne_ws *ws)
{
    mossa__ctx *c = ws->ctx;
    mossa__free(c, ws->yf); mossa__free(c, ws->rep); mossa__free(c, ws->abuf);
    mossa__free(c, ws->key); mossa__free(c, ws->key2); mossa__free(c, ws->perm); mossa__free(c, ws->perm2);
    mossa__free(c, ws->sc[0]); mossa__free(c, ws->nodes); mossa__free(c, ws->gstart);
    mossa__free(c, ws->tgroup); mossa__free(c, ws->task_z); mossa__free(c, ws->task_log);
    mossa__free(c, ws->wscratch); mossa__free(c, ws->wstack);
}

static mossa_status mossa__tsne_ws_init(mossa__tsne_ws *ws, mossa_tsne_state *s, mossa__ctx *ctx)
{
    size_t n = s->n, nd = n * (size_t)s->dims, t, E = s->indptr[n], ntmax = n / MOSSA__TSNE_REP_POINTS + 2;
    size_t nthr = (size_t)ctx->n_threads;
    memset(ws, 0, sizeof(*ws));
    ws->s = s; ws->ctx = ctx; ws->n = n; ws->dims = s->dims;
    ws->bits = s->dims == 2 ? 24 : 21;
    ws->yf = (float *)mossa__alloc(ctx, nd * sizeof(float));
    ws->rep = (float *)mossa__alloc(ctx, nd * sizeof(float));
    ws->abuf = (float *)mossa__alloc(ctx, MOSSA__TSNE_ATTR_TASKS * nd * sizeof(float));
    ws->key = (uint64_t *)mossa__alloc(ctx, n * sizeof(uint64_t));
    ws->key2 = (uint64_t *)mossa__alloc(ctx, n * sizeof(uint64_t));
    ws->perm = (uint32_t *)mossa__alloc(ctx, n * sizeof(uint32_t));
    ws->perm2 = (uint32_t *)mossa__alloc(ctx, n * sizeof(uint32_t));
    ws->sc[0] = (float *)mossa__alloc(ctx, 3 * n * sizeof(float));
    ws->cap = n / 4 + 64;
    ws->nodes = (mossa__tsne_node *)mossa__alloc(ctx, ws->cap * sizeof(mossa__tsne_node));
    ws->gstart = (uint32_t *)mossa__alloc(ctx, (n + 1) * sizeof(uint32_t));
    ws->tgroup = (size_t *)mossa__alloc(ctx, (ntmax + 1) * sizeof(size_t));
    ws->task_z = (double *)mossa__alloc(ctx, ntmax * sizeof(double));
    ws->task_log = (double *)mossa__alloc(ctx, MOSSA__TSNE_ATTR_TASKS * sizeof(double));
    ws->wstride = 4 * (MOSSA__TSNE_LIST + 16) + 4 * MOSSA__TSNE_GROUP;
    ws->wscratch = (float *)mossa__alloc(ctx, nthr * ws->wstride * sizeof(float));
    ws->wstack = (int32_t *)mossa__alloc(ctx, nthr * MOSSA__TSNE_STACK * sizeof(int32_t));
    if (!ws->yf || !ws->rep || !ws->abuf || !ws->key || !ws->key2 || !ws->perm || !ws->perm2 ||
        !ws->sc[0] || !ws->nodes || !ws->gstart || !ws->tgroup || !ws->task_z || !ws->task_log ||
        !ws->wscratch || !ws->wstack) {
        mossa__tsne_ws_free(ws);
        return MOSSA_ERR_OUT_OF_MEMORY;
    }
    ws->sc[1] = ws->sc[0] + n;
    ws->sc[2] = ws->sc[1] + n;
    /* attractive tasks: rows split so that each holds about E / T edges */
    ws->abound[0] = 0;
    for (t = 1; t < MOSSA__TSNE_ATTR_TASKS; ++t) {
        size_t target = E / MOSSA__TSNE_ATTR_TASKS * t, lo = ws->abound[t - 1], hi = n;
        while (lo < hi) { size_t mid = lo + (hi - lo) / 2; if (s->indptr[mid] < target) lo = mid + 1; else hi = mid; }
        ws->abound[t] = lo;
    }
    ws->abound[MOSSA__TSNE_ATTR_TASKS] = n;
    for (t = 0; t < nd; ++t) ws->yf[t] = (float)s->y[t];
    return MOSSA_OK;
}

static uint64_t mossa__tsne_spread2(uint64_t x)
{
    x &= 0xffffffffull;
    x = (x | (x << 16)) & 0x0000ffff0000ffffull;
    x = (x | (x << 8)) & 0x00ff00ff00ff00ffull;
    x = (x | (x << 4)) & 0x0f0f0f0f0f0f0f0full;
    x = (x | (x << 2)) & 0x3333333333333333ull;
    x = (x | (x << 1)) & 0x5555555555555555ull;
    return x;
}

static uint64_t mossa__tsne_spread3(uint64_t x)
{
    x &= 0x1fffffull;
    x = (x | (x << 32)) & 0x1f00000000ffffull;
    x = (x | (x << 16)) & 0x1f0000ff0000ffull;
    x = (x | (x << 8)) & 0x100f00f00f00f00full;
    x = (x | (x << 4)) & 0x10c30c30c30c30c3ull;
    x = (x | (x << 2)) & 0x1249249249249249ull;
    return x;
}

static int mossa__tsne_clz64(uint64_t x)
{
#if MOSSA__GNUC
    return __builtin_clzll(x);
#else
    int c = 0;
    while (!(x & 0x8000000000000000ull)) { x <<= 1; ++c; }
    return c;
#endif
}

/* Creates node [b, e): width from the common key prefix (compressed tree). */
static void mossa__tsne_make_node(mossa__tsne_ws *ws, mossa__tsne_node *nd, size_t b, size_t e,
                                  double cell0)
{
    uint64_t kb = ws->key[b], ke = ws->key[e - 1];
    int level;
    double wd;
    if (kb == ke) level = ws->bits;
    else level = ws->bits - 1 - (63 - mossa__tsne_clz64(kb ^ ke)) / ws->dims;
    wd = ldexp(cell0, -level);
    nd->w2 = (float)(wd * wd);
    nd->begin = (uint32_t)b; nd->end = (uint32_t)e;
    nd->child = (kb == ke || e - b <= MOSSA__TSNE_LEAF) ? -1 : level;   /* level kept until expanded */
    nd->nchild = 0;
}

/* Morton sort and tree build (serial, O(n)); fills groups and tasks. */
static mossa_status mossa__tsne_build(mossa__tsne_ws *ws)
{
    size_t n = ws->n, i, c, pass;
    int dims = ws->dims, B = ws->bits;
    double lo[3], hi[3], extent = 0.0, scale, cell0;
    uint64_t stack[MOSSA__TSNE_STACK];
    size_t sp = 0;
    const float *yf = ws->yf;
    uint64_t maxkey = 0;
    /* bounding box */
    for (c = 0; c < (size_t)dims; ++c) { lo[c] = HUGE_VAL; hi[c] = -HUGE_VAL; }
    for (i = 0; i < n; ++i)
        for (c = 0; c < (size_t)dims; ++c) {
            double v = (double)yf[i * (size_t)dims + c];
            if (v < lo[c]) lo[c] = v;
            if (v > hi[c]) hi[c] = v;
        }
    for (c = 0; c < (size_t)dims; ++c) extent = MOSSA__MAX(extent, hi[c] - lo[c]);
    scale = extent > 0.0 ? (ldexp(1.0, B) - 1.0) / extent : 0.0;
    cell0 = extent > 0.0 ? extent * ldexp(1.0, B) / (ldexp(1.0, B) - 1.0) : 0.0;
    for (i = 0; i < n; ++i) {
        uint64_t q[3] = {0, 0, 0}, k;
        for (c = 0; c < (size_t)dims; ++c) {
            double v = ((double)yf[i * (size_t)dims + c] - lo[c]) * scale;
            q[c] = v > 0.0 ? (uint64_t)v : 0;
        }
        k = dims == 2 ? (mossa__tsne_spread2(q[0]) << 1) | mossa__tsne_spread2(q[1])
                      : (mossa__tsne_spread3(q[0]) << 2) | (mossa__tsne_spread3(q[1]) << 1) | mossa__tsne_spread3(q[2]);
        ws->key[i] = k;
        ws->perm[i] = (uint32_t)i;
        maxkey |= k;
    }
    /* LSD radix sort, 11-bit digits (stable, so equal keys keep input order) */
    for (pass = 0; pass * 11 < (size_t)(B * dims); ++pass) {
        size_t cnt[2048], sh = pass * 11, sum = 0;
        if (!((maxkey >> sh) & 2047)) continue;
        memset(cnt, 0, sizeof(cnt));
        for (i = 0; i < n; ++i) cnt[(ws->key[i] >> sh) & 2047]++;
        for (i = 0; i < 2048; ++i) { size_t t = cnt[i]; cnt[i] = sum; sum += t; }
        for (i = 0; i < n; ++i) {
            size_t dpos = cnt[(ws->key[i] >> sh) & 2047]++;
            ws->key2[dpos] = ws->key[i];
            ws->perm2[dpos] = ws->perm[i];
        }
        { uint64_t *tk = ws->key; ws->key = ws->key2; ws->key2 = tk; }
        { uint32_t *tp = ws->perm; ws->perm = ws->perm2; ws->perm2 = tp; }
    }
    for (i = 0; i < n; ++i)
        for (c = 0; c < (size_t)dims; ++c) ws->sc[c][i] = yf[(size_t)ws->perm[i] * (size_t)dims + c];
    /* tree: DFS pre-order, children of a node allocated as one block */
    mossa__tsne_make_node(ws, &ws->nodes[0], 0, n, cell0);
    ws->nnodes = 1;
    ws->ngroups = 0;
    /* target groups: the topmost subtrees with <= GROUP points (a leaf of
       more identical points is cut into GROUP-sized pieces); they tile
       [0, n) in order. Inside-a-group nodes carry the high bit on the stack. */
    stack[sp++] = 0;
    while (sp > 0) {
        size_t id = (size_t)(stack[--sp] & ~((uint64_t)1 << 63)), inside = (size_t)(stack[sp] >> 63);
        mossa__tsne_node *nd = &ws->nodes[id];
        if (!inside) {
            if (nd->end - nd->begin <= MOSSA__TSNE_GROUP) {
                ws->gstart[ws->ngroups++] = nd->begin;
                inside = 1;
            } else if (nd->child < 0) {
                size_t b;
                for (b = nd->begin; b < nd->end; b += MOSSA__TSNE_GROUP) ws->gstart[ws->ngroups++] = (uint32_t)b;
            }
        }
        if (nd->child < 0) continue;
        {
            int level = nd->child, shift = (B - 1 - level) * dims, v, nv = 1 << dims;
            size_t b = nd->begin, e = nd->end, first, cnum = 0, bounds[9];
            uint64_t mask = (uint64_t)(nv - 1);
            bounds[0] = b;
            for (v = 0; v < nv; ++v) {        /* end of digit v: first key with digit > v */
                size_t l = bounds[v], h = e;
                while (l < h) {
                    size_t mid = l + (h - l) / 2;
                    if ((size_t)((ws->key[mid] >> shift) & mask) <= (size_t)v) l = mid + 1; else h = mid;
                }
                bounds[v + 1] = l;
            }
            if (ws->nnodes + (size_t)nv > ws->cap) {
                size_t ncap = ws->cap * 2 + (size_t)nv;
                mossa__tsne_node *nn = (mossa__tsne_node *)mossa__alloc(ws->ctx, ncap * sizeof(mossa__tsne_node));
                if (!nn) return MOSSA_ERR_OUT_OF_MEMORY;
                memcpy(nn, ws->nodes, ws->nnodes * sizeof(mossa__tsne_node));
                mossa__free(ws->ctx, ws->nodes);
                ws->nodes = nn; ws->cap = ncap;
                nd = &ws->nodes[id];
            }
            first = ws->nnodes;
            for (v = 0; v < nv; ++v)
                if (bounds[v + 1] > bounds[v])
                    mossa__tsne_make_node(ws, &ws->nodes[first + cnum++], bounds[v], bounds[v + 1], cell0);
            ws->nnodes += cnum;
            nd->child = (int32_t)first;
            nd->nchild = (int32_t)cnum;
            if (sp + cnum > MOSSA__TSNE_STACK) return MOSSA_ERR_INTERNAL;
            while (cnum-- > 0) stack[sp++] = (uint64_t)(first + cnum) | ((uint64_t)inside << 63);
        }
    }
    ws->gstart[ws->ngroups] = (uint32_t)n;
    /* centres of mass, bottom-up (children follow their parent) */
    for (i = ws->nnodes; i-- > 0;) {
        mossa__tsne_node *nd = &ws->nodes[i];
        double acc[3] = {0, 0, 0};
        size_t p;
        if (nd->child < 0) {
            for (p = nd->begin; p < nd->end; ++p)
                for (c = 0; c < (size_t)dims; ++c) acc[c] += (double)ws->sc[c][p];
        } else {
            int ch;
            for (ch = 0; ch < nd->nchild; ++ch) {
                const mossa__tsne_node *cn = &ws->nodes[nd->child + ch];
                double m = (double)(cn->end - cn->begin);
                for (c = 0; c < (size_t)dims; ++c) acc[c] += m * (double)cn->c[c];
            }
        }
        for (c = 0; c < (size_t)dims; ++c) nd->c[c] = (float)(acc[c] / (double)(nd->end - nd->begin));
        for (; c < 3; ++c) nd->c[c] = 0.0f;
    }
    /* repulsion tasks: consecutive groups of at least REP_POINTS points */
    {
        size_t g, acc = 0;
        ws->ntasks = 0;
        ws->tgroup[0] = 0;
        for (g = 0; g < ws->ngroups; ++g) {
            acc += ws->gstart[g + 1] - ws->gstart[g];
            if (acc >= MOSSA__TSNE_REP_POINTS || g + 1 == ws->ngroups) {
                ws->tgroup[++ws->ntasks] = g + 1;
                acc = 0;
            }
        }
    }
    return MOSSA_OK;
}

/* One target group: tree walk into an interaction list, SIMD evaluation. */
static double mossa__tsne_group(mossa__tsne_ws *ws, size_t gb, size_t ge, int worker)
{
    int dims = ws->dims;
    float *lx = ws->wscratch + (size_t)worker * ws->wstride;
    float *ly = lx + (MOSSA__TSNE_LIST + 16), *lz = ly + (MOSSA__TSNE_LIST + 16), *lm = lz + (MOSSA__TSNE_LIST + 16);
    float *acc = lm + (MOSSA__TSNE_LIST + 16);
    int32_t *stack = ws->wstack + (size_t)worker * MOSSA__TSNE_STACK;
    size_t sp = 0, nl = 0, nt = ge - gb, t, c;
    float bl[3] = {0, 0, 0}, bh[3] = {0, 0, 0};
    const mossa__kernels *kt = mossa__k();
    double zsum = 0.0;
    for (c = 0; c < (size_t)dims; ++c) {
        bl[c] = bh[c] = ws->sc[c][gb];
        for (t = gb + 1; t < ge; ++t) {
            float v = ws->sc[c][t];
            if (v < bl[c]) bl[c] = v;
            if (v > bh[c]) bh[c] = v;
        }
    }
    for (t = 0; t < 4 * nt; ++t) acc[t] = 0.0f;
#define MOSSA__TSNE_FLUSH()                                                                   \
    do {                                                                                      \
        while (nl % 16) { lx[nl] = ly[nl] = lz[nl] = 0.0f; lm[nl] = 0.0f; ++nl; }             \
        if (dims == 2) kt->tsne_repulse2(ws->sc[0] + gb, ws->sc[1] + gb, nt, lx, ly, lm, nl, acc); \
        else kt->tsne_repulse3(ws->sc[0] + gb, ws->sc[1] + gb, ws->sc[2] + gb, nt, lx, ly, lz, lm, nl, acc); \
        nl = 0;                                                                               \
    } while (0)
    stack[sp++] = 0;
    while (sp > 0) {
        const mossa__tsne_node *nd = &ws->nodes[stack[--sp]];
        int overlap = nd->begin < ge && gb < nd->end;
        if (!overlap && !ws->exact) {
            float d2 = 0.0f;
            for (c = 0; c < (size_t)dims; ++c) {
                float v = nd->c[c], g = 0.0f;
                if (v < bl[c]) g = bl[c] - v; else if (v > bh[c]) g = v - bh[c];
                d2 += g * g;
            }
            if (nd->w2 < ws->theta2 * d2) {
                if (nl >= MOSSA__TSNE_LIST) MOSSA__TSNE_FLUSH();
                lx[nl] = nd->c[0]; ly[nl] = nd->c[1]; lz[nl] = nd->c[2];
                lm[nl] = (float)(nd->end - nd->begin);
                ++nl;
                continue;
            }
        }
        if (nd->child < 0) {
            size_t p = nd->begin;
            while (p < nd->end) {
                size_t take;
                if (nl >= MOSSA__TSNE_LIST) MOSSA__TSNE_FLUSH();
                take = MOSSA__MIN((size_t)nd->end - p, (size_t)MOSSA__TSNE_LIST - nl);
                memcpy(lx + nl, ws->sc[0] + p, take * sizeof(float));
                memcpy(ly + nl, ws->sc[1] + p, take * sizeof(float));
                if (dims == 3) memcpy(lz + nl, ws->sc[2] + p, take * sizeof(float));
                for (t = 0; t < take; ++t) lm[nl + t] = 1.0f;
                nl += take; p += take;
            }
        } else {
            int ch;
            for (ch = nd->nchild; ch-- > 0;) stack[sp++] = nd->child + ch;
        }
    }
    if (nl > 0) MOSSA__TSNE_FLUSH();
#undef MOSSA__TSNE_FLUSH
    for (t = 0; t < nt; ++t) {
        size_t i = ws->perm[gb + t];
        /* the target met itself once in its own leaf: q = 1 exactly */
        zsum += (double)acc[4 * t] - 1.0;
        for (c = 0; c < (size_t)dims; ++c) ws->rep[i * (size_t)dims + c] = acc[4 * t + 1 + c];
    }
    return zsum;
}

static void mossa__tsne_rep_task(void *arg, size_t task, int worker)
{
    mossa__tsne_ws *ws = (mossa__tsne_ws *)arg;
    size_t g;
    double z = 0.0;
    for (g = ws->tgroup[task]; g < ws->tgroup[task + 1]; ++g)
        z += mossa__tsne_group(ws, ws->gstart[g], ws->gstart[g + 1], worker);
    ws->task_z[task] = z;
}

static mossa_status mossa__tsne_repulsion(mossa__tsne_ws *ws, double theta)
{
    size_t t;
    ws->exact = theta < 0.0;
    ws->theta2 = ws->exact ? 0.0f : (float)(theta * theta);
    MOSSA__CHECK(mossa__tsne_build(ws));
    mossa__parallel(ws->ctx, ws->ntasks, mossa__tsne_rep_task, ws);
    ws->Z = 0.0;
    for (t = 0; t < ws->ntasks; ++t) ws->Z += ws->task_z[t];
    if (!(ws->Z > 0.0)) ws->Z = DBL_MIN;
    return MOSSA_OK;
}

static void mossa__tsne_attr_task(void *arg, size_t task, int worker)
{
    mossa__tsne_ws *ws = (mossa__tsne_ws *)arg;
    const mossa_tsne_state *s = ws->s;
    size_t nd = ws->n * (size_t)ws->dims, i, e, i0 = ws->abound[task], i1 = ws->abound[task + 1];
    float *buf = ws->abuf + task * nd;
    (void)worker;
    memset(buf, 0, nd * sizeof(float));
    mossa__k()->tsne_attract(ws->dims, ws->yf, i0, i1, s->indptr, s->col, s->w, buf);
    if (ws->want_log) {
        double acc = 0.0;
        for (i = i0; i < i1; ++i)
            for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
                const float *a = ws->yf + i * (size_t)ws->dims, *b = ws->yf + (size_t)s->col[e] * (size_t)ws->dims;
                double d2 = 0.0;
                int c;
                for (c = 0; c < ws->dims; ++c) { double t = (double)a[c] - (double)b[c]; d2 += t * t; }
                acc += (double)s->w[e] * log1p(d2);
            }
        ws->task_log[task] = acc;
    }
}

static void mossa__tsne_attraction(mossa__tsne_ws *ws, int want_log)
{
    size_t t;
    ws->want_log = want_log;
    mossa__parallel(ws->ctx, MOSSA__TSNE_ATTR_TASKS, mossa__tsne_attr_task, ws);
    ws->slog = 0.0;
    if (want_log) for (t = 0; t < MOSSA__TSNE_ATTR_TASKS; ++t) ws->slog += ws->task_log[t];
}

/* KL = sum P log P - sum P log q = H + 2 sum_e w_e log(1 + d_e^2) + log Z */
static double mossa__tsne_kl_value(const mossa__tsne_ws *ws)
{
    return ws->s->p_entropy + 2.0 * ws->slog + log(ws->Z);
}

typedef struct mossa__tsne_upd_job {
    mossa__tsne_ws *ws;
    double exag, mom, lr;
    double *grad;      /* gradient mode: write 4 * (attr - rep / Z) here, no update */
} mossa__tsne_upd_job;

static void mossa__tsne_upd_task(void *arg, size_t task, int worker)
{
    mossa__tsne_upd_job *J = (mossa__tsne_upd_job *)arg;
    mossa__tsne_ws *ws = J->ws;
    mossa_tsne_state *s = ws->s;
    size_t dims = (size_t)ws->dims, nd = ws->n * dims, i0 = task * MOSSA__TSNE_UPD_POINTS;
    size_t i1 = MOSSA__MIN(ws->n, i0 + MOSSA__TSNE_UPD_POINTS), i, c, t;
    double invZ = 1.0 / ws->Z;
    (void)worker;
    for (i = i0; i < i1; ++i) {
        double u[3], norm2 = 0.0;
        for (c = 0; c < dims; ++c) {
            size_t a = i * dims + c;
            double attr = 0.0, g, gain;
            for (t = 0; t < MOSSA__TSNE_ATTR_TASKS; ++t) attr += (double)ws->abuf[t * nd + a];
            g = J->exag * attr - (double)ws->rep[a] * invZ;
            if (J->grad) { J->grad[a] = 4.0 * g; continue; }
            gain = s->gains[a];
            gain = (g * s->update[a] < 0.0) ? gain + 0.2 : gain * 0.8;
            if (gain < 0.01) gain = 0.01;
            s->gains[a] = gain;
            u[c] = J->mom * s->update[a] - J->lr * gain * g;
            norm2 += u[c] * u[c];
        }
        if (J->grad) continue;
        /* openTSNE's max_step_norm: a point never jumps more than 5 units in
           one step (keeps tiny or degenerate inputs from oscillating out to
           infinity; normal runs take far smaller steps) */
        if (norm2 > MOSSA__TSNE_MAX_STEP * MOSSA__TSNE_MAX_STEP) {
            double f = MOSSA__TSNE_MAX_STEP / sqrt(norm2);
            for (c = 0; c < dims; ++c) u[c] *= f;
        }
        for (c = 0; c < dims; ++c) {
            size_t a = i * dims + c;
            s->update[a] = u[c];
            s->y[a] += u[c];
            ws->yf[a] = (float)s->y[a];
        }
    }
}

static void mossa__tsne_update(mossa__tsne_ws *ws, double exag, double mom, double *grad)
{
    mossa__tsne_upd_job J;
    J.ws = ws; J.exag = exag; J.mom = mom; J.lr = ws->s->lr; J.grad = grad;
    mossa__parallel(ws->ctx, (ws->n + MOSSA__TSNE_UPD_POINTS - 1) / MOSSA__TSNE_UPD_POINTS, mossa__tsne_upd_task, &J);
}

static double mossa__tsne_theta_or(const mossa_tsne_state *s, double theta)
{
    return theta == 0.0 ? s->opt.theta : theta;
}

/* KL at the current embedding (ws->yf current) */
static mossa_status mossa__tsne_kl_ws(mossa__tsne_ws *ws, double theta, double *kl)
{
    MOSSA__CHECK(mossa__tsne_repulsion(ws, theta));
    mossa__tsne_attraction(ws, 1);
    *kl = mossa__tsne_kl_value(ws);
    return MOSSA_OK;
}

static double mossa__tsne_final_theta(const mossa_tsne_state *s)
{
    /* exact normaliser when affordable, else a tight Barnes-Hut one */
    if (s->n <= MOSSA__TSNE_EXACT_Z_MAX) return -1.0;
    return s->opt.theta < 0.0 ? s->opt.theta : MOSSA__MIN(s->opt.theta, 0.25);
}

MOSSA_DEF mossa_status mossa_tsne_run(mossa_tsne_state *s, int iterations, mossa_tsne_result *result)
{
    mossa__ctx ctx;
    mossa__tsne_ws ws;
    mossa_status st;
    int it, cancelled = 0;
    if (!s || iterations < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, s->opt.n_threads, s->opt.allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_ws_init(&ws, s, &ctx);
    if (st != MOSSA_OK) { mossa__ctx_end(&ctx); return st; }
    for (it = s->iter; it < iterations; ++it) {
        int early = it < s->opt.exaggeration_iterations;
        int report = s->opt.progress && (it + 1) % 50 == 0;
        double kl = 0.0;
        st = mossa__tsne_repulsion(&ws, s->opt.theta);
        if (st != MOSSA_OK) break;
        mossa__tsne_attraction(&ws, report);
        if (report) kl = mossa__tsne_kl_value(&ws);
        mossa__tsne_update(&ws, early ? s->opt.exaggeration : 1.0, early ? 0.5 : 0.8, NULL);
        s->iter = it + 1;
        if (report && s->opt.progress(it + 1, kl, s->opt.progress_user)) { cancelled = 1; break; }
    }
    if (st == MOSSA_OK && result) {
        result->iterations = s->iter;
        result->neighbors = s->k;
        st = mossa__tsne_kl_ws(&ws, mossa__tsne_final_theta(s), &result->kl);
    }
    mossa__tsne_ws_free(&ws);
    mossa__ctx_end(&ctx);
    if (st == MOSSA_OK && cancelled) st = MOSSA_ERR_CANCELLED;
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_kl(mossa_tsne_state *s, double theta, double *kl)
{
    mossa__ctx ctx;
    mossa__tsne_ws ws;
    mossa_status st;
    if (!s || !kl) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, s->opt.n_threads, s->opt.allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_ws_init(&ws, s, &ctx);
    if (st == MOSSA_OK) {
        st = mossa__tsne_kl_ws(&ws, mossa__tsne_theta_or(s, theta), kl);
        mossa__tsne_ws_free(&ws);
    }
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_gradient(mossa_tsne_state *s, double theta, double *grad)
{
    mossa__ctx ctx;
    mossa__tsne_ws ws;
    mossa_status st;
    if (!s || !grad) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, s->opt.n_threads, s->opt.allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_ws_init(&ws, s, &ctx);
    if (st == MOSSA_OK) {
        st = mossa__tsne_repulsion(&ws, mossa__tsne_theta_or(s, theta));
        if (st == MOSSA_OK) {
            mossa__tsne_attraction(&ws, 0);
            mossa__tsne_update(&ws, 1.0, 0.0, grad);
        }
        mossa__tsne_ws_free(&ws);
    }
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne(const float *x, size_t n, size_t d, const mossa_tsne_options *options,
                                  float *y, mossa_tsne_result *result)
{
    mossa_tsne_state *s = NULL;
    mossa_tsne_result r;
    mossa_status st;
    if (!y) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa_tsne_begin(x, n, d, options, &s);
    if (st != MOSSA_OK) return st;
    memset(&r, 0, sizeof(r));
    st = mossa_tsne_run(s, s->opt.iterations, &r);
    if (st == MOSSA_OK || st == MOSSA_ERR_CANCELLED) {
        mossa_tsne_get_embedding(s, y);
    }
    if (result && (st == MOSSA_OK || st == MOSSA_ERR_CANCELLED)) *result = r;
    mossa_tsne_end(s);
    return st;
}

/* ==== impl/text.c ==== */
/* text.c - readability. Placeholder until its issue lands. */
MOSSA_DEF int mossa_syllables(const char *word, size_t len) { (void)word; (void)len; return 0; }
MOSSA_DEF mossa_status mossa_readability(const char *text, size_t len, mossa_text_stats *stats,
                                         mossa_readability_scores *scores)
{ (void)text; (void)len; (void)stats; (void)scores; return MOSSA_ERR_NOT_IMPLEMENTED; }

/* ==== impl/stats.c ==== */
/* stats.c */

/* ==== impl/analysis.c ==== */
/* analysis.c */

#endif /* MOSSA_IMPLEMENTATION */

/*
   MIT License

   Copyright (c) 2026 the mossa developers

   Permission is hereby granted, free of charge, to any person obtaining a copy
   of this software and associated documentation files (the "Software"), to deal
   in the Software without restriction, including without limitation the rights
   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
   copies of the Software, and to permit persons to whom the Software is
   furnished to do so, subject to the following conditions:

   The above copyright notice and this permission notice shall be included in all
   copies or substantial portions of the Software.

   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
   SOFTWARE.
*/
