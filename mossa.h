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
   The algorithm every level implements:
     1. clamp x to [-104, 89] (exp(-104) < 2^-150 rounds to 0 and exp(89)
        overflows, so the clamped result is still right; NaN passes);
     2. n = round(x / ln 2) by adding 1.5*2^23 (the sum's low mantissa bits
        are n, so no float->int conversion is needed), r = x - n ln 2 with
        ln 2 in two parts (Cody-Waite; LN2_HI has 9 significant bits, so
        n * LN2_HI is exact for |n| <= 150), |r| <= ln2/2;
     3. exp(r) = 1 + r + r^2 (C2 + C3 r + ... + C6 r^4), a minimax fit
        weighted in ULPs of the result (max approximation error 0.04 ULP);
     4. times 2^n, applied as two powers of two (n/2 and n - n/2) so that
        2^n itself never overflows and subnormal results are rounded once
        (AVX-512 uses vscalefps, which rounds once too).
   Measured max error (tests/test_kernels.c): see the table in mossa.h. */
#define MOSSA__EXP_HI 89.0f
#define MOSSA__EXP_LO (-104.0f)
#define MOSSA__EXP_SHIFT 12582912.0f           /* 1.5 * 2^23 */
#define MOSSA__LOG2E 1.44269502162933349609375f
#define MOSSA__LN2_HI 0.693359375f
#define MOSSA__LN2_LO (-2.12194440e-4f)
#define MOSSA__EXP_C2 4.9999991059e-01f
#define MOSSA__EXP_C3 1.6666521132e-01f
#define MOSSA__EXP_C4 4.1668888181e-02f
#define MOSSA__EXP_C5 8.3686718717e-03f
#define MOSSA__EXP_C6 1.3789492659e-03f

static float mossa__pow2i(int n) /* 2^n for -126 <= n <= 127 */
{
    union { uint32_t u; float f; } v;
    v.u = (uint32_t)(n + 127) << 23;
    return v.f;
}

static float mossa__expf_scalar1(float x)
{
    float t, fn, r, p;
    int n, n1;
    if (x != x) return x + x;
    if (x > MOSSA__EXP_HI) x = MOSSA__EXP_HI;
    if (x < MOSSA__EXP_LO) x = MOSSA__EXP_LO;
    t = x * MOSSA__LOG2E + MOSSA__EXP_SHIFT;
    fn = t - MOSSA__EXP_SHIFT;
    r = x - fn * MOSSA__LN2_HI;
    r = r - fn * MOSSA__LN2_LO;
    p = MOSSA__EXP_C6;
    p = p * r + MOSSA__EXP_C5;
    p = p * r + MOSSA__EXP_C4;
    p = p * r + MOSSA__EXP_C3;
    p = p * r + MOSSA__EXP_C2;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
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
   The algorithm every level implements: x = 2^e m with m in [2/3, 4/3),
   found with integer arithmetic on the bits (subtracting the bits of 2/3
   makes the exponent field e), f = m - 1 in [-1/3, 1/3]:
       log x = e LN2_HI + (e LN2_LO + (f + f^2 Q(f))),
   Q a degree-7 minimax fit of (log1p(f) - f) / f^2 weighted in ULPs
   (max approximation error 0.33 ULP), the terms added smallest first.
   Subnormal inputs are scaled by 2^23 first; log(+-0) = -inf,
   log(x < 0) = NaN, log(+inf) = +inf, NaN in -> NaN out. */
#define MOSSA__LOG_OFF 0x3f2aaaabu              /* bits of 2/3 */
#define MOSSA__LOG_Q0 (-4.9999949336e-01f)
#define MOSSA__LOG_Q1 3.3333221078e-01f
#define MOSSA__LOG_Q2 (-2.5007000566e-01f)
#define MOSSA__LOG_Q3 2.0010444522e-01f
#define MOSSA__LOG_Q4 (-1.6429562867e-01f)
#define MOSSA__LOG_Q5 1.3996969163e-01f
#define MOSSA__LOG_Q6 (-1.5322229266e-01f)
#define MOSSA__LOG_Q7 1.4060856402e-01f

static float mossa__logf_scalar1(float x)
{
    union { uint32_t u; float f; } v;
    uint32_t u;
    float f, q, fe, y;
    int e;
    if (x != x) return x + x;
    if (x == 0.0f) return -HUGE_VALF;
    if (x < 0.0f) return (float)NAN;
    if (x == HUGE_VALF) return x;
    v.f = x;
    e = 0;
    if (v.u < 0x00800000u) { v.f = x * 8388608.0f; e = -23; }  /* subnormal */
    u = v.u - MOSSA__LOG_OFF;
    /* arithmetic shift of the signed difference without relying on >> of
       negative values */
    e += (int)(u >> 23) - ((u & 0x80000000u) ? 512 : 0);
    v.u = (u & 0x007fffffu) + MOSSA__LOG_OFF;
    f = v.f - 1.0f;
    q = MOSSA__LOG_Q7;
    q = q * f + MOSSA__LOG_Q6;
    q = q * f + MOSSA__LOG_Q5;
    q = q * f + MOSSA__LOG_Q4;
    q = q * f + MOSSA__LOG_Q3;
    q = q * f + MOSSA__LOG_Q2;
    q = q * f + MOSSA__LOG_Q1;
    q = q * f + MOSSA__LOG_Q0;
    fe = (float)e;
    y = (f * f) * q + f;
    y = fe * MOSSA__LN2_LO + y;
    return fe * MOSSA__LN2_HI + y;
}

static void mossa__logf_scalar(const float *x, float *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) y[i] = mossa__logf_scalar1(x[i]);
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
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
    /* tsne */
    /* text */
}

/* ==== impl/kernels/avx2.c ==== */
/* kernels/avx2.c - AVX2 + FMA (256-bit) kernels. Each function carries its own target
   attribute (x86) so the rest of the program needs no -m flags. The table
   starts as a copy of the scalar one; this file overrides what it has. */
#if MOSSA__X86

/* ---- foundation ---------------------------------------------------------- */
/* Lanes [0, count) set: masks the last partial vector, so loads and stores
   never touch memory past the arrays (vmaskmov does not fault on lanes
   that are off). */
static MOSSA__TARGET_AVX2 __m256i mossa__tailmask_avx2(size_t count)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lane);
}

static MOSSA__TARGET_AVX2 double mossa__hsum_pd_avx2(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

static MOSSA__TARGET_AVX2 double mossa__dot_avx2(const float *a, const float *b, size_t n)
{
    /* Four accumulators hide the FMA latency; every 256 elements the lanes
       are promoted to double, so the float sums stay short. */
    __m256d tot0 = _mm256_setzero_pd(), tot1 = _mm256_setzero_pd();
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
        for (; i + 32 <= end; i += 32) {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
        }
        for (; i + 8 <= end; i += 8)
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        if (i < end) {
            __m256i mk = mossa__tailmask_avx2(end - i);
            s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, mk), _mm256_maskload_ps(b + i, mk), s1);
            i = end;
        }
        s0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
        tot0 = _mm256_add_pd(tot0, _mm256_cvtps_pd(_mm256_castps256_ps128(s0)));
        tot1 = _mm256_add_pd(tot1, _mm256_cvtps_pd(_mm256_extractf128_ps(s0, 1)));
    }
    return mossa__hsum_pd_avx2(_mm256_add_pd(tot0, tot1));
}

static MOSSA__TARGET_AVX2 void mossa__axpy_avx2(size_t n, float alpha, const float *x, float *y)
{
    /* multiply, then add (no FMA): the same two roundings as the scalar
       level, so axpy is bit-identical at every level */
    const __m256 va = _mm256_set1_ps(alpha);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 p0 = _mm256_mul_ps(va, _mm256_loadu_ps(x + i));
        __m256 p1 = _mm256_mul_ps(va, _mm256_loadu_ps(x + i + 8));
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), p0));
        _mm256_storeu_ps(y + i + 8, _mm256_add_ps(_mm256_loadu_ps(y + i + 8), p1));
    }
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i),
                                              _mm256_mul_ps(va, _mm256_loadu_ps(x + i))));
    if (i < n) {
        __m256i mk = mossa__tailmask_avx2(n - i);
        __m256 p = _mm256_mul_ps(va, _mm256_maskload_ps(x + i, mk));
        _mm256_maskstore_ps(y + i, mk, _mm256_add_ps(_mm256_maskload_ps(y + i, mk), p));
    }
}

/* (v0 .. v7) -> their eight horizontal sums, in order */
static MOSSA__TARGET_AVX2 __m256 mossa__hsum8_avx2(const __m256 *v)
{
    __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
    __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(v[4], v[5]), _mm256_hadd_ps(v[6], v[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

static MOSSA__TARGET_AVX2 void mossa__sqdist_avx2(const float *x, const float *Y, size_t m,
                                                 size_t d, size_t ldy, float *out)
{
    /* Eight rows at a time: x is loaded once per chunk, the eight
       accumulators are independent chains (enough to cover the FMA
       latency) and one transpose-and-add reduces all eight. */
    const size_t dv = d & ~(size_t)7;
    const __m256i mk = mossa__tailmask_avx2(d - dv);
    size_t j = 0, k;
    int r;
    for (; j + 8 <= m; j += 8) {
        const float *y = Y + j * ldy;
        __m256 acc[8], xv, t;
        for (r = 0; r < 8; ++r) acc[r] = _mm256_setzero_ps();
        for (k = 0; k < dv; k += 8) {
            xv = _mm256_loadu_ps(x + k);
            for (r = 0; r < 8; ++r) {
                t = _mm256_sub_ps(xv, _mm256_loadu_ps(y + (size_t)r * ldy + k));
                acc[r] = _mm256_fmadd_ps(t, t, acc[r]);
            }
        }
        if (dv < d) {
            xv = _mm256_maskload_ps(x + dv, mk);
            for (r = 0; r < 8; ++r) {
                t = _mm256_sub_ps(xv, _mm256_maskload_ps(y + (size_t)r * ldy + dv, mk));
                acc[r] = _mm256_fmadd_ps(t, t, acc[r]);
            }
        }
        _mm256_storeu_ps(out + j, mossa__hsum8_avx2(acc));
    }
    for (; j < m; ++j) {
        const float *y = Y + j * ldy;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), t;
        __m128 s;
        for (k = 0; k + 16 <= dv; k += 16) {
            t = _mm256_sub_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k));
            a0 = _mm256_fmadd_ps(t, t, a0);
            t = _mm256_sub_ps(_mm256_loadu_ps(x + k + 8), _mm256_loadu_ps(y + k + 8));
            a1 = _mm256_fmadd_ps(t, t, a1);
        }
        for (; k < dv; k += 8) {
            t = _mm256_sub_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k));
            a0 = _mm256_fmadd_ps(t, t, a0);
        }
        if (dv < d) {
            t = _mm256_sub_ps(_mm256_maskload_ps(x + dv, mk), _mm256_maskload_ps(y + dv, mk));
            a1 = _mm256_fmadd_ps(t, t, a1);
        }
        a0 = _mm256_add_ps(a0, a1);
        s = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        out[j] = _mm_cvtss_f32(s);
    }
}

/* exp(r) on the reduced argument (the scalar level's polynomial) */
static MOSSA__TARGET_AVX2 __m256 mossa__exp_poly_avx2(__m256 r)
{
    __m256 p = _mm256_set1_ps(MOSSA__EXP_C6);
    const __m256 one = _mm256_set1_ps(1.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C5));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MOSSA__EXP_C2));
    p = _mm256_fmadd_ps(p, r, one);
    return _mm256_fmadd_ps(p, r, one);
}

/* Fast path, valid when every |x| <= 86: then 2^n is a normal float and so
   is the result, and 2^n is just (n + 127) << 23 -- the shift constant
   carries the +127, so the bits of t are already the biased exponent. */
#define MOSSA__EXP_SHIFT_BIASED 12583039.0f   /* 1.5 * 2^23 + 127 */
#define MOSSA__EXP_FAST_LIMIT 86.0f

static MOSSA__TARGET_AVX2 __m256 mossa__expf8_fast_avx2(__m256 x)
{
    const __m256 shift = _mm256_set1_ps(MOSSA__EXP_SHIFT_BIASED);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(MOSSA__LOG2E), shift);
    __m256 fn = _mm256_sub_ps(t, shift);
    __m256 r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_HI), x);
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_LO), r);
    return _mm256_mul_ps(mossa__exp_poly_avx2(r), scale);
}

/* Full range: clamp (max/min return their second operand when one is NaN,
   so NaN passes through) and scale by 2^(n/2) * 2^(n - n/2). */
static MOSSA__TARGET_AVX2 __m256 mossa__expf8_full_avx2(__m256 x)
{
    const __m256 shift = _mm256_set1_ps(MOSSA__EXP_SHIFT);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 t, fn, r, p;
    __m256i n, n1, n2;
    x = _mm256_max_ps(_mm256_set1_ps(MOSSA__EXP_LO), x);
    x = _mm256_min_ps(_mm256_set1_ps(MOSSA__EXP_HI), x);
    t = _mm256_fmadd_ps(x, _mm256_set1_ps(MOSSA__LOG2E), shift);
    fn = _mm256_sub_ps(t, shift);
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_HI), x);
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_LO), r);
    p = mossa__exp_poly_avx2(r);
    n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(shift));
    n1 = _mm256_srai_epi32(n, 1);
    n2 = _mm256_sub_epi32(n, n1);
    p = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23)));
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23)));
}

static MOSSA__TARGET_AVX2 __m256 mossa__expf8_avx2(__m256 x)
{
    /* one compare decides the path for all 8 lanes; NaN fails it too */
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 big = _mm256_cmp_ps(_mm256_and_ps(x, absmask), _mm256_set1_ps(MOSSA__EXP_FAST_LIMIT),
                               _CMP_NLE_UQ);
    if (MOSSA__LIKELY(_mm256_testz_ps(big, big))) return mossa__expf8_fast_avx2(x);
    return mossa__expf8_full_avx2(x);
}

static MOSSA__TARGET_AVX2 void mossa__expf_avx2(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = mossa__expf8_avx2(_mm256_loadu_ps(x + i));
        __m256 b = mossa__expf8_avx2(_mm256_loadu_ps(x + i + 8));
        _mm256_storeu_ps(y + i, a);
        _mm256_storeu_ps(y + i + 8, b);
    }
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, mossa__expf8_avx2(_mm256_loadu_ps(x + i)));
    if (i < n) {
        __m256i mk = mossa__tailmask_avx2(n - i);
        _mm256_maskstore_ps(y + i, mk, mossa__expf8_avx2(_mm256_maskload_ps(x + i, mk)));
    }
}

/* log core for positive normal x (after the subnormal rescale), eadj the
   exponent that rescale took away */
static MOSSA__TARGET_AVX2 __m256 mossa__logf8_core_avx2(__m256 x, __m256 eadj)
{
    const __m256i off = _mm256_set1_epi32((int)MOSSA__LOG_OFF);
    __m256i u = _mm256_sub_epi32(_mm256_castps_si256(x), off);
    __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(_mm256_srai_epi32(u, 23)), eadj);
    __m256 f = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x007fffff)), off));
    __m256 q, y;
    f = _mm256_sub_ps(f, _mm256_set1_ps(1.0f));
    q = _mm256_set1_ps(MOSSA__LOG_Q7);
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q6));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q5));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q4));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q3));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q2));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q1));
    q = _mm256_fmadd_ps(q, f, _mm256_set1_ps(MOSSA__LOG_Q0));
    y = _mm256_fmadd_ps(_mm256_mul_ps(f, f), q, f);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(MOSSA__LN2_LO), y);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(MOSSA__LN2_HI), y);
}

static MOSSA__TARGET_AVX2 __m256 mossa__logf8_avx2(__m256 x)
{
    /* bits + 0x7f800000 maps the positive normal floats, and only them, to
       the signed range [INT_MIN, -2^24 - 1]: one compare finds any lane
       that is subnormal, zero, negative, infinite or NaN */
    __m256i w = _mm256_add_epi32(_mm256_castps_si256(x), _mm256_set1_epi32(0x7f800000));
    __m256i bad = _mm256_cmpgt_epi32(w, _mm256_set1_epi32(-16777217));
    __m256 sub, y, xs;
    if (MOSSA__LIKELY(_mm256_testz_si256(bad, bad)))
        return mossa__logf8_core_avx2(x, _mm256_setzero_ps());
    sub = _mm256_cmp_ps(x, _mm256_set1_ps(FLT_MIN), _CMP_LT_OQ);
    xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), sub);
    y = mossa__logf8_core_avx2(xs, _mm256_and_ps(sub, _mm256_set1_ps(-23.0f)));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(-HUGE_VALF),
                         _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(HUGE_VALF),
                         _mm256_cmp_ps(x, _mm256_set1_ps(HUGE_VALF), _CMP_EQ_OQ));
    /* x < 0 or NaN (not x >= 0; -0 >= 0 holds and was handled above) */
    return _mm256_blendv_ps(y, _mm256_set1_ps(NAN),
                            _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ));
}

static MOSSA__TARGET_AVX2 void mossa__logf_avx2(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = mossa__logf8_avx2(_mm256_loadu_ps(x + i));
        __m256 b = mossa__logf8_avx2(_mm256_loadu_ps(x + i + 8));
        _mm256_storeu_ps(y + i, a);
        _mm256_storeu_ps(y + i + 8, b);
    }
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, mossa__logf8_avx2(_mm256_loadu_ps(x + i)));
    if (i < n) {
        /* masked-off lanes load as 0 and take the slow path; harmless */
        __m256i mk = mossa__tailmask_avx2(n - i);
        _mm256_maskstore_ps(y + i, mk, mossa__logf8_avx2(_mm256_maskload_ps(x + i, mk)));
    }
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_avx2;
    t->axpy = mossa__axpy_avx2;
    t->sqdist = mossa__sqdist_avx2;
    t->expf_array = mossa__expf_avx2;
    t->logf_array = mossa__logf_avx2;
    /* gemm / cka */
    /* svd */
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
/* Tails use AVX-512 masks: masked-off lanes are neither read nor written,
   so nothing past the arrays is touched. */
static MOSSA__TARGET_AVX512 __mmask16 mossa__tailmask_avx512(size_t count)
{
    return (__mmask16)((1u << count) - 1u); /* count < 16 */
}

static MOSSA__TARGET_AVX512 double mossa__dot_avx512(const float *a, const float *b, size_t n)
{
    /* Four accumulators hide the FMA latency; every 256 elements the lanes
       are promoted to double, so the float sums stay short. */
    __m512d tot0 = _mm512_setzero_pd(), tot1 = _mm512_setzero_pd();
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
        for (; i + 64 <= end; i += 64) {
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
            s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
            s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
            s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
        }
        for (; i + 16 <= end; i += 16)
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        if (i < end) {
            __mmask16 mk = mossa__tailmask_avx512(end - i);
            s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mk, a + i), _mm512_maskz_loadu_ps(mk, b + i), s1);
            i = end;
        }
        s0 = _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));
        tot0 = _mm512_add_pd(tot0, _mm512_cvtps_pd(_mm512_castps512_ps256(s0)));
        tot1 = _mm512_add_pd(tot1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s0), 1))));
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(tot0, tot1));
}

static MOSSA__TARGET_AVX512 void mossa__axpy_avx512(size_t n, float alpha, const float *x, float *y)
{
    /* multiply, then add (no FMA): bit-identical to the scalar level */
    const __m512 va = _mm512_set1_ps(alpha);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 p0 = _mm512_mul_ps(va, _mm512_loadu_ps(x + i));
        __m512 p1 = _mm512_mul_ps(va, _mm512_loadu_ps(x + i + 16));
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i), p0));
        _mm512_storeu_ps(y + i + 16, _mm512_add_ps(_mm512_loadu_ps(y + i + 16), p1));
    }
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i),
                                              _mm512_mul_ps(va, _mm512_loadu_ps(x + i))));
    if (i < n) {
        __mmask16 mk = mossa__tailmask_avx512(n - i);
        __m512 p = _mm512_mul_ps(va, _mm512_maskz_loadu_ps(mk, x + i));
        _mm512_mask_storeu_ps(y + i, mk, _mm512_add_ps(_mm512_maskz_loadu_ps(mk, y + i), p));
    }
}

static MOSSA__TARGET_AVX512 __m256 mossa__fold_avx512(__m512 v)
{
    return _mm256_add_ps(_mm512_castps512_ps256(v),
                         _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

static MOSSA__TARGET_AVX512 void mossa__sqdist_avx512(const float *x, const float *Y, size_t m,
                                                     size_t d, size_t ldy, float *out)
{
    /* Eight rows at a time: x is loaded once per chunk, the eight
       accumulators are independent chains (enough to cover the FMA
       latency); they are folded to 256 bits and reduced together. */
    const size_t dv = d & ~(size_t)15;
    const __mmask16 mk = mossa__tailmask_avx512(d - dv);
    size_t j = 0, k;
    int r;
    for (; j + 8 <= m; j += 8) {
        const float *y = Y + j * ldy;
        __m512 acc[8], xv, t;
        __m256 h[8], u0, u1;
        for (r = 0; r < 8; ++r) acc[r] = _mm512_setzero_ps();
        for (k = 0; k < dv; k += 16) {
            xv = _mm512_loadu_ps(x + k);
            for (r = 0; r < 8; ++r) {
                t = _mm512_sub_ps(xv, _mm512_loadu_ps(y + (size_t)r * ldy + k));
                acc[r] = _mm512_fmadd_ps(t, t, acc[r]);
            }
        }
        if (dv < d) {
            xv = _mm512_maskz_loadu_ps(mk, x + dv);
            for (r = 0; r < 8; ++r) {
                t = _mm512_sub_ps(xv, _mm512_maskz_loadu_ps(mk, y + (size_t)r * ldy + dv));
                acc[r] = _mm512_fmadd_ps(t, t, acc[r]);
            }
        }
        for (r = 0; r < 8; ++r) h[r] = mossa__fold_avx512(acc[r]);
        u0 = _mm256_hadd_ps(_mm256_hadd_ps(h[0], h[1]), _mm256_hadd_ps(h[2], h[3]));
        u1 = _mm256_hadd_ps(_mm256_hadd_ps(h[4], h[5]), _mm256_hadd_ps(h[6], h[7]));
        _mm256_storeu_ps(out + j, _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20),
                                                _mm256_permute2f128_ps(u0, u1, 0x31)));
    }
    for (; j < m; ++j) {
        const float *y = Y + j * ldy;
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), t;
        for (k = 0; k + 32 <= dv; k += 32) {
            t = _mm512_sub_ps(_mm512_loadu_ps(x + k), _mm512_loadu_ps(y + k));
            a0 = _mm512_fmadd_ps(t, t, a0);
            t = _mm512_sub_ps(_mm512_loadu_ps(x + k + 16), _mm512_loadu_ps(y + k + 16));
            a1 = _mm512_fmadd_ps(t, t, a1);
        }
        for (; k < dv; k += 16) {
            t = _mm512_sub_ps(_mm512_loadu_ps(x + k), _mm512_loadu_ps(y + k));
            a0 = _mm512_fmadd_ps(t, t, a0);
        }
        if (dv < d) {
            t = _mm512_sub_ps(_mm512_maskz_loadu_ps(mk, x + dv), _mm512_maskz_loadu_ps(mk, y + dv));
            a1 = _mm512_fmadd_ps(t, t, a1);
        }
        out[j] = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
    }
}

/* exp: clamp (max/min return their second operand when one is NaN, so NaN
   passes), reduce, polynomial, then vscalefps multiplies by 2^n with one
   rounding -- overflow to +inf and subnormal results come out right with
   no blends. */
static MOSSA__TARGET_AVX512 __m512 mossa__expf16_avx512(__m512 x)
{
    const __m512 shift = _mm512_set1_ps(MOSSA__EXP_SHIFT);
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 t, fn, r, p;
    x = _mm512_max_ps(_mm512_set1_ps(MOSSA__EXP_LO), x);
    x = _mm512_min_ps(_mm512_set1_ps(MOSSA__EXP_HI), x);
    t = _mm512_fmadd_ps(x, _mm512_set1_ps(MOSSA__LOG2E), shift);
    fn = _mm512_sub_ps(t, shift);
    r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(MOSSA__LN2_HI), x);
    r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(MOSSA__LN2_LO), r);
    p = _mm512_set1_ps(MOSSA__EXP_C6);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C5));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(MOSSA__EXP_C2));
    p = _mm512_fmadd_ps(p, r, one);
    p = _mm512_fmadd_ps(p, r, one);
    return _mm512_scalef_ps(p, fn);
}

static MOSSA__TARGET_AVX512 void mossa__expf_avx512(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 a = mossa__expf16_avx512(_mm512_loadu_ps(x + i));
        __m512 b = mossa__expf16_avx512(_mm512_loadu_ps(x + i + 16));
        _mm512_storeu_ps(y + i, a);
        _mm512_storeu_ps(y + i + 16, b);
    }
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, mossa__expf16_avx512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 mk = mossa__tailmask_avx512(n - i);
        _mm512_mask_storeu_ps(y + i, mk, mossa__expf16_avx512(_mm512_maskz_loadu_ps(mk, x + i)));
    }
}

static MOSSA__TARGET_AVX512 __m512 mossa__logf16_core_avx512(__m512 x, __m512 eadj)
{
    const __m512i off = _mm512_set1_epi32((int)MOSSA__LOG_OFF);
    __m512i u = _mm512_sub_epi32(_mm512_castps_si512(x), off);
    __m512 e = _mm512_add_ps(_mm512_cvtepi32_ps(_mm512_srai_epi32(u, 23)), eadj);
    __m512 f = _mm512_castsi512_ps(_mm512_add_epi32(_mm512_and_si512(u, _mm512_set1_epi32(0x007fffff)), off));
    __m512 q, y;
    f = _mm512_sub_ps(f, _mm512_set1_ps(1.0f));
    q = _mm512_set1_ps(MOSSA__LOG_Q7);
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q6));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q5));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q4));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q3));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q2));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q1));
    q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(MOSSA__LOG_Q0));
    y = _mm512_fmadd_ps(_mm512_mul_ps(f, f), q, f);
    y = _mm512_fmadd_ps(e, _mm512_set1_ps(MOSSA__LN2_LO), y);
    return _mm512_fmadd_ps(e, _mm512_set1_ps(MOSSA__LN2_HI), y);
}

/* vfixupimmps table, one nibble per input class (QNaN, SNaN, zero, +1,
   -inf, +inf, negative, positive): keep the computed value (0) for +1 and
   positive, quiet NaN (2) for NaNs, -inf (4) for +-0, default NaN (3) for
   -inf and negatives, +inf (5) for +inf. */
#define MOSSA__LOG_FIXUP 0x03530422

static MOSSA__TARGET_AVX512 __m512 mossa__logf16_avx512(__m512 x)
{
    /* bits - 2^23 as unsigned is below 0x7f000000 exactly for the positive
       normal floats: one compare finds subnormal, zero, negative, inf, NaN */
    __m512i v = _mm512_sub_epi32(_mm512_castps_si512(x), _mm512_set1_epi32(0x00800000));
    __mmask16 bad = _mm512_cmpge_epu32_mask(v, _mm512_set1_epi32(0x7f000000));
    __mmask16 sub;
    __m512 xs, y;
    if (MOSSA__LIKELY(bad == 0)) return mossa__logf16_core_avx512(x, _mm512_setzero_ps());
    sub = _mm512_cmp_ps_mask(x, _mm512_set1_ps(FLT_MIN), _CMP_LT_OQ);
    xs = _mm512_mask_mul_ps(x, sub, x, _mm512_set1_ps(8388608.0f));
    y = mossa__logf16_core_avx512(xs, _mm512_maskz_mov_ps(sub, _mm512_set1_ps(-23.0f)));
    return _mm512_fixupimm_ps(y, x, _mm512_set1_epi32(MOSSA__LOG_FIXUP), 0);
}

static MOSSA__TARGET_AVX512 void mossa__logf_avx512(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 a = mossa__logf16_avx512(_mm512_loadu_ps(x + i));
        __m512 b = mossa__logf16_avx512(_mm512_loadu_ps(x + i + 16));
        _mm512_storeu_ps(y + i, a);
        _mm512_storeu_ps(y + i + 16, b);
    }
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, mossa__logf16_avx512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        /* masked-off lanes load as 0 and take the fix-up path; harmless */
        __mmask16 mk = mossa__tailmask_avx512(n - i);
        _mm512_mask_storeu_ps(y + i, mk, mossa__logf16_avx512(_mm512_maskz_loadu_ps(mk, x + i)));
    }
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_avx512;
    t->axpy = mossa__axpy_avx512;
    t->sqdist = mossa__sqdist_avx512;
    t->expf_array = mossa__expf_avx512;
    t->logf_array = mossa__logf_avx512;
    /* gemm / cka */
    /* svd */
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
/* NEON has no masked loads: partial vectors go through a small zero-padded
   buffer or a scalar loop, so nothing past the arrays is read. */
static double mossa__dot_neon(const float *a, const float *b, size_t n)
{
    /* Four accumulators hide the FMA latency; every 256 elements the lanes
       are promoted to double, so the float sums stay short. */
    float64x2_t tot0 = vdupq_n_f64(0.0), tot1 = vdupq_n_f64(0.0);
    size_t i = 0;
    while (i < n) {
        size_t end = MOSSA__MIN(n, i + MOSSA__DOT_BLOCK);
        float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
        float tail = 0.0f;
        for (; i + 16 <= end; i += 16) {
            s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
            s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
            s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
            s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
        }
        for (; i + 4 <= end; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        for (; i < end; ++i) tail += a[i] * b[i];
        s0 = vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3));
        s0 = vsetq_lane_f32(vgetq_lane_f32(s0, 0) + tail, s0, 0);
        tot0 = vaddq_f64(tot0, vcvt_f64_f32(vget_low_f32(s0)));
        tot1 = vaddq_f64(tot1, vcvt_high_f64_f32(s0));
    }
    return vaddvq_f64(vaddq_f64(tot0, tot1));
}

static void mossa__axpy_neon(size_t n, float alpha, const float *x, float *y)
{
    /* multiply, then add (no FMA): bit-identical to the scalar level */
    const float32x4_t va = vdupq_n_f32(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t p0 = vmulq_f32(va, vld1q_f32(x + i));
        float32x4_t p1 = vmulq_f32(va, vld1q_f32(x + i + 4));
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), p0));
        vst1q_f32(y + i + 4, vaddq_f32(vld1q_f32(y + i + 4), p1));
    }
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vmulq_f32(va, vld1q_f32(x + i))));
    for (; i < n; ++i) y[i] += alpha * x[i];
}

static void mossa__sqdist_neon(const float *x, const float *Y, size_t m, size_t d,
                               size_t ldy, float *out)
{
    /* Four rows at a time: x is loaded once per chunk and the four
       accumulators are independent chains. */
    const size_t dv = d & ~(size_t)3;
    size_t j = 0, k;
    for (; j + 4 <= m; j += 4) {
        const float *y0 = Y + j * ldy, *y1 = y0 + ldy, *y2 = y1 + ldy, *y3 = y2 + ldy;
        float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0, xv, t;
        float r0 = 0, r1 = 0, r2 = 0, r3 = 0, xs;
        for (k = 0; k < dv; k += 4) {
            xv = vld1q_f32(x + k);
            t = vsubq_f32(xv, vld1q_f32(y0 + k)); a0 = vfmaq_f32(a0, t, t);
            t = vsubq_f32(xv, vld1q_f32(y1 + k)); a1 = vfmaq_f32(a1, t, t);
            t = vsubq_f32(xv, vld1q_f32(y2 + k)); a2 = vfmaq_f32(a2, t, t);
            t = vsubq_f32(xv, vld1q_f32(y3 + k)); a3 = vfmaq_f32(a3, t, t);
        }
        for (; k < d; ++k) {
            float t0 = (xs = x[k]) - y0[k], t1 = xs - y1[k], t2 = xs - y2[k], t3 = xs - y3[k];
            r0 += t0 * t0; r1 += t1 * t1; r2 += t2 * t2; r3 += t3 * t3;
        }
        out[j] = vaddvq_f32(a0) + r0;
        out[j + 1] = vaddvq_f32(a1) + r1;
        out[j + 2] = vaddvq_f32(a2) + r2;
        out[j + 3] = vaddvq_f32(a3) + r3;
    }
    for (; j < m; ++j) {
        const float *y = Y + j * ldy;
        float32x4_t a0 = vdupq_n_f32(0.0f), t;
        float r0 = 0;
        for (k = 0; k < dv; k += 4) {
            t = vsubq_f32(vld1q_f32(x + k), vld1q_f32(y + k));
            a0 = vfmaq_f32(a0, t, t);
        }
        for (; k < d; ++k) { float t0 = x[k] - y[k]; r0 += t0 * t0; }
        out[j] = vaddvq_f32(a0) + r0;
    }
}

/* exp: the scalar level's algorithm; clamping with FMAX/FMIN propagates
   NaN, and 2^n is applied as 2^(n/2) * 2^(n - n/2). */
static float32x4_t mossa__expf4_neon(float32x4_t x)
{
    const float32x4_t shift = vdupq_n_f32(MOSSA__EXP_SHIFT);
    const float32x4_t one = vdupq_n_f32(1.0f);
    const int32x4_t bias = vdupq_n_s32(127);
    float32x4_t t, fn, r, p;
    int32x4_t nn, n1, n2;
    x = vmaxq_f32(x, vdupq_n_f32(MOSSA__EXP_LO));
    x = vminq_f32(x, vdupq_n_f32(MOSSA__EXP_HI));
    t = vfmaq_f32(shift, x, vdupq_n_f32(MOSSA__LOG2E));
    fn = vsubq_f32(t, shift);
    r = vfmsq_f32(x, fn, vdupq_n_f32(MOSSA__LN2_HI));
    r = vfmsq_f32(r, fn, vdupq_n_f32(MOSSA__LN2_LO));
    p = vdupq_n_f32(MOSSA__EXP_C6);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C5), p, r);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C4), p, r);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C3), p, r);
    p = vfmaq_f32(vdupq_n_f32(MOSSA__EXP_C2), p, r);
    p = vfmaq_f32(one, p, r);
    p = vfmaq_f32(one, p, r);
    nn = vsubq_s32(vreinterpretq_s32_f32(t), vreinterpretq_s32_f32(shift));
    n1 = vshrq_n_s32(nn, 1);
    n2 = vsubq_s32(nn, n1);
    p = vmulq_f32(p, vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23)));
    return vmulq_f32(p, vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23)));
}

static void mossa__expf_neon(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t a = mossa__expf4_neon(vld1q_f32(x + i));
        float32x4_t b = mossa__expf4_neon(vld1q_f32(x + i + 4));
        vst1q_f32(y + i, a);
        vst1q_f32(y + i + 4, b);
    }
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, mossa__expf4_neon(vld1q_f32(x + i)));
    if (i < n) {
        float buf[4] = {0, 0, 0, 0};
        memcpy(buf, x + i, (n - i) * sizeof(float));
        vst1q_f32(buf, mossa__expf4_neon(vld1q_f32(buf)));
        memcpy(y + i, buf, (n - i) * sizeof(float));
    }
}

static float32x4_t mossa__logf4_neon(float32x4_t x)
{
    const int32x4_t off = vdupq_n_s32((int)MOSSA__LOG_OFF);
    uint32x4_t sub = vcltq_f32(x, vdupq_n_f32(FLT_MIN));
    float32x4_t xs = vbslq_f32(sub, vmulq_f32(x, vdupq_n_f32(8388608.0f)), x);
    int32x4_t u = vsubq_s32(vreinterpretq_s32_f32(xs), off);
    float32x4_t e = vcvtq_f32_s32(vshrq_n_s32(u, 23));
    float32x4_t f = vreinterpretq_f32_s32(vaddq_s32(vandq_s32(u, vdupq_n_s32(0x007fffff)), off));
    float32x4_t q, y;
    e = vbslq_f32(sub, vsubq_f32(e, vdupq_n_f32(23.0f)), e);
    f = vsubq_f32(f, vdupq_n_f32(1.0f));
    q = vdupq_n_f32(MOSSA__LOG_Q7);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q6), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q5), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q4), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q3), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q2), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q1), q, f);
    q = vfmaq_f32(vdupq_n_f32(MOSSA__LOG_Q0), q, f);
    y = vfmaq_f32(f, vmulq_f32(f, f), q);
    y = vfmaq_f32(y, e, vdupq_n_f32(MOSSA__LN2_LO));
    y = vfmaq_f32(y, e, vdupq_n_f32(MOSSA__LN2_HI));
    /* specials: +-0 -> -inf, +inf -> +inf, x < 0 or NaN -> NaN */
    y = vbslq_f32(vceqq_f32(x, vdupq_n_f32(0.0f)), vdupq_n_f32(-HUGE_VALF), y);
    y = vbslq_f32(vceqq_f32(x, vdupq_n_f32(HUGE_VALF)), vdupq_n_f32(HUGE_VALF), y);
    return vbslq_f32(vmvnq_u32(vcgeq_f32(x, vdupq_n_f32(0.0f))), vdupq_n_f32(NAN), y);
}

static void mossa__logf_neon(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t a = mossa__logf4_neon(vld1q_f32(x + i));
        float32x4_t b = mossa__logf4_neon(vld1q_f32(x + i + 4));
        vst1q_f32(y + i, a);
        vst1q_f32(y + i + 4, b);
    }
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, mossa__logf4_neon(vld1q_f32(x + i)));
    if (i < n) {
        float buf[4] = {1, 1, 1, 1};
        memcpy(buf, x + i, (n - i) * sizeof(float));
        vst1q_f32(buf, mossa__logf4_neon(vld1q_f32(buf)));
        memcpy(y + i, buf, (n - i) * sizeof(float));
    }
}

/* ---- gemm / cka ------------------------------------------------------------ */
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_neon;
    t->axpy = mossa__axpy_neon;
    t->sqdist = mossa__sqdist_neon;
    t->expf_array = mossa__expf_neon;
    t->logf_array = mossa__logf_neon;
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
/* svd.c - randomized SVD and the variance rank. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_svd_randomized(const float *x, size_t n, size_t d, size_t k,
                                            const mossa_svd_options *options,
                                            double *s, float *u, float *vt)
{ (void)x; (void)n; (void)d; (void)k; (void)options; (void)s; (void)u; (void)vt; return MOSSA_ERR_NOT_IMPLEMENTED; }
MOSSA_DEF mossa_status mossa_variance_rank(const float *x, size_t n, size_t d,
                                           const mossa_rank_options *options, mossa_rank_result *result)
{ (void)x; (void)n; (void)d; (void)options; (void)result; return MOSSA_ERR_NOT_IMPLEMENTED; }

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
