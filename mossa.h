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
    int block_krylov;           /* nonzero: block Krylov range finder (Musco & Musco
                                   2015) instead of subspace iteration: block size
                                   0.85 (k + p), depth power_iters (0 = 3); about half
                                   the passes over X for the same accuracy on slowly
                                   decaying spectra */
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

/* ==== impl/tsne.h ==== */
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
    /* C[t][c] += sum_{k<K} A[k*sak + t] B[k*ldb + c] for t < mr <= 8,
       c < nr <= 32 (A holds 8 readable floats per k; rows >= mr are not
       stored); float accumulation over the K of one call (callers pass
       K <= 256), promoted to double when added to C. */
    void (*svd_mm_tile)(size_t K, const float *A, size_t sak, size_t mr,
                        const float *B, size_t ldb, size_t nr, double *C, size_t ldc);
    /* One row of the fused tridiagonalisation step: r[k] -= a x[k] + b y[k]
       (skipped when x is NULL), then p[k] += c r[k] and the return value is
       sum_k r[k] u[k] (both skipped, returning 0, when u is NULL); k < j. */
    double (*svd_rowop)(size_t j, double *r, const double *x, const double *y, double a, double b,
                        const double *u, double c, double *p);
    /* tsne */
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
static void mossa__svd_mm_tile_scalar(size_t K, const float *A, size_t sak, size_t mr,
                                      const float *B, size_t ldb, size_t nr, double *C, size_t ldc)
{
    float acc[8][32];
    size_t k, t, c;
    for (t = 0; t < mr; ++t)
        for (c = 0; c < nr; ++c) acc[t][c] = 0.0f;
    for (k = 0; k < K; ++k) {
        const float *b = B + k * ldb;
        for (t = 0; t < mr; ++t) {
            float a = A[k * sak + t];
            for (c = 0; c < nr; ++c) acc[t][c] += a * b[c];
        }
    }
    for (t = 0; t < mr; ++t)
        for (c = 0; c < nr; ++c) C[t * ldc + c] += (double)acc[t][c];
}

static double mossa__svd_rowop_scalar(size_t j, double *r, const double *x, const double *y, double a,
                                      double b, const double *u, double c, double *p)
{
    size_t k;
    double s[4] = {0, 0, 0, 0};
    if (x)
        for (k = 0; k < j; ++k) r[k] -= a * x[k] + b * y[k];
    if (!u) return 0.0;
    for (k = 0; k + 4 <= j; k += 4) {
        s[0] += r[k] * u[k]; s[1] += r[k + 1] * u[k + 1];
        s[2] += r[k + 2] * u[k + 2]; s[3] += r[k + 3] * u[k + 3];
        p[k] += c * r[k]; p[k + 1] += c * r[k + 1]; p[k + 2] += c * r[k + 2]; p[k + 3] += c * r[k + 3];
    }
    for (; k < j; ++k) { s[0] += r[k] * u[k]; p[k] += c * r[k]; }
    return (s[0] + s[2]) + (s[1] + s[3]);
}
/* ---- tsne ------------------------------------------------------------------ */
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
    t->svd_mm_tile = mossa__svd_mm_tile_scalar;
    t->svd_rowop = mossa__svd_rowop_scalar;
    /* tsne */
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
/* The 8 x 32 tile in four 4 x 16 register blocks (8 ymm accumulators each),
   the K slice (<= 256) staying in L1 between them. */
MOSSA__TARGET_AVX2
static void mossa__svd_mm_tile_avx2(size_t K, const float *A, size_t sak, size_t mr,
                                    const float *B, size_t ldb, size_t nr, double *C, size_t ldc)
{
    float out[8][32];
    size_t rb, cb, k, t, c;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (rb = 0; rb < 8 && rb < mr; rb += 4) {
        for (cb = 0; cb < 32; cb += 16) {
            int rem0 = (int)nr - (int)cb, rem1 = rem0 - 8;
            __m256i mk0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(rem0), lane);
            __m256i mk1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(rem1), lane);
            __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                   c30 = c00, c31 = c00;
            if (rem0 <= 0) break;
            for (k = 0; k < K; ++k) {
                const float *b = B + k * ldb + cb, *a4 = A + k * sak + rb;
                __m256 b0 = _mm256_maskload_ps(b, mk0), b1 = _mm256_maskload_ps(b + 8, mk1), a;
                a = _mm256_broadcast_ss(a4);
                c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
                a = _mm256_broadcast_ss(a4 + 1);
                c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
                a = _mm256_broadcast_ss(a4 + 2);
                c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
                a = _mm256_broadcast_ss(a4 + 3);
                c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
            }
            _mm256_storeu_ps(out[rb] + cb, c00); _mm256_storeu_ps(out[rb] + cb + 8, c01);
            _mm256_storeu_ps(out[rb + 1] + cb, c10); _mm256_storeu_ps(out[rb + 1] + cb + 8, c11);
            _mm256_storeu_ps(out[rb + 2] + cb, c20); _mm256_storeu_ps(out[rb + 2] + cb + 8, c21);
            _mm256_storeu_ps(out[rb + 3] + cb, c30); _mm256_storeu_ps(out[rb + 3] + cb + 8, c31);
        }
    }
    for (t = 0; t < mr; ++t)
        for (c = 0; c < nr; ++c) C[t * ldc + c] += (double)out[t][c];
}

MOSSA__TARGET_AVX2
static double mossa__svd_rowop_avx2(size_t j, double *r, const double *x, const double *y, double a,
                                    double b, const double *u, double c, double *p)
{
    size_t k = 0;
    __m256d va = _mm256_set1_pd(a), vb = _mm256_set1_pd(b), vc = _mm256_set1_pd(c);
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    double s, lanes[4];
    if (x) {
        for (; k + 8 <= j; k += 8) {
            __m256d r0 = _mm256_loadu_pd(r + k), r1 = _mm256_loadu_pd(r + k + 4);
            r0 = _mm256_fnmadd_pd(va, _mm256_loadu_pd(x + k), r0);
            r1 = _mm256_fnmadd_pd(va, _mm256_loadu_pd(x + k + 4), r1);
            r0 = _mm256_fnmadd_pd(vb, _mm256_loadu_pd(y + k), r0);
            r1 = _mm256_fnmadd_pd(vb, _mm256_loadu_pd(y + k + 4), r1);
            _mm256_storeu_pd(r + k, r0); _mm256_storeu_pd(r + k + 4, r1);
            if (u) {
                s0 = _mm256_fmadd_pd(r0, _mm256_loadu_pd(u + k), s0);
                s1 = _mm256_fmadd_pd(r1, _mm256_loadu_pd(u + k + 4), s1);
                _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc, r0, _mm256_loadu_pd(p + k)));
                _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc, r1, _mm256_loadu_pd(p + k + 4)));
            }
        }
    } else if (u) {
        for (; k + 8 <= j; k += 8) {
            __m256d r0 = _mm256_loadu_pd(r + k), r1 = _mm256_loadu_pd(r + k + 4);
            s0 = _mm256_fmadd_pd(r0, _mm256_loadu_pd(u + k), s0);
            s1 = _mm256_fmadd_pd(r1, _mm256_loadu_pd(u + k + 4), s1);
            _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc, r0, _mm256_loadu_pd(p + k)));
            _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc, r1, _mm256_loadu_pd(p + k + 4)));
        }
    }
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    s = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0;
}
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    t->svd_mm_tile = mossa__svd_mm_tile_avx2;
    t->svd_rowop = mossa__svd_rowop_avx2;
    /* tsne */
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
/* 8 x 32 register tile: 16 zmm accumulators, two masked loads of B and
   eight broadcasts of A per k. */
MOSSA__TARGET_AVX512
static void mossa__svd_mm_tile_avx512(size_t K, const float *A, size_t sak, size_t mr,
                                      const float *B, size_t ldb, size_t nr, double *C, size_t ldc)
{
    size_t k, t, c;
    __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xFFFFu : ((1u << nr) - 1u));
    __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xFFFFu : nr <= 16 ? 0u : ((1u << (nr - 16)) - 1u));
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
           c70 = c00, c71 = c00;
    float out[8][32];
    for (k = 0; k < K; ++k) {
        const float *b = B + k * ldb, *a8 = A + k * sak;
        __m512 b0 = _mm512_maskz_loadu_ps(m0, b), b1 = _mm512_maskz_loadu_ps(m1, b + 16), a;
#define MOSSA__STEP(i) \
        a = _mm512_set1_ps(a8[i]); \
        c##i##0 = _mm512_fmadd_ps(a, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(a, b1, c##i##1);
        MOSSA__STEP(0) MOSSA__STEP(1) MOSSA__STEP(2) MOSSA__STEP(3)
        MOSSA__STEP(4) MOSSA__STEP(5) MOSSA__STEP(6) MOSSA__STEP(7)
#undef MOSSA__STEP
    }
#define MOSSA__OUT(i) _mm512_storeu_ps(out[i], c##i##0); _mm512_storeu_ps(out[i] + 16, c##i##1);
    MOSSA__OUT(0) MOSSA__OUT(1) MOSSA__OUT(2) MOSSA__OUT(3)
    MOSSA__OUT(4) MOSSA__OUT(5) MOSSA__OUT(6) MOSSA__OUT(7)
#undef MOSSA__OUT
    if (nr == 32) {
        for (t = 0; t < mr; ++t) {
            double *crow = C + t * ldc;
            for (c = 0; c < 32; c += 8)
                _mm512_storeu_pd(crow + c, _mm512_add_pd(_mm512_loadu_pd(crow + c),
                                                         _mm512_maskz_cvtps_pd((__mmask8)0xFF, _mm256_loadu_ps(out[t] + c))));
        }
    } else
        for (t = 0; t < mr; ++t)
            for (c = 0; c < nr; ++c) C[t * ldc + c] += (double)out[t][c];
}

MOSSA__TARGET_AVX512
static double mossa__svd_rowop_avx512(size_t j, double *r, const double *x, const double *y, double a,
                                      double b, const double *u, double c, double *p)
{
    size_t k = 0;
    __m512d va = _mm512_set1_pd(a), vb = _mm512_set1_pd(b), vc = _mm512_set1_pd(c);
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    if (x && u) {
        for (; k + 16 <= j; k += 16) {
            __m512d r0 = _mm512_loadu_pd(r + k), r1 = _mm512_loadu_pd(r + k + 8);
            r0 = _mm512_fnmadd_pd(va, _mm512_loadu_pd(x + k), r0);
            r1 = _mm512_fnmadd_pd(va, _mm512_loadu_pd(x + k + 8), r1);
            r0 = _mm512_fnmadd_pd(vb, _mm512_loadu_pd(y + k), r0);
            r1 = _mm512_fnmadd_pd(vb, _mm512_loadu_pd(y + k + 8), r1);
            _mm512_storeu_pd(r + k, r0); _mm512_storeu_pd(r + k + 8, r1);
            s0 = _mm512_fmadd_pd(r0, _mm512_loadu_pd(u + k), s0);
            s1 = _mm512_fmadd_pd(r1, _mm512_loadu_pd(u + k + 8), s1);
            _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc, r0, _mm512_loadu_pd(p + k)));
            _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc, r1, _mm512_loadu_pd(p + k + 8)));
        }
    } else if (x) {
        for (; k + 8 <= j; k += 8) {
            __m512d r0 = _mm512_loadu_pd(r + k);
            r0 = _mm512_fnmadd_pd(va, _mm512_loadu_pd(x + k), r0);
            r0 = _mm512_fnmadd_pd(vb, _mm512_loadu_pd(y + k), r0);
            _mm512_storeu_pd(r + k, r0);
        }
    } else if (u) {
        for (; k + 16 <= j; k += 16) {
            __m512d r0 = _mm512_loadu_pd(r + k), r1 = _mm512_loadu_pd(r + k + 8);
            s0 = _mm512_fmadd_pd(r0, _mm512_loadu_pd(u + k), s0);
            s1 = _mm512_fmadd_pd(r1, _mm512_loadu_pd(u + k + 8), s1);
            _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc, r0, _mm512_loadu_pd(p + k)));
            _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc, r1, _mm512_loadu_pd(p + k + 8)));
        }
    }
    {
        double lanes[8], s;
        /* stored and summed by hand: g++ 12 warns inside _mm512_reduce_add_pd */
        _mm512_storeu_pd(lanes, _mm512_add_pd(s0, s1));
        s = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for (; k < j; ++k) {
            if (x) r[k] -= a * x[k] + b * y[k];
            if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
        }
        return u ? s : 0.0;
    }
}
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    t->svd_mm_tile = mossa__svd_mm_tile_avx512;
    t->svd_rowop = mossa__svd_rowop_avx512;
    /* tsne */
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
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    /* gemm / cka */
    /* svd */
    /* tsne */
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

/* count little-endian elements of `isz` bytes from src into dst[i*stride].
   The float64 -> float32 cast rounds to nearest (IEEE 754 / C Annex F;
   out-of-range values become +-inf). */
static void mossa__npy_convert(const unsigned char *src, size_t count, int isz, int host_le,
                               float *dst, size_t stride)
{
    size_t i;
    if (isz == 4 && stride == 1 && host_le) {
        memcpy(dst, src, count * 4);
        return;
    }
    for (i = 0; i < count; ++i) {
        const unsigned char *q = src + i * (size_t)isz;
        float v;
        if (isz == 2) {
            v = mossa__npy_half((uint16_t)(q[0] | q[1] << 8));
        } else if (isz == 4) {
            uint32_t u = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
            memcpy(&v, &u, 4);
        } else {
            uint64_t u = 0;
            double d;
            int k;
            for (k = 7; k >= 0; --k) u = u << 8 | q[k];
            memcpy(&d, &u, 8);
            v = (float)d;
        }
        dst[i * stride] = v;
    }
}

/* The slice [row0, row0 + nrows) of the file's data is stored as pieces
   of contiguous elements: one piece in C order, one per column in
   Fortran order. Piece k: byte offset from the data start, element count,
   and where its elements go in the row-major output. */
typedef struct mossa__npy_piece {
    size_t offset, count, dst, stride;
} mossa__npy_piece;

static size_t mossa__npy_n_pieces(const mossa_npy_info *info, size_t nrows)
{
    if (nrows == 0 || info->cols == 0) return 0;
    return info->fortran_order ? info->cols : 1;
}

static mossa__npy_piece mossa__npy_get_piece(const mossa_npy_info *info, size_t row0,
                                             size_t nrows, size_t k)
{
    mossa__npy_piece p;
    size_t isz = (size_t)info->dtype_bytes;
    /* no overflow: every offset is inside rows*cols*isz, checked by the
       header parser */
    if (info->fortran_order) {
        p.offset = (k * info->rows + row0) * isz;
        p.count = nrows;
        p.dst = k;
        p.stride = info->cols;
    } else {
        p.offset = row0 * info->cols * isz;
        p.count = nrows * info->cols;
        p.dst = 0;
        p.stride = 1;
    }
    return p;
}

static void mossa__npy_convert_slice(const mossa_npy_info *info, const unsigned char *data,
                                     size_t data_base, size_t row0, size_t nrows, float *out)
{
    size_t k, n = mossa__npy_n_pieces(info, nrows);
    int le = mossa__npy_host_is_le();
    for (k = 0; k < n; ++k) {
        mossa__npy_piece p = mossa__npy_get_piece(info, row0, nrows, k);
        mossa__npy_convert(data + (p.offset - data_base), p.count, info->dtype_bytes, le,
                           out + p.dst, p.stride);
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

    /* The file size, so that a huge declared shape is refused before the
       output is allocated. fseek fails on pipes: they are read as a
       stream instead. */
    if (fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        /* a file beyond LONG_MAX on a platform with a 32-bit long */
        if (end < 0) { fclose(f); return MOSSA_ERR_TOO_LARGE; }
        if ((unsigned long)end < info->data_offset ||
            (size_t)((unsigned long)end - info->data_offset) < info->data_bytes) {
            fclose(f);
            return MOSSA_ERR_NPY_TRUNCATED;
        }
        *size = end;
    } else {
        clearerr(f);
    }
    *fp = f;
    return MOSSA_OK;
}

/* Seekable file: every piece is read from its own offset through a small
   staging buffer (or straight into the output when no conversion is
   needed), so memory is the output and nothing else. */
static mossa_status mossa__npy_read_seekable(FILE *f, const mossa_npy_info *info, size_t row0,
                                             size_t nrows, float *out)
{
    unsigned char stage[16384];
    size_t k, n = mossa__npy_n_pieces(info, nrows), isz = (size_t)info->dtype_bytes;
    size_t chunk = sizeof(stage) / isz;
    int le = mossa__npy_host_is_le();
    for (k = 0; k < n; ++k) {
        mossa__npy_piece p = mossa__npy_get_piece(info, row0, nrows, k);
        size_t done = 0;
        /* offsets fit in long: the file size (a long) covers the data */
        if (fseek(f, (long)(info->data_offset + p.offset), SEEK_SET) != 0) return MOSSA_ERR_IO;
        if (isz == 4 && p.stride == 1 && le)
            /* unchanged bytes: straight into the output */
            MOSSA__CHECK(mossa__npy_fread(f, out + p.dst, p.count * 4));
        else
            while (done < p.count) {
                size_t m = MOSSA__MIN(chunk, p.count - done);
                MOSSA__CHECK(mossa__npy_fread(f, stage, m * isz));
                mossa__npy_convert(stage, m, info->dtype_bytes, le, out + p.dst + done * p.stride,
                                   p.stride);
                done += m;
            }
    }
    return MOSSA_OK;
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
    size_t n = mossa__npy_n_pieces(info, nrows), first, last, need, have = 0, cap = 0;
    unsigned char *buf = NULL;
    *raw = NULL;
    *base = 0;
    if (n == 0) return MOSSA_OK;
    first = mossa__npy_get_piece(info, row0, nrows, 0).offset;
    {
        mossa__npy_piece lp = mossa__npy_get_piece(info, row0, nrows, n - 1);
        last = lp.offset + lp.count * (size_t)info->dtype_bytes;
    }
    /* skip to the first piece */
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
    }
    if (st == MOSSA_OK) {
        if (size < 0) mossa__npy_convert_slice(info, raw, base, row0, nrows, x);
        else st = mossa__npy_read_seekable(f, info, row0, nrows, x);
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
/* svd.c - randomized truncated SVD (Halko, Martinsson & Tropp 2011), the
   variance rank, and the dense double building blocks behind them:
   Householder QR, CholeskyQR2, Householder tridiagonalisation + implicit
   QL, one-sided Jacobi SVD. No LAPACK.

   Determinism: every parallel loop is cut into tasks whose boundaries
   depend on the problem size only; partial sums are reduced in task
   order, and the Gaussian test matrix comes from the counter-based RNG,
   so any thread count gives bit-identical output. */

/* ---- task geometry ------------------------------------------------------ */
/* Rows per task for tall reductions: at least 256, at most 64 tasks, a
   function of the row count only. */
static size_t mossa__svd_chunk(size_t n)
{
    size_t c = (n + 63) / 64;
    return c < 256 ? 256 : c;
}

/* ---- matrix products ------------------------------------------------------
   C = A B or C = A' B (float A, B; double C, overwritten): the contract of
   mossa__gemm (impl/gemm.c) for the shapes this module needs, with the
   module's own tile kernel. B is packed once into 32-column panels; a
   task owns a 64-row x 256-column block of C and packs its slice of A per
   k-slice (row strides of whole-KB multiples, d = 1024 or 4096, would
   otherwise map every row of a panel to the same L1 set). k runs in
   slices of 128 whose float partial sums the tile kernel promotes to
   double, so accuracy does not drift with k and nothing depends on the
   thread count. With sym (C = A'A), blocks below the diagonal are skipped
   and mirrored afterwards. */
#define MOSSA__MM_KS 128
#define MOSSA__MM_MB 64
#define MOSSA__MM_NB 256
typedef struct mossa__mm_job {
    int trans_a, sym;
    size_t m, n, k, lda, ldc, col_blocks;
    const float *A, *bp;   /* bp: ceil(n/32) panels of k x 32 */
    double *C;
} mossa__mm_job;

static void mossa__mm_task(void *arg, size_t task, int worker)
{
    const mossa__mm_job *g = (const mossa__mm_job *)arg;
    const mossa__kernels *kt = mossa__k();
    size_t rb = task / g->col_blocks, cb = task % g->col_blocks;
    size_t i0 = rb * MOSSA__MM_MB, i1 = MOSSA__MIN(g->m, i0 + MOSSA__MM_MB);
    size_t j0 = cb * MOSSA__MM_NB, j1 = MOSSA__MIN(g->n, j0 + MOSSA__MM_NB);
    size_t mi = i1 - i0, i, j, kb, k, t0;
    float apack[MOSSA__MM_KS * MOSSA__MM_MB];
    (void)worker;
    if (g->sym && j1 <= i0) return;
    for (i = i0; i < i1; ++i)
        for (j = j0; j < j1; ++j) g->C[i * g->ldc + j] = 0.0;
    if (mi < MOSSA__MM_MB) memset(apack, 0, sizeof(apack)); /* the kernel reads 8 rows */
    for (kb = 0; kb < g->k; kb += MOSSA__MM_KS) {
        size_t kl = MOSSA__MIN((size_t)MOSSA__MM_KS, g->k - kb);
        /* apack[k][t] = op(A)[i0 + t][kb + k] */
        if (g->trans_a)
            for (k = 0; k < kl; ++k)
                memcpy(apack + k * MOSSA__MM_MB, g->A + (kb + k) * g->lda + i0, mi * sizeof(float));
        else
            for (i = 0; i < mi; ++i) {
                const float *src = g->A + (i0 + i) * g->lda + kb;
                for (k = 0; k < kl; ++k) apack[k * MOSSA__MM_MB + i] = src[k];
            }
        for (j = j0; j < j1; j += 32) {
            size_t nr = MOSSA__MIN((size_t)32, j1 - j);
            const float *bpan = g->bp + (j / 32) * g->k * 32 + kb * 32;
            for (t0 = 0; t0 < mi; t0 += 8) {
                size_t mr = MOSSA__MIN((size_t)8, mi - t0);
                kt->svd_mm_tile(kl, apack + t0, MOSSA__MM_MB, mr, bpan, 32, nr,
                                g->C + (i0 + t0) * g->ldc + j, g->ldc);
            }
        }
    }
}

static mossa_status mossa__svd_gemm(mossa__ctx *ctx, int trans_a, int sym, size_t m, size_t n, size_t k,
                                    const float *A, size_t lda, const float *B, size_t ldb,
                                    double *C, size_t ldc)
{
    mossa__mm_job g;
    size_t i, j, panels = (n + 31) / 32, bytes;
    float *bp;
    if (mossa__mul_overflows(panels * 32, k, &bytes) || bytes > ((size_t)-1) / 4) return MOSSA_ERR_TOO_LARGE;
    bp = (float *)mossa__alloc(ctx, bytes * sizeof(float));
    if (!bp) return MOSSA_ERR_OUT_OF_MEMORY;
    for (j = 0; j < panels; ++j) {
        size_t nr = MOSSA__MIN((size_t)32, n - j * 32);
        float *dst = bp + j * k * 32;
        for (i = 0; i < k; ++i) {
            memcpy(dst + i * 32, B + i * ldb + j * 32, nr * sizeof(float));
            if (nr < 32) memset(dst + i * 32 + nr, 0, (32 - nr) * sizeof(float));
        }
    }
    g.trans_a = trans_a; g.sym = sym;
    g.m = m; g.n = n; g.k = k; g.lda = lda; g.ldc = ldc;
    g.col_blocks = (n + MOSSA__MM_NB - 1) / MOSSA__MM_NB;
    g.A = A; g.bp = bp; g.C = C;
    mossa__parallel(ctx, ((m + MOSSA__MM_MB - 1) / MOSSA__MM_MB) * g.col_blocks, mossa__mm_task, &g);
    mossa__free(ctx, bp);
    if (sym)
        for (i = 0; i < m; ++i)
            for (j = 0; j < i; ++j)
                if ((j / MOSSA__MM_NB + 1) * MOSSA__MM_NB <= (i / MOSSA__MM_MB) * MOSSA__MM_MB ||
                    j < i) C[i * ldc + j] = C[j * ldc + i];
    return MOSSA_OK;
}

/* ---- column statistics and the centered copy ----------------------------- */
typedef struct mossa__cstat_job {
    const float *x;
    size_t n, d, chunk;
    const double *mean;   /* NULL: first pass (column sums) */
    double *part;         /* pass 1: tasks x d sums; pass 2: one sum of squares per task */
    float *xc;            /* pass 2: centered copy, or NULL */
} mossa__cstat_job;

static void mossa__cstat_task(void *arg, size_t task, int worker)
{
    const mossa__cstat_job *g = (const mossa__cstat_job *)arg;
    size_t i, j, r0 = task * g->chunk, r1 = MOSSA__MIN(g->n, r0 + g->chunk);
    (void)worker;
    if (!g->mean) {
        double *s = g->part + task * g->d;
        for (j = 0; j < g->d; ++j) s[j] = 0.0;
        for (i = r0; i < r1; ++i) {
            const float *row = g->x + i * g->d;
            for (j = 0; j < g->d; ++j) s[j] += (double)row[j];
        }
    } else {
        double ss = 0.0;
        for (i = r0; i < r1; ++i) {
            const float *row = g->x + i * g->d;
            float *out = g->xc ? g->xc + i * g->d : NULL;
            double rs = 0.0;
            for (j = 0; j < g->d; ++j) {
                double c = (double)row[j] - g->mean[j];
                rs += c * c;
                if (out) out[j] = (float)c;
            }
            ss += rs;
        }
        g->part[task] = ss;
    }
}

/* Column means (zeros when !center), ||X - 1 mean'||_F^2 in double, and
   (when xc) the centered float copy. Centering is explicit: LLM features
   with means in the thousands would cancel away in an implicit form. */
static mossa_status mossa__center(mossa__ctx *ctx, const float *x, size_t n, size_t d, int center,
                                  double *mean, float *xc, double *total)
{
    mossa__cstat_job g;
    size_t t, j, chunk = mossa__svd_chunk(n), tasks = (n + chunk - 1) / chunk;
    size_t bytes;
    double *part;
    if (mossa__mul_overflows(tasks, d + 1, &bytes)) return MOSSA_ERR_TOO_LARGE;
    part = (double *)mossa__alloc(ctx, bytes * sizeof(double));
    if (!part) return MOSSA_ERR_OUT_OF_MEMORY;
    g.x = x; g.n = n; g.d = d; g.chunk = chunk; g.part = part; g.xc = xc; g.mean = NULL;
    for (j = 0; j < d; ++j) mean[j] = 0.0;
    if (center) {
        mossa__parallel(ctx, tasks, mossa__cstat_task, &g);
        for (t = 0; t < tasks; ++t)
            for (j = 0; j < d; ++j) mean[j] += part[t * d + j];
        for (j = 0; j < d; ++j) mean[j] /= (double)n;
    }
    g.mean = mean;
    mossa__parallel(ctx, tasks, mossa__cstat_task, &g);
    *total = 0.0;
    for (t = 0; t < tasks; ++t) *total += part[t];
    mossa__free(ctx, part);
    return MOSSA_OK;
}

/* ---- Cholesky and triangular inverse (small, double) ---------------------- */
/* a (l x l, row-major, lower triangle read) -> L (lower) in place. Fails
   (returns 0) when a pivot drops below rel_tol * max diagonal, i.e. when
   the matrix is numerically too ill-conditioned for CholeskyQR. */
static int mossa__cholesky(size_t l, double *a, double rel_tol)
{
    size_t i, j, k;
    double maxd = 0.0;
    for (i = 0; i < l; ++i) maxd = MOSSA__MAX(maxd, a[i * l + i]);
    if (!(maxd > 0.0)) return 0;
    for (j = 0; j < l; ++j) {
        double s = a[j * l + j];
        for (k = 0; k < j; ++k) s -= a[j * l + k] * a[j * l + k];
        if (!(s > rel_tol * maxd)) return 0;
        s = sqrt(s);
        a[j * l + j] = s;
        for (i = j + 1; i < l; ++i) {
            double t = a[i * l + j];
            for (k = 0; k < j; ++k) t -= a[i * l + k] * a[j * l + k];
            a[i * l + j] = t / s;
        }
        for (i = 0; i < j; ++i) a[i * l + j] = 0.0;
    }
    return 1;
}

/* R^{-1} for R = L' (upper), written as float row-major l x l. */
static void mossa__chol_rinv(size_t l, const double *L, double *tmp, float *rinv)
{
    size_t i, j, k;
    /* tmp = L^{-1} (lower), column by column by forward substitution */
    for (j = 0; j < l; ++j) {
        for (i = 0; i < j; ++i) tmp[i * l + j] = 0.0;
        tmp[j * l + j] = 1.0 / L[j * l + j];
        for (i = j + 1; i < l; ++i) {
            double s = 0.0;
            for (k = j; k < i; ++k) s -= L[i * l + k] * tmp[k * l + j];
            tmp[i * l + j] = s / L[i * l + i];
        }
    }
    for (i = 0; i < l; ++i)
        for (j = 0; j < l; ++j) rinv[i * l + j] = (float)tmp[j * l + i];
}

/* ---- Householder QR (column-major, double) ------------------------------- */
typedef struct mossa__hh_job {
    double *c;            /* p x q column-major */
    size_t p, q, j;       /* reflector j applied to columns */
    const double *tau;
    double *y;            /* apply_q: columns of length p */
    size_t ny, nref;
} mossa__hh_job;

static void mossa__hh_apply1(const double *v, size_t p, size_t j, double tau, double *y)
{
    /* y -= tau v (v'y), v = [0..0, 1, v_{j+1..p}] */
    size_t i;
    double w = y[j];
    for (i = j + 1; i < p; ++i) w += v[i] * y[i];
    w *= tau;
    y[j] -= w;
    for (i = j + 1; i < p; ++i) y[i] -= w * v[i];
}

static void mossa__hh_update_task(void *arg, size_t task, int worker)
{
    const mossa__hh_job *g = (const mossa__hh_job *)arg;
    size_t col, c0 = g->j + 1 + task * 4, c1 = MOSSA__MIN(g->q, c0 + 4);
    (void)worker;
    for (col = c0; col < c1; ++col)
        mossa__hh_apply1(g->c + g->j * g->p, g->p, g->j, g->tau[g->j], g->c + col * g->p);
}

/* QR of c (p x q, p >= q): reflectors below the diagonal + tau, R on and above. */
static void mossa__hh_qr(mossa__ctx *ctx, size_t p, size_t q, double *c, double *tau)
{
    size_t j, i;
    mossa__hh_job g;
    g.c = c; g.p = p; g.q = q; g.tau = tau; g.y = NULL; g.ny = 0; g.nref = 0;
    for (j = 0; j < q; ++j) {
        double *col = c + j * p, alpha = col[j], xnorm = 0.0, scale = 0.0, beta;
        for (i = j + 1; i < p; ++i) scale = MOSSA__MAX(scale, fabs(col[i]));
        if (scale > 0.0) {
            for (i = j + 1; i < p; ++i) { double t = col[i] / scale; xnorm += t * t; }
            xnorm = scale * sqrt(xnorm);
        }
        if (xnorm == 0.0) { tau[j] = 0.0; continue; }
        beta = -copysign(hypot(alpha, xnorm), alpha);
        tau[j] = (beta - alpha) / beta;
        for (i = j + 1; i < p; ++i) col[i] /= (alpha - beta);
        col[j] = beta;
        g.j = j;
        if (j + 1 < q) mossa__parallel(ctx, (q - j - 1 + 3) / 4, mossa__hh_update_task, &g);
    }
}

static void mossa__hh_applyq_task(void *arg, size_t task, int worker)
{
    const mossa__hh_job *g = (const mossa__hh_job *)arg;
    double *y = g->y + task * g->p;
    size_t j = g->nref;
    (void)worker;
    while (j-- > 0)
        if (g->tau[j] != 0.0) mossa__hh_apply1(g->c + j * g->p, g->p, j, g->tau[j], y);
}

/* y (ny columns of length p, column-major) = Q y with Q from mossa__hh_qr. */
static void mossa__hh_apply_q(mossa__ctx *ctx, size_t p, size_t q, const double *c, const double *tau,
                              double *y, size_t ny)
{
    mossa__hh_job g;
    g.c = (double *)(size_t)c; g.p = p; g.q = q; g.j = 0; g.tau = tau; g.y = y; g.ny = ny; g.nref = q;
    mossa__parallel(ctx, ny, mossa__hh_applyq_task, &g);
}

/* ---- one-sided Jacobi (Hestenes) on the rows of w --------------------------
   Rotates pairs of rows of w (q x len) until all are mutually orthogonal to
   working precision, applying the same rotations to j (q x q, starts as I).
   Then J W = Sigma Z' with rows of J W = sigma_i z_i'. Accurate to working
   precision in the singular values (relative, for well-scaled rows). */
static int mossa__jacobi_rows(size_t q, size_t len, double *w, double *jm)
{
    size_t sweep, p, r, k;
    double tol = DBL_EPSILON * sqrt((double)(len > 1 ? len : 1));
    for (sweep = 0; sweep < 80; ++sweep) {
        int rotated = 0;
        for (p = 0; p + 1 < q; ++p)
            for (r = p + 1; r < q; ++r) {
                double *wp = w + p * len, *wr = w + r * len;
                double alpha = 0.0, beta = 0.0, gamma = 0.0, zeta, t, c, s;
                for (k = 0; k < len; ++k) {
                    alpha += wp[k] * wp[k]; beta += wr[k] * wr[k]; gamma += wp[k] * wr[k];
                }
                if (alpha == 0.0 || beta == 0.0 || fabs(gamma) <= tol * sqrt(alpha) * sqrt(beta)) continue;
                rotated = 1;
                zeta = (beta - alpha) / (2.0 * gamma);
                t = (zeta >= 0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1.0 + zeta * zeta));
                c = 1.0 / sqrt(1.0 + t * t);
                s = c * t;
                for (k = 0; k < len; ++k) {
                    double a = wp[k], b = wr[k];
                    wp[k] = c * a - s * b; wr[k] = s * a + c * b;
                }
                wp = jm + p * q; wr = jm + r * q;
                for (k = 0; k < q; ++k) {
                    double a = wp[k], b = wr[k];
                    wp[k] = c * a - s * b; wr[k] = s * a + c * b;
                }
            }
        if (!rotated) return 1;
    }
    return 0;
}

/* Orthonormal columns: rows of `z` (q x q, row-major, column i = z_i) for
   which sigma is zero are completed by Gram-Schmidt against the others. */
static void mossa__complete_basis(size_t q, double *z, const int *have)
{
    size_t i, j, k, cand = 0;
    for (i = 0; i < q; ++i) {
        if (have[i]) continue;
        while (cand < q) {
            double nrm = 0.0;
            int pass;
            for (k = 0; k < q; ++k) z[k * q + i] = (k == cand) ? 1.0 : 0.0;
            ++cand;
            for (pass = 0; pass < 2; ++pass)
                for (j = 0; j < q; ++j) {
                    double dot = 0.0;
                    if (j == i || (!have[j] && j > i)) continue;
                    for (k = 0; k < q; ++k) dot += z[k * q + j] * z[k * q + i];
                    for (k = 0; k < q; ++k) z[k * q + i] -= dot * z[k * q + j];
                }
            for (k = 0; k < q; ++k) nrm += z[k * q + i] * z[k * q + i];
            if (nrm > 0.25) {
                nrm = 1.0 / sqrt(nrm);
                for (k = 0; k < q; ++k) z[k * q + i] *= nrm;
                break;
            }
        }
    }
}

/* SVD of C' where C (p x q, p >= q, column-major; destroyed) i.e. of the
   row-major q x p matrix with the same bytes. Outputs s (q, descending),
   zu (q x q row-major: left vectors of C' = columns), and v (p x q,
   column-major: right vectors of C' = columns of Q_C J'), each optional
   except s. Needs the context for the Householder steps. */
static mossa_status mossa__svd_wide(mossa__ctx *ctx, size_t p, size_t q, double *c,
                                    double *s, double *zu, double *v)
{
    double *tau, *w, *jm;
    int *have;
    size_t *order;
    size_t i, j, k;
    mossa_status st = MOSSA_OK;
    tau = (double *)mossa__alloc(ctx, q * sizeof(double));
    w = (double *)mossa__alloc(ctx, q * q * sizeof(double));
    jm = (double *)mossa__alloc(ctx, q * q * sizeof(double));
    have = (int *)mossa__alloc(ctx, q * sizeof(int));
    order = (size_t *)mossa__alloc(ctx, q * sizeof(size_t));
    if (!tau || !w || !jm || !have || !order) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    mossa__hh_qr(ctx, p, q, c, tau);
    /* w = R (upper, row-major), jm = I */
    for (i = 0; i < q; ++i)
        for (j = 0; j < q; ++j) {
            w[i * q + j] = j >= i ? c[j * p + i] : 0.0;
            jm[i * q + j] = i == j ? 1.0 : 0.0;
        }
    /* C = Q_C R, and C' = R' Q_C'. Jacobi on the rows of R: J R = Sigma Z',
       so R = J' Sigma Z' and C' = Z Sigma (Q_C J')'. */
    if (!mossa__jacobi_rows(q, q, w, jm)) { st = MOSSA_ERR_NOT_CONVERGED; goto done; }
    for (i = 0; i < q; ++i) {
        double nrm = 0.0;
        for (k = 0; k < q; ++k) nrm += w[i * q + k] * w[i * q + k];
        s[i] = sqrt(nrm);
        order[i] = i;
    }
    /* descending; insertion sort keeps equal values in index order */
    for (i = 1; i < q; ++i) {
        size_t t = order[i];
        j = i;
        while (j > 0 && s[order[j - 1]] < s[t]) { order[j] = order[j - 1]; --j; }
        order[j] = t;
    }
    {
        double smax = q ? s[order[0]] : 0.0;
        if (zu) {
            for (i = 0; i < q; ++i) {
                size_t src = order[i];
                double si = s[src];
                have[i] = si > smax * DBL_EPSILON * (double)q && si > 0.0;
                for (k = 0; k < q; ++k) zu[k * q + i] = have[i] ? w[src * q + k] / si : 0.0;
            }
            mossa__complete_basis(q, zu, have);
        }
        if (v) {
            /* columns of v = [J row order[i]; 0] then Q_C applied */
            for (i = 0; i < q; ++i) {
                double *col = v + i * p;
                for (k = 0; k < q; ++k) col[k] = jm[order[i] * q + k];
                for (k = q; k < p; ++k) col[k] = 0.0;
            }
            mossa__hh_apply_q(ctx, p, q, c, tau, v, q);
        }
        /* s in sorted order */
        for (i = 0; i < q; ++i) w[i] = s[order[i]];
        for (i = 0; i < q; ++i) s[i] = w[i];
    }
done:
    mossa__free(ctx, tau); mossa__free(ctx, w); mossa__free(ctx, jm);
    mossa__free(ctx, have); mossa__free(ctx, order);
    return st;
}

/* ---- symmetric tridiagonal QL (implicit shifts) ---------------------------
   d: diagonal, e[i] (i >= 1): element between i-1 and i. zt (may be NULL):
   n x n, row i = the i-th basis vector, rotated along. Returns 0 when the
   QL sweeps exceed 30 n in total (LAPACK's budget). */
static int mossa__tql(size_t n, double *d, double *e, double *zt)
{
    long l, m, i, nn = (long)n;
    size_t k;
    for (i = 1; i < nn; ++i) e[i - 1] = e[i];
    if (nn > 0) e[nn - 1] = 0.0;
    long iter = 0;
    for (l = 0; l < nn; ++l) {
        do {
            for (m = l; m + 1 < nn; ++m) {
                double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= DBL_EPSILON * dd) break;
            }
            if (m != l) {
                double g, r, s, c, p, f, b;
                /* LAPACK's budget: 30 sweeps per eigenvalue on average */
                if (++iter > 30 * nn) return 0;
                g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                r = hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + (g >= 0.0 ? r : -r));
                s = c = 1.0;
                p = 0.0;
                r = 1.0;
                for (i = m - 1; i >= l; --i) {
                    f = s * e[i];
                    b = c * e[i];
                    e[i + 1] = (r = hypot(f, g));
                    if (r == 0.0) { d[i + 1] -= p; e[m] = 0.0; break; }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    d[i + 1] = g + (p = s * r);
                    g = c * r - b;
                    if (zt) {
                        double *z1 = zt + (size_t)(i + 1) * n, *z0 = zt + (size_t)i * n;
                        for (k = 0; k < n; ++k) {
                            f = z1[k];
                            z1[k] = s * z0[k] + c * f;
                            z0[k] = c * z0[k] - s * f;
                        }
                    }
                }
                if (r == 0.0 && i >= l) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0.0;
            }
        } while (m != l);
    }
    return 1;
}

/* ---- tridiagonalisation, eigenvalues only (parallel, fused) ----------------
   Householder reduction from the bottom row up (rows are contiguous in
   row-major storage). Each step's symmetric rank-2 update is fused with
   the next step's matrix-vector product, so the lower triangle is read
   and written once per step; rows are cut into fixed blocks whose partial
   products are summed in block order. */
typedef struct mossa__trd_job {
    double *a;
    size_t n, rows, block;
    const double *pu, *pq;   /* pending update A -= pu pq' + pq pu' (or NULL) */
    const double *u;         /* new Householder vector (or NULL) */
    double *part;            /* tasks x n */
} mossa__trd_job;

static void mossa__trd_task(void *arg, size_t task, int worker)
{
    const mossa__trd_job *g = (const mossa__trd_job *)arg;
    size_t j, k, j0 = task * g->block, j1 = MOSSA__MIN(g->rows, j0 + g->block);
    double *p = g->part + task * g->n;
    double (*rowop)(size_t, double *, const double *, const double *, double, double,
                    const double *, double, double *) = mossa__k()->svd_rowop;
    (void)worker;
    if (g->u)
        for (k = 0; k < j1; ++k) p[k] = 0.0;
    for (j = j0; j < j1; ++j) {
        double *r = g->a + j * g->n, s;
        double uj = g->u ? g->u[j] : 0.0;
        if (g->pu) r[j] -= g->pu[j] * g->pq[j] + g->pq[j] * g->pu[j];
        s = rowop(j, r, g->pu ? g->pq : NULL, g->pu, g->pu ? g->pu[j] : 0.0, g->pu ? g->pq[j] : 0.0,
                  g->u, uj, p);
        if (g->u) p[j] += s + r[j] * uj;
    }
}

/* Eigenvalues of the symmetric a (n x n row-major, lower triangle read,
   destroyed) into w, descending. */
static mossa_status mossa__eigvals_sym(mossa__ctx *ctx, size_t n, double *a, double *w)
{
    double *e, *u, *pu, *pq, *part;
    size_t i, k, t, block = MOSSA__MAX((size_t)32, (n + 31) / 32), tasks_max = (n + block - 1) / block;
    int pending = 0;
    mossa__trd_job g;
    mossa_status st = MOSSA_OK;
    e = (double *)mossa__alloc(ctx, n * sizeof(double));
    u = (double *)mossa__alloc(ctx, n * sizeof(double));
    pu = (double *)mossa__alloc(ctx, n * sizeof(double));
    pq = (double *)mossa__alloc(ctx, n * sizeof(double));
    part = (double *)mossa__alloc(ctx, (tasks_max ? tasks_max : 1) * n * sizeof(double));
    if (!e || !u || !pu || !pq || !part) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    g.a = a; g.n = n; g.block = block; g.part = part;
    for (i = n - 1; i >= 1 && n > 1; --i) {
        double *ri = a + i * n, scale = 0.0, h = 0.0, f, gg, kk;
        size_t tasks = (i + block - 1) / block;
        if (pending)
            for (k = 0; k <= i; ++k) ri[k] -= pu[i] * pq[k] + pq[i] * pu[k];
        w[i] = ri[i];
        for (k = 0; k < i; ++k) scale += fabs(ri[k]);
        if (i == 1 || scale == 0.0) {
            e[i] = ri[i - 1];
            if (pending) {
                g.rows = i; g.pu = pu; g.pq = pq; g.u = NULL;
                mossa__parallel(ctx, tasks, mossa__trd_task, &g);
                pending = 0;
            }
            continue;
        }
        for (k = 0; k < i; ++k) { u[k] = ri[k] / scale; h += u[k] * u[k]; }
        f = u[i - 1];
        gg = f >= 0.0 ? -sqrt(h) : sqrt(h);
        e[i] = scale * gg;
        h -= f * gg;
        u[i - 1] = f - gg;
        g.rows = i; g.pu = pending ? pu : NULL; g.pq = pq; g.u = u;
        mossa__parallel(ctx, tasks, mossa__trd_task, &g);
        /* p = A u / h; q = p - (u'p / 2h) u; pending update A -= u q' + q u' */
        for (k = 0; k < i; ++k) {
            double s = 0.0;
            for (t = k / block; t < tasks; ++t) s += part[t * n + k];
            pq[k] = s / h;
        }
        kk = 0.0;
        for (k = 0; k < i; ++k) kk += u[k] * pq[k];
        kk /= 2.0 * h;
        for (k = 0; k < i; ++k) { pq[k] -= kk * u[k]; pu[k] = u[k]; }
        pending = 1;
    }
    if (pending) a[0] -= 2.0 * pu[0] * pq[0];
    w[0] = a[0];
    if (n > 0) e[0] = 0.0;
    if (!mossa__tql(n, w, e, NULL)) { st = MOSSA_ERR_NOT_CONVERGED; goto done; }
    /* descending (insertion sort; n log n is irrelevant next to n^3) */
    for (i = 1; i < n; ++i) {
        double x = w[i];
        k = i;
        while (k > 0 && w[k - 1] < x) { w[k] = w[k - 1]; --k; }
        w[k] = x;
    }
done:
    mossa__free(ctx, e); mossa__free(ctx, u); mossa__free(ctx, pu);
    mossa__free(ctx, pq); mossa__free(ctx, part);
    return st;
}

/* ---- tridiagonalisation with vectors (Householder, accumulated) -----------
   The classic tred2 (Martin, Reinsch & Wilkinson 1968): a (n x n, lower
   read) is replaced by Q with Q' A Q tridiagonal; d, e as for mossa__tql. */
static void mossa__tred2(size_t n, double *a, double *d, double *e)
{
    long i, j, k, l, nn = (long)n;
#define MOSSA__A(r, c) a[(size_t)(r) * n + (size_t)(c)]
    for (i = nn - 1; i > 0; --i) {
        double h = 0.0, scale = 0.0;
        l = i - 1;
        if (l > 0) {
            for (k = 0; k <= l; ++k) scale += fabs(MOSSA__A(i, k));
            if (scale == 0.0) e[i] = MOSSA__A(i, l);
            else {
                double f, g, hh;
                for (k = 0; k <= l; ++k) { MOSSA__A(i, k) /= scale; h += MOSSA__A(i, k) * MOSSA__A(i, k); }
                f = MOSSA__A(i, l);
                g = f >= 0.0 ? -sqrt(h) : sqrt(h);
                e[i] = scale * g;
                h -= f * g;
                MOSSA__A(i, l) = f - g;
                f = 0.0;
                for (j = 0; j <= l; ++j) {
                    MOSSA__A(j, i) = MOSSA__A(i, j) / h;
                    g = 0.0;
                    for (k = 0; k <= j; ++k) g += MOSSA__A(j, k) * MOSSA__A(i, k);
                    for (k = j + 1; k <= l; ++k) g += MOSSA__A(k, j) * MOSSA__A(i, k);
                    e[j] = g / h;
                    f += e[j] * MOSSA__A(i, j);
                }
                hh = f / (h + h);
                for (j = 0; j <= l; ++j) {
                    f = MOSSA__A(i, j);
                    e[j] = g = e[j] - hh * f;
                    for (k = 0; k <= j; ++k) MOSSA__A(j, k) -= (f * e[k] + g * MOSSA__A(i, k));
                }
            }
        } else e[i] = MOSSA__A(i, l);
        d[i] = h;
    }
    if (nn > 0) { d[0] = 0.0; e[0] = 0.0; }
    for (i = 0; i < nn; ++i) {
        if (d[i] != 0.0) {
            for (j = 0; j < i; ++j) {
                double g = 0.0;
                for (k = 0; k < i; ++k) g += MOSSA__A(i, k) * MOSSA__A(k, j);
                for (k = 0; k < i; ++k) MOSSA__A(k, j) -= g * MOSSA__A(k, i);
            }
        }
        d[i] = MOSSA__A(i, i);
        MOSSA__A(i, i) = 1.0;
        for (j = 0; j < i; ++j) MOSSA__A(j, i) = MOSSA__A(i, j) = 0.0;
    }
#undef MOSSA__A
}

/* Eigen-decomposition with vectors: w descending, v (n x n row-major,
   column j = eigenvector j, largest-|.| entry positive). a destroyed. */
static mossa_status mossa__eigh_vectors(mossa__ctx *ctx, size_t n, double *a, double *w, double *v)
{
    double *e, *zt;
    size_t *order;
    size_t i, j, k;
    mossa_status st = MOSSA_OK;
    e = (double *)mossa__alloc(ctx, n * sizeof(double));
    zt = (double *)mossa__alloc(ctx, n * n * sizeof(double));
    order = (size_t *)mossa__alloc(ctx, n * sizeof(size_t));
    if (!e || !zt || !order) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    mossa__tred2(n, a, w, e);
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) zt[j * n + i] = a[i * n + j];
    if (!mossa__tql(n, w, e, zt)) { st = MOSSA_ERR_NOT_CONVERGED; goto done; }
    for (i = 0; i < n; ++i) order[i] = i;
    for (i = 1; i < n; ++i) {
        size_t t = order[i];
        j = i;
        while (j > 0 && w[order[j - 1]] < w[t]) { order[j] = order[j - 1]; --j; }
        order[j] = t;
    }
    for (i = 0; i < n; ++i) e[i] = w[order[i]];
    for (i = 0; i < n; ++i) {
        const double *z = zt + order[i] * n;
        double big = 0.0, sgn = 1.0;
        w[i] = e[i];
        for (k = 0; k < n; ++k)
            if (fabs(z[k]) > big) { big = fabs(z[k]); sgn = z[k] < 0 ? -1.0 : 1.0; }
        for (k = 0; k < n; ++k) v[k * n + i] = sgn * z[k];
    }
done:
    mossa__free(ctx, e); mossa__free(ctx, zt); mossa__free(ctx, order);
    return st;
}

/* ---- orthonormalisation of a tall block ----------------------------------
   CholeskyQR (Yamamoto et al. 2015): G = Y'Y, Y R^{-1}; twice for
   orthogonality to working precision (CholeskyQR2). The Gram and the
   product run through the float GEMM (double accumulation), which is
   where the time goes. The float Gram is accurate to ~1e-7 relative, so
   one pass leaves an orthogonality error of ~1e-7 cond(Y)^2; when Y is
   too ill-conditioned for that (a pivot below 1e-5 of the largest
   diagonal: cond(Y) > ~300) the fallback is
   Householder QR in double, which is unconditionally stable and also
   handles exactly rank-deficient blocks. y (m x l double) is overwritten;
   the basis comes out in qf (m x l float). */
typedef struct mossa__orth_ws {
    double *g, *tmp;     /* l x l */
    float *rinv;         /* l x l */
} mossa__orth_ws;

static mossa_status mossa__orth_householder(mossa__ctx *ctx, size_t m, size_t l, const double *y, float *qf)
{
    double *c, *tau, *qcol;
    size_t i, j;
    size_t bytes;
    if (mossa__mul_overflows(m, l, &bytes)) return MOSSA_ERR_TOO_LARGE;
    c = (double *)mossa__alloc(ctx, bytes * sizeof(double));
    qcol = (double *)mossa__alloc(ctx, bytes * sizeof(double));
    tau = (double *)mossa__alloc(ctx, l * sizeof(double));
    if (!c || !qcol || !tau) {
        mossa__free(ctx, c); mossa__free(ctx, qcol); mossa__free(ctx, tau);
        return MOSSA_ERR_OUT_OF_MEMORY;
    }
    for (i = 0; i < m; ++i)
        for (j = 0; j < l; ++j) c[j * m + i] = y[i * l + j];
    mossa__hh_qr(ctx, m, l, c, tau);
    for (j = 0; j < l; ++j)
        for (i = 0; i < m; ++i) qcol[j * m + i] = (i == j) ? 1.0 : 0.0;
    mossa__hh_apply_q(ctx, m, l, c, tau, qcol, l);
    for (i = 0; i < m; ++i)
        for (j = 0; j < l; ++j) qf[i * l + j] = (float)qcol[j * m + i];
    mossa__free(ctx, c); mossa__free(ctx, qcol); mossa__free(ctx, tau);
    return MOSSA_OK;
}

static mossa_status mossa__orth(mossa__ctx *ctx, size_t m, size_t l, double *y, float *qf,
                                int passes, const mossa__orth_ws *ws)
{
    size_t i, count = m * l;
    int pass;
    for (i = 0; i < count; ++i) qf[i] = (float)y[i];
    for (pass = 0; pass < passes; ++pass) {
        MOSSA__CHECK(mossa__svd_gemm(ctx, 1, 1, l, l, m, qf, l, qf, l, ws->g, l));
        if (!mossa__cholesky(l, ws->g, pass == 0 ? 1e-5 : 1e-2))
            return mossa__orth_householder(ctx, m, l, y, qf);
        mossa__chol_rinv(l, ws->g, ws->tmp, ws->rinv);
        MOSSA__CHECK(mossa__svd_gemm(ctx, 0, 0, m, l, l, qf, l, ws->rinv, l, y, l));
        for (i = 0; i < count; ++i) qf[i] = (float)y[i];
    }
    return MOSSA_OK;
}

/* ---- Gaussian test matrix ------------------------------------------------- */
typedef struct mossa__gauss_job { float *o; size_t rows, cols; uint64_t seed; } mossa__gauss_job;

static void mossa__gauss_task(void *arg, size_t task, int worker)
{
    const mossa__gauss_job *g = (const mossa__gauss_job *)arg;
    size_t i, r0 = task * 64, r1 = MOSSA__MIN(g->rows, r0 + 64);
    (void)worker;
    for (i = r0 * g->cols; i < r1 * g->cols; ++i)
        g->o[i] = (float)mossa_rng_normal(g->seed, (uint64_t)i);
}

/* ---- randomized range finder + QB ------------------------------------------
   Halko, Martinsson & Tropp (2011), algorithm 4.4 (subspace iteration):
   Y = X Omega, then q times Q = orth(Y), P = orth(X' Q), Y = X P; finally
   B = Q' X. Every block is re-orthonormalised: without it the columns of
   (X X')^q X Omega all collapse onto the top singular vector in floating
   point. Returns Q (n x l float) and B (l x d double, row-major). */
static mossa_status mossa__range_qb(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t l,
                                    int q, uint64_t seed, float *qf, double *b)
{
    mossa__orth_ws ws;
    mossa__gauss_job gj;
    float *omega = NULL, *pf = NULL;
    double *y = NULL;
    size_t big = MOSSA__MAX(n, d), bytes;
    int it;
    mossa_status st = MOSSA_OK;
    ws.g = ws.tmp = NULL; ws.rinv = NULL;
    if (mossa__mul_overflows(big, l, &bytes)) return MOSSA_ERR_TOO_LARGE;
    omega = (float *)mossa__alloc(ctx, d * l * sizeof(float));
    pf = omega; /* P reuses the test matrix's storage (both d x l) */
    y = (double *)mossa__alloc(ctx, bytes * sizeof(double));
    ws.g = (double *)mossa__alloc(ctx, l * l * sizeof(double));
    ws.tmp = (double *)mossa__alloc(ctx, l * l * sizeof(double));
    ws.rinv = (float *)mossa__alloc(ctx, l * l * sizeof(float));
    if (!omega || !y || !ws.g || !ws.tmp || !ws.rinv) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    gj.o = omega; gj.rows = d; gj.cols = l; gj.seed = seed;
    mossa__parallel(ctx, (d + 63) / 64, mossa__gauss_task, &gj);
    st = mossa__svd_gemm(ctx, 0, 0, n, l, d, x, d, omega, l, y, l);
    if (st == MOSSA_OK) st = mossa__orth(ctx, n, l, y, qf, q > 0 ? 1 : 2, &ws);
    for (it = 0; it < q && st == MOSSA_OK; ++it) {
        st = mossa__svd_gemm(ctx, 1, 0, d, l, n, x, d, qf, l, y, l);
        if (st == MOSSA_OK) st = mossa__orth(ctx, d, l, y, pf, 1, &ws);
        if (st == MOSSA_OK) st = mossa__svd_gemm(ctx, 0, 0, n, l, d, x, d, pf, l, y, l);
        if (st == MOSSA_OK) st = mossa__orth(ctx, n, l, y, qf, it + 1 == q ? 2 : 1, &ws);
    }
    /* B = Q'X as (X'Q)': the product with the thin operand packed */
    if (st == MOSSA_OK) st = mossa__svd_gemm(ctx, 1, 0, d, l, n, x, d, qf, l, y, l);
    if (st == MOSSA_OK) {
        size_t i, j;
        for (i = 0; i < d; ++i)
            for (j = 0; j < l; ++j) b[j * d + i] = y[i * l + j];
    }
done:
    mossa__free(ctx, omega); mossa__free(ctx, y);
    mossa__free(ctx, ws.g); mossa__free(ctx, ws.tmp); mossa__free(ctx, ws.rinv);
    return st;
}

/* ---- block Krylov range finder ----------------------------------------------
   Musco & Musco (2015): the basis of K = [X W, (X X') X W, ..., (X X')^q X W]
   with a b-column Gaussian W, built Lanczos-style: every new block is
   X X' (previous block), projected away from all earlier blocks twice and
   orthonormalised. For slowly decaying spectra it reaches the accuracy of
   subspace iteration with about half the passes over X (the polynomial
   filter is the whole Krylov space, not only its last power).
   Q: n x b(q+1) float (ldq = b(q+1)); B = Q'X (b(q+1) x d, double). */
static mossa_status mossa__krylov_qb(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t bs,
                                     int q, uint64_t seed, float *qall, double *bmat)
{
    size_t L = bs * (size_t)(q + 1), big = MOSSA__MAX(n, d), filled = 0, i, j;
    float *om = NULL, *qb = NULL, *cf = NULL;
    double *y = NULL, *yq = NULL, *c = NULL, *bt = NULL;
    mossa__orth_ws ws;
    mossa__gauss_job gj;
    mossa_status st = MOSSA_OK;
    int it, pass;
    ws.g = ws.tmp = NULL; ws.rinv = NULL;
    om = (float *)mossa__alloc(ctx, d * bs * sizeof(float));
    qb = (float *)mossa__alloc(ctx, big * bs * sizeof(float));
    cf = (float *)mossa__alloc(ctx, L * bs * sizeof(float));
    y = (double *)mossa__alloc(ctx, big * MOSSA__MAX(bs, L) * sizeof(double));
    yq = (double *)mossa__alloc(ctx, n * bs * sizeof(double));
    c = (double *)mossa__alloc(ctx, L * bs * sizeof(double));
    ws.g = (double *)mossa__alloc(ctx, L * L * sizeof(double));
    ws.tmp = (double *)mossa__alloc(ctx, L * L * sizeof(double));
    ws.rinv = (float *)mossa__alloc(ctx, L * L * sizeof(float));
    (void)bt;
    if (!om || !qb || !cf || !y || !yq || !c || !ws.g || !ws.tmp || !ws.rinv) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    gj.o = om; gj.rows = d; gj.cols = bs; gj.seed = seed;
    mossa__parallel(ctx, (d + 63) / 64, mossa__gauss_task, &gj);
    st = mossa__svd_gemm(ctx, 0, 0, n, bs, d, x, d, om, bs, y, bs);
    for (it = 0; it <= q && st == MOSSA_OK; ++it) {
        if (it > 0) {
            /* next block from the previous one: X (orth(X' Q_prev)) */
            st = mossa__svd_gemm(ctx, 1, 0, d, bs, n, x, d, qb, bs, y, bs);
            if (st == MOSSA_OK) st = mossa__orth(ctx, d, bs, y, om, 1, &ws);
            if (st == MOSSA_OK) st = mossa__svd_gemm(ctx, 0, 0, n, bs, d, x, d, om, bs, y, bs);
            for (pass = 0; pass < 2 && st == MOSSA_OK; ++pass) {
                for (i = 0; i < n * bs; ++i) qb[i] = (float)y[i];
                st = mossa__svd_gemm(ctx, 1, 0, filled, bs, n, qall, L, qb, bs, c, bs);
                if (st != MOSSA_OK) break;
                for (i = 0; i < filled * bs; ++i) cf[i] = (float)c[i];
                st = mossa__svd_gemm(ctx, 0, 0, n, bs, filled, qall, L, cf, bs, yq, bs);
                for (i = 0; i < n * bs; ++i) y[i] -= yq[i];
            }
        }
        if (st == MOSSA_OK) st = mossa__orth(ctx, n, bs, y, qb, 2, &ws);
        if (st != MOSSA_OK) break;
        for (i = 0; i < n; ++i)
            for (j = 0; j < bs; ++j) qall[i * L + filled + j] = qb[i * bs + j];
        filled += bs;
    }
    /* one CholeskyQR pass over the whole basis: the blocks were made
       orthogonal to each other in float, to ~1e-6 */
    if (st == MOSSA_OK) {
        for (i = 0; i < n * L; ++i) y[i] = (double)qall[i];
        st = mossa__orth(ctx, n, L, y, qall, 1, &ws);
    }
    /* B = Q'X as (X'Q)' */
    if (st == MOSSA_OK) st = mossa__svd_gemm(ctx, 1, 0, d, L, n, x, d, qall, L, y, L);
    if (st == MOSSA_OK)
        for (i = 0; i < d; ++i)
            for (j = 0; j < L; ++j) bmat[j * d + i] = y[i * L + j];
done:
    mossa__free(ctx, om); mossa__free(ctx, qb); mossa__free(ctx, cf); mossa__free(ctx, y);
    mossa__free(ctx, yq); mossa__free(ctx, c);
    mossa__free(ctx, ws.g); mossa__free(ctx, ws.tmp); mossa__free(ctx, ws.rinv);
    return st;
}

/* SVD of the small B (l x d, row-major) through the eigen-decomposition of
   B B' (float products, double eigensolver): s_i^2 carry an absolute error
   of ~1e-7 s_1^2, so this is used only when s_k^2 >= 2e-3 s_1^2 (relative
   error of s_k below ~1e-5); otherwise *ok = 0 and the caller uses the
   QR + Jacobi route. zu: l x l (column i = left vector i); v: the first k
   right vectors, column-major d x k (column i at v + i d). */
static mossa_status mossa__small_svd_gram(mossa__ctx *ctx, const double *b, size_t l, size_t d, size_t k,
                                          double *s, double *zu, double *v, int *ok)
{
    float *bt = NULL, *zf = NULL;
    double *g = NULL, *w = NULL, *z = NULL, *tmp = NULL;
    size_t i, j;
    mossa_status st = MOSSA_OK;
    *ok = 0;
    bt = (float *)mossa__alloc(ctx, d * l * sizeof(float));
    g = (double *)mossa__alloc(ctx, l * l * sizeof(double));
    w = (double *)mossa__alloc(ctx, l * sizeof(double));
    z = (double *)mossa__alloc(ctx, l * l * sizeof(double));
    if (!bt || !g || !w || !z) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    for (i = 0; i < l; ++i)
        for (j = 0; j < d; ++j) bt[j * l + i] = (float)b[i * d + j];
    st = mossa__svd_gemm(ctx, 1, 1, l, l, d, bt, l, bt, l, g, l);
    if (st == MOSSA_OK) st = mossa__eigh_vectors(ctx, l, g, w, z);
    if (st == MOSSA_ERR_NOT_CONVERGED) { st = MOSSA_OK; goto done; } /* the exact route decides */
    if (st != MOSSA_OK) goto done;
    if (!(w[0] > 0.0) || w[k - 1] < 2e-3 * w[0]) goto done;
    for (i = 0; i < l; ++i) s[i] = sqrt(w[i] > 0.0 ? w[i] : 0.0);
    if (zu) memcpy(zu, z, l * l * sizeof(double));
    if (v) {
        zf = (float *)mossa__alloc(ctx, l * k * sizeof(float));
        tmp = (double *)mossa__alloc(ctx, d * k * sizeof(double));
        if (!zf || !tmp) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        for (i = 0; i < l; ++i)
            for (j = 0; j < k; ++j) zf[i * k + j] = (float)z[i * l + j];
        /* V_k = B' Z_k S_k^{-1} */
        st = mossa__svd_gemm(ctx, 0, 0, d, k, l, bt, l, zf, k, tmp, k);
        if (st != MOSSA_OK) goto done;
        for (j = 0; j < k; ++j)
            for (i = 0; i < d; ++i) v[j * d + i] = tmp[i * k + j] / s[j];
    }
    *ok = 1;
done:
    mossa__free(ctx, bt); mossa__free(ctx, g); mossa__free(ctx, w); mossa__free(ctx, z);
    mossa__free(ctx, zf); mossa__free(ctx, tmp);
    return st;
}

/* ---- randomized SVD ---------------------------------------------------------- */
static mossa_status mossa__svd_core(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
                                    size_t oversample, int power_iters, uint64_t seed, int krylov,
                                    double *s, float *u, float *vt)
{
    size_t mn = MOSSA__MIN(n, d), l, i, j, r, bs_krylov = 0;
    int q, gram_ok = 0;
    float *qf = NULL, *zf = NULL;
    double *b = NULL, *sl = NULL, *zu = NULL, *v = NULL, *ud = NULL;
    int need_vec = (u != NULL || vt != NULL);
    size_t bytes;
    mossa_status st = MOSSA_OK;
    if (oversample == 0) oversample = 10;
    l = (k + oversample > mn || k + oversample < k) ? mn : k + oversample;
    if (power_iters == 0) q = (double)k < 0.1 * (double)mn ? 7 : 4;
    else q = power_iters < 0 ? 0 : power_iters;
    if (krylov) {
        /* block size b = ceil(0.85 (k + p)) (at least 8), depth q (default
           3): basis of b (q + 1) columns, 3q + 2 passes of width b */
        size_t bs = (size_t)ceil(0.85 * (double)l);
        q = power_iters == 0 ? 3 : (power_iters < 0 ? 0 : power_iters);
        if (bs < 8) bs = 8;
        /* a small matrix limits the basis: thinner blocks keep the depth */
        if (bs * (size_t)(q + 1) > mn) bs = mn / (size_t)(q + 1);
        if (bs >= 1 && bs * (size_t)(q + 1) >= k) {
            bs_krylov = bs;
            l = bs * (size_t)(q + 1);
        } else if (power_iters == 0) q = (double)k < 0.1 * (double)mn ? 7 : 4; /* subspace iteration */
    }
    if (mossa__mul_overflows(MOSSA__MAX(n, d), l, &bytes)) return MOSSA_ERR_TOO_LARGE;
    qf = (float *)mossa__alloc(ctx, n * l * sizeof(float));
    b = (double *)mossa__alloc(ctx, l * d * sizeof(double));
    sl = (double *)mossa__alloc(ctx, l * sizeof(double));
    if (need_vec) {
        zu = (double *)mossa__alloc(ctx, l * l * sizeof(double));
        zf = (float *)mossa__alloc(ctx, l * k * sizeof(float));
        ud = (double *)mossa__alloc(ctx, n * k * sizeof(double));
        if (vt) v = (double *)mossa__alloc(ctx, d * l * sizeof(double));
        if (!zu || !zf || !ud || (vt && !v)) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    }
    if (!qf || !b || !sl) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    if (bs_krylov) st = mossa__krylov_qb(ctx, x, n, d, bs_krylov, q, seed, qf, b);
    else st = mossa__range_qb(ctx, x, n, d, l, q, seed, qf, b);
    if (st != MOSSA_OK) goto done;
    /* The small SVD of B: through B B' when B is well conditioned over the
       top k (fast); else B (l x d row-major), which is B' column-major, by
       Householder QR + one-sided Jacobi (accurate to working precision). */
    if (l >= 64) {
        st = mossa__small_svd_gram(ctx, b, l, d, k, sl, zu, v, &gram_ok);
        if (st != MOSSA_OK) goto done;
    }
    if (!gram_ok) st = mossa__svd_wide(ctx, d, l, b, sl, zu, v);
    if (st != MOSSA_OK) goto done;
    for (i = 0; i < k; ++i) s[i] = sl[i];
    if (!need_vec) goto done;
    /* U = Q Z_k; signs: the largest-|.| entry of each U column positive */
    for (i = 0; i < l; ++i)
        for (j = 0; j < k; ++j) zf[i * k + j] = (float)zu[i * l + j];
    st = mossa__svd_gemm(ctx, 0, 0, n, k, l, qf, l, zf, k, ud, k);
    if (st != MOSSA_OK) goto done;
    for (r = 0; r < k; ++r) {
        double big = -1.0, sgn = 1.0;
        for (i = 0; i < n; ++i) {
            double t = ud[i * k + r];
            if (fabs(t) > big) { big = fabs(t); sgn = t < 0 ? -1.0 : 1.0; }
        }
        if (u)
            for (i = 0; i < n; ++i) u[i * k + r] = (float)(sgn * ud[i * k + r]);
        if (vt)
            for (j = 0; j < d; ++j) vt[r * d + j] = (float)(sgn * v[r * d + j]);
    }
done:
    mossa__free(ctx, qf); mossa__free(ctx, b); mossa__free(ctx, sl); mossa__free(ctx, zu);
    mossa__free(ctx, zf); mossa__free(ctx, ud); mossa__free(ctx, v);
    return st;
}

/* NaN/Inf have an all-ones exponent; an integer OR-reduction over the bit
   patterns vectorises at -O2 (a float reduction would not). */
static int mossa__svd_all_finite(const float *x, size_t count)
{
    size_t i = 0;
    while (i < count) {
        size_t j, end = MOSSA__MIN(count, i + 4096);
        uint32_t bad = 0;
        for (j = i; j < end; ++j) {
            uint32_t u;
            memcpy(&u, x + j, sizeof(u));
            bad |= (uint32_t)((u & 0x7f800000u) == 0x7f800000u);
        }
        if (bad) return 0;
        i = end;
    }
    return 1;
}

static mossa_status mossa__check_matrix(const float *x, size_t n, size_t d)
{
    size_t count;
    if (!x || n == 0 || d == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (mossa__mul_overflows(n, d, &count) || count > ((size_t)-1) / 8) return MOSSA_ERR_TOO_LARGE;
    if (!mossa__svd_all_finite(x, count)) return MOSSA_ERR_NONFINITE;
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_svd_randomized(const float *x, size_t n, size_t d, size_t k,
                                            const mossa_svd_options *options,
                                            double *s, float *u, float *vt)
{
    mossa_svd_options def;
    mossa__ctx ctx;
    mossa_status st;
    size_t i, count;
    if (!options) { memset(&def, 0, sizeof(def)); options = &def; }
    if (!s) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__check_matrix(x, n, d);
    if (st != MOSSA_OK) return st;
    if (k == 0 || k > MOSSA__MIN(n, d) || options->power_iters < -1) return MOSSA_ERR_INVALID_ARGUMENT;
    count = n * d;
    for (i = 0; i < count && x[i] == 0.0f; ++i) {}
    if (i == count) return MOSSA_ERR_ZERO_VARIANCE; /* all zero: no singular vectors to speak of */
    st = mossa__ctx_begin(&ctx, options->n_threads, options->allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__svd_core(&ctx, x, n, d, k, options->oversample, options->power_iters, options->seed,
                         options->block_krylov, s, u, vt);
    mossa__ctx_end(&ctx);
    return st;
}

/* ---- variance rank ------------------------------------------------------------
   The count is read off the exact spectrum of the smaller Gram matrix
   (Xc'Xc when n >= d, Xc Xc' otherwise), whose eigenvalues are the s_i^2
   of Xc. The Gram is formed by the float GEMM with double accumulation and
   diagonalised in double (Householder tridiagonalisation + implicit QL,
   eigenvalues only). Eigenvalues carry an absolute error of about
   1e-7 * s_1^2 (float products), far below the gaps that decide a 99%
   count; counts whose cumulative fraction lies within ~1e-6 of f are ties. */
static mossa_status mossa__rank_from_spectrum(const double *w, size_t m, double f,
                                              mossa_rank_result *res)
{
    size_t i, r;
    double sum = 0.0, cum = 0.0, tiny;
    tiny = m ? w[0] * 1e-9 : 0.0;
    for (i = 0; i < m; ++i)
        if (w[i] > tiny) sum += w[i];
    if (!(sum > 0.0)) return MOSSA_ERR_ZERO_VARIANCE;
    /* the spectrum's own sum is the denominator, so f = 1 gives the
       numerical rank instead of depending on the last rounding error */
    r = 0;
    for (i = 0; i < m; ++i) {
        if (w[i] <= tiny) break;
        cum += w[i];
        r = i + 1;
        if (cum >= f * sum) break;
    }
    res->rank = r;
    res->explained = cum / sum;
    return MOSSA_OK;
}

static mossa_status mossa__rank_gram(mossa__ctx *ctx, const float *xc, size_t n, size_t d, double f,
                                     mossa_rank_result *res)
{
    size_t m = MOSSA__MIN(n, d), bytes;
    double *g = NULL, *w = NULL;
    mossa_status st;
    if (mossa__mul_overflows(m, m, &bytes) || bytes > ((size_t)-1) / 8) return MOSSA_ERR_TOO_LARGE;
    g = (double *)mossa__alloc(ctx, bytes * sizeof(double));
    w = (double *)mossa__alloc(ctx, m * sizeof(double));
    if (!g || !w) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    if (n >= d) st = mossa__svd_gemm(ctx, 1, 1, d, d, n, xc, d, xc, d, g, d);
    else {
        /* Xc Xc' = (Xc')'(Xc'): the transposed copy feeds the A'A kernel */
        float *xt = (float *)mossa__alloc(ctx, n * d * sizeof(float));
        size_t i0, j0, i, j;
        if (!xt) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        for (i0 = 0; i0 < n; i0 += 32)
            for (j0 = 0; j0 < d; j0 += 32)
                for (i = i0; i < MOSSA__MIN(n, i0 + 32); ++i)
                    for (j = j0; j < MOSSA__MIN(d, j0 + 32); ++j) xt[j * n + i] = xc[i * d + j];
        st = mossa__svd_gemm(ctx, 1, 1, n, n, d, xt, n, xt, n, g, n);
        mossa__free(ctx, xt);
    }
    if (st == MOSSA_OK) st = mossa__eigvals_sym(ctx, m, g, w);
    if (st == MOSSA_OK) st = mossa__rank_from_spectrum(w, m, f, res);
done:
    mossa__free(ctx, g); mossa__free(ctx, w);
    return st;
}

/* Adaptive randomized path (randQB_EI style, Yu, Gu & Li 2018): grow an
   orthonormal basis Q of the column space of Xc block by block (each
   block drawn from the counter-based RNG, projected away from Q and
   refined by two power iterations), with B = Q'Xc. The captured energy is
   ||B||_F^2 and the uncaptured R = ||Xc||_F^2 - ||B||_F^2 is known
   exactly. Since Xc'Xc = B'B + E'E (E = Xc - QB, orthogonal to Q), Ky
   Fan's inequality bounds the true partial sums of s_i^2 by
       L_r = sum_{i<=r} s_i(B)^2  <=  sum_{i<=r} s_i(Xc)^2  <=  L_r + R.
   With r* the smallest r where L_r >= f T the full-SVD count is <= r*;
   when also L_{r*-1} + R < f T it is >= r*: the count is certified
   exact. Otherwise the basis grows; once it would pass min(n,d)/2, or
   the work spent reaches half the Gram path's cost, the caller switches
   to the exact Gram eigensolver. Returns MOSSA_OK with *certified set or
   clear. */
#define MOSSA__RANK_TIE 2e-6
static mossa_status mossa__rank_randomized(mossa__ctx *ctx, const float *xc, size_t n, size_t d, double f,
                                           double total, mossa_rank_result *res, int *certified)
{
    size_t m = MOSSA__MIN(n, d), lmax = m / 2, L = 0, b = 32, big = MOSSA__MAX(n, d), i, j, r;
    double captured = 0.0, budget, spent = 0.0;
    float *qall = NULL, *om = NULL, *qb = NULL, *pb = NULL, *cf = NULL, *bt = NULL;
    double *ball = NULL, *y = NULL, *yq = NULL, *c = NULL, *gram = NULL, *w = NULL;
    mossa__orth_ws ws;
    mossa__gauss_job gj;
    mossa_status st = MOSSA_OK;
    int it;
    *certified = 0;
    ws.g = ws.tmp = NULL; ws.rinv = NULL;
    /* the Gram path: n d m multiply-adds plus ~3 m^3 for the tridiagonalisation */
    budget = 0.5 * ((double)n * (double)d * (double)m + 3.0 * (double)m * (double)m * (double)m);
    if (lmax < 64) return MOSSA_OK;
    qall = (float *)mossa__alloc(ctx, n * lmax * sizeof(float));
    ball = (double *)mossa__alloc(ctx, lmax * d * sizeof(double));
    om = (float *)mossa__alloc(ctx, d * 256 * sizeof(float));
    qb = (float *)mossa__alloc(ctx, big * 256 * sizeof(float));
    pb = (float *)mossa__alloc(ctx, d * 256 * sizeof(float));
    y = (double *)mossa__alloc(ctx, big * 256 * sizeof(double));
    yq = (double *)mossa__alloc(ctx, n * 256 * sizeof(double));
    c = (double *)mossa__alloc(ctx, lmax * 256 * sizeof(double));
    cf = (float *)mossa__alloc(ctx, lmax * 256 * sizeof(float));
    bt = (float *)mossa__alloc(ctx, d * lmax * sizeof(float));
    gram = (double *)mossa__alloc(ctx, lmax * lmax * sizeof(double));
    w = (double *)mossa__alloc(ctx, lmax * sizeof(double));
    ws.g = (double *)mossa__alloc(ctx, 256 * 256 * sizeof(double));
    ws.tmp = (double *)mossa__alloc(ctx, 256 * 256 * sizeof(double));
    ws.rinv = (float *)mossa__alloc(ctx, 256 * 256 * sizeof(float));
    if (!qall || !ball || !om || !qb || !pb || !y || !yq || !c || !cf || !bt || !gram || !w || !ws.g || !ws.tmp ||
        !ws.rinv) {
        st = MOSSA_ERR_OUT_OF_MEMORY;
        goto done;
    }
    while (L + b <= lmax && spent < budget) {
        /* a new block: Y = Xc Omega, refined by power iterations, each step
           projected away from the basis so far (twice: block Gram-Schmidt
           in float loses orthogonality once) */
        gj.o = om; gj.rows = d; gj.cols = b; gj.seed = 0x5eed0000u + (uint64_t)L;
        mossa__parallel(ctx, (d + 63) / 64, mossa__gauss_task, &gj);
        st = mossa__svd_gemm(ctx, 0, 0, n, b, d, xc, d, om, b, y, b);
        for (it = 0; it <= 2 && st == MOSSA_OK; ++it) {
            int pass;
            for (pass = 0; pass < 2 && L > 0 && st == MOSSA_OK; ++pass) {
                for (i = 0; i < n * b; ++i) qb[i] = (float)y[i];
                /* C = Qall' Y (L x b), Y -= Qall C */
                st = mossa__svd_gemm(ctx, 1, 0, L, b, n, qall, lmax, qb, b, c, b);
                if (st != MOSSA_OK) break;
                for (i = 0; i < L * b; ++i) cf[i] = (float)c[i];
                st = mossa__svd_gemm(ctx, 0, 0, n, b, L, qall, lmax, cf, b, yq, b);
                for (i = 0; i < n * b; ++i) y[i] -= yq[i];
            }
            if (st == MOSSA_OK) st = mossa__orth(ctx, n, b, y, qb, it == 2 ? 2 : 1, &ws);
            if (st != MOSSA_OK || it == 2) break;
            st = mossa__svd_gemm(ctx, 1, 0, d, b, n, xc, d, qb, b, y, b);
            if (st == MOSSA_OK) st = mossa__orth(ctx, d, b, y, pb, 1, &ws);
            if (st == MOSSA_OK) st = mossa__svd_gemm(ctx, 0, 0, n, b, d, xc, d, pb, b, y, b);
        }
        if (st != MOSSA_OK) goto done;
        if (L > 0) {
            /* the bounds need [Q Qb] orthonormal: a block that the
               orthonormalisation had to complete with arbitrary directions
               (an exhausted, rank-deficient residual) ends the attempt */
            double worst = 0.0;
            st = mossa__svd_gemm(ctx, 1, 0, L, b, n, qall, lmax, qb, b, c, b);
            if (st != MOSSA_OK) goto done;
            for (i = 0; i < L * b; ++i) worst = MOSSA__MAX(worst, fabs(c[i]));
            if (worst > 1e-3) break;
        }
        /* B block = Qb' Xc = (Xc' Qb)' */
        st = mossa__svd_gemm(ctx, 1, 0, d, b, n, xc, d, qb, b, y, b);
        if (st != MOSSA_OK) goto done;
        for (i = 0; i < n; ++i)
            for (j = 0; j < b; ++j) qall[i * lmax + L + j] = qb[i * b + j];
        for (i = 0; i < d; ++i)
            for (j = 0; j < b; ++j) {
                double v = y[i * b + j];
                ball[(L + j) * d + i] = v;
            }
        L += b;
        spent += 8.0 * (double)n * (double)d * (double)b + 4.0 * (double)n * (double)L * (double)b;
        captured = 0.0;
        for (i = 0; i < L * d; ++i) captured += ball[i] * ball[i];
        if (captured > total * (1.0 + 1e-5)) break; /* cannot happen with an orthonormal Q */
        if (captured >= f * total) {
            /* s_i(B)^2 = eigenvalues of B B' (L x L), through the transposed
               float copy of B and the A'A product */
            double rem = total - captured, cum = 0.0, prev = 0.0;
            size_t rstar = 0;
            if (rem < 0.0) rem = 0.0;
            for (i = 0; i < L; ++i)
                for (j = 0; j < d; ++j) bt[j * L + i] = (float)ball[i * d + j];
            st = mossa__svd_gemm(ctx, 1, 1, L, L, d, bt, L, bt, L, gram, L);
            if (st == MOSSA_OK) st = mossa__eigvals_sym(ctx, L, gram, w);
            if (st != MOSSA_OK) goto done;
            for (r = 0; r < L; ++r) {
                prev = cum;
                cum += w[r] > 0.0 ? w[r] : 0.0;
                if (cum >= f * total) { rstar = r + 1; break; }
            }
            if (rstar && prev + rem < f * total - MOSSA__RANK_TIE * total) {
                res->rank = rstar;
                res->explained = cum / total;
                *certified = 1;
                goto done;
            }
        }
        b = MOSSA__MIN(2 * b, (size_t)256);
    }
done:
    mossa__free(ctx, qall); mossa__free(ctx, ball); mossa__free(ctx, om); mossa__free(ctx, qb);
    mossa__free(ctx, pb); mossa__free(ctx, y); mossa__free(ctx, yq); mossa__free(ctx, c); mossa__free(ctx, cf);
    mossa__free(ctx, bt); mossa__free(ctx, gram); mossa__free(ctx, w);
    mossa__free(ctx, ws.g); mossa__free(ctx, ws.tmp); mossa__free(ctx, ws.rinv);
    return st;
}

MOSSA_DEF mossa_status mossa_variance_rank(const float *x, size_t n, size_t d,
                                           const mossa_rank_options *options,
                                           mossa_rank_result *result)
{
    mossa_rank_options def;
    mossa__ctx ctx;
    mossa_status st;
    double f, total = 0.0, *mean = NULL;
    float *xc = NULL;
    if (!options) { memset(&def, 0, sizeof(def)); options = &def; }
    if (!result) return MOSSA_ERR_INVALID_ARGUMENT;
    result->rank = 0; result->explained = 0.0; result->total_variance = 0.0;
    f = options->variance == 0.0 ? 0.99 : options->variance;
    if (!(f > 0.0 && f <= 1.0)) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__check_matrix(x, n, d);
    if (st != MOSSA_OK) return st;
    st = mossa__ctx_begin(&ctx, options->n_threads, options->allocator);
    if (st != MOSSA_OK) return st;
    mean = (double *)mossa__alloc(&ctx, d * sizeof(double));
    xc = (float *)mossa__alloc(&ctx, n * d * sizeof(float));
    if (!mean || !xc) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    st = mossa__center(&ctx, x, n, d, !options->no_center, mean, xc, &total);
    if (st != MOSSA_OK) goto done;
    if (!(total > 0.0)) { st = MOSSA_ERR_ZERO_VARIANCE; goto done; }
    result->total_variance = total;
    {
        /* Small problems go straight to the exact Gram spectrum; larger
           ones first try the certified randomized path. */
        int certified = 0;
        size_t m = MOSSA__MIN(n, d);
        if (options->method == 1 || (options->method == 0 && m > 1536))
            st = mossa__rank_randomized(&ctx, xc, n, d, f, total, result, &certified);
        if (st == MOSSA_OK && !certified) st = mossa__rank_gram(&ctx, xc, n, d, f, result);
    }
done:
    mossa__free(&ctx, mean); mossa__free(&ctx, xc);
    mossa__ctx_end(&ctx);
    if (st != MOSSA_OK) { result->rank = 0; result->explained = 0.0; result->total_variance = 0.0; }
    return st;
}

/* ---- public dense building blocks ---------------------------------------------- */
MOSSA_DEF mossa_status mossa_eigh(const double *a, size_t n, const mossa_allocator *allocator,
                                  double *w, double *v)
{
    mossa__ctx ctx;
    double *c;
    size_t i, count;
    mossa_status st;
    if (!a || !w || n == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (mossa__mul_overflows(n, n, &count) || count > ((size_t)-1) / 8) return MOSSA_ERR_TOO_LARGE;
    for (i = 0; i < count; ++i)
        if (!(a[i] - a[i] == 0.0)) return MOSSA_ERR_NONFINITE;
    st = mossa__ctx_begin(&ctx, 1, allocator);
    if (st != MOSSA_OK) return st;
    c = (double *)mossa__alloc(&ctx, count * sizeof(double));
    if (!c) { mossa__ctx_end(&ctx); return MOSSA_ERR_OUT_OF_MEMORY; }
    memcpy(c, a, count * sizeof(double));
    st = v ? mossa__eigh_vectors(&ctx, n, c, w, v) : mossa__eigvals_sym(&ctx, n, c, w);
    mossa__free(&ctx, c);
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_svd_dense(const double *a, size_t m, size_t n, const mossa_allocator *allocator,
                                       double *s, double *u, double *vt)
{
    mossa__ctx ctx;
    double *c = NULL, *zu = NULL, *v = NULL;
    size_t p = MOSSA__MAX(m, n), q = MOSSA__MIN(m, n), i, j, count;
    int wide = m < n;
    mossa_status st;
    if (!a || !s || m == 0 || n == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (mossa__mul_overflows(m, n, &count) || count > ((size_t)-1) / 8) return MOSSA_ERR_TOO_LARGE;
    for (i = 0; i < count; ++i)
        if (!(a[i] - a[i] == 0.0)) return MOSSA_ERR_NONFINITE;
    st = mossa__ctx_begin(&ctx, 1, allocator);
    if (st != MOSSA_OK) return st;
    c = (double *)mossa__alloc(&ctx, count * sizeof(double));
    zu = (double *)mossa__alloc(&ctx, q * q * sizeof(double));
    v = (double *)mossa__alloc(&ctx, p * q * sizeof(double));
    if (!c || !zu || !v) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    /* C (p x q column-major): for a wide A that is A itself; for a tall A
       it is A' stored column-major, i.e. the transpose of A's layout. */
    if (wide) memcpy(c, a, count * sizeof(double));
    else
        for (i = 0; i < m; ++i)
            for (j = 0; j < n; ++j) c[i + j * m] = a[i * n + j]; /* column j of A at c + j*m */
    /* mossa__svd_wide factors C' = Z S V' (C p x q column-major). Wide A:
       C' = A, so U = Z, V = v. Tall A: C = A, so A = V S Z'. */
    st = mossa__svd_wide(&ctx, p, q, c, s, zu, v);
    if (st != MOSSA_OK) goto done;
    for (j = 0; j < q; ++j) {
        /* sign: largest-|.| entry of each left vector positive */
        double big = -1.0, sgn = 1.0;
        for (i = 0; i < m; ++i) {
            double t = wide ? zu[i * q + j] : v[j * p + i];
            if (fabs(t) > big) { big = fabs(t); sgn = t < 0 ? -1.0 : 1.0; }
        }
        if (u)
            for (i = 0; i < m; ++i) u[i * q + j] = sgn * (wide ? zu[i * q + j] : v[j * p + i]);
        if (vt)
            for (i = 0; i < n; ++i) vt[j * n + i] = sgn * (wide ? v[j * p + i] : zu[i * q + j]);
    }
done:
    mossa__free(&ctx, c); mossa__free(&ctx, zu); mossa__free(&ctx, v);
    mossa__ctx_end(&ctx);
    return st;
}

/* ---- PCA -------------------------------------------------------------------------
   Principal components of the centered X: exact (Gram eigen-decomposition
   in double) when d <= 1024 and n >= d, else the randomized SVD of the
   centered copy. Scores = Xc V_k = U_k S_k. */
MOSSA_DEF mossa_status mossa_pca(const float *x, size_t n, size_t d, size_t k, const mossa_svd_options *options,
                                 double *variance, float *scores, float *components)
{
    mossa_svd_options def;
    mossa__ctx ctx;
    mossa_status st;
    double total = 0.0, *mean = NULL, *g = NULL, *w = NULL, *v = NULL, *sc = NULL, *s = NULL;
    float *xc = NULL, *vf = NULL, *u = NULL;
    size_t i, j, r;
    if (!options) { memset(&def, 0, sizeof(def)); options = &def; }
    if (!scores) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__check_matrix(x, n, d);
    if (st != MOSSA_OK) return st;
    if (k == 0 || k > MOSSA__MIN(n, d) || options->power_iters < -1) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 2) return MOSSA_ERR_TOO_FEW_SAMPLES;
    st = mossa__ctx_begin(&ctx, options->n_threads, options->allocator);
    if (st != MOSSA_OK) return st;
    mean = (double *)mossa__alloc(&ctx, d * sizeof(double));
    xc = (float *)mossa__alloc(&ctx, n * d * sizeof(float));
    if (!mean || !xc) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    st = mossa__center(&ctx, x, n, d, 1, mean, xc, &total);
    if (st != MOSSA_OK) goto done;
    if (!(total > 0.0)) { st = MOSSA_ERR_ZERO_VARIANCE; goto done; }
    if (d <= 1024 && n >= d) {
        g = (double *)mossa__alloc(&ctx, d * d * sizeof(double));
        w = (double *)mossa__alloc(&ctx, d * sizeof(double));
        v = (double *)mossa__alloc(&ctx, d * d * sizeof(double));
        vf = (float *)mossa__alloc(&ctx, d * k * sizeof(float));
        sc = (double *)mossa__alloc(&ctx, n * k * sizeof(double));
        if (!g || !w || !v || !vf || !sc) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        st = mossa__svd_gemm(&ctx, 1, 1, d, d, n, xc, d, xc, d, g, d);
        if (st == MOSSA_OK) st = mossa__eigh_vectors(&ctx, d, g, w, v);
        if (st != MOSSA_OK) goto done;
        for (i = 0; i < d; ++i)
            for (j = 0; j < k; ++j) vf[i * k + j] = (float)v[i * d + j];
        st = mossa__svd_gemm(&ctx, 0, 0, n, k, d, xc, d, vf, k, sc, k);
        if (st != MOSSA_OK) goto done;
        for (r = 0; r < k; ++r) {
            double big = -1.0, sgn = 1.0;
            for (i = 0; i < n; ++i)
                if (fabs(sc[i * k + r]) > big) { big = fabs(sc[i * k + r]); sgn = sc[i * k + r] < 0 ? -1.0 : 1.0; }
            for (i = 0; i < n; ++i) scores[i * k + r] = (float)(sgn * sc[i * k + r]);
            if (components)
                for (j = 0; j < d; ++j) components[r * d + j] = (float)(sgn * v[j * d + r]);
            if (variance) variance[r] = (w[r] > 0.0 ? w[r] : 0.0) / (double)(n - 1);
        }
    } else {
        s = (double *)mossa__alloc(&ctx, k * sizeof(double));
        u = (float *)mossa__alloc(&ctx, n * k * sizeof(float));
        if (!s || !u) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        st = mossa__svd_core(&ctx, xc, n, d, k, options->oversample, options->power_iters, options->seed,
                             options->block_krylov, s, u, components);
        if (st != MOSSA_OK) goto done;
        for (i = 0; i < n; ++i)
            for (r = 0; r < k; ++r) scores[i * k + r] = (float)((double)u[i * k + r] * s[r]);
        if (variance)
            for (r = 0; r < k; ++r) variance[r] = s[r] * s[r] / (double)(n - 1);
    }
done:
    mossa__free(&ctx, mean); mossa__free(&ctx, xc); mossa__free(&ctx, g); mossa__free(&ctx, w);
    mossa__free(&ctx, v); mossa__free(&ctx, vf); mossa__free(&ctx, sc); mossa__free(&ctx, s); mossa__free(&ctx, u);
    mossa__ctx_end(&ctx);
    return st;
}

/* ==== impl/tsne.c ==== */
/* tsne.c - Barnes-Hut t-SNE. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_tsne(const float *x, size_t n, size_t d, const mossa_tsne_options *options,
                                  float *y, mossa_tsne_result *result)
{ (void)x; (void)n; (void)d; (void)options; (void)y; (void)result; return MOSSA_ERR_NOT_IMPLEMENTED; }

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
