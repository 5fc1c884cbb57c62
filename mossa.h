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
   MOSSA_NO_HUGEPAGES     do not advise transparent huge pages for large
                          .npy outputs (Linux; on by default, as numpy does)

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
       mossa_expf_array   max error <= 2 ULP over the whole range, subnormal
                          results included (measured 1.16 scalar, 0.88 AVX2/
                          AVX-512, 0.76 NEON); 0 below -103.97, +inf above
                          88.72, NaN in -> NaN out
       mossa_logf_array   max error <= 2 ULP on normal and subnormal
                          positives (measured 1.14 scalar, 1.00 AVX2/AVX-512,
                          0.90 NEON); log(0) = -inf, log(x<0) = NaN
   The levels agree: dot within 1e-6 * sum|a_i b_i|, axpy bit-identical,
   exp/log within 2 ULP of each other.

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
   took and leaves its outputs defined. With n_threads != 1 the allocator
   may be called from mossa's worker threads: it must be thread-safe.
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
    MOSSA_SIMD_AMX,        /* avx512 plus AMX-BF16 tiles for the randomized SVD's
                              power iterations (Linux, x86-64) */
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

/* ==== impl/svd.h ==== */
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

/* ==== impl/tsne.h ==== */
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

/* ==== impl/text.h ==== */
/* ---------------------------------------------------------------------
   Readability (impl/text.c)

   Counts sentences, words, syllables, letters and characters in UTF-8
   text and turns them into six readability formulas. The scanner is
   streaming: feed it chunks of any size and the counts are identical to
   scanning the whole text at once (it keeps a small carry state: a
   partial UTF-8 sequence, the word in progress, a pending sentence end).

   Text rules (English conventions; they decide every count):
   - Characters. Input is UTF-8. An invalid or truncated sequence is
     replaced by U+FFFD (maximal-subpart rule: one U+FFFD per invalid
     byte run, as Unicode recommends) and never read past the buffer.
     NUL is an ordinary (non-letter) character. Letters are ASCII letters
     and the letters of Latin-1/Latin Extended, IPA, Greek, Cyrillic,
     Armenian, Hebrew, Arabic, Indic, Thai, Georgian, kana, CJK and Hangul
     blocks; combining marks (U+0300-U+036F), soft hyphen, zero-width
     joiners and the BOM continue a word without counting as letters.
   - Words are runs of letters. An apostrophe (' or U+2019) between two
     letters is part of the word (don't, O'Neil, it's); a dotted acronym
     whose segments are single letters is one word (U.S., i.e., a.m.,
     U.S.A.). A hyphen splits a compound into its parts (well-known = 2
     words). A run of letters and digits that contains a digit is a
     number, not a word (3.50, 4,000, 1990s, mp3); numbers add to
     `characters` only.
   - `letters` counts the letters of words; `characters` counts every
     letter and digit (the "strokes" of the ARI), in words and numbers.
   - Sentences end at . ! ? ... U+2026 (and !! ?! runs, fullwidth ！？。)
     followed, after optional closing quotes/brackets, by white space or
     the end of the text. So a period followed directly by a letter or
     digit (3.50, example.com) ends nothing. After the white space, the
     next visible character decides: a lowercase letter means the
     sentence goes on (unknown abbreviation, "Why?" she asked); anything
     else ends it, except after
       * a title or reference abbreviation that is never final: Mr. Mrs.
         Ms. Dr. Prof. St. Rev. Hon. Gen. Col. Lt. Capt. Sgt. Gov. Sen.
         Rep. Mt. Messrs. vs. cf. fig. figs. vol. vols. approx. dept.
         pp. no. e.g. i.e. viz.; and a single capital letter (an
         initial: J. R. R. Tolkien);
       * an abbreviation that may end a sentence only before a capital
         letter: etc. Jr. Sr. Inc. Ltd. Co. Corp. Bros. Ave. a.m. p.m.
         et al. and every other dotted acronym (U.S., U.K.).
     A blank line (two line breaks with only white space between, or
     U+2029) ends a sentence too, and so does the end of the text: a text
     (or line) with words but no terminal punctuation is one sentence.
     A sentence is counted only if it has at least one word.
   - Syllables: mossa_syllables() below. Polysyllables are words of 3 or
     more syllables (SMOG). Complex words (Gunning fog) are words of 3 or
     more syllables that are not proper nouns (capitalised and not the
     first word of their sentence), not dotted acronyms, and still have 3
     syllables without an inflectional -es, -ed or -ing ending (removing
     the ending drops a syllable only where it is pronounced as one:
     "created" = create + -ed is not complex, "companies" with its silent
     -es is). Hyphenated compounds are already counted as their parts.
   - Syllable counts of words of up to 15 letters are memoised in the
     scanner (a 15-way cache of 3840 words), a pure speed-up.

   Formulas (ASL = words / sentences, ASW = syllables / words):
     flesch_kincaid_grade        0.39 ASL + 11.8 ASW - 15.59
     flesch_reading_ease         206.835 - 1.015 ASL - 84.6 ASW
     automated_readability_index 4.71 characters / words + 0.5 ASL - 21.43
     coleman_liau_index          0.0588 L - 0.296 S - 15.8, L = letters
                                 per 100 words, S = sentences per 100 words
     gunning_fog                 0.4 (ASL + 100 complex_words / words)
     smog                        1.0430 sqrt(polysyllables * 30 / sentences)
                                 + 3.1291
   With no words (hence no sentences) every score is undefined:
   `defined` is 0 and the values are 0 (the CLI prints null). Never NaN.
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

/* Streaming scanner. Zero-initialise it or call mossa_text_scanner_init,
   feed chunks (split anywhere, even inside a UTF-8 sequence), then
   finish. The struct is plain data (about 64 KB, no allocation; put it on
   the heap on small stacks): copy it to fork a scan, reuse it after init or
   reset. Fields after the hook are private: a small carry state (under 200
   bytes) plus a memo of the syllable counts of recent words of up to 15
   letters (a pure cache: the counts never depend on it). */
#define MOSSA_TEXT_WORD_MAX 64
#define MOSSA_TEXT_MEMO 4096
typedef struct mossa_text_scanner {
    mossa_text_stats stats;    /* counts of everything completed so far */
    /* Optional hook, set after init: called once per word as it is counted
       with the word lowercased (accents folded, apostrophes kept, acronym
       dots dropped, at most MOSSA_TEXT_WORD_MAX - 1 bytes) and its syllables. */
    void (*on_word)(void *user, const char *word, size_t len, int syllables);
    void *on_word_user;
    uint64_t sent_words_;      /* words since the last sentence end */
    /* the fields read on every byte are 32-bit and not adjacent, so that a
       byte store is never followed by a wider load over it (a stall) */
    uint32_t cp_;              /* partial UTF-8 code point */
    uint32_t tok_;             /* 0 none, 1 word, 2 number */
    uint32_t word_letters_;    /* letters of the word in progress */
    uint32_t pend_;            /* apostrophe / period after a letter */
    uint32_t ovf_groups_;      /* vowel groups past the word buffer */
    uint32_t term_phase_;
    uint8_t cp_need_, cp_len_, cp_min_hi_, cp_max_hi_;
    uint8_t tok_flags_;
    uint8_t seg_;              /* letters in the current dotted segment */
    uint8_t wlen_;             /* bytes in word_ */
    uint8_t term_, newlines_, mid_sent_, prev_word_, ovf_prev_vowel_, no_memo_;
    uint8_t memo_off_;         /* memo sets start at memo_ + memo_off_ (64-byte aligned) */
    uint32_t memo_tick_;       /* replacement order */
    unsigned char word_[MOSSA_TEXT_WORD_MAX];
    uint64_t memo_[2 * MOSSA_TEXT_MEMO + 8];    /* 256 sets of 15 words (64 KB) */
} mossa_text_scanner;

MOSSA_API void mossa_text_scanner_init(mossa_text_scanner *s);
/* Starts a new text like init, but keeps the word memo and the on_word
   hook: the cheap way to score many short texts (one per line). */
MOSSA_API void mossa_text_scanner_reset(mossa_text_scanner *s);
MOSSA_API void mossa_text_scanner_feed(mossa_text_scanner *s, const char *chunk, size_t len);
/* Completes the pending word and sentence; *stats (may be NULL) gets the
   totals. The scanner then holds the final counts in s->stats; call
   init or reset before reusing it. */
MOSSA_API void mossa_text_scanner_finish(mossa_text_scanner *s, mossa_text_stats *stats);

/* The six formulas from counts (defined = 0 when words or sentences are 0). */
MOSSA_API void mossa_readability_score(const mossa_text_stats *stats,
                                       mossa_readability_scores *scores);

/* Syllables in a word (UTF-8, case-insensitive): vowel groups with
   English corrections (silent e, -ed, -es, syllabic -le/-re, -ism,
   -ion/-ian, hiatus such as i-a, e-o, u-a, prefixes re-/co-/pre-,
   suffixes -ly/-ness/-ment/-ful/-less, y as a vowel, qu/gu) and a
   compact table of CMUdict words whose heuristic count is wrong. A
   dotted acronym is spelled out (U.S. = 2). The input is scanned with the
   rules above, so several words give the sum (well-known = 2) and a
   number gives 0. Returns 0 for NULL or empty input. */
MOSSA_API int mossa_syllables(const char *word, size_t len);

/* Scans a whole text and scores it; either output may be NULL.
   MOSSA_ERR_INVALID_ARGUMENT when text is NULL and len > 0. */
MOSSA_API mossa_status mossa_readability(const char *text, size_t len,
                                         mossa_text_stats *stats,
                                         mossa_readability_scores *scores);

/* One text per line (lines end at '\n'; a final line without '\n' counts
   if it is not empty; "\r\n" is fine since '\r' is white space), as
   needed for per-example scores. Writes min(lines, max_lines) entries of
   stats and/or scores (either may be NULL) and sets *n_lines to the
   number of lines. MOSSA_ERR_TOO_LARGE when there are more lines than
   max_lines (the first max_lines are still written); call with
   max_lines = 0 to count. */
MOSSA_API mossa_status mossa_readability_lines(const char *text, size_t len, size_t max_lines,
                                               mossa_text_stats *stats,
                                               mossa_readability_scores *scores,
                                               size_t *n_lines);

#ifdef __cplusplus
}
#endif

/* ==== impl/stats.h ==== */
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

/* ==== impl/analysis.h ==== */
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
#include <sched.h>
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
/* the same with prefetchw (PREFETCHW; Intel CPUs before Broadwell, which
   lack the flag, execute the opcode as a no-op) */
#define MOSSA__TARGET_AVX2W __attribute__((target("avx2,fma,prfchw")))
#define MOSSA__TARGET_AVX512W __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,prfchw")))
#else
#define MOSSA__X86 0
#endif

/* AMX (tiles + BF16): gcc 11, clang 12 and later; Linux, whose kernel
   grants a process the tile state on request (arch_prctl). MOSSA_NO_AMX
   leaves it out (no request is ever made). */
#if MOSSA__X86 && defined(__linux__) && !defined(MOSSA_NO_AMX) && \
    ((defined(__clang__) && __clang_major__ >= 12) || (!defined(__clang__) && __GNUC__ >= 11))
#define MOSSA__AMX 1
#define MOSSA__TARGET_AMX \
    __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,avx512bf16,amx-tile,amx-bf16")))
#else
#define MOSSA__AMX 0
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

/* ---- crews --------------------------------------------------------------
   A job of many short phases (a tridiagonalisation has two per step, n
   steps, each a few microseconds of work) cannot afford a hand-off to the
   pool per phase: waking a sleeping thread costs tens of microseconds. A
   crew keeps helpers awake for the whole job: mossa__crew_run(ctx, crew,
   drive, arg) runs drive(crew, arg) in one thread while the context's
   other threads (one per online CPU at most; none without threads or
   GNU C atomics, or when ctx is NULL) wait for work; drive calls
   mossa__crew_phase(crew, fn, arg, tasks) for each parallel phase, which
   runs fn(arg, task) for every task (the driver takes tasks too) and
   returns when all are done. Tasks are claimed in shares of what is left
   (a 2(helpers + 1)-th, at least one; the driver from the first task on,
   helpers from the last back), so a helper that lost its core (a busy
   machine) only does fewer of them: the driver never waits for a helper
   that has not started a claim. As with
   mossa__parallel, task boundaries must depend on the problem alone. */
typedef void (*mossa__phase_fn)(void *arg, size_t task);
typedef struct mossa__crew {
    int helpers;                  /* threads besides the driver (0: all in the driver) */
    uint64_t word;                /* phase << 36 | tasks << 24 | taken from the front << 12
                                     | taken from the back */
    unsigned done;                /* tasks of the current phase finished */
    unsigned sleepers;            /* helpers asleep on wake */
    int finished;
    mossa__phase_fn fn;           /* the current phase */
    void *arg;
    void (*drive)(struct mossa__crew *, void *);
    void *drive_arg;
#ifndef MOSSA_NO_THREADS
    pthread_mutex_t lock;
    pthread_cond_t wake;
#endif
} mossa__crew;
#define MOSSA__CREW_MAX_TASKS 4095u   /* more run in the driver alone */
#define MOSSA__CREW_PHASE_SHIFT 36
static MOSSA__UNUSED void mossa__crew_run(mossa__ctx *ctx, mossa__crew *crew,
                                          void (*drive)(mossa__crew *, void *), void *arg);
static MOSSA__UNUSED void mossa__crew_phase(mossa__crew *crew, mossa__phase_fn fn, void *arg, size_t tasks);

/* ---- dispatch table ---------------------------------------------------
   One table per SIMD level; the active one is chosen once. Modules add
   their kernels in their own section so that the pieces stay apart. */
/* Counting for the exact median (impl/cka.c). Values are non-negative
   floats compared as bit patterns: below when v < lo, inside when
   v - lo <= width (unsigned). The values inside are kept at keep[k], k + 1,
   ... while k < cap (vector levels may write up to MOSSA__KEEP_PAD slots
   past cap, so keep has room for cap + MOSSA__KEEP_PAD); k ends past cap
   only when inside > cap. */
#define MOSSA__KEEP_PAD 16
typedef struct mossa__keep {
    uint32_t lo, width;
    float *keep;
    size_t cap, k, below, inside;
} mossa__keep;

typedef struct mossa__kernels {
    mossa_simd_level level;
    /* foundation */
    double (*dot)(const float *a, const float *b, size_t n);
    void (*axpy)(size_t n, float alpha, const float *x, float *y);
    void (*sqdist)(const float *x, const float *Y, size_t m, size_t d, size_t ldy, float *out);
    void (*expf_array)(const float *x, float *y, size_t n);
    void (*logf_array)(const float *x, float *y, size_t n);
    /* s[c] += (double)x[i*ldx + c] for i < n in row order, c < cols <= 64
       (the same bits at every level); returns max |x| over them, NaN
       ignored (column means, impl/gemm.c) */
    float (*colsum)(const float *x, size_t n, size_t ldx, size_t cols, double *s);
    /* gemm / cka */
    /* c[i*ldc + j] += sum_{k < kc} a[16k + i] * b[16k + j] for i, j < 16 (two
       packed micro-panels, impl/gemm.c): float products accumulated in
       float over kc <= 256 steps, the tile then promoted to double. */
    void (*gemm_tile16)(const float *a, const float *b, size_t kc, double *c, size_t ldc);
    /* the same for two adjacent B micro-panels (b and b + 16 kc): a 16 x 32
       tile; NULL = two gemm_tile16 calls */
    void (*gemm_tile16x32)(const float *a, const float *b, size_t kc, double *c, size_t ldc);
    /* the same two tiles added into a float C, c[i*ldc + j] += the float
       sum (one float addition; the rank's float Gram, impl/gemm.c);
       gemm_tile16x32f NULL = two gemm_tile16f calls */
    void (*gemm_tile16f)(const float *a, const float *b, size_t kc, float *c, size_t ldc);
    void (*gemm_tile16x32f)(const float *a, const float *b, size_t kc, float *c, size_t ldc);
    /* three adjacent B micro-panels (a 16 x 48 float tile); NULL = the
       two-panel and one-panel tiles */
    void (*gemm_tile16x48f)(const float *a, const float *b, size_t kc, float *c, size_t ldc);
    /* dst[16k + r] = src[lds r + k] for r < nr <= 16, zero for nr <= r < 16,
       k < kc: nr rows of a row-major matrix copied into one packed
       micro-panel (a transposing copy; impl/gemm.c reads X in place) */
    void (*pack_t16)(const float *src, size_t lds, size_t nr, size_t kc, float *dst);
    /* The shifted packing of a product's operand (impl/gemm.c), runs of
       16: out[r ostride + c] = (float)(((double)x[16 r + c] - sh[16 r + c])
       * scale) for r < runs, c < 16 (sh NULL: minus 0.0). A subtraction and
       a product in double, then one rounding: the same floats at every level. */
    void (*pack_shift16)(const float *x, const double *sh, double scale, float *out, size_t runs, size_t ostride);
    /* sums over j < n of (k_j - a_i - a[j]) (l_j - b_i - b[j]) into out[0],
       (k - ..)^2 into out[1], (l - ..)^2 into out[2] (row i of two
       centered kernels, impl/cka.c); skip = column to leave out or n. */
    void (*hsic_row)(const float *k, const float *l, const double *a, const double *b,
                     double ai, double bi, size_t n, size_t skip, double out[3]);
    /* dst[j] = (float)max(dr + dc[j] - 2 g[j], 0) (RBF squared distances from
       a double Gram tile row, impl/cka.c); with kp, each value is also
       counted and kept for the median as mossa__keep_scalar does */
    void (*rbf_dist)(const double *g, size_t n, double dr, const double *dc, float *dst, mossa__keep *kp);
    /* row[j] = expf(row[j] * nc) (a float product), cs[j] += row[j]; returns
       sum row[j] (double sums) */
    double (*rbf_exp_row)(float *row, size_t n, float nc, double *cs);
    /* svd */
    /* One row of the fused tridiagonalisation step: r[k] -= a x[k] + b y[k]
       (skipped when x is NULL), then p[k] += c r[k] and the return value is
       sum_k r[k] u[k] (both skipped, returning 0, when u is NULL); k < j. */
    double (*svd_rowop)(size_t j, double *r, const double *x, const double *y, double a, double b,
                        const double *u, double c, double *p);
    /* Rows j and j+1 (r0, r1) of a step with both the pending update and
       the new vector, in that order, each as the reduction does one row:
       r[t] -= y[t] x[t] + x[t] y[t], s = svd_rowop(t, r, x, y, y[t], x[t],
       u, u[t], p), p[t] += s + r[t] u[t]. Bit-identical to those two rows
       one after the other; the vector levels share the pair's loads of x,
       y, u and p (about a quarter fewer memory operations per row). */
    void (*svd_rowop2)(size_t j, double *r0, double *r1, const double *x, const double *y, const double *u,
                       double *p);
    /* Their float twins, for the reduction that holds its matrix in float
       (the variance rank's): the same operations in float, the row sum in
       float lanes; the pair again bit-identical to its two rows. The
       pair also takes next, the first row of the pair after it (its
       second at next + (r1 - r0)), or NULL: the vector levels prefetch
       those rows for writing while this pair runs (one thread at order
       1024: 2 ms of 30; two threads: 0.3 ms). */
    float (*svd_rowopf)(size_t j, float *r, const float *x, const float *y, float a, float b, const float *u,
                        float c, float *p);
    void (*svd_rowop2f)(size_t j, float *r0, float *r1, const float *x, const float *y, const float *u,
                        float *p, const float *next);
    /* Sturm counts of the tridiagonal (d, e2: diagonal, squared
       off-diagonal, e2[i] coupling i - 1 and i) at the 16 shifts s:
       c[t] = the number of negative pivots q_i = (d[i] - s[t]) - e2[i] / q_{i-1}
       (q_0 = d[0] - s[t]), each pivot below pivmin in magnitude taken as
       -pivmin (LAPACK's dlaneg without the twisted factorisation). Only
       subtractions, a division and comparisons, in that order: the same
       counts at every level. The lanes hide the division's latency. */
    void (*svd_sturm16)(size_t n, const double *d, const double *e2, double pivmin, const double *s, size_t *c);
    /* Rows 0 .. rows-1 (at x + ldx r) of the rank's column statistics:
       with c = (double)x[ldx r + j] - sh[j], s[j] += c and q[j] += c * c
       (the product rounded before the add: no fused multiply-add), j < d,
       row after row: the same sums at every level and for any grouping of
       the rows into calls. The vector levels hold a group of columns'
       sums in registers across the rows (one load and store of s and q
       per group instead of one per row, which bound the pass by stores). */
    void (*svd_colstat)(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q, size_t d);
    /* The serial steps of the float reduction's driver (impl/svd.c,
       mossa__trdf_drive). Sums in double run in eight lanes (k mod 8, each
       in k order, lanes past n adding zeros), the lanes then added as
       ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)); no product is fused
       with an add: the same bits at every level.
       svd_absmaxf: max_k |x[k]| (0 for n = 0; exact in any order).
       svd_scalef: u[k] = (float)((double)r[k] * inv); returns sum u[k]^2.
       svd_sumcols: q[k] = (sum_{t < nb} (double)parts[t ld + k]) / h for
       k < ncols, t in order; returns sum u[k] q[k].
       svd_qupdatef: pq[k] = (float)(q[k] - kk * (double)u[k]). */
    float (*svd_absmaxf)(const float *x, size_t n);
    double (*svd_scalef)(const float *r, double inv, float *u, size_t n);
    double (*svd_sumcols)(const float *parts, size_t ld, size_t nb, size_t ncols, double h, const float *u,
                          double *q);
    void (*svd_qupdatef)(const double *q, double kk, const float *u, float *pq, size_t n);
    /* tsne */
    /* out[j*32 + q] (+)= sum_k (qt[k*32 + q] - r[j*ldr + k])^2 for 32 queries
       (qt: d x 32 panel) and nr reference rows; accumulate != 0 adds.
       Each lane must accumulate over k in order with the same operations
       whatever nr is: the VP-tree calls it with the roles swapped (panel =
       leaf points, r = the query) and relies on bit-identical sums. */
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
    /* Length of the run of ASCII letters at the start of p[0..n); its first
       min(run, room) letters are written lowercased to dst (vector versions
       may also write zeros after them, never at or past dst + room). */
    size_t (*text_letters)(const unsigned char *p, size_t n, unsigned char *dst, size_t room);
    /* Bit j set iff p[j] is an ASCII letter, over the 64 bytes p[0..64). */
    uint64_t (*text_letter_mask)(const unsigned char *p);
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
/* C (m x m) = beta * C + op(A) op(A)' (op(A) m x k as above): half the
   work of mossa__gemm; the result is exactly symmetric. */
static MOSSA__UNUSED mossa_status mossa__gemm_sym(mossa__ctx *ctx, int trans_a, size_t m, size_t k,
                                    const float *A, size_t lda, double beta, double *C, size_t ldc);
/* An operand packed once for several products with different right-hand
   sides (the randomized SVD multiplies the same X 2q + 2 times):
   mossa__gemm_pack stores op(A) (rows x k, trans as for mossa__gemm), and
   mossa__gemm_packed computes C (rows x n) = beta * C + op(A) op(B) with B
   as in mossa__gemm, bit-identical to mossa__gemm. Release frees it. The
   operand is packed (p), or read in place (in, ld != 0: row i of op(A) at
   step k is in[ld k + i], or in[ld i + k] with by_rows; see
   mossa__gemm_inplace); _none makes an empty one. */
typedef struct mossa__gemm_operand {
    float *p;
    void *raw;
    const float *in;
    size_t rows, k, ld;
    int by_rows;
} mossa__gemm_operand;
static MOSSA__UNUSED mossa_status mossa__gemm_pack(mossa__ctx *ctx, int trans, size_t rows, size_t k,
                                     const float *A, size_t lda, mossa__gemm_operand *op);
static MOSSA__UNUSED mossa_status mossa__gemm_packed(mossa__ctx *ctx, const mossa__gemm_operand *a, int trans_b,
                                       size_t n, const float *B, size_t ldb, double beta, double *C, size_t ldc);
static MOSSA__UNUSED void mossa__gemm_release(mossa__ctx *ctx, mossa__gemm_operand *op);
static MOSSA__UNUSED void mossa__gemm_operand_none(mossa__gemm_operand *op);
static MOSSA__UNUSED int mossa__gemm_inplace(int trans, size_t rows, size_t k, const float *A, size_t lda,
                                            mossa__gemm_operand *op);
static MOSSA__UNUSED int mossa__gemm_is_thin(size_t n);

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

#if !defined(MOSSA_NO_THREADS) && MOSSA__GNUC
#define MOSSA__HAVE_CREWS 1
#else
#define MOSSA__HAVE_CREWS 0
#endif

#if MOSSA__HAVE_CREWS
static void mossa__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif

/* Atomic access to the fields a pool's threads read without its lock
   (plain where there are no GNU C atomics: then nobody spins) */
#if MOSSA__HAVE_CREWS
#define MOSSA__ALOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define MOSSA__ASTORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#else
#define MOSSA__ALOAD(p) (*(p))
#define MOSSA__ASTORE(p, v) (*(p) = (v))
#endif
/* pause loops a pool's thread spins before it sleeps (about 0.2-0.5 ms) */
#define MOSSA__POOL_SPINS 4000u

#ifndef MOSSA_NO_THREADS
struct mossa__pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready;   /* a new job (generation) or shutdown */
    pthread_cond_t work_done;    /* the last task of a job finished */
    pthread_t *threads;
    int n_workers;               /* threads besides the caller */
    int n_started;
    int shutdown;
    unsigned long generation;    /* both read by spinning threads without the lock */
    unsigned sleepers;           /* workers asleep on work_ready */
    int spin;                    /* no more threads than CPUs: spin before sleeping */
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
        MOSSA__ASTORE(&pool->done_tasks, pool->done_tasks + 1);
        if (pool->done_tasks == pool->n_tasks)
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
#if MOSSA__HAVE_CREWS
        /* a waking thread costs tens of microseconds: the next job of a
           caller that makes many short ones is usually this close */
        if (pool->spin) {
            unsigned spins = 0;
            pthread_mutex_unlock(&pool->lock);
            while (MOSSA__ALOAD(&pool->generation) == seen && !MOSSA__ALOAD(&pool->shutdown) &&
                   ++spins < MOSSA__POOL_SPINS)
                mossa__cpu_relax();
            pthread_mutex_lock(&pool->lock);
        }
#endif
        while (!pool->shutdown && pool->generation == seen) {
            ++pool->sleepers;
            pthread_cond_wait(&pool->work_ready, &pool->lock);
            --pool->sleepers;
        }
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
        pool->spin = n_threads <= mossa_default_threads();
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
        MOSSA__ASTORE(&pool->shutdown, 1);
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
        MOSSA__ASTORE(&pool->done_tasks, (size_t)0);
        MOSSA__ASTORE(&pool->generation, pool->generation + 1);
        /* a spinning worker sees the generation (and then takes the lock);
           one that counted itself asleep under the lock needs the signal */
        if (pool->sleepers) pthread_cond_broadcast(&pool->work_ready);
        mossa__pool_drain(pool, 0);
#if MOSSA__HAVE_CREWS
        if (pool->spin && pool->done_tasks < n_tasks) {
            unsigned spins = 0;
            pthread_mutex_unlock(&pool->lock);
            while (MOSSA__ALOAD(&pool->done_tasks) < n_tasks && ++spins < MOSSA__POOL_SPINS) mossa__cpu_relax();
            pthread_mutex_lock(&pool->lock);
        }
#endif
        while (pool->done_tasks < pool->n_tasks)
            pthread_cond_wait(&pool->work_done, &pool->lock);
        pthread_mutex_unlock(&pool->lock);
        return;
    }
#endif
    (void)ctx;
    for (t = 0; t < n_tasks; ++t) fn(arg, t, 0);
}

#if MOSSA__HAVE_CREWS

/* Takes and runs tasks of the phase numbered phase until none is left
   or the crew has moved on: the driver from the front of the task list
   (back = 0), helpers from its back. A task is claimed by a
   compare-and-swap of the whole word, so a helper can never take a task
   of a phase other than the one it has seen published. Taking from two
   ends keeps each thread on nearly the same tasks from one phase to the
   next (the driver on the first, a helper on the last): phases that
   sweep the same rows every step find them in that core's cache. */
static void mossa__crew_take(mossa__crew *c, uint64_t phase, int back)
{
    uint64_t w = __atomic_load_n(&c->word, __ATOMIC_ACQUIRE);
    for (;;) {
        uint64_t tasks = (w >> 24) & 0xfffu, f = (w >> 12) & 0xfffu, b = w & 0xfffu, take, t;
        if ((w >> MOSSA__CREW_PHASE_SHIFT) != phase || f + b >= tasks) return;
        /* a share of what is left (guided): each claim and each count of
           finished tasks moves the shared line between cores, which costs
           as much as a short task */
        take = (tasks - f - b) / (2u * (uint64_t)(c->helpers + 1));
        if (take < 1u) take = 1u;
        if (__atomic_compare_exchange_n(&c->word, &w, back ? w + take : w + (take << 12), 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            for (t = 0; t < take; ++t) c->fn(c->arg, (size_t)(back ? tasks - 1 - b - t : f + t));
            __atomic_add_fetch(&c->done, (unsigned)take, __ATOMIC_RELEASE);
            w = __atomic_load_n(&c->word, __ATOMIC_ACQUIRE);
        }
    }
}
#endif

#define MOSSA__CREW_SPINS 4000u
static void mossa__crew_phase(mossa__crew *c, mossa__phase_fn fn, void *arg, size_t tasks)
{
#if MOSSA__HAVE_CREWS
    uint64_t phase;
    unsigned spins = 0;
    if (c->helpers > 0 && tasks > 1 && tasks <= MOSSA__CREW_MAX_TASKS) {
        phase = ((__atomic_load_n(&c->word, __ATOMIC_RELAXED) >> MOSSA__CREW_PHASE_SHIFT) + 1u) &
                ((UINT64_C(1) << (64 - MOSSA__CREW_PHASE_SHIFT)) - 1u);   /* wraps */
        c->fn = fn; c->arg = arg;
        __atomic_store_n(&c->done, 0u, __ATOMIC_RELAXED);
        /* publishes fn, arg and everything the driver wrote before */
        __atomic_store_n(&c->word, phase << MOSSA__CREW_PHASE_SHIFT | (uint64_t)tasks << 24, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&c->sleepers, __ATOMIC_SEQ_CST) != 0u) {
            pthread_mutex_lock(&c->lock);
            pthread_cond_broadcast(&c->wake);
            pthread_mutex_unlock(&c->lock);
        }
        mossa__crew_take(c, phase, 0);
        /* only tasks already started are left: wait for them */
        while (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) != (unsigned)tasks) {
            if (++spins > MOSSA__CREW_SPINS) sched_yield();
            else mossa__cpu_relax();
        }
        return;
    }
#else
    (void)c;
#endif
    {
        size_t t;
        for (t = 0; t < tasks; ++t) fn(arg, t);
    }
}

#if MOSSA__HAVE_CREWS
/* A helper: spins on the word for the next phase with the CPU's pause
   hint for a while (the driver's serial part between phases is a few
   microseconds), then sleeps on the condition variable. The driver wakes
   sleepers only when there are any: sleepers is raised before the
   sleeper's last look at the word and read after the word is published
   (both sequentially consistent), so one of the two sees the other. */
static void mossa__crew_help(mossa__crew *c)
{
    uint64_t seen = 0;
    for (;;) {
        uint64_t w;
        unsigned spins = 0;
        while ((w = __atomic_load_n(&c->word, __ATOMIC_ACQUIRE)) >> MOSSA__CREW_PHASE_SHIFT == seen &&
               !__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE)) {
            if (++spins < MOSSA__CREW_SPINS) { mossa__cpu_relax(); continue; }
            pthread_mutex_lock(&c->lock);
            __atomic_add_fetch(&c->sleepers, 1u, __ATOMIC_SEQ_CST);
            while (__atomic_load_n(&c->word, __ATOMIC_SEQ_CST) >> MOSSA__CREW_PHASE_SHIFT == seen &&
                   !__atomic_load_n(&c->finished, __ATOMIC_SEQ_CST))
                pthread_cond_wait(&c->wake, &c->lock);
            __atomic_sub_fetch(&c->sleepers, 1u, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&c->lock);
            spins = 0;
        }
        if (__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE)) return;
        seen = w >> MOSSA__CREW_PHASE_SHIFT;
        mossa__crew_take(c, seen, 1);
    }
}

static void mossa__crew_task(void *arg, size_t task, int worker)
{
    mossa__crew *c = (mossa__crew *)arg;
    (void)worker;
    if (task > 0) { mossa__crew_help(c); return; }
    c->drive(c, c->drive_arg);
    pthread_mutex_lock(&c->lock);
    __atomic_store_n(&c->finished, 1, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}
#endif

/* One helper per online CPU besides the driver at most: a helper without
   a core of its own would only take turns with the driver. */
static void mossa__crew_run(mossa__ctx *ctx, mossa__crew *c, void (*drive)(mossa__crew *, void *), void *arg)
{
    memset(c, 0, sizeof(*c));
    c->drive = drive;
    c->drive_arg = arg;
#if MOSSA__HAVE_CREWS
    if (ctx && ctx->pool) {
        int n = MOSSA__MIN(ctx->n_threads, mossa_default_threads());
        if (n > 1 && pthread_mutex_init(&c->lock, NULL) == 0) {
            if (pthread_cond_init(&c->wake, NULL) == 0) {
                c->helpers = n - 1;
                mossa__parallel(ctx, (size_t)n, mossa__crew_task, c);
                pthread_cond_destroy(&c->wake);
                pthread_mutex_destroy(&c->lock);
                return;
            }
            pthread_mutex_destroy(&c->lock);
        }
    }
#else
    (void)ctx;
#endif
    drive(c, arg);   /* helpers = 0: every phase runs in the driver */
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

/* ---- test hooks: a crew through a chain of phases ----------------------
   phases phases; phase p has (p * 37) % 101 tasks (0 and 1 among them);
   task t of phase p counts its runs and stores v[t] = carry * 3 + t + p,
   where carry is what the driver made of the previous phase (the sum of
   its v, mod 2^32): a task that missed the driver's last write, ran twice
   or not at all changes *out. Returns MOSSA_ERR_INTERNAL when a task ran
   other than once. */
typedef struct mossa__test_crew {
    size_t phases, p;
    uint64_t carry, v[101];
    unsigned runs[101];
    int bad;
} mossa__test_crew;

static void mossa__test_crew_task(void *raw, size_t task)
{
    mossa__test_crew *a = (mossa__test_crew *)raw;
    a->runs[task]++;
    a->v[task] = a->carry * 3u + task + a->p;
}

static void mossa__test_crew_drive(mossa__crew *crew, void *raw)
{
    mossa__test_crew *a = (mossa__test_crew *)raw;
    size_t t, tasks;
    for (a->p = 0; a->p < a->phases; ++a->p) {
        uint64_t s = 0;
        tasks = (a->p * 37u) % 101u;
        memset(a->runs, 0, sizeof(a->runs));
        mossa__crew_phase(crew, mossa__test_crew_task, a, tasks);
        for (t = 0; t < tasks; ++t) {
            if (a->runs[t] != 1u) a->bad = 1;
            s += a->v[t];
        }
        a->carry = s & 0xffffffffu;
    }
}

/* ---- test hooks: pool jobs after gaps ------------------------------------
   jobs jobs on one context, job j after gap[j] iterations of a busy loop
   (a gap longer than the workers' spin finds them asleep, a short one
   spinning); job j has 1 + (7 j) % 13 tasks, each storing j * 100 + its
   index. *out = the sum of all stored values; MOSSA_ERR_INTERNAL when a
   task ran other than once. */
typedef struct mossa__test_jobs {
    size_t j;
    unsigned runs[13];
    uint64_t v[13];
} mossa__test_jobs;

static void mossa__test_jobs_task(void *raw, size_t task, int worker)
{
    mossa__test_jobs *a = (mossa__test_jobs *)raw;
    (void)worker;
    a->runs[task]++;
    a->v[task] = a->j * 100u + task;
}

MOSSA_DEF mossa_status mossa_test_pool_jobs(int n_threads, size_t jobs, const unsigned long *gap, uint64_t *out);
MOSSA_DEF mossa_status mossa_test_pool_jobs(int n_threads, size_t jobs, const unsigned long *gap, uint64_t *out)
{
    mossa__ctx ctx;
    mossa__test_jobs a;
    mossa_status st;
    size_t t, tasks;
    int bad = 0;
    if (!out || (jobs && !gap)) return MOSSA_ERR_INVALID_ARGUMENT;
    *out = 0;
    st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    for (a.j = 0; a.j < jobs; ++a.j) {
        volatile unsigned long spin = 0;
        while (spin < gap[a.j]) spin = spin + 1;
        tasks = 1u + (7u * a.j) % 13u;
        memset(a.runs, 0, sizeof(a.runs));
        mossa__parallel(&ctx, tasks, mossa__test_jobs_task, &a);
        for (t = 0; t < tasks; ++t) {
            if (a.runs[t] != 1u) bad = 1;
            *out += a.v[t];
        }
    }
    mossa__ctx_end(&ctx);
    return bad ? MOSSA_ERR_INTERNAL : MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_test_crew(int n_threads, size_t phases, uint64_t *out);
MOSSA_DEF mossa_status mossa_test_crew(int n_threads, size_t phases, uint64_t *out)
{
    mossa__ctx ctx;
    mossa__crew crew;
    mossa__test_crew a;
    mossa_status st;
    if (!out) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    memset(&a, 0, sizeof(a));
    a.phases = phases;
    mossa__crew_run(&ctx, &crew, mossa__test_crew_drive, &a);
    mossa__ctx_end(&ctx);
    *out = a.carry;
    return a.bad ? MOSSA_ERR_INTERNAL : MOSSA_OK;
}
#endif

/* ==== impl/dispatch.c ==== */
/* dispatch.c - CPU feature detection and the kernel table.

   x86: AVX2 needs CPUID.7.EBX[5] (AVX2), CPUID.1.ECX[12] (FMA), [27]
   (OSXSAVE) and XGETBV showing the OS saves XMM+YMM (bits 1,2). AVX-512
   additionally needs F, DQ, BW, VL (CPUID.7.EBX bits 16, 17, 30, 31) and
   the OS saving opmask and ZMM state (XCR0 bits 5, 6, 7); AMX, see
   mossa__detect_x86. aarch64 always
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

/* The active table and the environment's status may be changed by
   mossa_simd_force while other threads read them: atomic on gcc/clang. */
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

#if MOSSA__AMX
/* Linux's arch_prctl (syscall 158 on x86-64) as the instruction itself,
   so that no libc declaration (absent under strict -std=c99) is needed.
   ARCH_REQ_XCOMP_PERM (0x1023) for XFEATURE_XTILEDATA (18) asks the kernel
   for the tile state, once per process; 0 = granted, else -errno. */
static long mossa__arch_prctl(long code, long arg)
{
    long ret;
    __asm__ __volatile__("syscall" : "=a"(ret) : "0"(158L), "D"(code), "S"(arg) : "rcx", "r11", "memory");
    return ret;
}
#endif

static void mossa__detect_x86(void)
{
    unsigned r1[4], r7[4], r0[4];
    uint64_t xcr0 = 0;
    int osxsave, avx2, avx512, amx = 0;
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
#if MOSSA__AMX
    /* AMX: TILE and BF16 (CPUID.7.0.EDX bits 24, 22), AVX512_BF16
       (CPUID.7.1.EAX bit 5) for the conversions, XCR0 bits 17 and 18 (the
       OS saves the tile configuration and data), and the kernel's grant */
    if (avx512 && ((r7[3] >> 24) & 1) && ((r7[3] >> 22) & 1) && r7[0] >= 1 && (xcr0 & 0x60000) == 0x60000) {
        unsigned r71[4];
        mossa__cpuid(7, 1, r71);
        amx = ((r71[0] >> 5) & 1) && mossa__arch_prctl(0x1023, 18) == 0;
    }
#endif
    mossa__level_ok[MOSSA_SIMD_AVX2] = avx2;
    mossa__level_ok[MOSSA_SIMD_AVX512] = avx512;
    mossa__level_ok[MOSSA_SIMD_AMX] = amx;
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
    mossa__fill_avx512(&mossa__tables[MOSSA_SIMD_AMX]); /* the same kernels; svd.c adds the tiles */
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
    env = getenv("MOSSA_SIMD");
    if (env && env[0]) {
        mossa_status st = mossa_simd_parse(env, &forced);
        if (st == MOSSA_OK && forced != MOSSA_SIMD_AUTO) {
            if (mossa__level_ok[forced]) lvl = forced;
            else st = MOSSA_ERR_SIMD_UNAVAILABLE;
        }
        MOSSA__STORE_PTR(mossa__env_status, st);
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
    return MOSSA__LOAD_PTR(mossa__env_status);
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
    MOSSA__STORE_PTR(mossa__env_status, MOSSA_OK);
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
    case MOSSA_SIMD_AMX: return "amx";
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

#ifdef MOSSA_TEST_HOOKS
/* Test builds: the active level's column sums and RBF distances with the
   median's counting (impl/internal.h), for tests/test_kernels.c.
   counts = {below, inside, k}. */
MOSSA_DEF float mossa_test_colsum(const float *x, size_t n, size_t ldx, size_t cols, double *s);
MOSSA_DEF float mossa_test_colsum(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    return mossa__k()->colsum(x, n, ldx, cols, s);
}

/* the active level's pack_shift16 and svd_colstat */
MOSSA_DEF void mossa_test_pack_shift16(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride);
MOSSA_DEF void mossa_test_pack_shift16(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride)
{
    mossa__k()->pack_shift16(x, sh, scale, out, runs, ostride);
}
MOSSA_DEF void mossa_test_colstat(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                  size_t d);
MOSSA_DEF void mossa_test_colstat(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                  size_t d)
{
    mossa__k()->svd_colstat(x, ldx, rows, sh, s, q, d);
}

MOSSA_DEF void mossa_test_rbf_dist_keep(const double *g, size_t n, double dr, const double *dc, float *dst,
                                        uint32_t lo, uint32_t width, float *keep, size_t cap, size_t counts[3]);
MOSSA_DEF void mossa_test_rbf_dist_keep(const double *g, size_t n, double dr, const double *dc, float *dst,
                                        uint32_t lo, uint32_t width, float *keep, size_t cap, size_t counts[3])
{
    mossa__keep kp;
    kp.lo = lo; kp.width = width; kp.keep = keep; kp.cap = cap;
    kp.k = kp.below = kp.inside = 0;
    mossa__k()->rbf_dist(g, n, dr, dc, dst, keep ? &kp : NULL);
    counts[0] = kp.below; counts[1] = kp.inside; counts[2] = kp.k;
}
#endif

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
/* c += the tile, c double or float (isf) */
static void mossa__gemm_tile16_g_scalar(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    /* Rows of the tile in strips of 4 so that the 64 float accumulators of a
       strip fit a compiler's registers; each entry is a float sum over kc in
       k order, like the vector levels (which fuse the multiply-add). */
    size_t i0, i, j, k;
    for (i0 = 0; i0 < 16; i0 += 4) {
        float acc[4][16];
        for (i = 0; i < 4; ++i)
            for (j = 0; j < 16; ++j) acc[i][j] = 0.0f;
        for (k = 0; k < kc; ++k) {
            const float *bk = b + 16 * k, *ak = a + 16 * k + i0;
            for (i = 0; i < 4; ++i) {
                float av = ak[i];
                for (j = 0; j < 16; ++j) acc[i][j] += av * bk[j];
            }
        }
        for (i = 0; i < 4; ++i)
            for (j = 0; j < 16; ++j) {
                if (isf) ((float *)c)[(i0 + i) * ldc + j] += acc[i][j];
                else ((double *)c)[(i0 + i) * ldc + j] += (double)acc[i][j];
            }
    }
}

static void mossa__gemm_tile16_scalar(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16_g_scalar(a, b, kc, c, 0, ldc);
}

static void mossa__gemm_tile16f_scalar(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16_g_scalar(a, b, kc, c, 1, ldc);
}

static void mossa__hsic_row_scalar(const float *k, const float *l, const double *a, const double *b,
                                   double ai, double bi, size_t n, size_t skip, double out[3])
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0;
    size_t j;
    for (j = 0; j < n; ++j) {
        double kc = (double)k[j] - ai - a[j], lc = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        s0 += kc * lc; s1 += kc * kc; s2 += lc * lc;
    }
    out[0] = s0; out[1] = s1; out[2] = s2;
}

/* Counts v[0..n) below and inside kp's bracket and keeps the values inside
   (struct mossa__keep), without a branch: while k < cap each value is
   written at keep[k] and k advances only for one inside. */
static void mossa__keep_scalar(const float *v, size_t n, mossa__keep *kp)
{
    const uint32_t lo = kp->lo, width = kp->width;
    float *keep = kp->keep;
    size_t i, nb = 0, ni = 0, k = kp->k, cap = kp->cap;
    for (i = 0; i < n; ++i) {
        uint32_t b;
        size_t in;
        memcpy(&b, &v[i], sizeof(b));
        in = b - lo <= width;
        nb += b < lo;
        ni += in;
        keep[k] = v[i];
        k += in & (k < cap);
    }
    kp->k = k; kp->below += nb; kp->inside += ni;
}

/* RBF distances of one row segment of a Gram tile: |xi|^2 + |xj|^2 - 2 xi.xj
   formed in double, clamped at 0 (rounding can make it slightly negative),
   rounded once to float. 2 g is exact, so fused and unfused forms agree. */
static void mossa__rbf_dist_scalar(const double *g, size_t n, double dr, const double *dc, float *dst,
                                   mossa__keep *kp)
{
    size_t j;
    for (j = 0; j < n; ++j) {
        double v = dr + dc[j] - 2.0 * g[j];
        dst[j] = v > 0.0 ? (float)v : 0.0f;
    }
    if (kp) mossa__keep_scalar(dst, n, kp);
}

/* row[j] = exp(row[j] nc), the argument one float product (the same bits
   at every level); cs[j] += row[j] and the return value is the row's sum,
   both in double. The vector levels use this with their own exp for the
   last partial vector. */
static double mossa__rbf_exp_row_with(float *row, size_t n, float nc, double *cs,
                                      void (*expf_array)(const float *, float *, size_t))
{
    double s = 0.0;
    size_t j;
    for (j = 0; j < n; ++j) row[j] *= nc;
    expf_array(row, row, n);
    for (j = 0; j < n; ++j) {
        s += (double)row[j];
        cs[j] += (double)row[j];
    }
    return s;
}

static double mossa__rbf_exp_row_scalar(float *row, size_t n, float nc, double *cs)
{
    return mossa__rbf_exp_row_with(row, n, nc, cs, mossa__expf_scalar);
}

/* ---- svd ------------------------------------------------------------------- */
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

/* the two rows one after the other, as mossa__trd_row does them (NEON
   uses this too) */
static void mossa__svd_rowop2_scalar(size_t j, double *r0, double *r1, const double *x, const double *y,
                                     const double *u, double *p)
{
    size_t t;
    for (t = j; t <= j + 1; ++t) {
        double *r = t == j ? r0 : r1, s, m1 = y[t] * x[t], m2 = x[t] * y[t], last;
        r[t] -= m1 + m2;
        s = mossa__svd_rowop_scalar(t, r, x, y, y[t], x[t], u, u[t], p);
        last = r[t] * u[t];
        p[t] += s + last;
    }
}
/* the float twins (the rank's reduction, its matrix held in float) */
static float mossa__svd_rowopf_scalar(size_t j, float *r, const float *x, const float *y, float a, float b,
                                      const float *u, float c, float *p)
{
    size_t k;
    float s[4] = {0, 0, 0, 0};
    if (x)
        for (k = 0; k < j; ++k) r[k] -= a * x[k] + b * y[k];
    if (!u) return 0.0f;
    for (k = 0; k + 4 <= j; k += 4) {
        s[0] += r[k] * u[k]; s[1] += r[k + 1] * u[k + 1];
        s[2] += r[k + 2] * u[k + 2]; s[3] += r[k + 3] * u[k + 3];
        p[k] += c * r[k]; p[k + 1] += c * r[k + 1]; p[k + 2] += c * r[k + 2]; p[k + 3] += c * r[k + 3];
    }
    for (; k < j; ++k) { s[0] += r[k] * u[k]; p[k] += c * r[k]; }
    return (s[0] + s[2]) + (s[1] + s[3]);
}

static void mossa__svd_rowop2f_scalar(size_t j, float *r0, float *r1, const float *x, const float *y,
                                      const float *u, float *p, const float *next)
{
    size_t t;
    (void)next;
    for (t = j; t <= j + 1; ++t) {
        float *r = t == j ? r0 : r1, s, m1 = y[t] * x[t], m2 = x[t] * y[t], last;
        r[t] -= m1 + m2;
        s = mossa__svd_rowopf_scalar(t, r, x, y, y[t], x[t], u, u[t], p);
        last = r[t] * u[t];
        p[t] += s + last;
    }
}

static void mossa__svd_sturm16_scalar(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                      size_t *c)
{
    size_t g, i, t;
    /* four lanes at a time: four independent chains of divisions */
    for (g = 0; g < 16; g += 4) {
        double q[4];
        size_t k[4];
        for (t = 0; t < 4; ++t) {
            q[t] = d[0] - s[g + t];
            if (fabs(q[t]) < pivmin) q[t] = -pivmin;
            k[t] = q[t] < 0.0;
        }
        for (i = 1; i < n; ++i) {
            const double di = d[i], ei = e2[i];
            for (t = 0; t < 4; ++t) {
                q[t] = (di - s[g + t]) - ei / q[t];
                if (fabs(q[t]) < pivmin) q[t] = -pivmin;
                k[t] += q[t] < 0.0;
            }
        }
        for (t = 0; t < 4; ++t) c[g + t] = k[t];
    }
}
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
/* (c | 0x20) - 'a' < 26 exactly for ASCII letters: '@' and '[' map to '`'
   and '{', bytes >= 0x80 stay >= 0xA0. */
static size_t mossa__text_letters_scalar(const unsigned char *p, size_t n, unsigned char *dst, size_t room)
{
    size_t r = 0;
    while (r < n) {
        unsigned c = p[r] | 0x20u;
        if (c - 'a' >= 26u) break;
        if (r < room) dst[r] = (unsigned char)c;
        ++r;
    }
    return r;
}

/* SWAR on 8 bytes at a time (little-endian; a byte loop otherwise): for a
   byte x = c | 0x20 below 0x80, x + 0x1F has bit 7 set iff x >= 'a' and
   x + 0x05 iff x > 'z'; no carry crosses bytes since x + 0x1F < 0x100.
   The multiply gathers the eight bit-7 flags into one byte (bit k = byte k). */
static uint64_t mossa__text_letter_mask_scalar(const unsigned char *p)
{
    static const uint16_t one = 1;
    uint64_t m = 0;
    unsigned j;
    if (*(const unsigned char *)&one) {
        const uint64_t lo = 0x7F7F7F7F7F7F7F7FULL, hi = 0x8080808080808080ULL;
        for (j = 0; j < 64; j += 8) {
            uint64_t x, c, ge, gt, f;
            memcpy(&c, p + j, 8);
            x = c | 0x2020202020202020ULL;
            ge = (x & lo) + 0x1F1F1F1F1F1F1F1FULL;
            gt = (x & lo) + 0x0505050505050505ULL;
            f = ge & ~gt & ~x & hi;
            m |= (((f >> 7) * 0x0102040810204080ULL) >> 56) << j;
        }
        return m;
    }
    for (j = 0; j < 64; ++j) m |= (uint64_t)(((unsigned)p[j] | 0x20u) - 'a' < 26u) << j;
    return m;
}

static void mossa__pack_t16_scalar(const float *src, size_t lds, size_t nr, size_t kc, float *dst)
{
    size_t r, k;
    for (r = 0; r < nr; ++r) {
        const float *s = src + r * lds;
        for (k = 0; k < kc; ++k) dst[k * 16 + r] = s[k];
    }
    for (; r < 16; ++r)
        for (k = 0; k < kc; ++k) dst[k * 16 + r] = 0.0f;
}

static void mossa__pack_shift16_scalar(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride)
{
    size_t r, c;
    for (r = 0; r < runs; ++r) {
        const float *xr = x + 16 * r;
        float *o = out + r * ostride;
        if (sh)
            for (c = 0; c < 16; ++c) o[c] = (float)(((double)xr[c] - sh[16 * r + c]) * scale);
        else
            for (c = 0; c < 16; ++c) o[c] = (float)(((double)xr[c] - 0.0) * scale);
    }
}

static void mossa__svd_colstat_scalar(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                      size_t d)
{
    size_t r, j;
    for (r = 0; r < rows; ++r) {
        const float *xr = x + ldx * r;
        j = 0;
        /* four at a time (GCC 12 at -O2 vectorises the four) */
        for (; j + 4 <= d; j += 4) {
            double c0 = (double)xr[j] - sh[j], c1 = (double)xr[j + 1] - sh[j + 1];
            double c2 = (double)xr[j + 2] - sh[j + 2], c3 = (double)xr[j + 3] - sh[j + 3];
            double e0 = c0 * c0, e1 = c1 * c1, e2 = c2 * c2, e3 = c3 * c3;
            s[j] += c0; s[j + 1] += c1; s[j + 2] += c2; s[j + 3] += c3;
            q[j] += e0; q[j + 1] += e1; q[j + 2] += e2; q[j + 3] += e3;
        }
        for (; j < d; ++j) {
            double c = (double)xr[j] - sh[j], e = c * c;
            s[j] += c;
            q[j] += e;
        }
    }
}

/* the eight lanes of the reduction driver's sums, added in their fixed order */
static double mossa__lanes8(const double l[8])
{
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

static float mossa__svd_absmaxf_scalar(const float *x, size_t n)
{
    float m = 0.0f;
    size_t k;
    for (k = 0; k < n; ++k) m = MOSSA__MAX(m, fabsf(x[k]));
    return m;
}

/* The scalar steps from entry k on, onto lanes l already holding the
   sums of entries 0..k-1 (k a multiple of 8): the whole kernel from 0 at
   this level, the rest after the whole vector steps at the AVX2 level, so
   that both end the same way. */
static double mossa__scalef_from(const float *r, double inv, float *u, size_t k, size_t n, double l[8])
{
    for (; k < n; ++k) {
        double v;
        u[k] = (float)((double)r[k] * inv);
        v = (double)u[k];
        l[k % 8] += v * v;   /* exact square: fused or not, the same */
    }
    return mossa__lanes8(l);
}

static double mossa__sumcols_from(const float *parts, size_t ld, size_t nb, size_t k, size_t ncols, double h,
                                  const float *u, double *q, double l[8])
{
    size_t t;
    for (; k < ncols; ++k) {
        double s = 0.0, pr;
        for (t = 0; t < nb; ++t) s += (double)parts[t * ld + k];
        q[k] = s / h;
        pr = (double)u[k] * q[k];
        l[k % 8] += pr;
    }
    for (; k % 8; ++k) l[k % 8] += 0.0;   /* the vector levels' zero lanes (the sign of a zero sum) */
    return mossa__lanes8(l);
}

static void mossa__qupdatef_from(const double *q, double kk, const float *u, float *pq, size_t k, size_t n)
{
    for (; k < n; ++k) {
        double t = kk * (double)u[k];
        pq[k] = (float)(q[k] - t);
    }
}

static double mossa__svd_scalef_scalar(const float *r, double inv, float *u, size_t n)
{
    double l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    return mossa__scalef_from(r, inv, u, 0, n, l);
}

static double mossa__svd_sumcols_scalar(const float *parts, size_t ld, size_t nb, size_t ncols, double h,
                                        const float *u, double *q)
{
    double l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    return mossa__sumcols_from(parts, ld, nb, 0, ncols, h, u, q, l);
}

static void mossa__svd_qupdatef_scalar(const double *q, double kk, const float *u, float *pq, size_t n)
{
    mossa__qupdatef_from(q, kk, u, pq, 0, n);
}

static float mossa__colsum_scalar(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    double acc[64];
    float m = 0.0f;
    size_t i, c;
    for (c = 0; c < cols; ++c) acc[c] = s[c];
    for (i = 0; i < n; ++i) {
        const float *row = x + i * ldx;
        for (c = 0; c < cols; ++c) {
            float a = fabsf(row[c]);
            acc[c] += (double)row[c];
            m = a > m ? a : m;
        }
    }
    for (c = 0; c < cols; ++c) s[c] = acc[c];
    return m;
}

static void mossa__fill_scalar(mossa__kernels *t)
{
    /* foundation */
    t->dot = mossa__dot_scalar;
    t->axpy = mossa__axpy_scalar;
    t->sqdist = mossa__sqdist_scalar;
    t->expf_array = mossa__expf_scalar;
    t->logf_array = mossa__logf_scalar;
    t->colsum = mossa__colsum_scalar;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_scalar;
    t->gemm_tile16x32 = NULL;
    t->gemm_tile16f = mossa__gemm_tile16f_scalar;
    t->gemm_tile16x32f = NULL;
    t->pack_t16 = mossa__pack_t16_scalar;
    t->pack_shift16 = mossa__pack_shift16_scalar;
    t->svd_colstat = mossa__svd_colstat_scalar;
    t->svd_absmaxf = mossa__svd_absmaxf_scalar;
    t->svd_scalef = mossa__svd_scalef_scalar;
    t->svd_sumcols = mossa__svd_sumcols_scalar;
    t->svd_qupdatef = mossa__svd_qupdatef_scalar;
    t->hsic_row = mossa__hsic_row_scalar;
    t->rbf_dist = mossa__rbf_dist_scalar;
    t->rbf_exp_row = mossa__rbf_exp_row_scalar;
    /* svd */
    t->svd_rowop = mossa__svd_rowop_scalar;
    t->svd_rowop2 = mossa__svd_rowop2_scalar;
    t->svd_rowopf = mossa__svd_rowopf_scalar;
    t->svd_rowop2f = mossa__svd_rowop2f_scalar;
    t->svd_sturm16 = mossa__svd_sturm16_scalar;
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_scalar;
    t->tsne_repulse2 = mossa__tsne_repulse2_scalar;
    t->tsne_repulse3 = mossa__tsne_repulse3_scalar;
    t->tsne_attract = mossa__tsne_attract_scalar;
    /* text */
    t->text_letters = mossa__text_letters_scalar;
    t->text_letter_mask = mossa__text_letter_mask_scalar;
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
   so NaN passes through), then scale by 2^n without ever creating a
   subnormal in a float operation (each costs a ~100-cycle microcode
   assist): normal results as p 2^(n/2) 2^(n - n/2) with n >= -125;
   results below 2^-126 (n <= -126) as the integer p 2^(n + 149), rounded
   once by the conversion -- the bit pattern of a subnormal float is its
   value in units of 2^-149 (and 2^23 of them is FLT_MIN, so rounding up
   across the boundary is right too). */
static MOSSA__TARGET_AVX2 __m256 mossa__expf8_full_avx2(__m256 x)
{
    const __m256 shift = _mm256_set1_ps(MOSSA__EXP_SHIFT);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 t, fn, r, p, y, ys;
    __m256i n, n1, n2, tiny, k;
    x = _mm256_max_ps(_mm256_set1_ps(MOSSA__EXP_LO), x);
    x = _mm256_min_ps(_mm256_set1_ps(MOSSA__EXP_HI), x);
    t = _mm256_fmadd_ps(x, _mm256_set1_ps(MOSSA__LOG2E), shift);
    fn = _mm256_sub_ps(t, shift);
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_HI), x);
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(MOSSA__LN2_LO), r);
    p = mossa__exp_poly_avx2(r);
    n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(shift));
    /* NaN lanes have garbage n: keep them on the normal route, where p is NaN */
    tiny = _mm256_andnot_si256(_mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q)),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32(-125), n));
    n1 = _mm256_max_epi32(n, _mm256_set1_epi32(-125));
    n2 = _mm256_srai_epi32(n1, 1);
    n1 = _mm256_sub_epi32(n1, n2);
    y = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23)));
    y = _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23)));
    if (MOSSA__LIKELY(_mm256_testz_si256(tiny, tiny))) return y;
    k = _mm256_min_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(149)), _mm256_set1_epi32(24));
    ys = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, bias), 23)));
    ys = _mm256_castsi256_ps(_mm256_cvtps_epi32(ys));
    return _mm256_blendv_ps(y, ys, _mm256_castsi256_ps(tiny));
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
/* 16 x 16 tile in strips of rows (6, 6, 4): per strip 2 ymm per row (up to
   12 named accumulators, so they stay in registers), B loaded as two
   vectors per k, A broadcast. */
MOSSA__TARGET_AVX2
static void mossa__avx2_add_row(double *c, __m256 lo8, __m256 hi8)
{
    _mm256_storeu_pd(c, _mm256_add_pd(_mm256_loadu_pd(c), _mm256_cvtps_pd(_mm256_castps256_ps128(lo8))));
    _mm256_storeu_pd(c + 4, _mm256_add_pd(_mm256_loadu_pd(c + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(lo8, 1))));
    _mm256_storeu_pd(c + 8, _mm256_add_pd(_mm256_loadu_pd(c + 8), _mm256_cvtps_pd(_mm256_castps256_ps128(hi8))));
    _mm256_storeu_pd(c + 12, _mm256_add_pd(_mm256_loadu_pd(c + 12), _mm256_cvtps_pd(_mm256_extractf128_ps(hi8, 1))));
}

/* row off of the tile: c[off ..] += the two halves, c double, or float
   (isf; a constant where inlined) */
MOSSA__TARGET_AVX2
static void mossa__avx2_put_row(void *c, int isf, size_t off, __m256 lo8, __m256 hi8)
{
    if (isf) {
        float *cf = (float *)c + off;
        _mm256_storeu_ps(cf, _mm256_add_ps(_mm256_loadu_ps(cf), lo8));
        _mm256_storeu_ps(cf + 8, _mm256_add_ps(_mm256_loadu_ps(cf + 8), hi8));
    } else
        mossa__avx2_add_row((double *)c + off, lo8, hi8);
}

MOSSA__TARGET_AVX2
static void mossa__avx2_strip6(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    __m256 z = _mm256_setzero_ps();
    __m256 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
    size_t k;
    for (k = 0; k < kc; ++k) {
        const float *ak = a + 16 * k;
        __m256 b0 = _mm256_loadu_ps(b + 16 * k), b1 = _mm256_loadu_ps(b + 16 * k + 8), t;
        t = _mm256_broadcast_ss(ak + 0); c00 = _mm256_fmadd_ps(t, b0, c00); c01 = _mm256_fmadd_ps(t, b1, c01);
        t = _mm256_broadcast_ss(ak + 1); c10 = _mm256_fmadd_ps(t, b0, c10); c11 = _mm256_fmadd_ps(t, b1, c11);
        t = _mm256_broadcast_ss(ak + 2); c20 = _mm256_fmadd_ps(t, b0, c20); c21 = _mm256_fmadd_ps(t, b1, c21);
        t = _mm256_broadcast_ss(ak + 3); c30 = _mm256_fmadd_ps(t, b0, c30); c31 = _mm256_fmadd_ps(t, b1, c31);
        t = _mm256_broadcast_ss(ak + 4); c40 = _mm256_fmadd_ps(t, b0, c40); c41 = _mm256_fmadd_ps(t, b1, c41);
        t = _mm256_broadcast_ss(ak + 5); c50 = _mm256_fmadd_ps(t, b0, c50); c51 = _mm256_fmadd_ps(t, b1, c51);
    }
    mossa__avx2_put_row(c, isf, 0, c00, c01);
    mossa__avx2_put_row(c, isf, ldc, c10, c11);
    mossa__avx2_put_row(c, isf, 2 * ldc, c20, c21);
    mossa__avx2_put_row(c, isf, 3 * ldc, c30, c31);
    mossa__avx2_put_row(c, isf, 4 * ldc, c40, c41);
    mossa__avx2_put_row(c, isf, 5 * ldc, c50, c51);
}

MOSSA__TARGET_AVX2
static void mossa__avx2_strip4(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    __m256 z = _mm256_setzero_ps();
    __m256 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    size_t k;
    for (k = 0; k < kc; ++k) {
        const float *ak = a + 16 * k;
        __m256 b0 = _mm256_loadu_ps(b + 16 * k), b1 = _mm256_loadu_ps(b + 16 * k + 8), t;
        t = _mm256_broadcast_ss(ak + 0); c00 = _mm256_fmadd_ps(t, b0, c00); c01 = _mm256_fmadd_ps(t, b1, c01);
        t = _mm256_broadcast_ss(ak + 1); c10 = _mm256_fmadd_ps(t, b0, c10); c11 = _mm256_fmadd_ps(t, b1, c11);
        t = _mm256_broadcast_ss(ak + 2); c20 = _mm256_fmadd_ps(t, b0, c20); c21 = _mm256_fmadd_ps(t, b1, c21);
        t = _mm256_broadcast_ss(ak + 3); c30 = _mm256_fmadd_ps(t, b0, c30); c31 = _mm256_fmadd_ps(t, b1, c31);
    }
    mossa__avx2_put_row(c, isf, 0, c00, c01);
    mossa__avx2_put_row(c, isf, ldc, c10, c11);
    mossa__avx2_put_row(c, isf, 2 * ldc, c20, c21);
    mossa__avx2_put_row(c, isf, 3 * ldc, c30, c31);
}

MOSSA__TARGET_AVX2
static void mossa__gemm_tile16_avx2(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__avx2_strip6(a, b, kc, c, 0, ldc);
    mossa__avx2_strip6(a + 6, b, kc, c + 6 * ldc, 0, ldc);
    mossa__avx2_strip4(a + 12, b, kc, c + 12 * ldc, 0, ldc);
}

MOSSA__TARGET_AVX2
static void mossa__gemm_tile16f_avx2(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__avx2_strip6(a, b, kc, c, 1, ldc);
    mossa__avx2_strip6(a + 6, b, kc, c + 6 * ldc, 1, ldc);
    mossa__avx2_strip4(a + 12, b, kc, c + 12 * ldc, 1, ldc);
}

MOSSA__TARGET_AVX2
static void mossa__hsic_row_avx2(const float *k, const float *l, const double *a, const double *b,
                                 double ai, double bi, size_t n, size_t skip, double out[3])
{
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0;
    const __m256d vai = _mm256_set1_pd(ai), vbi = _mm256_set1_pd(bi);
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    size_t j = 0;
    double t0, t1, t2;
    for (; j + 4 <= n; j += 4) {
        __m256d kc = _mm256_sub_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(k + j)), vai), _mm256_loadu_pd(a + j));
        __m256d lc = _mm256_sub_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(l + j)), vbi), _mm256_loadu_pd(b + j));
        if (skip - j < 4) {
            __m256d keep = _mm256_castsi256_pd(_mm256_xor_si256(
                _mm256_cmpeq_epi64(lane, _mm256_set1_epi64x((long long)(skip - j))), _mm256_set1_epi64x(-1)));
            kc = _mm256_and_pd(kc, keep);
            lc = _mm256_and_pd(lc, keep);
        }
        s0 = _mm256_fmadd_pd(kc, lc, s0);
        s1 = _mm256_fmadd_pd(kc, kc, s1);
        s2 = _mm256_fmadd_pd(lc, lc, s2);
    }
    t0 = mossa__hsum_pd_avx2(s0); t1 = mossa__hsum_pd_avx2(s1); t2 = mossa__hsum_pd_avx2(s2);
    for (; j < n; ++j) {
        double kc = (double)k[j] - ai - a[j], lc = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        t0 += kc * lc; t1 += kc * kc; t2 += lc * lc;
    }
    out[0] = t0; out[1] = t1; out[2] = t2;
}

/* the sum of four 32-bit counts */
MOSSA__TARGET_AVX2
static uint32_t mossa__hsum_epi32_sse(__m128i v)
{
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(v);
}

MOSSA__TARGET_AVX2
static void mossa__rbf_dist_avx2(const double *g, size_t n, double dr, const double *dc, float *dst,
                                 mossa__keep *kp)
{
    const __m256d vdr = _mm256_set1_pd(dr), two = _mm256_set1_pd(2.0), zero = _mm256_setzero_pd();
    size_t j = 0;
    if (!kp) {
        for (; j + 4 <= n; j += 4) {
            __m256d v = _mm256_sub_pd(_mm256_add_pd(vdr, _mm256_loadu_pd(dc + j)), _mm256_mul_pd(two, _mm256_loadu_pd(g + j)));
            _mm_storeu_ps(dst + j, _mm256_cvtpd_ps(_mm256_max_pd(v, zero)));
        }
    } else {
        /* counted from the registers; the bit patterns are below 2^31
           (non-negative floats), so signed compares order them, and
           flipping the sign bit makes the unsigned test b - lo <= width
           a signed one */
        const __m128i lo = _mm_set1_epi32((int)kp->lo), sign = _mm_set1_epi32((int)0x80000000u);
        const __m128i width = _mm_xor_si128(_mm_set1_epi32((int)kp->width), sign);
        __m128i nb = _mm_setzero_si128(), ni = nb;
        size_t k = kp->k, cap = kp->cap;
        for (; j + 4 <= n; j += 4) {
            __m256d v = _mm256_sub_pd(_mm256_add_pd(vdr, _mm256_loadu_pd(dc + j)), _mm256_mul_pd(two, _mm256_loadu_pd(g + j)));
            __m128 f = _mm256_cvtpd_ps(_mm256_max_pd(v, zero));
            __m128i b = _mm_castps_si128(f);
            __m128i in = _mm_andnot_si128(_mm_cmpgt_epi32(_mm_xor_si128(_mm_sub_epi32(b, lo), sign), width),
                                          _mm_set1_epi32(-1));
            int m = _mm_movemask_ps(_mm_castsi128_ps(in));
            _mm_storeu_ps(dst + j, f);
            nb = _mm_sub_epi32(nb, _mm_cmpgt_epi32(lo, b));
            ni = _mm_sub_epi32(ni, in);
            if (m) {
                float t[4];
                int l;
                _mm_storeu_ps(t, f);
                for (l = 0; l < 4; ++l) {
                    kp->keep[k] = t[l];
                    k += (size_t)((m >> l) & 1) & (k < cap);
                }
            }
        }
        kp->below += mossa__hsum_epi32_sse(nb);
        kp->inside += mossa__hsum_epi32_sse(ni);
        kp->k = k;
    }
    mossa__rbf_dist_scalar(g + j, n - j, dr, dc + j, dst + j, kp);
}

MOSSA__TARGET_AVX2
static double mossa__rbf_exp_row_avx2(float *row, size_t n, float nc, double *cs)
{
    const __m256 vnc = _mm256_set1_ps(nc);
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    size_t j = 0;
    double t;
    for (; j + 8 <= n; j += 8) {
        __m256 e = mossa__expf8_avx2(_mm256_mul_ps(_mm256_loadu_ps(row + j), vnc));
        __m256d elo = _mm256_cvtps_pd(_mm256_castps256_ps128(e)), ehi = _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1));
        _mm256_storeu_ps(row + j, e);
        s0 = _mm256_add_pd(s0, elo);
        s1 = _mm256_add_pd(s1, ehi);
        _mm256_storeu_pd(cs + j, _mm256_add_pd(_mm256_loadu_pd(cs + j), elo));
        _mm256_storeu_pd(cs + j + 4, _mm256_add_pd(_mm256_loadu_pd(cs + j + 4), ehi));
    }
    t = mossa__hsum_pd_avx2(_mm256_add_pd(s0, s1));
    if (j < n) t += mossa__rbf_exp_row_with(row + j, n - j, nc, cs + j, mossa__expf_avx2);
    return t;
}

/* ---- svd ------------------------------------------------------------------- */
/* the row kernels' lane sum, in one fixed order */
MOSSA__TARGET_AVX2 static double mossa__rowop_lanes_avx2(__m256d s0, __m256d s1)
{
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    return (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
}

MOSSA__TARGET_AVX2
static double mossa__svd_rowop_avx2(size_t j, double *r, const double *x, const double *y, double a,
                                    double b, const double *u, double c, double *p)
{
    size_t k = 0;
    __m256d va = _mm256_set1_pd(a), vb = _mm256_set1_pd(b), vc = _mm256_set1_pd(c);
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    double s;
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
    s = mossa__rowop_lanes_avx2(s0, s1);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0;
}

/* Two rows as the one-row kernel does them one after the other, the
   operations of each row in the same order (so the same bits): the common
   8-wide steps share the loads of x, y, u and p, and p takes row j's term,
   then row j+1's. Row j's vector steps end where the pair's do; p[j] is
   finished before row j+1 reads it (its last step may reach k = j). */
MOSSA__TARGET_AVX2
static void mossa__svd_rowop2_avx2(size_t j, double *r0, double *r1, const double *x, const double *y,
                                   const double *u, double *p)
{
    size_t k = 0, t;
    const double a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m256d va0 = _mm256_set1_pd(a0), vb0 = _mm256_set1_pd(b0), vc0 = _mm256_set1_pd(c0);
    __m256d va1 = _mm256_set1_pd(a1), vb1 = _mm256_set1_pd(b1), vc1 = _mm256_set1_pd(c1);
    __m256d s00 = _mm256_setzero_pd(), s01 = s00, s10 = s00, s11 = s00;
    double s, m1, m2, last;
    /* the diagonals' updates and the last terms in statements of their
       own, as mossa__trd_row has them (no product fused into an add) */
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 8 <= j; k += 8) {
        __m256d x0 = _mm256_loadu_pd(x + k), x1 = _mm256_loadu_pd(x + k + 4);
        __m256d y0 = _mm256_loadu_pd(y + k), y1 = _mm256_loadu_pd(y + k + 4);
        __m256d u0 = _mm256_loadu_pd(u + k), u1 = _mm256_loadu_pd(u + k + 4);
        __m256d q0 = _mm256_loadu_pd(r0 + k), q1 = _mm256_loadu_pd(r0 + k + 4);
        __m256d w0 = _mm256_loadu_pd(r1 + k), w1 = _mm256_loadu_pd(r1 + k + 4);
        q0 = _mm256_fnmadd_pd(vb0, y0, _mm256_fnmadd_pd(va0, x0, q0));
        q1 = _mm256_fnmadd_pd(vb0, y1, _mm256_fnmadd_pd(va0, x1, q1));
        w0 = _mm256_fnmadd_pd(vb1, y0, _mm256_fnmadd_pd(va1, x0, w0));
        w1 = _mm256_fnmadd_pd(vb1, y1, _mm256_fnmadd_pd(va1, x1, w1));
        _mm256_storeu_pd(r0 + k, q0); _mm256_storeu_pd(r0 + k + 4, q1);
        _mm256_storeu_pd(r1 + k, w0); _mm256_storeu_pd(r1 + k + 4, w1);
        s00 = _mm256_fmadd_pd(q0, u0, s00); s01 = _mm256_fmadd_pd(q1, u1, s01);
        s10 = _mm256_fmadd_pd(w0, u0, s10); s11 = _mm256_fmadd_pd(w1, u1, s11);
        _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc1, w0, _mm256_fmadd_pd(vc0, q0, _mm256_loadu_pd(p + k))));
        _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc1, w1, _mm256_fmadd_pd(vc0, q1, _mm256_loadu_pd(p + k + 4))));
    }
    s = mossa__rowop_lanes_avx2(s00, s01);
    for (t = k; t < j; ++t) { r0[t] -= a0 * x[t] + b0 * y[t]; s += r0[t] * u[t]; p[t] += c0 * r0[t]; }
    last = r0[j] * c0;
    p[j] += s + last;
    for (; k + 8 <= j + 1; k += 8) {
        __m256d w0 = _mm256_loadu_pd(r1 + k), w1 = _mm256_loadu_pd(r1 + k + 4);
        w0 = _mm256_fnmadd_pd(vb1, _mm256_loadu_pd(y + k), _mm256_fnmadd_pd(va1, _mm256_loadu_pd(x + k), w0));
        w1 = _mm256_fnmadd_pd(vb1, _mm256_loadu_pd(y + k + 4), _mm256_fnmadd_pd(va1, _mm256_loadu_pd(x + k + 4), w1));
        _mm256_storeu_pd(r1 + k, w0); _mm256_storeu_pd(r1 + k + 4, w1);
        s10 = _mm256_fmadd_pd(w0, _mm256_loadu_pd(u + k), s10);
        s11 = _mm256_fmadd_pd(w1, _mm256_loadu_pd(u + k + 4), s11);
        _mm256_storeu_pd(p + k, _mm256_fmadd_pd(vc1, w0, _mm256_loadu_pd(p + k)));
        _mm256_storeu_pd(p + k + 4, _mm256_fmadd_pd(vc1, w1, _mm256_loadu_pd(p + k + 4)));
    }
    s = mossa__rowop_lanes_avx2(s10, s11);
    for (t = k; t < j + 1; ++t) { r1[t] -= a1 * x[t] + b1 * y[t]; s += r1[t] * u[t]; p[t] += c1 * r1[t]; }
    last = r1[j + 1] * c1;
    p[j + 1] += s + last;
}
/* the float twins (the rank's reduction, its matrix held in float): the
   same operations as the double kernels above, 16 floats a step, and the
   last part of a row masked (a scalar tail, each step waiting on the last
   through the row sum, would cost more than the row) */
MOSSA__TARGET_AVX2 static float mossa__rowop_lanesf_avx2(__m256 s0, __m256 s1)
{
    float l[8];
    _mm256_storeu_ps(l, _mm256_add_ps(s0, s1));
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

/* one row with the update and the product, from k to len: the steps of
   16, one of 8, then the masked rest; returns the row sum (s0, s1: the
   sums of the steps before k) */
MOSSA__TARGET_AVX2
static float mossa__rowf_run_avx2(size_t k, size_t len, float *r, const float *x, const float *y, __m256 va,
                                  __m256 vb, const float *u, __m256 vc, float *p, __m256 s0, __m256 s1)
{
    for (; k + 16 <= len; k += 16) {
        __m256 r0 = _mm256_loadu_ps(r + k), r1 = _mm256_loadu_ps(r + k + 8);
        r0 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k), r0));
        r1 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k + 8), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k + 8), r1));
        _mm256_storeu_ps(r + k, r0); _mm256_storeu_ps(r + k + 8, r1);
        s0 = _mm256_fmadd_ps(r0, _mm256_loadu_ps(u + k), s0);
        s1 = _mm256_fmadd_ps(r1, _mm256_loadu_ps(u + k + 8), s1);
        _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc, r0, _mm256_loadu_ps(p + k)));
        _mm256_storeu_ps(p + k + 8, _mm256_fmadd_ps(vc, r1, _mm256_loadu_ps(p + k + 8)));
    }
    if (k + 8 <= len) {
        __m256 r0 = _mm256_loadu_ps(r + k);
        r0 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k), r0));
        _mm256_storeu_ps(r + k, r0);
        s0 = _mm256_fmadd_ps(r0, _mm256_loadu_ps(u + k), s0);
        _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc, r0, _mm256_loadu_ps(p + k)));
        k += 8;
    }
    if (k < len) {
        __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(len - k)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 r0 = _mm256_maskload_ps(r + k, m);
        r0 = _mm256_fnmadd_ps(vb, _mm256_maskload_ps(y + k, m), _mm256_fnmadd_ps(va, _mm256_maskload_ps(x + k, m), r0));
        _mm256_maskstore_ps(r + k, m, r0);
        s1 = _mm256_fmadd_ps(r0, _mm256_maskload_ps(u + k, m), s1);
        _mm256_maskstore_ps(p + k, m, _mm256_fmadd_ps(vc, r0, _mm256_maskload_ps(p + k, m)));
    }
    return mossa__rowop_lanesf_avx2(s0, s1);
}

MOSSA__TARGET_AVX2
static float mossa__svd_rowopf_avx2(size_t j, float *r, const float *x, const float *y, float a, float b,
                                    const float *u, float c, float *p)
{
    size_t k = 0;
    __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), vc = _mm256_set1_ps(c);
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    float s;
    if (x && u) return mossa__rowf_run_avx2(0, j, r, x, y, va, vb, u, vc, p, s0, s1);
    if (x) {
        for (; k + 8 <= j; k += 8) {
            __m256 r0 = _mm256_loadu_ps(r + k);
            r0 = _mm256_fnmadd_ps(vb, _mm256_loadu_ps(y + k), _mm256_fnmadd_ps(va, _mm256_loadu_ps(x + k), r0));
            _mm256_storeu_ps(r + k, r0);
        }
    } else if (u) {
        for (; k + 16 <= j; k += 16) {
            __m256 r0 = _mm256_loadu_ps(r + k), r1 = _mm256_loadu_ps(r + k + 8);
            s0 = _mm256_fmadd_ps(r0, _mm256_loadu_ps(u + k), s0);
            s1 = _mm256_fmadd_ps(r1, _mm256_loadu_ps(u + k + 8), s1);
            _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc, r0, _mm256_loadu_ps(p + k)));
            _mm256_storeu_ps(p + k + 8, _mm256_fmadd_ps(vc, r1, _mm256_loadu_ps(p + k + 8)));
        }
    }
    s = mossa__rowop_lanesf_avx2(s0, s1);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0f;
}

/* Two rows as the one-row kernel does them one after the other (the same
   bits): the common steps of 16 share the loads of x, y, u and p; then
   row j's rest and p[j], then row j+1's rest (which may reach k = j). */
MOSSA__TARGET_AVX2W
static void mossa__svd_rowop2f_avx2(size_t j, float *r0, float *r1, const float *x, const float *y,
                                    const float *u, float *p, const float *next)
{
    size_t k = 0;
    /* the next pair's rows, a line each per step (none: prefetch the
       pair's own rows again, already in L1) */
    const float *n0 = next ? next : r0, *n1 = next ? next + (r1 - r0) : r1;
    const float a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m256 va0 = _mm256_set1_ps(a0), vb0 = _mm256_set1_ps(b0), vc0 = _mm256_set1_ps(c0);
    __m256 va1 = _mm256_set1_ps(a1), vb1 = _mm256_set1_ps(b1), vc1 = _mm256_set1_ps(c1);
    __m256 s00 = _mm256_setzero_ps(), s01 = s00, s10 = s00, s11 = s00;
    float s, m1, m2, last;
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 16 <= j; k += 16) {
        __m256 x0 = _mm256_loadu_ps(x + k), x1 = _mm256_loadu_ps(x + k + 8);
        _mm_prefetch((const char *)(n0 + k), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n1 + k), _MM_HINT_ET0);
        __m256 y0 = _mm256_loadu_ps(y + k), y1 = _mm256_loadu_ps(y + k + 8);
        __m256 u0 = _mm256_loadu_ps(u + k), u1 = _mm256_loadu_ps(u + k + 8);
        __m256 q0 = _mm256_loadu_ps(r0 + k), q1 = _mm256_loadu_ps(r0 + k + 8);
        __m256 w0 = _mm256_loadu_ps(r1 + k), w1 = _mm256_loadu_ps(r1 + k + 8);
        q0 = _mm256_fnmadd_ps(vb0, y0, _mm256_fnmadd_ps(va0, x0, q0));
        q1 = _mm256_fnmadd_ps(vb0, y1, _mm256_fnmadd_ps(va0, x1, q1));
        w0 = _mm256_fnmadd_ps(vb1, y0, _mm256_fnmadd_ps(va1, x0, w0));
        w1 = _mm256_fnmadd_ps(vb1, y1, _mm256_fnmadd_ps(va1, x1, w1));
        _mm256_storeu_ps(r0 + k, q0); _mm256_storeu_ps(r0 + k + 8, q1);
        _mm256_storeu_ps(r1 + k, w0); _mm256_storeu_ps(r1 + k + 8, w1);
        s00 = _mm256_fmadd_ps(q0, u0, s00); s01 = _mm256_fmadd_ps(q1, u1, s01);
        s10 = _mm256_fmadd_ps(w0, u0, s10); s11 = _mm256_fmadd_ps(w1, u1, s11);
        _mm256_storeu_ps(p + k, _mm256_fmadd_ps(vc1, w0, _mm256_fmadd_ps(vc0, q0, _mm256_loadu_ps(p + k))));
        _mm256_storeu_ps(p + k + 8, _mm256_fmadd_ps(vc1, w1, _mm256_fmadd_ps(vc0, q1, _mm256_loadu_ps(p + k + 8))));
    }
    s = mossa__rowf_run_avx2(k, j, r0, x, y, va0, vb0, u, vc0, p, s00, s01);
    last = r0[j] * c0;
    p[j] += s + last;
    s = mossa__rowf_run_avx2(k, j + 1, r1, x, y, va1, vb1, u, vc1, p, s10, s11);
    last = r1[j + 1] * c1;
    p[j + 1] += s + last;
}
/* the rank's column statistics: groups of four columns, their sums held
   in registers across the rows; the last columns as the scalar level
   does them */
MOSSA__TARGET_AVX2
static void mossa__svd_colstat_avx2(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                    size_t d)
{
    size_t j = 0, r;
    for (; j + 4 <= d; j += 4) {
        const __m256d h = _mm256_loadu_pd(sh + j);
        __m256d vs = _mm256_loadu_pd(s + j), vq = _mm256_loadu_pd(q + j);
        for (r = 0; r < rows; ++r) {
            __m256d c = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + ldx * r + j)), h);
            vs = _mm256_add_pd(vs, c);
            vq = _mm256_add_pd(vq, _mm256_mul_pd(c, c));
        }
        _mm256_storeu_pd(s + j, vs);
        _mm256_storeu_pd(q + j, vq);
    }
    if (j < d) mossa__svd_colstat_scalar(x + j, ldx, rows, sh + j, s + j, q + j, d - j);
}

/* the shifted packing, 16 floats a run as four vectors of four doubles */
MOSSA__TARGET_AVX2
static void mossa__pack_shift16_avx2(const float *x, const double *sh, double scale, float *out, size_t runs,
                                     size_t ostride)
{
    const __m256d sc = _mm256_set1_pd(scale), zero = _mm256_setzero_pd();
    size_t r;
    int g;
    for (r = 0; r < runs; ++r)
        for (g = 0; g < 4; ++g) {
            __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + 16 * r + 4 * g));
            v = _mm256_mul_pd(_mm256_sub_pd(v, sh ? _mm256_loadu_pd(sh + 16 * r + 4 * g) : zero), sc);
            _mm_storeu_ps(out + r * ostride + 4 * g, _mm256_cvtpd_ps(v));
        }
}

/* the float reduction driver's serial steps: the eight double lanes as
   two vectors of four (lanes 0-3, 4-7), whole steps of eight, the rest by
   the scalar level's code (mossa__scalef_from and its kin) */
MOSSA__TARGET_AVX2 static void mossa__lanes8_store_avx2(__m256d a, __m256d b, double l[8])
{
    _mm256_storeu_pd(l, a);
    _mm256_storeu_pd(l + 4, b);
}

MOSSA__TARGET_AVX2
static float mossa__svd_absmaxf_avx2(const float *x, size_t n)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    float l[8], r = 0.0f;
    size_t k = 0;
    int t;
    for (; k + 8 <= n; k += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + k)));
    _mm256_storeu_ps(l, m);
    for (t = 0; t < 8; ++t) r = MOSSA__MAX(r, l[t]);
    return MOSSA__MAX(r, mossa__svd_absmaxf_scalar(x + k, n - k));
}

MOSSA__TARGET_AVX2
static double mossa__svd_scalef_avx2(const float *r, double inv, float *u, size_t n)
{
    const __m256d vi = _mm256_set1_pd(inv);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0;
    double l[8];
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m128 f0 = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(r + k)), vi));
        __m128 f1 = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(r + k + 4)), vi));
        __m256d v0 = _mm256_cvtps_pd(f0), v1 = _mm256_cvtps_pd(f1);
        _mm_storeu_ps(u + k, f0);
        _mm_storeu_ps(u + k + 4, f1);
        a0 = _mm256_add_pd(a0, _mm256_mul_pd(v0, v0));
        a1 = _mm256_add_pd(a1, _mm256_mul_pd(v1, v1));
    }
    mossa__lanes8_store_avx2(a0, a1, l);
    return mossa__scalef_from(r, inv, u, k, n, l);
}

MOSSA__TARGET_AVX2
static double mossa__svd_sumcols_avx2(const float *parts, size_t ld, size_t nb, size_t ncols, double h,
                                      const float *u, double *q)
{
    const __m256d vh = _mm256_set1_pd(h);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0;
    double l[8];
    size_t k = 0, t;
    for (; k + 8 <= ncols; k += 8) {
        __m256d s0 = _mm256_setzero_pd(), s1 = s0;
        for (t = 0; t < nb; ++t) {
            s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_loadu_ps(parts + t * ld + k)));
            s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_loadu_ps(parts + t * ld + k + 4)));
        }
        s0 = _mm256_div_pd(s0, vh);
        s1 = _mm256_div_pd(s1, vh);
        _mm256_storeu_pd(q + k, s0);
        _mm256_storeu_pd(q + k + 4, s1);
        a0 = _mm256_add_pd(a0, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(u + k)), s0));
        a1 = _mm256_add_pd(a1, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(u + k + 4)), s1));
    }
    mossa__lanes8_store_avx2(a0, a1, l);
    return mossa__sumcols_from(parts, ld, nb, k, ncols, h, u, q, l);
}

MOSSA__TARGET_AVX2
static void mossa__svd_qupdatef_avx2(const double *q, double kk, const float *u, float *pq, size_t n)
{
    const __m256d vk = _mm256_set1_pd(kk);
    size_t k = 0;
    for (; k + 4 <= n; k += 4)
        _mm_storeu_ps(pq + k, _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_loadu_pd(q + k),
                                                            _mm256_mul_pd(vk, _mm256_cvtps_pd(_mm_loadu_ps(u + k))))));
    mossa__qupdatef_from(q, kk, u, pq, k, n);
}

/* sixteen lanes in four vectors of four (all-ones compare masks, -1 as
   integers, subtracted to count) */
MOSSA__TARGET_AVX2
static void mossa__svd_sturm16_avx2(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                    size_t *c)
{
    const __m256d pm = _mm256_set1_pd(pivmin), npm = _mm256_set1_pd(-pivmin), zero = _mm256_setzero_pd();
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d sv[4], q[4];
    __m256i k[4];
    size_t i;
    int g;
    for (g = 0; g < 4; ++g) {
        __m256d lt;
        sv[g] = _mm256_loadu_pd(s + 4 * g);
        q[g] = _mm256_sub_pd(_mm256_set1_pd(d[0]), sv[g]);
        q[g] = _mm256_blendv_pd(q[g], npm, _mm256_cmp_pd(_mm256_andnot_pd(sign, q[g]), pm, _CMP_LT_OQ));
        lt = _mm256_cmp_pd(q[g], zero, _CMP_LT_OQ);
        k[g] = _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_castpd_si256(lt));
    }
    for (i = 1; i < n; ++i) {
        const __m256d di = _mm256_set1_pd(d[i]), ei = _mm256_set1_pd(e2[i]);
        for (g = 0; g < 4; ++g) {
            q[g] = _mm256_sub_pd(_mm256_sub_pd(di, sv[g]), _mm256_div_pd(ei, q[g]));
            q[g] = _mm256_blendv_pd(q[g], npm, _mm256_cmp_pd(_mm256_andnot_pd(sign, q[g]), pm, _CMP_LT_OQ));
            k[g] = _mm256_sub_epi64(k[g], _mm256_castpd_si256(_mm256_cmp_pd(q[g], zero, _CMP_LT_OQ)));
        }
    }
    for (g = 0; g < 4; ++g) {
        uint64_t t[4];
        int l;
        _mm256_storeu_si256((__m256i *)(void *)t, k[g]);
        for (l = 0; l < 4; ++l) c[4 * g + l] = (size_t)t[l];
    }
}

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
/* One 32-byte step finds a word's end without a branch per letter (the end
   of a word is the unpredictable branch of a byte loop); the lowercased
   run is stored with zeros after it. Runs of 32+ letters go scalar. */
MOSSA__TARGET_AVX2 static size_t mossa__text_letters_avx2(const unsigned char *p, size_t n,
                                                          unsigned char *dst, size_t room)
{
    if (n >= 32 && room >= 32) {
        const __m256i iota = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                              17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
        __m256i l = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)p), _mm256_set1_epi8(0x20));
        __m256i m = _mm256_and_si256(_mm256_cmpgt_epi8(l, _mm256_set1_epi8('a' - 1)),
                                     _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), l));
        unsigned mask = (unsigned)_mm256_movemask_epi8(m);
        if (mask != 0xFFFFFFFFu) {
            unsigned r = (unsigned)__builtin_ctz(~mask);
            __m256i keep = _mm256_cmpgt_epi8(_mm256_set1_epi8((char)r), iota);
            _mm256_storeu_si256((__m256i *)(void *)dst, _mm256_and_si256(l, keep));
            return r;
        }
    }
    return mossa__text_letters_scalar(p, n, dst, room);
}

/* (c | 0x20) - 'a' <= 25 unsigned, as min(x, 25) == x; two movemasks. */
MOSSA__TARGET_AVX2 static uint64_t mossa__text_letter_mask_avx2(const unsigned char *p)
{
    const __m256i a = _mm256_set1_epi8('a'), z = _mm256_set1_epi8(25), b = _mm256_set1_epi8(0x20);
    __m256i x0 = _mm256_sub_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)p), b), a);
    __m256i x1 = _mm256_sub_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), b), a);
    uint32_t m0 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(x0, z), x0));
    uint32_t m1 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(x1, z), x1));
    return (uint64_t)m0 | ((uint64_t)m1 << 32);
}

/* 16 full rows: two 8 x 8 blocks (rows 0-7 and 8-15) per 8 columns,
   transposed in registers; the last kc % 8 columns and partial panels go
   through the scalar copy */
MOSSA__TARGET_AVX2
static void mossa__pack_t16_avx2(const float *src, size_t lds, size_t nr, size_t kc, float *dst)
{
    size_t k0 = 0;
    int h, i;
    if (nr == 16)
        for (; k0 + 8 <= kc; k0 += 8)
            for (h = 0; h < 2; ++h) {
                __m256 r[8], t[8];
                for (i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + (size_t)(8 * h + i) * lds + k0);
                for (i = 0; i < 8; i += 2) {
                    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
                    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
                }
                for (i = 0; i < 8; i += 4) {
                    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
                    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
                    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
                }
                for (i = 0; i < 4; ++i) {
                    t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
                    t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
                }
                for (i = 0; i < 8; ++i) _mm256_storeu_ps(dst + (k0 + (size_t)i) * 16 + 8 * h, t[i]);
            }
    if (k0 < kc) mossa__pack_t16_scalar(src + k0, lds, nr, kc - k0, dst + k0 * 16);
}

/* groups of 16 columns (one cache line of a row), each widened to four
   double accumulators; every column is its own sum in row order, as in
   scalar, which also takes the last cols % 16 */
MOSSA__TARGET_AVX2
static float mossa__colsum_avx2(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 m = _mm256_setzero_ps();
    float mm[8], r;
    size_t c = 0, i;
    int l;
    for (; c + 16 <= cols; c += 16) {
        __m256d a0 = _mm256_loadu_pd(s + c), a1 = _mm256_loadu_pd(s + c + 4), a2 = _mm256_loadu_pd(s + c + 8),
                a3 = _mm256_loadu_pd(s + c + 12);
        for (i = 0; i < n; ++i) {
            const float *row = x + i * ldx + c;
            __m256 f0 = _mm256_loadu_ps(row), f1 = _mm256_loadu_ps(row + 8);
            a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm256_castps256_ps128(f0)));
            a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm256_extractf128_ps(f0, 1)));
            a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm256_castps256_ps128(f1)));
            a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm256_extractf128_ps(f1, 1)));
            /* max(|f|, m) keeps m where |f| is NaN */
            m = _mm256_max_ps(_mm256_and_ps(f0, absmask), m);
            m = _mm256_max_ps(_mm256_and_ps(f1, absmask), m);
        }
        _mm256_storeu_pd(s + c, a0); _mm256_storeu_pd(s + c + 4, a1);
        _mm256_storeu_pd(s + c + 8, a2); _mm256_storeu_pd(s + c + 12, a3);
    }
    r = c < cols ? mossa__colsum_scalar(x + c, n, ldx, cols - c, s + c) : 0.0f;
    _mm256_storeu_ps(mm, m);
    for (l = 0; l < 8; ++l) r = mm[l] > r ? mm[l] : r;
    return r;
}

static void mossa__fill_avx2(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_avx2;
    t->axpy = mossa__axpy_avx2;
    t->colsum = mossa__colsum_avx2;
    t->sqdist = mossa__sqdist_avx2;
    t->expf_array = mossa__expf_avx2;
    t->logf_array = mossa__logf_avx2;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_avx2;
    t->gemm_tile16f = mossa__gemm_tile16f_avx2;
    t->pack_t16 = mossa__pack_t16_avx2;
    t->pack_shift16 = mossa__pack_shift16_avx2;
    t->hsic_row = mossa__hsic_row_avx2;
    t->rbf_dist = mossa__rbf_dist_avx2;
    t->rbf_exp_row = mossa__rbf_exp_row_avx2;
    /* svd */
    t->svd_rowop = mossa__svd_rowop_avx2;
    t->svd_rowop2 = mossa__svd_rowop2_avx2;
    t->svd_rowopf = mossa__svd_rowopf_avx2;
    t->svd_rowop2f = mossa__svd_rowop2f_avx2;
    t->svd_sturm16 = mossa__svd_sturm16_avx2;
    t->svd_colstat = mossa__svd_colstat_avx2;
    t->svd_absmaxf = mossa__svd_absmaxf_avx2;
    t->svd_scalef = mossa__svd_scalef_avx2;
    t->svd_sumcols = mossa__svd_sumcols_avx2;
    t->svd_qupdatef = mossa__svd_qupdatef_avx2;
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx2;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx2;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx2;
    /* text */
    t->text_letters = mossa__text_letters_avx2;
    t->text_letter_mask = mossa__text_letter_mask_avx2;
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

/* Several intrinsics are used in their zero-masked form with a full mask
   (MOSSA__ALL16, 0xff) on purpose: g++ 12 flags the unmasked versions'
   internal "undefined" pass-through register as maybe uninitialised, an
   error in -Werror C++ builds of the header. The code generated is the same. */
#define MOSSA__ALL16 ((__mmask16)0xffff)
static MOSSA__TARGET_AVX512 __m256 mossa__half_avx512(__m512 v, int hi)
{
    return _mm256_castpd_ps(hi ? _mm512_maskz_extractf64x4_pd(0xff, _mm512_castps_pd(v), 1)
                               : _mm512_maskz_extractf64x4_pd(0xff, _mm512_castps_pd(v), 0));
}

static MOSSA__TARGET_AVX512 __m256 mossa__fold_avx512(__m512 v)
{
    return _mm256_add_ps(mossa__half_avx512(v, 0), mossa__half_avx512(v, 1));
}

static MOSSA__TARGET_AVX512 float mossa__hsum_avx512(__m512 v)
{
    __m256 h = mossa__fold_avx512(v);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
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
        tot0 = _mm512_add_pd(tot0, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(s0, 0)));
        tot1 = _mm512_add_pd(tot1, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(s0, 1)));
    }
    tot0 = _mm512_add_pd(tot0, tot1);
    return mossa__hsum_pd_avx2(_mm256_add_pd(_mm512_maskz_extractf64x4_pd(0xff, tot0, 0),
                                             _mm512_maskz_extractf64x4_pd(0xff, tot0, 1)));
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
        out[j] = mossa__hsum_avx512(_mm512_add_ps(a0, a1));
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
    x = _mm512_maskz_max_ps(MOSSA__ALL16, _mm512_set1_ps(MOSSA__EXP_LO), x);
    x = _mm512_maskz_min_ps(MOSSA__ALL16, _mm512_set1_ps(MOSSA__EXP_HI), x);
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
    return _mm512_maskz_scalef_ps(MOSSA__ALL16, p, fn);
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
    __m512 e = _mm512_add_ps(_mm512_maskz_cvtepi32_ps(MOSSA__ALL16, _mm512_maskz_srai_epi32(MOSSA__ALL16, u, 23)), eadj);
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
/* c[off ..] += r: c double, or float (isf; a constant where inlined); the
   double path through memory (g++ 12 warns on the extract intrinsics'
   undefined operand) */
MOSSA__TARGET_AVX512
static void mossa__avx512_add_row(void *c, int isf, size_t off, __m512 r)
{
    float tmp[16];
    double *ci;
    if (isf) {
        float *cf = (float *)c + off;
        _mm512_storeu_ps(cf, _mm512_add_ps(_mm512_loadu_ps(cf), r));
        return;
    }
    ci = (double *)c + off;
    _mm512_storeu_ps(tmp, r);
    _mm512_storeu_pd(ci, _mm512_add_pd(_mm512_loadu_pd(ci), _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp))));
    _mm512_storeu_pd(ci + 8, _mm512_add_pd(_mm512_loadu_pd(ci + 8), _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(tmp + 8))));
}

/* 16 x 16 tile: one zmm per tile row, B loaded as a vector per k, A
   broadcast (embedded-broadcast FMAs); 16 accumulators cover the FMA
   latency of two pipes. */
MOSSA__TARGET_AVX512
static void mossa__gemm_tile16_g_avx512(const float *a, size_t lda, const float *b, size_t ldb, size_t kc, void *c,
                                        int isf, size_t ldc)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    __m512 c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
    size_t k;
    __m512 r[16];
    int i;
    for (k = 0; k < kc; ++k) {
        const float *ak = a + lda * k;
        __m512 bv = _mm512_loadu_ps(b + ldb * k);
        c0 = _mm512_fmadd_ps(_mm512_set1_ps(ak[0]), bv, c0);
        c1 = _mm512_fmadd_ps(_mm512_set1_ps(ak[1]), bv, c1);
        c2 = _mm512_fmadd_ps(_mm512_set1_ps(ak[2]), bv, c2);
        c3 = _mm512_fmadd_ps(_mm512_set1_ps(ak[3]), bv, c3);
        c4 = _mm512_fmadd_ps(_mm512_set1_ps(ak[4]), bv, c4);
        c5 = _mm512_fmadd_ps(_mm512_set1_ps(ak[5]), bv, c5);
        c6 = _mm512_fmadd_ps(_mm512_set1_ps(ak[6]), bv, c6);
        c7 = _mm512_fmadd_ps(_mm512_set1_ps(ak[7]), bv, c7);
        c8 = _mm512_fmadd_ps(_mm512_set1_ps(ak[8]), bv, c8);
        c9 = _mm512_fmadd_ps(_mm512_set1_ps(ak[9]), bv, c9);
        c10 = _mm512_fmadd_ps(_mm512_set1_ps(ak[10]), bv, c10);
        c11 = _mm512_fmadd_ps(_mm512_set1_ps(ak[11]), bv, c11);
        c12 = _mm512_fmadd_ps(_mm512_set1_ps(ak[12]), bv, c12);
        c13 = _mm512_fmadd_ps(_mm512_set1_ps(ak[13]), bv, c13);
        c14 = _mm512_fmadd_ps(_mm512_set1_ps(ak[14]), bv, c14);
        c15 = _mm512_fmadd_ps(_mm512_set1_ps(ak[15]), bv, c15);
    }
    r[0] = c0; r[1] = c1; r[2] = c2; r[3] = c3; r[4] = c4; r[5] = c5; r[6] = c6; r[7] = c7;
    r[8] = c8; r[9] = c9; r[10] = c10; r[11] = c11; r[12] = c12; r[13] = c13; r[14] = c14; r[15] = c15;
    for (i = 0; i < 16; ++i) mossa__avx512_add_row(c, isf, (size_t)i * ldc, r[i]);
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16_avx512(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16_g_avx512(a, 16, b, 16, kc, c, 0, ldc);
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16f_avx512(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16_g_avx512(a, 16, b, 16, kc, c, 1, ldc);
}

/* Rows r0 .. r0+R-1 of a 16 x 32 tile: two B vectors per k, one broadcast
   per row, 2R accumulators (R = 12: 24 accumulators, 14 loads per 24 FMAs
   instead of 17 per 16 for the 16 x 16 tile). */
#define MOSSA__AVX512_ROW(I)                                          \
    t = _mm512_set1_ps(ak[I]);                                          \
    c##I##0 = _mm512_fmadd_ps(t, b0, c##I##0);                          \
    c##I##1 = _mm512_fmadd_ps(t, b1, c##I##1);
#define MOSSA__AVX512_STORE(I)                                        \
    mossa__avx512_add_row(c, isf, (size_t)(I) * ldc, c##I##0);          \
    mossa__avx512_add_row(c, isf, (size_t)(I) * ldc + 16, c##I##1);


MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x32_g_avx512(const float *a, size_t lda, const float *b, const float *b2, size_t ldb,
                                           size_t kc, void *c, int isf, size_t ldc)
{
    const float *bb = b2;
    size_t k;
    {
        __m512 z = _mm512_setzero_ps();
        __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        __m512 c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z, c90 = z, c91 = z;
        __m512 c100 = z, c101 = z, c110 = z, c111 = z;
        for (k = 0; k < kc; ++k) {
            const float *ak = a + lda * k;
            __m512 b0 = _mm512_loadu_ps(b + ldb * k), b1 = _mm512_loadu_ps(bb + ldb * k), t;
            MOSSA__AVX512_ROW(0) MOSSA__AVX512_ROW(1) MOSSA__AVX512_ROW(2) MOSSA__AVX512_ROW(3)
            MOSSA__AVX512_ROW(4) MOSSA__AVX512_ROW(5) MOSSA__AVX512_ROW(6) MOSSA__AVX512_ROW(7)
            MOSSA__AVX512_ROW(8) MOSSA__AVX512_ROW(9) MOSSA__AVX512_ROW(10) MOSSA__AVX512_ROW(11)
        }
        MOSSA__AVX512_STORE(0) MOSSA__AVX512_STORE(1) MOSSA__AVX512_STORE(2) MOSSA__AVX512_STORE(3)
        MOSSA__AVX512_STORE(4) MOSSA__AVX512_STORE(5) MOSSA__AVX512_STORE(6) MOSSA__AVX512_STORE(7)
        MOSSA__AVX512_STORE(8) MOSSA__AVX512_STORE(9) MOSSA__AVX512_STORE(10) MOSSA__AVX512_STORE(11)
    }
    {
        __m512 z = _mm512_setzero_ps();
        __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        a += 12;
        c = isf ? (void *)((float *)c + 12 * ldc) : (void *)((double *)c + 12 * ldc);
        for (k = 0; k < kc; ++k) {
            const float *ak = a + lda * k;
            __m512 b0 = _mm512_loadu_ps(b + ldb * k), b1 = _mm512_loadu_ps(bb + ldb * k), t;
            MOSSA__AVX512_ROW(0) MOSSA__AVX512_ROW(1) MOSSA__AVX512_ROW(2) MOSSA__AVX512_ROW(3)
        }
        MOSSA__AVX512_STORE(0) MOSSA__AVX512_STORE(1) MOSSA__AVX512_STORE(2) MOSSA__AVX512_STORE(3)
    }
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x32_avx512(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16x32_g_avx512(a, 16, b, b + 16 * kc, 16, kc, c, 0, ldc);
}

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x32f_avx512(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16x32_g_avx512(a, 16, b, b + 16 * kc, 16, kc, c, 1, ldc);
}
/* A 16 x 48 tile into a float C (three adjacent B micro-panels): rows in
   two halves of 8, each 24 accumulators with 11 loads per 24 FMAs. The
   16 x 32 tile's last 4 rows have only 8 accumulators, just the FMA
   latency of two pipes, and stall on any late load: alone, over a block's
   panels, 16 x 48 ran at 203-207 GFLOP/s where 16 x 32 ran at 195-197.
   Each entry is the same float sum, in the same order, as there. */
#define MOSSA__AVX512_ROW3(I)                                         \
    t = _mm512_set1_ps(ak[I]);                                          \
    c##I##0 = _mm512_fmadd_ps(t, b0, c##I##0);                          \
    c##I##1 = _mm512_fmadd_ps(t, b1, c##I##1);                          \
    c##I##2 = _mm512_fmadd_ps(t, b2, c##I##2);
#define MOSSA__AVX512_STORE3(I)                                       \
    mossa__avx512_add_row(c, 1, (size_t)(I) * ldc, c##I##0);            \
    mossa__avx512_add_row(c, 1, (size_t)(I) * ldc + 16, c##I##1);       \
    mossa__avx512_add_row(c, 1, (size_t)(I) * ldc + 32, c##I##2);

MOSSA__TARGET_AVX512
static void mossa__gemm_tile16x48f_avx512(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    const float *bb = b + 16 * kc, *bc = b + 32 * kc;
    size_t k;
    int h;
    for (h = 0; h < 2; ++h) {
        __m512 z = _mm512_setzero_ps();
        __m512 c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z, c20 = z, c21 = z, c22 = z;
        __m512 c30 = z, c31 = z, c32 = z, c40 = z, c41 = z, c42 = z, c50 = z, c51 = z, c52 = z;
        __m512 c60 = z, c61 = z, c62 = z, c70 = z, c71 = z, c72 = z;
        for (k = 0; k < kc; ++k) {
            const float *ak = a + 16 * k;
            __m512 b0 = _mm512_loadu_ps(b + 16 * k), b1 = _mm512_loadu_ps(bb + 16 * k), b2 = _mm512_loadu_ps(bc + 16 * k), t;
            MOSSA__AVX512_ROW3(0) MOSSA__AVX512_ROW3(1) MOSSA__AVX512_ROW3(2) MOSSA__AVX512_ROW3(3)
            MOSSA__AVX512_ROW3(4) MOSSA__AVX512_ROW3(5) MOSSA__AVX512_ROW3(6) MOSSA__AVX512_ROW3(7)
        }
        MOSSA__AVX512_STORE3(0) MOSSA__AVX512_STORE3(1) MOSSA__AVX512_STORE3(2) MOSSA__AVX512_STORE3(3)
        MOSSA__AVX512_STORE3(4) MOSSA__AVX512_STORE3(5) MOSSA__AVX512_STORE3(6) MOSSA__AVX512_STORE3(7)
        a += 8;
        c += 8 * ldc;
    }
}
#undef MOSSA__AVX512_ROW3
#undef MOSSA__AVX512_STORE3
#undef MOSSA__AVX512_ROW
#undef MOSSA__AVX512_STORE

/* the shifted packing, 16 floats a run as two halves of eight doubles */
MOSSA__TARGET_AVX512
static void mossa__pack_shift16_avx512(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride)
{
    const __m512d sc = _mm512_set1_pd(scale), zero = _mm512_setzero_pd();
    size_t r;
    for (r = 0; r < runs; ++r) {
        const float *xr = x + 16 * r;
        __m512d lo = _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(xr));
        __m512d hi = _mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(xr + 8));
        lo = _mm512_mul_pd(_mm512_sub_pd(lo, sh ? _mm512_loadu_pd(sh + 16 * r) : zero), sc);
        hi = _mm512_mul_pd(_mm512_sub_pd(hi, sh ? _mm512_loadu_pd(sh + 16 * r + 8) : zero), sc);
        _mm256_storeu_ps(out + r * ostride, _mm512_maskz_cvtpd_ps((__mmask8)0xff, lo));
        _mm256_storeu_ps(out + r * ostride + 8, _mm512_maskz_cvtpd_ps((__mmask8)0xff, hi));
    }
}

MOSSA__TARGET_AVX512
static void mossa__hsic_row_avx512(const float *k, const float *l, const double *a, const double *b,
                                   double ai, double bi, size_t n, size_t skip, double out[3])
{
    __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0;
    __m512d vai = _mm512_set1_pd(ai), vbi = _mm512_set1_pd(bi);
    size_t j = 0;
    double t0, t1, t2, v[3][8];
    int q;
    for (; j + 8 <= n; j += 8) {
        __m512d kc = _mm512_sub_pd(_mm512_sub_pd(_mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(k + j)), vai), _mm512_loadu_pd(a + j));
        __m512d lc = _mm512_sub_pd(_mm512_sub_pd(_mm512_maskz_cvtps_pd((__mmask8)0xff, _mm256_loadu_ps(l + j)), vbi), _mm512_loadu_pd(b + j));
        if (skip - j < 8) {
            __mmask8 keep = (__mmask8)~(1u << (skip - j));
            kc = _mm512_maskz_mov_pd(keep, kc);
            lc = _mm512_maskz_mov_pd(keep, lc);
        }
        s0 = _mm512_fmadd_pd(kc, lc, s0);
        s1 = _mm512_fmadd_pd(kc, kc, s1);
        s2 = _mm512_fmadd_pd(lc, lc, s2);
    }
    _mm512_storeu_pd(v[0], s0); _mm512_storeu_pd(v[1], s1); _mm512_storeu_pd(v[2], s2);
    t0 = t1 = t2 = 0.0;
    for (q = 0; q < 8; ++q) { t0 += v[0][q]; t1 += v[1][q]; t2 += v[2][q]; }
    for (; j < n; ++j) {
        double kc = (double)k[j] - ai - a[j], lc = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        t0 += kc * lc; t1 += kc * kc; t2 += lc * lc;
    }
    out[0] = t0; out[1] = t1; out[2] = t2;
}

/* the sum of eight 32-bit counts */
MOSSA__TARGET_AVX512
static uint32_t mossa__hsum_epi32_avx512(__m256i v)
{
    return mossa__hsum_epi32_sse(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

/* the population count of an 8-bit mask */
static unsigned mossa__pop8(unsigned m)
{
    m = m - ((m >> 1) & 0x55u);
    m = (m & 0x33u) + ((m >> 2) & 0x33u);
    return (m + (m >> 4)) & 0x0fu;
}

/* (maskz forms throughout: GCC 12 in C++ mode warns that the plain forms'
   internal _mm512_undefined_* are used uninitialised) */
MOSSA__TARGET_AVX512
static void mossa__rbf_dist_avx512(const double *g, size_t n, double dr, const double *dc, float *dst,
                                   mossa__keep *kp)
{
    const __m512d vdr = _mm512_set1_pd(dr), two = _mm512_set1_pd(2.0), zero = _mm512_setzero_pd();
    size_t j = 0;
    if (!kp) {
        for (; j + 8 <= n; j += 8) {
            __m512d v = _mm512_sub_pd(_mm512_add_pd(vdr, _mm512_loadu_pd(dc + j)), _mm512_mul_pd(two, _mm512_loadu_pd(g + j)));
            _mm256_storeu_ps(dst + j, _mm512_maskz_cvtpd_ps((__mmask8)0xff, _mm512_maskz_max_pd((__mmask8)0xff, v, zero)));
        }
    } else {
        /* counted from the registers (reading back the fresh stores would
           stall on store forwarding); the few inside are compressed */
        const __m256i lo = _mm256_set1_epi32((int)kp->lo), width = _mm256_set1_epi32((int)kp->width),
                      one = _mm256_set1_epi32(1);
        __m256i nb = _mm256_setzero_si256(), ni = nb;
        size_t k = kp->k;
        for (; j + 8 <= n; j += 8) {
            __m512d v = _mm512_sub_pd(_mm512_add_pd(vdr, _mm512_loadu_pd(dc + j)), _mm512_mul_pd(two, _mm512_loadu_pd(g + j)));
            __m256 f = _mm512_maskz_cvtpd_ps((__mmask8)0xff, _mm512_maskz_max_pd((__mmask8)0xff, v, zero));
            __m256i b = _mm256_castps_si256(f);
            __mmask8 in = _mm256_cmple_epu32_mask(_mm256_sub_epi32(b, lo), width);
            _mm256_storeu_ps(dst + j, f);
            nb = _mm256_mask_add_epi32(nb, _mm256_cmplt_epu32_mask(b, lo), nb, one);
            if (in) {
                ni = _mm256_mask_add_epi32(ni, in, ni, one);
                if (k < kp->cap) {
                    _mm256_storeu_ps(kp->keep + k, _mm256_maskz_compress_ps(in, f));
                    k += mossa__pop8(in);
                }
            }
        }
        kp->below += mossa__hsum_epi32_avx512(nb);
        kp->inside += mossa__hsum_epi32_avx512(ni);
        kp->k = k;
    }
    mossa__rbf_dist_scalar(g + j, n - j, dr, dc + j, dst + j, kp);
}

MOSSA__TARGET_AVX512
static double mossa__rbf_exp_row_avx512(float *row, size_t n, float nc, double *cs)
{
    const __m512 vnc = _mm512_set1_ps(nc);
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    size_t j = 0;
    double v[8], t = 0.0;
    int q;
    while (j < n) {
        __mmask16 mk = n - j >= 16 ? MOSSA__ALL16 : mossa__tailmask_avx512(n - j);
        __mmask8 m0 = (__mmask8)(mk & 0xff), m1 = (__mmask8)(mk >> 8);
        __m512 e = mossa__expf16_avx512(_mm512_mul_ps(_mm512_maskz_loadu_ps(mk, row + j), vnc));
        __m512d lo, hi;
        _mm512_mask_storeu_ps(row + j, mk, e);
        lo = _mm512_maskz_cvtps_pd(m0, _mm512_maskz_extractf32x8_ps((__mmask8)0xff, e, 0));
        hi = _mm512_maskz_cvtps_pd(m1, _mm512_maskz_extractf32x8_ps((__mmask8)0xff, e, 1));
        s0 = _mm512_add_pd(s0, lo);
        s1 = _mm512_add_pd(s1, hi);
        _mm512_mask_storeu_pd(cs + j, m0, _mm512_add_pd(_mm512_maskz_loadu_pd(m0, cs + j), lo));
        if (m1) _mm512_mask_storeu_pd(cs + j + 8, m1, _mm512_add_pd(_mm512_maskz_loadu_pd(m1, cs + j + 8), hi));
        j += 16;
    }
    _mm512_storeu_pd(v, _mm512_add_pd(s0, s1));
    for (q = 0; q < 8; ++q) t += v[q];
    return t;
}

/* ---- svd ------------------------------------------------------------------- */
/* the row kernels' lane sum: stored and summed by hand (g++ 12 warns inside
   _mm512_reduce_add_pd) */
MOSSA__TARGET_AVX512 static double mossa__rowop_lanes_avx512(__m512d s0, __m512d s1)
{
    double lanes[8];
    _mm512_storeu_pd(lanes, _mm512_add_pd(s0, s1));
    return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
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
        double s = mossa__rowop_lanes_avx512(s0, s1);
        for (; k < j; ++k) {
            if (x) r[k] -= a * x[k] + b * y[k];
            if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
        }
        return u ? s : 0.0;
    }
}
/* Two rows as the one-row kernel does them one after the other, the
   operations of each row in the same order (so the same bits): the common
   16-wide steps share the loads of x, y, u and p, and p takes row j's
   term, then row j+1's. Row j's vector steps end where the pair's do;
   p[j] is finished before row j+1 reads it (its last step may reach k = j). */
MOSSA__TARGET_AVX512
static void mossa__svd_rowop2_avx512(size_t j, double *r0, double *r1, const double *x, const double *y,
                                     const double *u, double *p)
{
    size_t k = 0, t;
    const double a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m512d va0 = _mm512_set1_pd(a0), vb0 = _mm512_set1_pd(b0), vc0 = _mm512_set1_pd(c0);
    __m512d va1 = _mm512_set1_pd(a1), vb1 = _mm512_set1_pd(b1), vc1 = _mm512_set1_pd(c1);
    __m512d s00 = _mm512_setzero_pd(), s01 = s00, s10 = s00, s11 = s00;
    double s, m1, m2, last;
    /* the diagonals' updates and the last terms in statements of their
       own, as mossa__trd_row has them (no product fused into an add) */
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 16 <= j; k += 16) {
        __m512d x0 = _mm512_loadu_pd(x + k), x1 = _mm512_loadu_pd(x + k + 8);
        __m512d y0 = _mm512_loadu_pd(y + k), y1 = _mm512_loadu_pd(y + k + 8);
        __m512d u0 = _mm512_loadu_pd(u + k), u1 = _mm512_loadu_pd(u + k + 8);
        __m512d q0 = _mm512_loadu_pd(r0 + k), q1 = _mm512_loadu_pd(r0 + k + 8);
        __m512d w0 = _mm512_loadu_pd(r1 + k), w1 = _mm512_loadu_pd(r1 + k + 8);
        q0 = _mm512_fnmadd_pd(vb0, y0, _mm512_fnmadd_pd(va0, x0, q0));
        q1 = _mm512_fnmadd_pd(vb0, y1, _mm512_fnmadd_pd(va0, x1, q1));
        w0 = _mm512_fnmadd_pd(vb1, y0, _mm512_fnmadd_pd(va1, x0, w0));
        w1 = _mm512_fnmadd_pd(vb1, y1, _mm512_fnmadd_pd(va1, x1, w1));
        _mm512_storeu_pd(r0 + k, q0); _mm512_storeu_pd(r0 + k + 8, q1);
        _mm512_storeu_pd(r1 + k, w0); _mm512_storeu_pd(r1 + k + 8, w1);
        s00 = _mm512_fmadd_pd(q0, u0, s00); s01 = _mm512_fmadd_pd(q1, u1, s01);
        s10 = _mm512_fmadd_pd(w0, u0, s10); s11 = _mm512_fmadd_pd(w1, u1, s11);
        _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc1, w0, _mm512_fmadd_pd(vc0, q0, _mm512_loadu_pd(p + k))));
        _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc1, w1, _mm512_fmadd_pd(vc0, q1, _mm512_loadu_pd(p + k + 8))));
    }
    s = mossa__rowop_lanes_avx512(s00, s01);
    for (t = k; t < j; ++t) { r0[t] -= a0 * x[t] + b0 * y[t]; s += r0[t] * u[t]; p[t] += c0 * r0[t]; }
    last = r0[j] * c0;
    p[j] += s + last;
    for (; k + 16 <= j + 1; k += 16) {
        __m512d w0 = _mm512_loadu_pd(r1 + k), w1 = _mm512_loadu_pd(r1 + k + 8);
        w0 = _mm512_fnmadd_pd(vb1, _mm512_loadu_pd(y + k), _mm512_fnmadd_pd(va1, _mm512_loadu_pd(x + k), w0));
        w1 = _mm512_fnmadd_pd(vb1, _mm512_loadu_pd(y + k + 8), _mm512_fnmadd_pd(va1, _mm512_loadu_pd(x + k + 8), w1));
        _mm512_storeu_pd(r1 + k, w0); _mm512_storeu_pd(r1 + k + 8, w1);
        s10 = _mm512_fmadd_pd(w0, _mm512_loadu_pd(u + k), s10);
        s11 = _mm512_fmadd_pd(w1, _mm512_loadu_pd(u + k + 8), s11);
        _mm512_storeu_pd(p + k, _mm512_fmadd_pd(vc1, w0, _mm512_loadu_pd(p + k)));
        _mm512_storeu_pd(p + k + 8, _mm512_fmadd_pd(vc1, w1, _mm512_loadu_pd(p + k + 8)));
    }
    s = mossa__rowop_lanes_avx512(s10, s11);
    for (t = k; t < j + 1; ++t) { r1[t] -= a1 * x[t] + b1 * y[t]; s += r1[t] * u[t]; p[t] += c1 * r1[t]; }
    last = r1[j + 1] * c1;
    p[j + 1] += s + last;
}
/* the float twins (the rank's reduction, its matrix held in float): the
   same operations as the double kernels above, 32 floats a step, and the
   last part of a row masked (a scalar tail of up to 31 entries, each step
   waiting on the last through the row sum, would cost more than the row) */
MOSSA__TARGET_AVX512 static float mossa__rowop_lanesf_avx512(__m512 s0, __m512 s1)
{
    float l[16];
    _mm512_storeu_ps(l, _mm512_add_ps(s0, s1));
    return (((l[0] + l[8]) + (l[4] + l[12])) + ((l[2] + l[10]) + (l[6] + l[14]))) +
           (((l[1] + l[9]) + (l[5] + l[13])) + ((l[3] + l[11]) + (l[7] + l[15])));
}

/* one row with the update and the product, from k to len: steps of 32
   while more than 32 are left, then two masked steps of 16 (no branch on
   the length: rows of every length follow one another); returns the row
   sum (s0, s1: the sums of the steps before k) */
MOSSA__TARGET_AVX512
static float mossa__rowf_run_avx512(size_t k, size_t len, float *r, const float *x, const float *y, __m512 va,
                                    __m512 vb, const float *u, __m512 vc, float *p, __m512 s0, __m512 s1)
{
    size_t rem, h;
    __mmask16 m;
    int half;
    for (; k + 32 < len; k += 32) {
        __m512 r0 = _mm512_loadu_ps(r + k), r1 = _mm512_loadu_ps(r + k + 16);
        r0 = _mm512_fnmadd_ps(vb, _mm512_loadu_ps(y + k), _mm512_fnmadd_ps(va, _mm512_loadu_ps(x + k), r0));
        r1 = _mm512_fnmadd_ps(vb, _mm512_loadu_ps(y + k + 16), _mm512_fnmadd_ps(va, _mm512_loadu_ps(x + k + 16), r1));
        _mm512_storeu_ps(r + k, r0); _mm512_storeu_ps(r + k + 16, r1);
        s0 = _mm512_fmadd_ps(r0, _mm512_loadu_ps(u + k), s0);
        s1 = _mm512_fmadd_ps(r1, _mm512_loadu_ps(u + k + 16), s1);
        _mm512_storeu_ps(p + k, _mm512_fmadd_ps(vc, r0, _mm512_loadu_ps(p + k)));
        _mm512_storeu_ps(p + k + 16, _mm512_fmadd_ps(vc, r1, _mm512_loadu_ps(p + k + 16)));
    }
    rem = len > k ? len - k : 0;   /* at most 32 */
    for (half = 0; half < 2; ++half) {
        __m512 r0;
        h = rem > 16 * (size_t)half ? rem - 16 * (size_t)half : 0;
        m = (__mmask16)((1u << (h < 16 ? h : 16)) - 1u);
        r0 = _mm512_maskz_loadu_ps(m, r + k);
        r0 = _mm512_fnmadd_ps(vb, _mm512_maskz_loadu_ps(m, y + k), _mm512_fnmadd_ps(va, _mm512_maskz_loadu_ps(m, x + k), r0));
        _mm512_mask_storeu_ps(r + k, m, r0);
        if (half) s1 = _mm512_fmadd_ps(r0, _mm512_maskz_loadu_ps(m, u + k), s1);
        else s0 = _mm512_fmadd_ps(r0, _mm512_maskz_loadu_ps(m, u + k), s0);
        _mm512_mask_storeu_ps(p + k, m, _mm512_fmadd_ps(vc, r0, _mm512_maskz_loadu_ps(m, p + k)));
        k += 16;
    }
    return mossa__rowop_lanesf_avx512(s0, s1);
}

MOSSA__TARGET_AVX512
static float mossa__svd_rowopf_avx512(size_t j, float *r, const float *x, const float *y, float a, float b,
                                      const float *u, float c, float *p)
{
    size_t k = 0;
    __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b), vc = _mm512_set1_ps(c);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    float s;
    if (x && u) return mossa__rowf_run_avx512(0, j, r, x, y, va, vb, u, vc, p, s0, s1);
    if (x) {
        for (; k + 16 <= j; k += 16) {
            __m512 r0 = _mm512_loadu_ps(r + k);
            r0 = _mm512_fnmadd_ps(vb, _mm512_loadu_ps(y + k), _mm512_fnmadd_ps(va, _mm512_loadu_ps(x + k), r0));
            _mm512_storeu_ps(r + k, r0);
        }
    } else if (u) {
        for (; k + 32 <= j; k += 32) {
            __m512 r0 = _mm512_loadu_ps(r + k), r1 = _mm512_loadu_ps(r + k + 16);
            s0 = _mm512_fmadd_ps(r0, _mm512_loadu_ps(u + k), s0);
            s1 = _mm512_fmadd_ps(r1, _mm512_loadu_ps(u + k + 16), s1);
            _mm512_storeu_ps(p + k, _mm512_fmadd_ps(vc, r0, _mm512_loadu_ps(p + k)));
            _mm512_storeu_ps(p + k + 16, _mm512_fmadd_ps(vc, r1, _mm512_loadu_ps(p + k + 16)));
        }
    }
    s = mossa__rowop_lanesf_avx512(s0, s1);
    for (; k < j; ++k) {
        if (x) r[k] -= a * x[k] + b * y[k];
        if (u) { s += r[k] * u[k]; p[k] += c * r[k]; }
    }
    return u ? s : 0.0f;
}

/* Two rows as the one-row kernel does them one after the other (the same
   bits): the common steps of 32 share the loads of x, y, u and p; then
   row j's rest and p[j], then row j+1's rest (which may reach k = j). */
MOSSA__TARGET_AVX512W
static void mossa__svd_rowop2f_avx512(size_t j, float *r0, float *r1, const float *x, const float *y,
                                      const float *u, float *p, const float *next)
{
    size_t k = 0;
    /* the next pair's rows, two lines each per step (none: prefetch the
       pair's own rows again, already in L1); order 1024, two threads:
       about 0.5 ms of 16.5 */
    const float *n0 = next ? next : r0, *n1 = next ? next + (r1 - r0) : r1;
    const float a0 = y[j], b0 = x[j], c0 = u[j], a1 = y[j + 1], b1 = x[j + 1], c1 = u[j + 1];
    __m512 va0 = _mm512_set1_ps(a0), vb0 = _mm512_set1_ps(b0), vc0 = _mm512_set1_ps(c0);
    __m512 va1 = _mm512_set1_ps(a1), vb1 = _mm512_set1_ps(b1), vc1 = _mm512_set1_ps(c1);
    __m512 s00 = _mm512_setzero_ps(), s01 = s00, s10 = s00, s11 = s00;
    float m1, m2;
    m1 = y[j] * x[j]; m2 = x[j] * y[j]; r0[j] -= m1 + m2;
    m1 = y[j + 1] * x[j + 1]; m2 = x[j + 1] * y[j + 1]; r1[j + 1] -= m1 + m2;
    for (; k + 32 < j; k += 32) {
        __m512 x0 = _mm512_loadu_ps(x + k), x1 = _mm512_loadu_ps(x + k + 16);
        __m512 y0 = _mm512_loadu_ps(y + k), y1 = _mm512_loadu_ps(y + k + 16);
        __m512 u0 = _mm512_loadu_ps(u + k), u1 = _mm512_loadu_ps(u + k + 16);
        __m512 q0 = _mm512_loadu_ps(r0 + k), q1 = _mm512_loadu_ps(r0 + k + 16);
        _mm_prefetch((const char *)(n0 + k), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n0 + k + 16), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n1 + k), _MM_HINT_ET0);
        _mm_prefetch((const char *)(n1 + k + 16), _MM_HINT_ET0);
        __m512 w0 = _mm512_loadu_ps(r1 + k), w1 = _mm512_loadu_ps(r1 + k + 16);
        q0 = _mm512_fnmadd_ps(vb0, y0, _mm512_fnmadd_ps(va0, x0, q0));
        q1 = _mm512_fnmadd_ps(vb0, y1, _mm512_fnmadd_ps(va0, x1, q1));
        w0 = _mm512_fnmadd_ps(vb1, y0, _mm512_fnmadd_ps(va1, x0, w0));
        w1 = _mm512_fnmadd_ps(vb1, y1, _mm512_fnmadd_ps(va1, x1, w1));
        _mm512_storeu_ps(r0 + k, q0); _mm512_storeu_ps(r0 + k + 16, q1);
        _mm512_storeu_ps(r1 + k, w0); _mm512_storeu_ps(r1 + k + 16, w1);
        s00 = _mm512_fmadd_ps(q0, u0, s00); s01 = _mm512_fmadd_ps(q1, u1, s01);
        s10 = _mm512_fmadd_ps(w0, u0, s10); s11 = _mm512_fmadd_ps(w1, u1, s11);
        _mm512_storeu_ps(p + k, _mm512_fmadd_ps(vc1, w0, _mm512_fmadd_ps(vc0, q0, _mm512_loadu_ps(p + k))));
        _mm512_storeu_ps(p + k + 16, _mm512_fmadd_ps(vc1, w1, _mm512_fmadd_ps(vc0, q1, _mm512_loadu_ps(p + k + 16))));
    }
    /* the rests, [k, j) of row j and [k, j + 1) of row j + 1 (at most 32
       and 33 entries), in three masked steps of 16 held in registers, and
       p stored once: the one-row kernel's masked stores of p, reloaded by
       the next row, cannot be forwarded and stall. Each entry goes to the
       same sums and in the same order as there (entry k to the sum of its
       step half, k mod 32 < 16 or not); p[j] and p[j + 1] take their rows'
       sums between the two rows' updates, as there. */
    {
        const size_t len0 = j - k, len1 = j + 1 - k;
        const float pj = p[j], pj1 = p[j + 1], d0 = r0[j], d1 = r1[j + 1];
        __m512 q[3], w[3];
        __mmask16 k0[3], k1[3];
        size_t c;
        for (c = 0; c < 3; ++c) {
            const size_t off = k + 16 * c, h0 = len0 > 16 * c ? len0 - 16 * c : 0,
                         h1 = len1 > 16 * c ? len1 - 16 * c : 0;
            __m512 xv, yv, uv;
            k0[c] = (__mmask16)((1u << (h0 < 16 ? h0 : 16)) - 1u);
            k1[c] = (__mmask16)((1u << (h1 < 16 ? h1 : 16)) - 1u);
            xv = _mm512_maskz_loadu_ps(k1[c], x + off);
            yv = _mm512_maskz_loadu_ps(k1[c], y + off);
            uv = _mm512_maskz_loadu_ps(k1[c], u + off);
            q[c] = _mm512_maskz_mov_ps(k0[c], _mm512_fnmadd_ps(vb0, yv, _mm512_fnmadd_ps(va0, xv,
                                                         _mm512_maskz_loadu_ps(k0[c], r0 + off))));
            w[c] = _mm512_fnmadd_ps(vb1, yv, _mm512_fnmadd_ps(va1, xv, _mm512_maskz_loadu_ps(k1[c], r1 + off)));
            _mm512_mask_storeu_ps(r0 + off, k0[c], q[c]);
            _mm512_mask_storeu_ps(r1 + off, k1[c], w[c]);
            if (c == 1) {
                s01 = _mm512_fmadd_ps(q[c], _mm512_maskz_mov_ps(k0[c], uv), s01);
                s11 = _mm512_fmadd_ps(w[c], uv, s11);
            } else {
                s00 = _mm512_fmadd_ps(q[c], _mm512_maskz_mov_ps(k0[c], uv), s00);
                s10 = _mm512_fmadd_ps(w[c], uv, s10);
            }
        }
        {
            float s0 = mossa__rowop_lanesf_avx512(s00, s01), s1 = mossa__rowop_lanesf_avx512(s10, s11);
            float l0 = d0 * c0, l1 = d1 * c1;
            const __m512 nj = _mm512_set1_ps(pj + (s0 + l0)), nj1 = _mm512_set1_ps(pj1 + (s1 + l1));
            for (c = 0; c < 3; ++c) {
                /* lane j: in k1 but not k0; lane j + 1: the one past k1 */
                const __mmask16 mj = (__mmask16)(k1[c] & ~k0[c]),
                                mj1 = (__mmask16)(((unsigned)k1[c] + 1u) & ~(unsigned)k1[c] &
                                                  (16 * c <= len1 ? 0xffffu : 0u)),
                                ms = (__mmask16)(k1[c] | mj1);
                __m512 pv = _mm512_maskz_loadu_ps(ms, p + k + 16 * c);
                pv = _mm512_fmadd_ps(vc0, q[c], pv);
                pv = _mm512_mask_mov_ps(pv, mj, nj);
                pv = _mm512_fmadd_ps(vc1, w[c], pv);
                pv = _mm512_mask_mov_ps(pv, mj1, nj1);
                _mm512_mask_storeu_ps(p + k + 16 * c, ms, pv);
            }
        }
    }
}
/* the rank's column statistics: groups of eight columns (the last
   masked), their sums held in registers across the rows */
MOSSA__TARGET_AVX512
static void mossa__svd_colstat_avx512(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                      size_t d)
{
    size_t j, r;
    for (j = 0; j < d; j += 8) {
        const __mmask8 m = (__mmask8)(d - j >= 8 ? 0xff : (1u << (d - j)) - 1u);
        const __m512d h = _mm512_maskz_loadu_pd(m, sh + j);
        __m512d vs = _mm512_maskz_loadu_pd(m, s + j), vq = _mm512_maskz_loadu_pd(m, q + j);
        for (r = 0; r < rows; ++r) {
            __m512d c = _mm512_sub_pd(_mm512_maskz_cvtps_pd(m, _mm256_maskz_loadu_ps(m, x + ldx * r + j)), h);
            vs = _mm512_add_pd(vs, c);
            vq = _mm512_add_pd(vq, _mm512_mul_pd(c, c));
        }
        _mm512_mask_storeu_pd(s + j, m, vs);
        _mm512_mask_storeu_pd(q + j, m, vq);
    }
}

/* the float reduction driver's serial steps: eight double lanes (one
   vector), the last step masked (masked-off lanes add zeros) */
MOSSA__TARGET_AVX512 static double mossa__lanes8_avx512(__m512d v)
{
    double l[8];
    _mm512_storeu_pd(l, v);
    return mossa__lanes8(l);
}

MOSSA__TARGET_AVX512
static float mossa__svd_absmaxf_avx512(const float *x, size_t n)
{
    __m512 m = _mm512_setzero_ps();
    size_t k;
    for (k = 0; k < n; k += 16) {
        const __mmask16 mk = (__mmask16)(n - k >= 16 ? 0xffffu : (1u << (n - k)) - 1u);
        m = _mm512_maskz_max_ps(MOSSA__ALL16, m, _mm512_abs_ps(_mm512_maskz_loadu_ps(mk, x + k)));
    }
    {
        float l[16], r = 0.0f;
        int t;
        _mm512_storeu_ps(l, m);
        for (t = 0; t < 16; ++t) r = MOSSA__MAX(r, l[t]);
        return r;
    }
}

MOSSA__TARGET_AVX512
static double mossa__svd_scalef_avx512(const float *r, double inv, float *u, size_t n)
{
    const __m512d vi = _mm512_set1_pd(inv);
    __m512d acc = _mm512_setzero_pd();
    size_t k;
    for (k = 0; k < n; k += 8) {
        const __mmask8 mk = (__mmask8)(n - k >= 8 ? 0xffu : (1u << (n - k)) - 1u);
        __m256 f = _mm512_maskz_cvtpd_ps(mk, _mm512_mul_pd(_mm512_maskz_cvtps_pd(mk, _mm256_maskz_loadu_ps(mk, r + k)), vi));
        __m512d v = _mm512_maskz_cvtps_pd(mk, f);
        _mm256_mask_storeu_ps(u + k, mk, f);
        acc = _mm512_add_pd(acc, _mm512_mul_pd(v, v));
    }
    return mossa__lanes8_avx512(acc);
}

MOSSA__TARGET_AVX512
static double mossa__svd_sumcols_avx512(const float *parts, size_t ld, size_t nb, size_t ncols, double h,
                                        const float *u, double *q)
{
    const __m512d vh = _mm512_set1_pd(h);
    __m512d acc = _mm512_setzero_pd();
    size_t k, t;
    for (k = 0; k < ncols; k += 8) {
        const __mmask8 mk = (__mmask8)(ncols - k >= 8 ? 0xffu : (1u << (ncols - k)) - 1u);
        __m512d s = _mm512_setzero_pd(), qv;
        for (t = 0; t < nb; ++t)
            s = _mm512_add_pd(s, _mm512_maskz_cvtps_pd(mk, _mm256_maskz_loadu_ps(mk, parts + t * ld + k)));
        qv = _mm512_maskz_div_pd(mk, s, vh);
        _mm512_mask_storeu_pd(q + k, mk, qv);
        acc = _mm512_add_pd(acc, _mm512_mul_pd(_mm512_maskz_cvtps_pd(mk, _mm256_maskz_loadu_ps(mk, u + k)), qv));
    }
    return mossa__lanes8_avx512(acc);
}

/* sixteen a step, stored as whole vectors of 16 floats: the row kernel
   reads pq right after in vectors of 16, and a 64-byte load from two
   32-byte stores cannot be forwarded (it waits for them to commit) */
MOSSA__TARGET_AVX512
static void mossa__svd_qupdatef_avx512(const double *q, double kk, const float *u, float *pq, size_t n)
{
    const __m512d vk = _mm512_set1_pd(kk);
    size_t k;
    for (k = 0; k < n; k += 16) {
        const __mmask16 mk = (__mmask16)(n - k >= 16 ? 0xffffu : (1u << (n - k)) - 1u);
        const __mmask8 m0 = (__mmask8)(mk & 0xffu), m1 = (__mmask8)(mk >> 8);
        __m512 uf = _mm512_maskz_loadu_ps(mk, u + k);
        __m512d u0 = _mm512_maskz_cvtps_pd(m0, mossa__half_avx512(uf, 0));
        __m512d u1 = _mm512_maskz_cvtps_pd(m1, mossa__half_avx512(uf, 1));
        __m256 lo = _mm512_maskz_cvtpd_ps(m0, _mm512_sub_pd(_mm512_maskz_loadu_pd(m0, q + k), _mm512_mul_pd(vk, u0)));
        __m256 hi = _mm512_maskz_cvtpd_ps(m1, _mm512_sub_pd(_mm512_maskz_loadu_pd(m1, q + k + 8), _mm512_mul_pd(vk, u1)));
        __m512 v = _mm512_castpd_ps(_mm512_maskz_insertf64x4(0xff, _mm512_castpd256_pd512(_mm256_castps_pd(lo)),
                                                              _mm256_castps_pd(hi), 1));
        _mm512_mask_storeu_ps(pq + k, mk, v);
    }
}

/* sixteen lanes in two vectors of eight: two chains of divisions in flight */
MOSSA__TARGET_AVX512
static void mossa__svd_sturm16_avx512(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                      size_t *c)
{
    const __m512d s0 = _mm512_loadu_pd(s), s1 = _mm512_loadu_pd(s + 8), pm = _mm512_set1_pd(pivmin);
    const __m512d npm = _mm512_set1_pd(-pivmin), zero = _mm512_setzero_pd();
    const __m512i one = _mm512_set1_epi64(1);
    __m512d q0, q1, dv = _mm512_set1_pd(d[0]);
    __m512i k0, k1;
    size_t i;
    q0 = _mm512_sub_pd(dv, s0); q1 = _mm512_sub_pd(dv, s1);
    q0 = _mm512_mask_mov_pd(q0, _mm512_cmp_pd_mask(_mm512_abs_pd(q0), pm, _CMP_LT_OQ), npm);
    q1 = _mm512_mask_mov_pd(q1, _mm512_cmp_pd_mask(_mm512_abs_pd(q1), pm, _CMP_LT_OQ), npm);
    k0 = _mm512_maskz_mov_epi64(_mm512_cmp_pd_mask(q0, zero, _CMP_LT_OQ), one);
    k1 = _mm512_maskz_mov_epi64(_mm512_cmp_pd_mask(q1, zero, _CMP_LT_OQ), one);
    for (i = 1; i < n; ++i) {
        const __m512d di = _mm512_set1_pd(d[i]), ei = _mm512_set1_pd(e2[i]);
        q0 = _mm512_sub_pd(_mm512_sub_pd(di, s0), _mm512_div_pd(ei, q0));
        q1 = _mm512_sub_pd(_mm512_sub_pd(di, s1), _mm512_div_pd(ei, q1));
        q0 = _mm512_mask_mov_pd(q0, _mm512_cmp_pd_mask(_mm512_abs_pd(q0), pm, _CMP_LT_OQ), npm);
        q1 = _mm512_mask_mov_pd(q1, _mm512_cmp_pd_mask(_mm512_abs_pd(q1), pm, _CMP_LT_OQ), npm);
        k0 = _mm512_mask_add_epi64(k0, _mm512_cmp_pd_mask(q0, zero, _CMP_LT_OQ), k0, one);
        k1 = _mm512_mask_add_epi64(k1, _mm512_cmp_pd_mask(q1, zero, _CMP_LT_OQ), k1, one);
    }
    {
        uint64_t t[16];
        int l;
        _mm512_storeu_si512((void *)t, k0);
        _mm512_storeu_si512((void *)(t + 8), k1);
        for (l = 0; l < 16; ++l) c[l] = (size_t)t[l];
    }
}
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
/* One 64-byte compare straight into a mask register. */
MOSSA__TARGET_AVX512 static uint64_t mossa__text_letter_mask_avx512(const unsigned char *p)
{
    __m512i x = _mm512_sub_epi8(_mm512_or_si512(_mm512_loadu_si512((const void *)p), _mm512_set1_epi8(0x20)),
                                _mm512_set1_epi8('a'));
    return (uint64_t)_mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(26));
}

/* 16 full rows: 16 x 16 blocks transposed in registers (32-bit, then
   64-bit interleaves, then two rounds of 128-bit lane shuffles); the last
   kc % 16 columns and partial panels go through the scalar copy */
MOSSA__TARGET_AVX512
static void mossa__pack_t16_avx512(const float *src, size_t lds, size_t nr, size_t kc, float *dst)
{
    size_t k0 = 0;
    int i;
    if (nr == 16)
        for (; k0 + 16 <= kc; k0 += 16) {
            __m512 r[16], t[16];
            for (i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + (size_t)i * lds + k0);
            for (i = 0; i < 16; i += 2) {
                t[i] = _mm512_maskz_unpacklo_ps(MOSSA__ALL16, r[i], r[i + 1]);
                t[i + 1] = _mm512_maskz_unpackhi_ps(MOSSA__ALL16, r[i], r[i + 1]);
            }
            for (i = 0; i < 16; i += 4) {
                r[i] = _mm512_castpd_ps(_mm512_maskz_unpacklo_pd(0xff, _mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
                r[i + 1] = _mm512_castpd_ps(_mm512_maskz_unpackhi_pd(0xff, _mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
                r[i + 2] = _mm512_castpd_ps(_mm512_maskz_unpacklo_pd(0xff, _mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
                r[i + 3] = _mm512_castpd_ps(_mm512_maskz_unpackhi_pd(0xff, _mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
            }
            for (i = 0; i < 4; ++i) {
                t[i] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i], r[i + 4], 0x88);
                t[i + 4] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i], r[i + 4], 0xdd);
                t[i + 8] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i + 8], r[i + 12], 0x88);
                t[i + 12] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, r[i + 8], r[i + 12], 0xdd);
            }
            for (i = 0; i < 8; ++i) {
                r[i] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, t[i], t[i + 8], 0x88);
                r[i + 8] = _mm512_maskz_shuffle_f32x4(MOSSA__ALL16, t[i], t[i + 8], 0xdd);
            }
            for (i = 0; i < 16; ++i) _mm512_storeu_ps(dst + (k0 + (size_t)i) * 16, r[i]);
        }
    if (k0 < kc) mossa__pack_t16_scalar(src + k0, lds, nr, kc - k0, dst + k0 * 16);
}

/* four 16-column vectors (masked at the end), each widened to two double
   accumulators: every column is its own sum in row order, as in scalar */
MOSSA__TARGET_AVX512
static float mossa__colsum_avx512(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    __m512d a0, a1, a2, a3, a4, a5, a6, a7;
    __m512 m = _mm512_setzero_ps();
    const __m512 absmask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    __mmask16 k0, k1, k2, k3;
    double t[64];
    size_t i;
    memset(t, 0, sizeof(t));
    memcpy(t, s, cols * sizeof(double));
    a0 = _mm512_loadu_pd(t); a1 = _mm512_loadu_pd(t + 8); a2 = _mm512_loadu_pd(t + 16); a3 = _mm512_loadu_pd(t + 24);
    a4 = _mm512_loadu_pd(t + 32); a5 = _mm512_loadu_pd(t + 40); a6 = _mm512_loadu_pd(t + 48); a7 = _mm512_loadu_pd(t + 56);
    k0 = cols >= 16 ? MOSSA__ALL16 : mossa__tailmask_avx512(cols);
    k1 = cols >= 32 ? MOSSA__ALL16 : cols > 16 ? mossa__tailmask_avx512(cols - 16) : 0;
    k2 = cols >= 48 ? MOSSA__ALL16 : cols > 32 ? mossa__tailmask_avx512(cols - 32) : 0;
    k3 = cols >= 64 ? MOSSA__ALL16 : cols > 48 ? mossa__tailmask_avx512(cols - 48) : 0;
#define MOSSA__COLSUM_V(k, off, lo, hi)                                                              \
    {                                                                                            \
        __m512 f = _mm512_maskz_loadu_ps(k, row + off);                                          \
        lo = _mm512_add_pd(lo, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(f, 0)));           \
        hi = _mm512_add_pd(hi, _mm512_maskz_cvtps_pd(0xff, mossa__half_avx512(f, 1)));           \
        /* max(|f|, m) keeps m where |f| is NaN */                                               \
        m = _mm512_maskz_max_ps(MOSSA__ALL16, _mm512_maskz_and_ps(MOSSA__ALL16, f, absmask), m); \
    }
    for (i = 0; i < n; ++i) {
        const float *row = x + i * ldx;
        MOSSA__COLSUM_V(k0, 0, a0, a1)
        if (k1) MOSSA__COLSUM_V(k1, 16, a2, a3)
        if (k2) MOSSA__COLSUM_V(k2, 32, a4, a5)
        if (k3) MOSSA__COLSUM_V(k3, 48, a6, a7)
    }
#undef MOSSA__COLSUM_V
    _mm512_storeu_pd(t, a0); _mm512_storeu_pd(t + 8, a1); _mm512_storeu_pd(t + 16, a2);
    _mm512_storeu_pd(t + 24, a3); _mm512_storeu_pd(t + 32, a4); _mm512_storeu_pd(t + 40, a5);
    _mm512_storeu_pd(t + 48, a6); _mm512_storeu_pd(t + 56, a7);
    memcpy(s, t, cols * sizeof(double));
    {
        float mm[16], r = 0.0f;
        int l;
        _mm512_storeu_ps(mm, m);
        for (l = 0; l < 16; ++l) r = mm[l] > r ? mm[l] : r;
        return r;
    }
}

#if MOSSA__AMX
/* ---- AMX-BF16 tiles (the amx level) -----------------------------------------
   The randomized SVD's power iterations on the amx level (impl/svd.c,
   mossa__bf16_...) multiply bfloat16 copies of X by bfloat16 bases with
   the tile unit, summing in float. Eight tiles of 16 rows x 64 bytes: C
   takes four (32 x 32 floats), A two (32 rows x 32 bfloat16), B two
   (32 k x 32 columns, pair-interleaved).
   The operands are stored as the tiles the unit loads, each 16 x 32
   bfloat16 (1 KB) contiguous, so every tile load reads 1 KB in a row:
   - A (rows x K): band i/16 holds K/32 tiles, tile (i/16, k/32) at
     a + ((i/16) K/32 + k/32) 512, entry (i%16) 32 + k%32;
   - B (K x l, pair-interleaved): column band c/16 holds K/32 tiles,
     tile (c/16, k/32) at b + ((c/16) K/32 + k/32) 512, entry
     ((k%32)/2) 32 + 2(c%16) + k%2. */
typedef struct mossa__amx_cfg {
    unsigned char palette, start_row, reserved[14];
    uint16_t colsb[16];
    unsigned char rows[16];
} mossa__amx_cfg;

#define MOSSA__AMX_KT 32 /* k-tiles (of 32) per chunk: a chunk of B (1024 x l) stays in L2 */

/* C (rows x l floats, row stride ldc) = A B in the layouts above, a given
   from the task's first band; rows and K multiples of 32, l of 16. Each
   entry of C is summed over k in order: 32 k per tile instruction, chunk
   after chunk (C is stored and reloaded between chunks, exactly). */
static MOSSA__TARGET_AMX void mossa__amx_mul(const uint16_t *a, size_t K, size_t rows, const uint16_t *b,
                                             size_t l, float *c, size_t ldc)
{
    mossa__amx_cfg cfg;
    size_t nk = K / 32, k0, k1, i, j, k;
    int t;
    memset(&cfg, 0, sizeof(cfg));
    cfg.palette = 1;
    for (t = 0; t < 8; ++t) { cfg.rows[t] = 16; cfg.colsb[t] = 64; }
    _tile_loadconfig(&cfg);
    for (k0 = 0; k0 < nk; k0 = k1) {
        k1 = MOSSA__MIN(nk, k0 + MOSSA__AMX_KT);
        for (i = 0; i < rows; i += 32) {
            const uint16_t *a0 = a + (i / 16) * nk * 512, *a1 = a0 + nk * 512;
            float *c0 = c + i * ldc, *c1 = c0 + 16 * ldc;
            for (j = 0; j + 32 <= l; j += 32) {
                const uint16_t *b0 = b + (j / 16) * nk * 512, *b1 = b0 + nk * 512;
                if (k0 == 0) { _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3); }
                else {
                    _tile_loadd(0, c0 + j, ldc * 4); _tile_loadd(1, c0 + j + 16, ldc * 4);
                    _tile_loadd(2, c1 + j, ldc * 4); _tile_loadd(3, c1 + j + 16, ldc * 4);
                }
                for (k = k0; k < k1; ++k) {
                    _tile_loadd(4, a0 + k * 512, 64);
                    _tile_loadd(6, b0 + k * 512, 64);
                    _tile_dpbf16ps(0, 4, 6);
                    _tile_loadd(5, a1 + k * 512, 64);
                    _tile_dpbf16ps(2, 5, 6);
                    _tile_loadd(7, b1 + k * 512, 64);
                    _tile_dpbf16ps(1, 4, 7);
                    _tile_dpbf16ps(3, 5, 7);
                }
                _tile_stored(0, c0 + j, ldc * 4); _tile_stored(1, c0 + j + 16, ldc * 4);
                _tile_stored(2, c1 + j, ldc * 4); _tile_stored(3, c1 + j + 16, ldc * 4);
            }
            if (j < l) { /* the last 16 columns */
                const uint16_t *b0 = b + (j / 16) * nk * 512;
                if (k0 == 0) { _tile_zero(0); _tile_zero(2); }
                else { _tile_loadd(0, c0 + j, ldc * 4); _tile_loadd(2, c1 + j, ldc * 4); }
                for (k = k0; k < k1; ++k) {
                    _tile_loadd(4, a0 + k * 512, 64);
                    _tile_loadd(6, b0 + k * 512, 64);
                    _tile_dpbf16ps(0, 4, 6);
                    _tile_loadd(5, a1 + k * 512, 64);
                    _tile_dpbf16ps(2, 5, 6);
                }
                _tile_stored(0, c0 + j, ldc * 4); _tile_stored(2, c1 + j, ldc * 4);
            }
        }
    }
    _tile_release();
}

static MOSSA__TARGET_AMX __mmask16 mossa__amx_mask(size_t n)
{
    return n >= 16 ? (__mmask16)0xffff : mossa__tailmask_avx512(n);
}

/* a[0..na) and b[0..nb) (na, nb <= 16; zeros after) to 32 bfloat16
   rounded to nearest even (VCVTNE2PS2BF16; finite input assumed,
   subnormals flush to zero). pair 0: a's 16 then b's; 1: interleaved,
   a[0] b[0] a[1] b[1] ... */
static MOSSA__TARGET_AMX void mossa__amx_cvt32(const float *a, size_t na, const float *b, size_t nb, int pair,
                                               uint16_t *out)
{
    const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                         23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    __m512 va = _mm512_maskz_loadu_ps(mossa__amx_mask(na), a);
    __m512 vb = _mm512_maskz_loadu_ps(mossa__amx_mask(nb), b);
    __m512i v = (__m512i)_mm512_cvtne2ps_pbh(vb, va);
    if (pair) v = _mm512_maskz_permutexvar_epi16((__mmask32)0xffffffffu, idx, v);
    _mm512_storeu_si512((void *)out, v);
}

/* the largest |x[j]| bit pattern (>= 0x7f800000: a NaN or Inf) */
static MOSSA__TARGET_AMX uint32_t mossa__amx_absmax_bits(const float *x, size_t n)
{
    const __m512i abs = _mm512_set1_epi32(0x7fffffff);
    __m512i m = _mm512_setzero_si512();
    size_t j = 0;
    uint32_t t[16], r = 0;
    int i;
    for (; j + 16 <= n; j += 16)
        m = _mm512_maskz_max_epu32(MOSSA__ALL16, m, _mm512_and_si512(_mm512_loadu_si512((const void *)(x + j)), abs));
    if (j < n)
        m = _mm512_maskz_max_epu32(MOSSA__ALL16, m,
                                   _mm512_and_si512(_mm512_maskz_loadu_epi32(mossa__tailmask_avx512(n - j), x + j), abs));
    _mm512_storeu_si512((void *)t, m);
    for (i = 0; i < 16; ++i) r = t[i] > r ? t[i] : r;
    return r;
}

/* Rows i0..i0+31 of X (n x d floats; rows from n on are zeros) into A
   (np x dp) and its transpose (dp x np), both in the tile layout above;
   returns the largest |x| bit pattern of those rows. */
static MOSSA__TARGET_AMX uint32_t mossa__amx_convert32(const float *x, size_t n, size_t d, size_t i0, size_t np,
                                                       size_t dp, uint16_t *xb, uint16_t *xt)
{
    float t0[256], t1[256];
    size_t r, kb, jb, jj, nkb = dp / 32, nkt = np / 32;
    uint32_t m = 0;
    for (r = 0; r < 32; ++r) {
        size_t i = i0 + r;
        uint16_t *out = xb + ((i / 16) * nkb) * 512 + (i % 16) * 32;
        if (i < n) {
            const float *row = x + i * d;
            m = MOSSA__MAX(m, mossa__amx_absmax_bits(row, d));
            for (kb = 0; kb < nkb; ++kb) {
                size_t k = 32 * kb, left = k < d ? d - k : 0;
                mossa__amx_cvt32(left ? row + k : row, left, left > 16 ? row + k + 16 : row, left > 16 ? left - 16 : 0, 0,
                                 out + kb * 512);
            }
        } else
            for (kb = 0; kb < nkb; ++kb) memset(out + kb * 512, 0, 32 * sizeof(uint16_t));
    }
    for (jb = 0; jb < dp / 16; ++jb) {
        size_t j0 = jb * 16, cols = j0 < d ? MOSSA__MIN((size_t)16, d - j0) : 0;
        size_t nr0 = i0 < n ? MOSSA__MIN((size_t)16, n - i0) : 0;
        size_t nr1 = i0 + 16 < n ? MOSSA__MIN((size_t)16, n - i0 - 16) : 0;
        uint16_t *tile = xt + (jb * nkt + i0 / 32) * 512;
        if (cols && nr0) mossa__pack_t16_avx512(x + i0 * d + j0, d, nr0, cols, t0);
        if (cols && nr1) mossa__pack_t16_avx512(x + (i0 + 16) * d + j0, d, nr1, cols, t1);
        for (jj = 0; jj < 16; ++jj) {
            if (jj < cols && nr0) mossa__amx_cvt32(t0 + 16 * jj, 16, t1 + 16 * jj, nr1 ? 16 : 0, 0, tile + jj * 32);
            else memset(tile + jj * 32, 0, 32 * sizeof(uint16_t));
        }
    }
    return m;
}
#endif /* MOSSA__AMX */

static void mossa__fill_avx512(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_avx512;
    t->axpy = mossa__axpy_avx512;
    t->colsum = mossa__colsum_avx512;
    t->sqdist = mossa__sqdist_avx512;
    t->expf_array = mossa__expf_avx512;
    t->logf_array = mossa__logf_avx512;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_avx512;
    t->gemm_tile16x32 = mossa__gemm_tile16x32_avx512;
    t->gemm_tile16f = mossa__gemm_tile16f_avx512;
    t->gemm_tile16x32f = mossa__gemm_tile16x32f_avx512;
    t->gemm_tile16x48f = mossa__gemm_tile16x48f_avx512;
    t->pack_t16 = mossa__pack_t16_avx512;
    t->pack_shift16 = mossa__pack_shift16_avx512;
    t->hsic_row = mossa__hsic_row_avx512;
    t->rbf_dist = mossa__rbf_dist_avx512;
    t->rbf_exp_row = mossa__rbf_exp_row_avx512;
    /* svd */
    t->svd_rowop = mossa__svd_rowop_avx512;
    t->svd_rowop2 = mossa__svd_rowop2_avx512;
    t->svd_rowopf = mossa__svd_rowopf_avx512;
    t->svd_rowop2f = mossa__svd_rowop2f_avx512;
    t->svd_sturm16 = mossa__svd_sturm16_avx512;
    t->svd_colstat = mossa__svd_colstat_avx512;
    t->svd_absmaxf = mossa__svd_absmaxf_avx512;
    t->svd_scalef = mossa__svd_scalef_avx512;
    t->svd_sumcols = mossa__svd_sumcols_avx512;
    t->svd_qupdatef = mossa__svd_qupdatef_avx512;
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_avx512;
    t->tsne_repulse2 = mossa__tsne_repulse2_avx512;
    t->tsne_repulse3 = mossa__tsne_repulse3_avx512;
    t->tsne_attract = mossa__tsne_attract_avx512;
    /* text */
    t->text_letters = mossa__text_letters_avx2;   /* 32 bytes cover nearly every word */
    t->text_letter_mask = mossa__text_letter_mask_avx512;
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
/* 16 x 16 tile in strips of 4 rows: 4 q-registers per row (16
   accumulators), B loaded as four vectors per k, the strip's 4 A values as
   one vector used lane by lane. */
static void mossa__gemm_tile16_g_neon(const float *a, const float *b, size_t kc, void *c, int isf, size_t ldc)
{
    size_t i0, k;
    int i, h;
    for (i0 = 0; i0 < 16; i0 += 4) {
        float32x4_t acc[4][4];
        for (i = 0; i < 4; ++i)
            for (h = 0; h < 4; ++h) acc[i][h] = vdupq_n_f32(0.0f);
        for (k = 0; k < kc; ++k) {
            float32x4_t av = vld1q_f32(a + 16 * k + i0);
            float32x4_t b0 = vld1q_f32(b + 16 * k), b1 = vld1q_f32(b + 16 * k + 4);
            float32x4_t b2 = vld1q_f32(b + 16 * k + 8), b3 = vld1q_f32(b + 16 * k + 12);
#define MOSSA__NEON_ROW(I)                                   \
            acc[I][0] = vfmaq_laneq_f32(acc[I][0], b0, av, I); \
            acc[I][1] = vfmaq_laneq_f32(acc[I][1], b1, av, I); \
            acc[I][2] = vfmaq_laneq_f32(acc[I][2], b2, av, I); \
            acc[I][3] = vfmaq_laneq_f32(acc[I][3], b3, av, I);
            MOSSA__NEON_ROW(0) MOSSA__NEON_ROW(1) MOSSA__NEON_ROW(2) MOSSA__NEON_ROW(3)
#undef MOSSA__NEON_ROW
        }
        for (i = 0; i < 4; ++i) {
            double *ci;
            if (isf) {
                float *fi = (float *)c + (i0 + (size_t)i) * ldc;
                for (h = 0; h < 4; ++h) vst1q_f32(fi + 4 * h, vaddq_f32(vld1q_f32(fi + 4 * h), acc[i][h]));
                continue;
            }
            ci = (double *)c + (i0 + (size_t)i) * ldc;
            for (h = 0; h < 4; ++h) {
                float64x2_t lo = vcvt_f64_f32(vget_low_f32(acc[i][h]));
                float64x2_t hi = vcvt_high_f64_f32(acc[i][h]);
                vst1q_f64(ci + 4 * h, vaddq_f64(vld1q_f64(ci + 4 * h), lo));
                vst1q_f64(ci + 4 * h + 2, vaddq_f64(vld1q_f64(ci + 4 * h + 2), hi));
            }
        }
    }
}

static void mossa__gemm_tile16_neon(const float *a, const float *b, size_t kc, double *c, size_t ldc)
{
    mossa__gemm_tile16_g_neon(a, b, kc, c, 0, ldc);
}

static void mossa__gemm_tile16f_neon(const float *a, const float *b, size_t kc, float *c, size_t ldc)
{
    mossa__gemm_tile16_g_neon(a, b, kc, c, 1, ldc);
}

static void mossa__hsic_row_neon(const float *k, const float *l, const double *a, const double *b,
                                 double ai, double bi, size_t n, size_t skip, double out[3])
{
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0, s2 = s0;
    const float64x2_t vai = vdupq_n_f64(ai), vbi = vdupq_n_f64(bi);
    size_t j = 0, q;
    double t0 = 0.0, t1 = 0.0, t2 = 0.0;
    for (; j + 2 <= n; j += 2) {
        float64x2_t kc, lc;
        if (skip - j < 2) {
            /* the pair holding the left-out column, one by one */
            for (q = j; q < j + 2; ++q) {
                double ks = (double)k[q] - ai - a[q], ls = (double)l[q] - bi - b[q];
                if (q == skip) continue;
                t0 += ks * ls; t1 += ks * ks; t2 += ls * ls;
            }
            continue;
        }
        kc = vsubq_f64(vsubq_f64(vcvt_f64_f32(vld1_f32(k + j)), vai), vld1q_f64(a + j));
        lc = vsubq_f64(vsubq_f64(vcvt_f64_f32(vld1_f32(l + j)), vbi), vld1q_f64(b + j));
        s0 = vfmaq_f64(s0, kc, lc);
        s1 = vfmaq_f64(s1, kc, kc);
        s2 = vfmaq_f64(s2, lc, lc);
    }
    t0 += vaddvq_f64(s0); t1 += vaddvq_f64(s1); t2 += vaddvq_f64(s2);
    for (; j < n; ++j) {
        double ks = (double)k[j] - ai - a[j], ls = (double)l[j] - bi - b[j];
        if (j == skip) continue;
        t0 += ks * ls; t1 += ks * ks; t2 += ls * ls;
    }
    out[0] = t0; out[1] = t1; out[2] = t2;
}

static void mossa__rbf_dist_neon(const double *g, size_t n, double dr, const double *dc, float *dst,
                                 mossa__keep *kp)
{
    const float64x2_t vdr = vdupq_n_f64(dr), zero = vdupq_n_f64(0.0);
    const uint32x4_t lo = vdupq_n_u32(kp ? kp->lo : 0u), width = vdupq_n_u32(kp ? kp->width : 0u);
    uint32x4_t nb = vdupq_n_u32(0), ni = nb;
    size_t j = 0, k = kp ? kp->k : 0;
    for (; j + 4 <= n; j += 4) {
        float64x2_t v0 = vsubq_f64(vaddq_f64(vdr, vld1q_f64(dc + j)), vaddq_f64(vld1q_f64(g + j), vld1q_f64(g + j)));
        float64x2_t v1 = vsubq_f64(vaddq_f64(vdr, vld1q_f64(dc + j + 2)), vaddq_f64(vld1q_f64(g + j + 2), vld1q_f64(g + j + 2)));
        float32x4_t f;
        /* vmaxnm: +0 for -0 vs +0 is not guaranteed, so compare explicitly */
        v0 = vbslq_f64(vcgtq_f64(v0, zero), v0, zero);
        v1 = vbslq_f64(vcgtq_f64(v1, zero), v1, zero);
        f = vcvt_high_f32_f64(vcvt_f32_f64(v0), v1);
        vst1q_f32(dst + j, f);
        if (kp) {
            /* counted from the registers; the few inside kept lane by lane */
            uint32x4_t b = vreinterpretq_u32_f32(f), in = vcleq_u32(vsubq_u32(b, lo), width);
            nb = vsubq_u32(nb, vcltq_u32(b, lo));
            ni = vsubq_u32(ni, in);
            if (vmaxvq_u32(in)) {
                float t[4];
                uint32_t m[4];
                int l;
                vst1q_f32(t, f);
                vst1q_u32(m, in);
                for (l = 0; l < 4; ++l) {
                    kp->keep[k] = t[l];
                    k += (size_t)(m[l] & 1u) & (k < kp->cap);
                }
            }
        }
    }
    if (kp) { kp->below += vaddvq_u32(nb); kp->inside += vaddvq_u32(ni); kp->k = k; }
    mossa__rbf_dist_scalar(g + j, n - j, dr, dc + j, dst + j, kp);
}

static double mossa__rbf_exp_row_neon(float *row, size_t n, float nc, double *cs)
{
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0;
    size_t j = 0;
    double t;
    for (; j + 4 <= n; j += 4) {
        float32x4_t e = mossa__expf4_neon(vmulq_n_f32(vld1q_f32(row + j), nc));
        float64x2_t lo = vcvt_f64_f32(vget_low_f32(e)), hi = vcvt_high_f64_f32(e);
        vst1q_f32(row + j, e);
        s0 = vaddq_f64(s0, lo);
        s1 = vaddq_f64(s1, hi);
        vst1q_f64(cs + j, vaddq_f64(vld1q_f64(cs + j), lo));
        vst1q_f64(cs + j + 2, vaddq_f64(vld1q_f64(cs + j + 2), hi));
    }
    t = vaddvq_f64(vaddq_f64(s0, s1));
    if (j < n) t += mossa__rbf_exp_row_with(row + j, n - j, nc, cs + j, mossa__expf_neon);
    return t;
}

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
/* One 16-byte step finds a word's end without a branch per letter; the
   lowercased run is stored with zeros after it. Longer runs go scalar. */
static size_t mossa__text_letters_neon(const unsigned char *p, size_t n, unsigned char *dst, size_t room)
{
    if (n >= 16 && room >= 16) {
        static const uint8_t iota_bytes[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        uint8x16_t l = vorrq_u8(vld1q_u8(p), vdupq_n_u8(0x20));
        uint8x16_t m = vcltq_u8(vsubq_u8(l, vdupq_n_u8('a')), vdupq_n_u8(26));
        /* 4 bits per byte: the first non-letter is the first zero nibble */
        uint64_t bits = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
        if (bits != ~(uint64_t)0) {
            unsigned r = (unsigned)__builtin_ctzll(~bits) >> 2;
            uint8x16_t keep = vcltq_u8(vld1q_u8(iota_bytes), vdupq_n_u8((uint8_t)r));
            vst1q_u8(dst, vandq_u8(l, keep));
            return r;
        }
    }
    return mossa__text_letters_scalar(p, n, dst, room);
}

/* Four 16-byte compares; each lane keeps its bit weight (1..128 per 8
   lanes) and three rounds of pairwise adds pack the 64 flags into 8 bytes. */
static uint64_t mossa__text_letter_mask_neon(const unsigned char *p)
{
    static const uint8_t weight_bytes[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t w = vld1q_u8(weight_bytes), b = vdupq_n_u8(0x20), a = vdupq_n_u8('a'), z = vdupq_n_u8(26);
    uint8x16_t m0 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p), b), a), z), w);
    uint8x16_t m1 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p + 16), b), a), z), w);
    uint8x16_t m2 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p + 32), b), a), z), w);
    uint8x16_t m3 = vandq_u8(vcltq_u8(vsubq_u8(vorrq_u8(vld1q_u8(p + 48), b), a), z), w);
    uint8x16_t s = vpaddq_u8(vpaddq_u8(m0, m1), vpaddq_u8(m2, m3));
    s = vpaddq_u8(s, s);
    return vgetq_lane_u64(vreinterpretq_u64_u8(s), 0);
}

/* groups of 8 columns, each widened to four double accumulators; every
   column is its own sum in row order, as in scalar, which also takes the
   last cols % 8 */
static float mossa__colsum_neon(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    float32x4_t m = vdupq_n_f32(0.0f);
    float mm[4], r;
    size_t c = 0, i;
    int l;
    for (; c + 8 <= cols; c += 8) {
        float64x2_t a0 = vld1q_f64(s + c), a1 = vld1q_f64(s + c + 2), a2 = vld1q_f64(s + c + 4),
                    a3 = vld1q_f64(s + c + 6);
        for (i = 0; i < n; ++i) {
            const float *row = x + i * ldx + c;
            float32x4_t f0 = vld1q_f32(row), f1 = vld1q_f32(row + 4), b0 = vabsq_f32(f0), b1 = vabsq_f32(f1);
            a0 = vaddq_f64(a0, vcvt_f64_f32(vget_low_f32(f0)));
            a1 = vaddq_f64(a1, vcvt_high_f64_f32(f0));
            a2 = vaddq_f64(a2, vcvt_f64_f32(vget_low_f32(f1)));
            a3 = vaddq_f64(a3, vcvt_high_f64_f32(f1));
            /* |f| > m ? |f| : m keeps m where |f| is NaN */
            m = vbslq_f32(vcgtq_f32(b0, m), b0, m);
            m = vbslq_f32(vcgtq_f32(b1, m), b1, m);
        }
        vst1q_f64(s + c, a0); vst1q_f64(s + c + 2, a1); vst1q_f64(s + c + 4, a2); vst1q_f64(s + c + 6, a3);
    }
    r = c < cols ? mossa__colsum_scalar(x + c, n, ldx, cols - c, s + c) : 0.0f;
    vst1q_f32(mm, m);
    for (l = 0; l < 4; ++l) r = mm[l] > r ? mm[l] : r;
    return r;
}

static void mossa__fill_neon(mossa__kernels *t)
{
    mossa__fill_scalar(t);
    /* foundation */
    t->dot = mossa__dot_neon;
    t->axpy = mossa__axpy_neon;
    t->colsum = mossa__colsum_neon;
    t->sqdist = mossa__sqdist_neon;
    t->expf_array = mossa__expf_neon;
    t->logf_array = mossa__logf_neon;
    /* gemm / cka */
    t->gemm_tile16 = mossa__gemm_tile16_neon;
    t->gemm_tile16f = mossa__gemm_tile16f_neon;
    t->hsic_row = mossa__hsic_row_neon;
    t->rbf_dist = mossa__rbf_dist_neon;
    t->rbf_exp_row = mossa__rbf_exp_row_neon;
    /* svd */
    /* tsne */
    t->tsne_knn_tile = mossa__tsne_knn_tile_neon;
    t->tsne_repulse2 = mossa__tsne_repulse2_neon;
    /* text */
    t->text_letters = mossa__text_letters_neon;
    t->text_letter_mask = mossa__text_letter_mask_neon;
}

#endif /* MOSSA__NEON */

/* ==== impl/gemm.c ==== */
/* gemm.c - packed float32 matrix products with double results (BLIS
   structure: pack into panels, micro-kernel, cache blocking).

   Panels. A matrix whose R "rows" are to be multiplied over an inner
   dimension K is packed into ceil(R / 16) panels; panel p holds rows
   16p .. 16p+15 as K groups of 16 floats ([k][16], rows past R are zero),
   so any k-range of a panel is one contiguous micro-panel. The same layout
   serves both operands: a 16 x 16 tile of C = A B' is one call of the
   level's micro-kernel `gemm_tile16` on two micro-panels.

   Precision. The micro-kernel accumulates float products in float over at
   most MOSSA__KC = 256 steps, then adds the tile to a double C: float32
   GEMM over thousands of rows drifts (DESIGN.md section 3), short float
   blocks promoted to double do not, at the cost of one double update per
   256 FMAs.

   Blocking. C is computed in blocks of MOSSA__BP panels (128 x 128 values)
   held in a per-worker double buffer that stays in L2 across the whole K
   loop; inside a block the k-loop is outermost, so each 16 x 256 B
   micro-panel (16 KB) stays in L1 while the A micro-panels stream from L2.
   One block is one task, so results do not depend on the thread count. */

#define MOSSA__PW 16   /* panel width (rows per panel) */
#define MOSSA__KC 256  /* float accumulation length */
#define MOSSA__BP 8    /* panels per block side: blocks of 128 x 128 */
#define MOSSA__BS (MOSSA__PW * MOSSA__BP)
#define MOSSA__PACK_ROWS 4  /* rows a column-packing group takes together */

/* Large work buffers are touched once, right after allocation. On Linux
   the first touch of 4 KB pages dominates the cost of a whole CKA when the
   machine is busy (measured here: ~15 ms per MB on a loaded VM, ~4 ms with
   2 MB pages), so big buffers ask for transparent huge pages. Advisory
   only: errors are ignored, and a caller's allocator still owns the memory. */
#if defined(__linux__) && !defined(MOSSA_NO_HUGEPAGES)
#ifdef __cplusplus
#include <sys/mman.h>
#else
extern int madvise(void *addr, size_t length, int advice);
#endif
static void mossa__advise_huge(void *p, size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    size_t a = ((size_t)p + huge - 1) & ~(huge - 1), e = ((size_t)p + bytes) & ~(huge - 1);
    if (p && bytes >= huge && e > a) (void)madvise((void *)a, e - a, 14 /* MADV_HUGEPAGE */);
}
#define MOSSA__HUGE_PAGES 1
#else
static void mossa__advise_huge(void *p, size_t bytes) { (void)p; (void)bytes; }
#define MOSSA__HUGE_PAGES 0
#endif

/* A big work buffer that is all huge pages: placed on a 2 MB boundary
   inside an allocation 4 MB larger (address space only: the slack is never
   touched), so that no partial 2 MB page at either end falls back to 4 KB
   pages (a 4 MB buffer at a random offset gets one huge page at most).
   *raw is what to free. Small buffers, other systems and a caller's
   allocator (whose memory the slack would really cost, and whose pages
   are its own business) get exactly the bytes asked for. */
static void *mossa__alloc_big(const mossa__ctx *ctx, size_t bytes, void **raw)
{
#if MOSSA__HUGE_PAGES
    const size_t huge = (size_t)2 << 20;
    size_t off;
    char *p;
    if (bytes >= huge && bytes <= (size_t)-1 - 2 * huge && !(ctx && ctx->allocator)) {
        *raw = mossa__alloc(ctx, bytes + 2 * huge);
        if (!*raw) return NULL;
        off = (size_t)((uintptr_t)*raw & (uintptr_t)(huge - 1));
        p = (char *)*raw + (off ? huge - off : 0);
        mossa__advise_huge(p, (bytes + huge - 1) / huge * huge);
        return p;
    }
#endif
    *raw = mossa__alloc(ctx, bytes);
    if (*raw) mossa__advise_huge(*raw, bytes);
    return *raw;
}

static size_t mossa__panels_of(size_t rows) { return (rows + MOSSA__PW - 1) / MOSSA__PW; }

/* Layout of a packed matrix of np panels over inner length K: panels are
   grouped in blocks of MOSSA__BP, and inside a block the micro-panels of one
   k-block (MOSSA__KC steps) are stored next to each other. A block's k-slice
   is then one contiguous run (128 KB): with panels simply one after the
   other, a power-of-two K (4096 features) puts all 16 micro-panels that a
   block update touches at addresses 256 KB apart, i.e. in the same L2 sets. */
static size_t mossa__pidx(size_t np, size_t K, size_t p, size_t k0)
{
    size_t b = p / MOSSA__BP, q = p % MOSSA__BP;
    size_t npb = MOSSA__MIN(MOSSA__BP, np - b * MOSSA__BP), kcb = MOSSA__MIN(MOSSA__KC, K - k0);
    return b * MOSSA__BP * K * MOSSA__PW + k0 * npb * MOSSA__PW + q * kcb * MOSSA__PW;
}

/* One k-block (kc steps) of mossa__panel_block_k below: A micro-panel pi
   at a0 + pi kc 16, B micro-panel pj at b0 + pj kc 16. */
static void mossa__panel_tiles(const float *a0, size_t na, const float *b0, size_t nb,
                               size_t kc, int upper, double *C, size_t ldc)
{
    const mossa__kernels *kt = mossa__k();
    const size_t as = kc * MOSSA__PW;
    size_t pi, pj;
    for (pj = 0; pj < nb; ++pj) {
        const float *b = b0 + pj * kc * MOSSA__PW;
        if (kt->gemm_tile16x32 && pj + 1 < nb) {
            /* two B micro-panels at once (adjacent in the layout); on a
               diagonal block this also computes tile (pj+1, pj) of the
               lower half, which callers ignore */
            size_t pend = upper ? MOSSA__MIN(na, pj + 2) : na;
            for (pi = 0; pi < pend; ++pi) {
                double *c = C + pi * MOSSA__PW * ldc + pj * MOSSA__PW;
                kt->gemm_tile16x32(a0 + pi * as, b, kc, c, ldc);
            }
            ++pj;
            continue;
        }
        pi = 0;
        if (kt->gemm_tile16x32 && !upper) {
            /* an odd last B micro-panel (a sketch of 144 columns is 9):
               the single-width tile runs at about half the speed, so
               swap the roles and take two A micro-panels at a time,
               C' = B' A, adding the transposed tile. Each entry is the
               same float sum over k, so the result is bit-identical. */
            double t[MOSSA__PW * 2 * MOSSA__PW];
            size_t i, j;
            for (; pi + 1 < na; pi += 2) {
                double *c = C + pi * MOSSA__PW * ldc + pj * MOSSA__PW;
                memset(t, 0, sizeof(t));
                kt->gemm_tile16x32(b, a0 + pi * as, kc, t, 2 * MOSSA__PW);
                for (i = 0; i < 2 * MOSSA__PW; ++i)
                    for (j = 0; j < MOSSA__PW; ++j) c[i * ldc + j] += t[j * 2 * MOSSA__PW + i];
            }
        }
        {
            size_t pend = upper ? MOSSA__MIN(na, pj + 1) : na;
            for (; pi < pend; ++pi) {
                double *c = C + pi * MOSSA__PW * ldc + pj * MOSSA__PW;
                kt->gemm_tile16(a0 + pi * as, b, kc, c, ldc);
            }
        }
    }
}

/* C[16 pi + i][16 pj + j] += sum_k A_(pa0+pi)[k][i] B_(pb0+pj)[k][j] for
   pi < na, pj < nb, pa0 and pb0 multiples of MOSSA__BP (one block each);
   A and B are packed matrices of npa / npb panels over K, k in
   [kbeg, kend) (kbeg a multiple of MOSSA__KC). upper: only tiles pi <= pj
   (a diagonal block of a symmetric product). */
static void mossa__panel_block_k(const float *A, size_t npa, size_t pa0, size_t na,
                                 const float *B, size_t npb, size_t pb0, size_t nb,
                                 size_t K, size_t kbeg, size_t kend, int upper, double *C, size_t ldc)
{
    size_t k0;
    for (k0 = kbeg; k0 < kend; k0 += MOSSA__KC)
        mossa__panel_tiles(A + mossa__pidx(npa, K, pa0, k0), na, B + mossa__pidx(npb, K, pb0, k0), nb,
                           MOSSA__MIN(MOSSA__KC, K - k0), upper, C, ldc);
}

/* the whole inner dimension */
static void mossa__panel_block(const float *A, size_t npa, size_t pa0, size_t na,
                               const float *B, size_t npb, size_t pb0, size_t nb,
                               size_t K, int upper, double *C, size_t ldc)
{
    mossa__panel_block_k(A, npa, pa0, na, B, npb, pb0, nb, K, 0, K, upper, C, ldc);
}

/* ---- packing ------------------------------------------------------------
   Both packers optionally subtract a double shift per column (centering:
   the difference is formed in double, then rounded once to float), scale
   by a power of two (exact) and accumulate each row's squared norm of the
   stored floats in double. */
typedef struct mossa__pack_job {
    const float *x;
    size_t n, d, ldx;
    const double *shift;  /* d values or NULL */
    double scale;
    float *out;
    double *rownorm;      /* n values or NULL */
    size_t K;             /* packed inner length (>= the rows used) */
} mossa__pack_job;

/* rows-as-panels: panel p = rows 16p.., inner dimension = the d columns.
   The 16 rows advance together, column by column: each row's norm is its
   own accumulator (the same order of additions as row by row), so 16
   independent chains run at once instead of one. */
static void mossa__pack_rows_task(void *arg, size_t task, int worker)
{
    const mossa__pack_job *j = (const mossa__pack_job *)arg;
    size_t np = mossa__panels_of(j->n), r0 = task * MOSSA__PW;
    size_t r, k, k0, nr = MOSSA__MIN(MOSSA__PW, j->n - r0);
    const float *src = j->x + r0 * j->ldx;
    const double scale = j->scale;
    double norms[MOSSA__PW], acc[MOSSA__PW];
    (void)worker;
    for (r = 0; r < MOSSA__PW; ++r) norms[r] = 0.0;
    for (k0 = 0; k0 < j->d; k0 += 64) {
        size_t k1 = MOSSA__MIN(j->d, k0 + 64), kb = k0 / MOSSA__KC * MOSSA__KC;
        /* k0 .. k1 lie inside one k-block (64 divides MOSSA__KC) */
        float *dst = j->out + mossa__pidx(np, j->d, task, kb) - kb * MOSSA__PW;
        for (r = 0; r < MOSSA__PW; ++r) acc[r] = 0.0;
        if (!j->shift && scale == 1.0 && !j->rownorm) {
            /* a plain copy (the products of the SVD module) */
            mossa__k()->pack_t16(src + k0, j->ldx, nr, k1 - k0, dst + k0 * MOSSA__PW);
            continue;
        }
        for (k = k0; k < k1; ++k) {
            const double sh = j->shift ? j->shift[k] : 0.0;
            float *dk = dst + k * MOSSA__PW;
            for (r = 0; r < nr; ++r) {
                float v = (float)(((double)src[r * j->ldx + k] - sh) * scale);
                dk[r] = v;
                acc[r] += (double)v * (double)v;
            }
            for (; r < MOSSA__PW; ++r) dk[r] = 0.0f;
        }
        for (r = 0; r < MOSSA__PW; ++r) norms[r] += acc[r];
    }
    if (j->rownorm)
        for (r = 0; r < nr; ++r) j->rownorm[r0 + r] = norms[r];
}

/* columns-as-panels: panel p = columns 16p.., inner dimension = the n rows
   (rows n .. K-1 are zero). Tasks are chunks of 64 rows writing all panels. */
static void mossa__pack_cols_task(void *arg, size_t task, int worker)
{
    const mossa__pack_job *j = (const mossa__pack_job *)arg;
    size_t np = mossa__panels_of(j->d);
    size_t i, c, p, g0, g1, i0 = task * 64, i1 = MOSSA__MIN(j->K, i0 + 64);
    (void)worker;
    /* Rows in groups of MOSSA__PACK_ROWS, each group panel by panel: a
       row alone writes 64 bytes to every panel (64 panels at d = 1024, as
       many store streams, each line fetched for ownership), a group
       writes 4 consecutive lines of each (the rank's packing at 4000 x
       1024: 1.5 -> 1.15 ms on two threads). Every entry is the same. */
    for (g0 = i0; g0 < i1; g0 = g1) {
        double acc[MOSSA__PACK_ROWS] = {0.0};
        g1 = MOSSA__MIN(i1, g0 + MOSSA__PACK_ROWS);
        if (!j->shift && j->scale == 1.0 && !j->rownorm) {
            /* a plain copy (the products of the SVD module): whole 64-byte
               runs of each row, without the double arithmetic */
            for (p = 0; p < np; ++p)
                for (i = g0; i < g1; ++i) {
                    size_t kb = i / MOSSA__KC * MOSSA__KC;
                    float *dst = j->out + mossa__pidx(np, j->K, p, kb) + (i - kb) * MOSSA__PW;
                    size_t col = p * MOSSA__PW, w = i < j->n && col < j->d ? MOSSA__MIN(MOSSA__PW, j->d - col) : 0;
                    if (w == MOSSA__PW) { memcpy(dst, j->x + i * j->ldx + col, MOSSA__PW * sizeof(float)); continue; }
                    if (w) memcpy(dst, j->x + i * j->ldx + col, w * sizeof(float));
                    for (c = w; c < MOSSA__PW; ++c) dst[c] = 0.0f;
                }
            continue;
        }
        for (p = 0; p < np; ++p) {
            if (!j->rownorm && g1 <= j->n && (p + 1) * MOSSA__PW <= j->d) {
                /* whole panel rows without norms (the Gram of the rank and
                   PCA): the same values as below, by the pack_shift16
                   kernel, for the panels of this block of MOSSA__BP that
                   are whole (their rows lie kcb 16 floats apart) */
                size_t q = p % MOSSA__BP, runs = MOSSA__MIN(MOSSA__BP - q, j->d / MOSSA__PW - p);
                for (i = g0; i < g1; ++i) {
                    size_t kb = i / MOSSA__KC * MOSSA__KC, kcb = MOSSA__MIN(MOSSA__KC, j->K - kb);
                    mossa__k()->pack_shift16(j->x + i * j->ldx + p * MOSSA__PW,
                                             j->shift ? j->shift + p * MOSSA__PW : NULL, j->scale,
                                             j->out + mossa__pidx(np, j->K, p, kb) + (i - kb) * MOSSA__PW, runs,
                                             kcb * MOSSA__PW);
                }
                p += runs - 1;
                continue;
            }
            for (i = g0; i < g1; ++i) {
                size_t kb = i / MOSSA__KC * MOSSA__KC;
                float *dst = j->out + mossa__pidx(np, j->K, p, kb) + (i - kb) * MOSSA__PW;
                for (c = 0; c < MOSSA__PW; ++c) {
                    size_t col = p * MOSSA__PW + c;
                    float v = 0.0f;
                    if (i < j->n && col < j->d)
                        v = (float)(((double)j->x[i * j->ldx + col] - (j->shift ? j->shift[col] : 0.0)) * j->scale);
                    dst[c] = v;
                    acc[i - g0] += (double)v * (double)v;
                }
            }
        }
        if (j->rownorm)
            for (i = g0; i < g1 && i < j->n; ++i) j->rownorm[i] = acc[i - g0];
    }
}

/* out: mossa__panels_of(n) * d * 16 floats */
static void mossa__pack_rows(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t ldx,
                             const double *shift, double scale, float *out, double *rownorm)
{
    mossa__pack_job j;
    j.x = x; j.n = n; j.d = d; j.ldx = ldx; j.shift = shift; j.scale = scale;
    j.out = out; j.rownorm = rownorm; j.K = d;
    mossa__parallel(ctx, mossa__panels_of(n), mossa__pack_rows_task, &j);
}

/* out: mossa__panels_of(d) * K * 16 floats, K >= n */
static void mossa__pack_cols(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t ldx,
                             const double *shift, double scale, float *out, size_t K, double *rownorm)
{
    mossa__pack_job j;
    j.x = x; j.n = n; j.d = d; j.ldx = ldx; j.shift = shift; j.scale = scale;
    j.out = out; j.rownorm = rownorm; j.K = K;
    mossa__parallel(ctx, (K + 63) / 64, mossa__pack_cols_task, &j);
}

/* ---- column means ---------------------------------------------------------
   Column sums in double over all rows in row order (tasks = chunks of
   columns, so the order never depends on threads). A NaN or Inf anywhere
   makes its column's sum non-finite (a double sum of finite floats cannot
   overflow), which doubles as the finiteness check. Also returns the
   largest |x| (for the power-of-two scaling). */
typedef struct mossa__mean_job {
    const float *x;
    size_t n, d, ldx, cols;
    double *mean;
    float *maxabs;   /* per task */
} mossa__mean_job;

/* Tasks of cols columns (64 for narrow matrices, so that there are tasks
   for every thread; 512 for wide ones), swept in blocks of 128 rows so that
   each block of a task reads 2 KB runs of its rows rather than 256 bytes
   of every row per pass. The partition never changes a column's order of
   additions. */
#define MOSSA__MEAN_ROWS 128
static void mossa__mean_task(void *arg, size_t task, int worker)
{
    const mossa__mean_job *j = (const mossa__mean_job *)arg;
    const mossa__kernels *kt = mossa__k();
    size_t c0 = task * j->cols, c1 = MOSSA__MIN(j->d, c0 + j->cols), c, i0;
    float m = 0.0f;
    (void)worker;
    for (c = c0; c < c1; ++c) j->mean[c] = 0.0;
    for (i0 = 0; i0 < j->n; i0 += MOSSA__MEAN_ROWS) {
        size_t rows = MOSSA__MIN(MOSSA__MEAN_ROWS, j->n - i0);
        for (c = c0; c < c1; c += 64) {
            float a = kt->colsum(j->x + i0 * j->ldx + c, rows, j->ldx, MOSSA__MIN(64, c1 - c), j->mean + c);
            m = a > m ? a : m;
        }
    }
    for (c = c0; c < c1; ++c) j->mean[c] /= (double)j->n;
    j->maxabs[task] = m;
}

/* mean: d doubles. Returns MOSSA_ERR_NONFINITE on NaN/Inf; *scale gets a
   power of two bringing max|x| near 1 (CKA is scale invariant, and this
   keeps float products away from overflow and underflow). */
static mossa_status mossa__column_means(mossa__ctx *ctx, const float *x, size_t n, size_t d,
                                        size_t ldx, double *mean, double *scale)
{
    mossa__mean_job j;
    size_t t, nt;
    float m = 0.0f;
    int e;
    j.cols = d <= 2048 ? 64 : 512;
    nt = (d + j.cols - 1) / j.cols;
    j.maxabs = (float *)mossa__alloc(ctx, nt * sizeof(float));
    if (!j.maxabs) return MOSSA_ERR_OUT_OF_MEMORY;
    j.x = x; j.n = n; j.d = d; j.ldx = ldx; j.mean = mean;
    mossa__parallel(ctx, nt, mossa__mean_task, &j);
    for (t = 0; t < nt; ++t) m = j.maxabs[t] > m ? j.maxabs[t] : m;
    mossa__free(ctx, j.maxabs);
    for (t = 0; t < d; ++t)
        if (!(mean[t] - mean[t] == 0.0)) return MOSSA_ERR_NONFINITE;
    if (!(m - m == 0.0f)) return MOSSA_ERR_NONFINITE;
    *scale = 1.0;
    if (m > 0.0f) {
        frexp((double)m, &e);
        *scale = ldexp(1.0, -e);
    }
    return MOSSA_OK;
}

/* ---- mossa__gemm ------------------------------------------------------------ */
typedef struct mossa__gemm_job {
    const float *pa, *pb;    /* packed op(A) rows (or in place, lda_a != 0), op(B)' rows */
    size_t lda_a;
    int a_rows;              /* in place: op(A) = A (row i at pa + lda_a i), else A' */
    size_t m, n, k;
    size_t nbj;              /* blocks along n */
    int sym;                 /* pb == pa: blocks below the diagonal skipped */
    double beta;
    double *C;
    size_t ldc;
    double *buf;             /* per worker MOSSA__BS^2 (thin: tr nbj of them) */
    float *abuf;             /* in place: per worker abuf_len floats, packed k-blocks of A */
    size_t abuf_len;
    size_t tr;               /* thin: block rows per task */
    size_t kparts, kbpp;     /* thin, few block rows: k split into kparts runs of kbpp k-blocks */
    double *part;            /* kparts > 1: one nbj MOSSA__BS^2 result per task, summed in order after */
} mossa__gemm_job;

/* Thin products (C at most MOSSA__GEMM_THIN blocks wide, e.g. X times a
   sketch of 144 columns): a task owns a whole block row (an in-place A',
   up to MOSSA__INPLACE_TR of them) and sweeps the k-blocks outermost
   over all its column blocks, so each k-slice of A
   (the big operand) is read from memory once instead of once per column
   block. Every entry still adds its k-blocks in order: the same bits.
   With fewer block rows than that keeps two threads busy (Q'Y with a
   basis of 96 columns is one block row over k = 10000) the k-blocks are
   split into a fixed number of runs, chosen from the shape alone, whose
   partial sums are added in run order: the same bits for any thread
   count, packed or in place. */
#define MOSSA__GEMM_THIN 4
#define MOSSA__KSPLIT_TASKS 8
#define MOSSA__INPLACE_KB 4   /* k-blocks per copy of an in-place A read by rows */
#define MOSSA__INPLACE_TR 4   /* block rows per task of an in-place A' */
static int mossa__gemm_is_thin(size_t n) { return (n + MOSSA__BS - 1) / MOSSA__BS <= MOSSA__GEMM_THIN; }

/* C's block at (r0, c0) = beta C + the block buffer s (row stride
   MOSSA__BS); diag: only on and above the diagonal (the rest is mirrored
   later) */
static void mossa__gemm_store(const mossa__gemm_job *g, size_t r0, size_t c0, const double *s, int diag)
{
    size_t i, j, rows = MOSSA__MIN(MOSSA__BS, g->m - r0), cols = MOSSA__MIN(MOSSA__BS, g->n - c0);
    for (i = 0; i < rows; ++i) {
        double *c = g->C + (r0 + i) * g->ldc + c0;
        const double *si = s + i * MOSSA__BS;
        size_t j0 = diag ? i : 0;
        if (g->beta == 0.0) for (j = j0; j < cols; ++j) c[j] = si[j];
        else for (j = j0; j < cols; ++j) c[j] = g->beta * c[j] + si[j];
    }
}

static void mossa__gemm_thin_task(void *arg, size_t task, int worker)
{
    const mossa__gemm_job *g = (const mossa__gemm_job *)arg;
    size_t pa = mossa__panels_of(g->m), pb = mossa__panels_of(g->n), bi0 = task / g->kparts * g->tr;
    size_t bi, bj, k0, k, p, t;
    size_t tr = MOSSA__MIN(g->tr, (g->m + MOSSA__BS - 1) / MOSSA__BS - bi0), blk = g->nbj * MOSSA__BS * MOSSA__BS;
    size_t kbeg = (task % g->kparts) * g->kbpp * MOSSA__KC, kend = MOSSA__MIN(g->k, kbeg + g->kbpp * MOSSA__KC);
    size_t span = 0, s0 = 0;
    double *buf = g->kparts > 1 ? g->part + task * blk : g->buf + (size_t)worker * g->tr * blk;
    float *ablk = g->abuf ? g->abuf + (size_t)worker * g->abuf_len : NULL;
    const mossa__kernels *kt = mossa__k();
    memset(buf, 0, tr * blk * sizeof(double));
    for (k0 = kbeg; k0 < kend; k0 += MOSSA__KC) {
        size_t kc = MOSSA__MIN(MOSSA__KC, g->k - k0);
        if (ablk && g->a_rows && k0 >= s0 + span) {
            /* A read in place by rows (X): the next MOSSA__INPLACE_KB
               k-blocks of the task's rows, each micro-panel's 16 rows
               transposed into the packed layout (zero rows past m), the
               same floats mossa__pack_rows would have stored. A panel's
               k-blocks are taken one after another, so each of its rows
               is read in one run of up to 4 KB: with a run of one
               k-block (1 KB) per row, 128 rows 16 KB apart, the hardware
               prefetchers lose track and X streamed at half the rate
               (13 against 25 GB/s at 10000 x 4096 on 2 cores). */
            size_t r0 = bi0 * MOSSA__BS, j, kk;
            s0 = k0; span = MOSSA__MIN(MOSSA__INPLACE_KB * MOSSA__KC, kend - k0);
            for (p = 0; p < MOSSA__MIN(MOSSA__BP, pa - bi0 * MOSSA__BP); ++p)
                for (j = 0; j * MOSSA__KC < span; ++j) {
                    kk = MOSSA__MIN(MOSSA__KC, span - j * MOSSA__KC);
                    kt->pack_t16(g->pa + (r0 + p * MOSSA__PW) * g->lda_a + s0 + j * MOSSA__KC, g->lda_a,
                                 MOSSA__MIN(MOSSA__PW, g->m - r0 - p * MOSSA__PW), kk,
                                 ablk + j * MOSSA__BS * MOSSA__KC + p * kk * MOSSA__PW);
                }
        } else if (ablk && !g->a_rows) {
            /* A read in place (A' of X): the k-block of the task's tr
               block rows copied into the packed micro-panel layout, one
               run of tr x 512 bytes per row of X (a task of one block
               row, runs of 512 bytes, streamed X at 14 GB/s, of four at
               17.5, on the 2-core VM of the README). Its rows are lda
               apart, a power of two at d = 4096, so read in place by every tile
               they all fall in the same few cache sets and are fetched
               again and again (the product ran at half the speed of the
               packed one); copied once, they are reused from L1/L2 by all
               the B micro-panels. Same values, same sums: same bits. */
            const float *src = g->pa + k0 * g->lda_a + bi0 * MOSSA__BS;
            size_t np = MOSSA__MIN(tr * MOSSA__BP, pa - bi0 * MOSSA__BP);
            for (k = 0; k < kc; ++k)
                for (p = 0; p < np; ++p)
                    memcpy(ablk + (p / MOSSA__BP) * MOSSA__BS * MOSSA__KC + (p % MOSSA__BP) * kc * MOSSA__PW
                           + k * MOSSA__PW, src + k * g->lda_a + p * MOSSA__PW, MOSSA__PW * sizeof(float));
        }
        for (t = 0; t < tr; ++t) {
            const float *a0;
            bi = bi0 + t;
            if (!ablk) a0 = g->pa + mossa__pidx(pa, g->k, bi * MOSSA__BP, k0);
            else a0 = ablk + (g->a_rows ? (k0 - s0) / MOSSA__KC : t) * MOSSA__BS * MOSSA__KC;
            for (bj = 0; bj < g->nbj; ++bj)
                mossa__panel_tiles(a0, MOSSA__MIN(MOSSA__BP, pa - bi * MOSSA__BP),
                                   g->pb + mossa__pidx(pb, g->k, bj * MOSSA__BP, k0),
                                   MOSSA__MIN(MOSSA__BP, pb - bj * MOSSA__BP), kc, 0,
                                   buf + t * blk + bj * MOSSA__BS * MOSSA__BS, MOSSA__BS);
        }
    }
    if (g->kparts == 1)
        for (t = 0; t < tr; ++t)
            for (bj = 0; bj < g->nbj; ++bj)
                mossa__gemm_store(g, (bi0 + t) * MOSSA__BS, bj * MOSSA__BS,
                                  buf + t * blk + bj * MOSSA__BS * MOSSA__BS, 0);
}

/* kparts > 1: each block row's runs added in order into the first, stored */
static void mossa__gemm_ksum_task(void *arg, size_t task, int worker)
{
    const mossa__gemm_job *g = (const mossa__gemm_job *)arg;
    size_t blk = g->nbj * MOSSA__BS * MOSSA__BS, p, i, bj;
    double *s = g->part + task * g->kparts * blk;
    (void)worker;
    for (p = 1; p < g->kparts; ++p) {
        const double *q = s + p * blk;
        for (i = 0; i < blk; ++i) s[i] += q[i];
    }
    for (bj = 0; bj < g->nbj; ++bj)
        mossa__gemm_store(g, task * MOSSA__BS, bj * MOSSA__BS, s + bj * MOSSA__BS * MOSSA__BS, 0);
}

/* A symmetric product's block (bi, bj), bi <= bj, of C (order m) copied
   to its mirror image below the diagonal (a diagonal block: its strict
   lower triangle from its upper one). */
static void mossa__gemm_mirror(double *C, size_t ldc, size_t m, size_t bi, size_t bj)
{
    size_t i, j, r0 = bi * MOSSA__BS, c0 = bj * MOSSA__BS;
    size_t rows = MOSSA__MIN(MOSSA__BS, m - r0), cols = MOSSA__MIN(MOSSA__BS, m - c0);
    for (j = 0; j < cols; ++j) {
        double *dst = C + (c0 + j) * ldc + r0;
        const double *src = C + r0 * ldc + c0 + j;
        size_t iend = bi == bj ? j : rows;
        for (i = 0; i < iend; ++i) dst[i] = src[i * ldc];
    }
}

static void mossa__gemm_task(void *arg, size_t task, int worker)
{
    const mossa__gemm_job *g = (const mossa__gemm_job *)arg;
    size_t bi = task / g->nbj, bj = task % g->nbj;
    size_t pa = mossa__panels_of(g->m), pb = mossa__panels_of(g->n);
    size_t na = MOSSA__MIN(MOSSA__BP, pa - bi * MOSSA__BP), nb = MOSSA__MIN(MOSSA__BP, pb - bj * MOSSA__BP);
    double *buf = g->buf + (size_t)worker * MOSSA__BS * MOSSA__BS;
    int diag = g->sym && bi == bj;
    if (g->sym && bi > bj) return;
    memset(buf, 0, MOSSA__BS * MOSSA__BS * sizeof(double));
    mossa__panel_block(g->pa, pa, bi * MOSSA__BP, na, g->pb, pb, bj * MOSSA__BP, nb, g->k, diag, buf, MOSSA__BS);
    mossa__gemm_store(g, bi * MOSSA__BS, bj * MOSSA__BS, buf, diag);
    /* the mirror image below the diagonal, copied from the entries just
       stored (still in cache), by the task that made them */
    if (g->sym) mossa__gemm_mirror(g->C, g->ldc, g->m, bi, bj);
}

/* The engine behind every product: op(A) already packed (pa, m rows over
   k); op(B) packed here from B, or, with sym, op(B) = op(A)' (B unused):
   A then serves as both operands, only blocks on and above the diagonal
   are computed (half the work) and each block task mirrors its entries
   into the strict lower triangle of C. */
static mossa_status mossa__gemm_core(mossa__ctx *ctx, const float *pa, size_t lda_a, int a_rows, int trans_b, int sym,
                                     size_t m, size_t n, size_t k, const float *B, size_t ldb,
                                     double beta, double *C, size_t ldc)
{
    mossa__gemm_job g;
    size_t sb = 0, sbuf;
    int thin;
    float *pb = NULL;
    void *pbraw = NULL;
    size_t rb = (m + MOSSA__BS - 1) / MOSSA__BS, kblocks = (k + MOSSA__KC - 1) / MOSSA__KC;
    g.nbj = (n + MOSSA__BS - 1) / MOSSA__BS;
    thin = !sym && mossa__gemm_is_thin(n);
    g.kparts = 1; g.kbpp = kblocks; g.part = NULL;
    if (thin && rb < MOSSA__KSPLIT_TASKS / 2 && kblocks >= 8) {
        /* runs of at least 4 k-blocks, about MOSSA__KSPLIT_TASKS tasks */
        size_t want = MOSSA__MIN((MOSSA__KSPLIT_TASKS + rb - 1) / rb, kblocks / 4);
        g.kbpp = (kblocks + want - 1) / want;
        g.kparts = (kblocks + g.kbpp - 1) / g.kbpp;
    }
    if (lda_a && !thin) return MOSSA_ERR_INVALID_ARGUMENT;   /* in place: thin products only */
    if (!sym) {
        if (mossa__mul_overflows(mossa__panels_of(n) * MOSSA__PW, k, &sb) ||
            mossa__mul_overflows(sb, sizeof(float), &sb))
            return MOSSA_ERR_TOO_LARGE;
        pb = (float *)mossa__alloc_big(ctx, sb, &pbraw);
    }
    /* in place: A' copied tr block rows at a time (runs of tr x 512
       bytes per row of X), as long as that leaves every thread two tasks
       (a 512-row A' in one task would run on one thread); A
       MOSSA__INPLACE_KB k-blocks at a time. The grouping changes no sum:
       the same bits for any tr */
    g.tr = 1;
    if (lda_a && !a_rows && g.kparts == 1)
        g.tr = MOSSA__MAX((size_t)1, MOSSA__MIN((size_t)MOSSA__INPLACE_TR, rb / (2 * (size_t)ctx->n_threads)));
    g.abuf_len = !lda_a ? 0 : (a_rows ? MOSSA__MIN((size_t)MOSSA__INPLACE_KB, kblocks) : g.tr) * MOSSA__BS * MOSSA__KC;
    sbuf = (size_t)ctx->n_threads * (thin ? g.tr * g.nbj : 1) * MOSSA__BS * MOSSA__BS * sizeof(double);
    g.buf = (double *)mossa__alloc(ctx, sbuf);
    g.abuf = lda_a ? (float *)mossa__alloc(ctx, (size_t)ctx->n_threads * g.abuf_len * sizeof(float)) : NULL;
    if (g.kparts > 1)
        g.part = (double *)mossa__alloc(ctx, rb * g.kparts * g.nbj * MOSSA__BS * MOSSA__BS * sizeof(double));
    if ((!sym && !pb) || !g.buf || (lda_a && !g.abuf) || (g.kparts > 1 && !g.part)) {
        mossa__free(ctx, pbraw); mossa__free(ctx, g.buf); mossa__free(ctx, g.abuf); mossa__free(ctx, g.part);
        return MOSSA_ERR_OUT_OF_MEMORY;
    }
    /* op(B) is k x n: its columns become panels over k. */
    if (sym) { /* op(B)'s columns are op(A)'s rows */ }
    else if (trans_b) mossa__pack_rows(ctx, B, n, k, ldb, NULL, 1.0, pb, NULL);
    else mossa__pack_cols(ctx, B, k, n, ldb, NULL, 1.0, pb, k, NULL);
    g.pa = pa; g.lda_a = lda_a; g.a_rows = a_rows; g.pb = sym ? pa : pb;
    g.m = m; g.n = n; g.k = k; g.beta = beta; g.C = C; g.ldc = ldc; g.sym = sym;
    if (thin) {
        mossa__parallel(ctx, (rb + g.tr - 1) / g.tr * g.kparts, mossa__gemm_thin_task, &g);
        if (g.kparts > 1) mossa__parallel(ctx, rb, mossa__gemm_ksum_task, &g);
    } else mossa__parallel(ctx, rb * g.nbj, mossa__gemm_task, &g);
    mossa__free(ctx, pbraw); mossa__free(ctx, g.buf); mossa__free(ctx, g.abuf); mossa__free(ctx, g.part);
    return MOSSA_OK;
}

/* C = beta C for an empty inner dimension */
static void mossa__gemm_scale(size_t m, size_t n, double beta, double *C, size_t ldc)
{
    size_t i, j;
    for (i = 0; i < m; ++i)
        for (j = 0; j < n; ++j) C[i * ldc + j] = beta == 0.0 ? 0.0 : beta * C[i * ldc + j];
}

/* an operand holding nothing (safe to release) */
static void mossa__gemm_operand_none(mossa__gemm_operand *op)
{
    op->p = NULL; op->raw = NULL; op->in = NULL; op->rows = op->k = op->ld = 0; op->by_rows = 0;
}

/* op(A) packed, with shift[c] subtracted from column c of A first (in
   double, then rounded to float: the same values as a centered float
   copy of A would hold) when shift is not NULL */
static mossa_status mossa__gemm_pack_shifted(mossa__ctx *ctx, int trans, size_t rows, size_t k,
                                             const float *A, size_t lda, const double *shift, double scale,
                                             mossa__gemm_operand *op)
{
    size_t sa;
    mossa__gemm_operand_none(op);
    op->rows = rows; op->k = k;
    if (rows == 0 || k == 0) return MOSSA_OK;
    if (mossa__mul_overflows(mossa__panels_of(rows) * MOSSA__PW, k, &sa) ||
        mossa__mul_overflows(sa, sizeof(float), &sa))
        return MOSSA_ERR_TOO_LARGE;
    op->p = (float *)mossa__alloc_big(ctx, sa, &op->raw);
    if (!op->p) return MOSSA_ERR_OUT_OF_MEMORY;
    /* op(A) is rows x k: its rows become panels over k. */
    if (!trans) mossa__pack_rows(ctx, A, rows, k, lda, shift, scale, op->p, NULL);
    else mossa__pack_cols(ctx, A, k, rows, lda, shift, scale, op->p, k, NULL);
    return MOSSA_OK;
}

static mossa_status mossa__gemm_pack(mossa__ctx *ctx, int trans, size_t rows, size_t k,
                                     const float *A, size_t lda, mossa__gemm_operand *op)
{
    return mossa__gemm_pack_shifted(ctx, trans, rows, k, A, lda, NULL, 1.0, op);
}

static void mossa__gemm_release(mossa__ctx *ctx, mossa__gemm_operand *op)
{
    mossa__free(ctx, op->raw);
    mossa__gemm_operand_none(op);
}

/* op(A) read in place instead of packed: trans 1, op(A) = A' (A: k x rows,
   row-major with lda), when rows is a whole number of micro-panels (row i
   of A' at step k is A[lda k + i], 16 consecutive floats per micro-panel);
   trans 0, op(A) = A (rows x k, row i at A + lda i), any shape, each
   micro-panel's rows transposed by the pack_t16 kernel. Each task copies
   a few k-blocks of its rows at a time (A: up to MOSSA__INPLACE_KB
   k-blocks of one block row; A': one k-block of up to MOSSA__INPLACE_TR
   block rows) into a small packed buffer
   (mossa__gemm_thin_task), so the copy of the whole large operand (and the
   first touch of its buffer: on a VM about 1 s per GB) is saved at every
   level; a wider B is taken in thin column slices (mossa__gemm_packed).
   Returns 0, leaving op alone, when it does not apply. The products are
   bit-identical to the packed ones. */
static int mossa__gemm_inplace(int trans, size_t rows, size_t k, const float *A, size_t lda, mossa__gemm_operand *op)
{
    if (rows == 0 || k == 0 || lda < (trans ? rows : k) || (trans && rows % MOSSA__PW)) return 0;
    mossa__gemm_operand_none(op);
    op->in = A; op->ld = lda; op->rows = rows; op->k = k; op->by_rows = !trans;
    return 1;
}

static mossa_status mossa__gemm_packed(mossa__ctx *ctx, const mossa__gemm_operand *a, int trans_b, size_t n,
                                       const float *B, size_t ldb, double beta, double *C, size_t ldc)
{
    if (a->rows == 0 || n == 0) return MOSSA_OK;
    if (a->k == 0) { mossa__gemm_scale(a->rows, n, beta, C, ldc); return MOSSA_OK; }
    if (a->ld && !mossa__gemm_is_thin(n)) {
        /* A read in place but B wider than a thin product (a sketch of
           more than 512 columns, or B = Q'X of a deep Krylov basis after
           a Householder fallback): a few thin products over column slices
           of B and C, one pass over A each, rather than a packed copy of
           A. Every entry is the same sum either way. */
        size_t parts = (n + MOSSA__GEMM_THIN * MOSSA__BS - 1) / (MOSSA__GEMM_THIN * MOSSA__BS), c0, w;
        w = ((n + parts - 1) / parts + MOSSA__PW - 1) / MOSSA__PW * MOSSA__PW;
        for (c0 = 0; c0 < n; c0 += w)
            MOSSA__CHECK(mossa__gemm_core(ctx, a->in, a->ld, a->by_rows, trans_b, 0, a->rows, MOSSA__MIN(w, n - c0),
                                          a->k, trans_b ? B + c0 * ldb : B + c0, ldb, beta, C + c0, ldc));
        return MOSSA_OK;
    }
    return mossa__gemm_core(ctx, a->ld ? a->in : a->p, a->ld, a->by_rows, trans_b, 0, a->rows, n, a->k, B, ldb, beta,
                            C, ldc);
}

/* ---- the symmetric product in k-slabs ---------------------------------------
   C = op(A) op(A)' (beta 0) with op(A) packed one slab of k (a multiple of
   MOSSA__KC, at least two k-blocks) at a time into one reused buffer of
   about MOSSA__SLAB_BYTES, instead of all of it at once: the rank's
   Gram of a 4000 x 1024 matrix packed 16 MB, whose first touch (the
   kernel clearing fresh pages, slow on a VM) cost a few ms (peak memory of
   mossa rank there: 43 -> 28 MB). Each block of C is accumulated across the slabs in place
   (the tile kernels add each k-block's float sum into C in double), so
   every entry gets the same additions in the same order as in one pass:
   the same bits, for any slab length and thread count. A block that runs
   past the order m (its panels padded) is accumulated in a per-worker
   buffer and copied in and out instead. */
#define MOSSA__SLAB_BYTES ((size_t)2 << 20)
/* op(A)'s columns k0 .. k0 + ks (columns of A, or rows of A'), packed
   as a slab of panels over ks, shifted and scaled */
static void mossa__pack_slab(mossa__ctx *ctx, int trans, size_t m, size_t k0, size_t ks, const float *A, size_t lda,
                             const double *shift, double scale, float *p)
{
    if (!trans) mossa__pack_rows(ctx, A + k0, m, ks, lda, shift ? shift + k0 : NULL, scale, p, NULL);
    else mossa__pack_cols(ctx, A + k0 * lda, ks, m, lda, shift, scale, p, ks, NULL);
}
typedef struct mossa__slab_job {
    const float *pa;   /* the current slab, packed (panels over ks) */
    size_t m, ks, nb;  /* order, slab length, blocks per side */
    int first, last;   /* the first slab clears C, the last mirrors it */
    double *C;
    size_t ldc;
    double *buf;       /* per worker MOSSA__BS^2 */
} mossa__slab_job;

static void mossa__slab_task(void *arg, size_t task, int worker)
{
    const mossa__slab_job *g = (const mossa__slab_job *)arg;
    size_t bi = task / g->nb, bj = task % g->nb, np = mossa__panels_of(g->m), i;
    size_t r0 = bi * MOSSA__BS, c0 = bj * MOSSA__BS;
    size_t rows = MOSSA__MIN(MOSSA__BS, g->m - r0), cols = MOSSA__MIN(MOSSA__BS, g->m - c0);
    int whole = rows == MOSSA__BS && cols == MOSSA__BS;
    double *c = whole ? g->C + r0 * g->ldc + c0 : g->buf + (size_t)worker * MOSSA__BS * MOSSA__BS;
    size_t ldc = whole ? g->ldc : MOSSA__BS;
    if (bi > bj) return;
    if (!whole) {
        /* the padded part stays zero; the rest continues C's sums */
        memset(c, 0, MOSSA__BS * MOSSA__BS * sizeof(double));
        if (!g->first)
            for (i = 0; i < rows; ++i) memcpy(c + i * ldc, g->C + (r0 + i) * g->ldc + c0, cols * sizeof(double));
    } else if (g->first)
        for (i = 0; i < rows; ++i) memset(c + i * ldc, 0, cols * sizeof(double));
    mossa__panel_block(g->pa, np, bi * MOSSA__BP, MOSSA__MIN(MOSSA__BP, np - bi * MOSSA__BP), g->pa, np,
                       bj * MOSSA__BP, MOSSA__MIN(MOSSA__BP, np - bj * MOSSA__BP), g->ks, bi == bj, c, ldc);
    if (!whole)
        for (i = 0; i < rows; ++i) memcpy(g->C + (r0 + i) * g->ldc + c0, c + i * ldc, cols * sizeof(double));
    if (g->last) mossa__gemm_mirror(g->C, g->ldc, g->m, bi, bj);
}

/* the slab length for order m (0: one pass, the whole operand fits) */
static size_t mossa__slab_len(size_t m, size_t k)
{
    size_t per = mossa__panels_of(m) * MOSSA__PW * sizeof(float), ks = MOSSA__SLAB_BYTES / per / MOSSA__KC * MOSSA__KC;
    if (ks < 2 * MOSSA__KC) ks = 2 * MOSSA__KC;
    return k > ks ? ks : 0;
}

/* trans, A, lda, shift, scale as for mossa__gemm_pack_shifted; ks: the
   slab length, a multiple of MOSSA__KC */
static mossa_status mossa__gemm_sym_slabs(mossa__ctx *ctx, int trans, size_t m, size_t k, const float *A, size_t lda,
                                          const double *shift, double scale, size_t ks, double *C, size_t ldc)
{
    mossa__slab_job g;
    size_t k0, bytes, nb = (m + MOSSA__BS - 1) / MOSSA__BS;
    void *raw = NULL;
    if (mossa__mul_overflows(mossa__panels_of(m) * MOSSA__PW, ks, &bytes) ||
        mossa__mul_overflows(bytes, sizeof(float), &bytes))
        return MOSSA_ERR_TOO_LARGE;
    g.pa = (const float *)mossa__alloc_big(ctx, bytes, &raw);
    g.buf = (double *)mossa__alloc(ctx, (size_t)ctx->n_threads * MOSSA__BS * MOSSA__BS * sizeof(double));
    if (!g.pa || !g.buf) { mossa__free(ctx, raw); mossa__free(ctx, g.buf); return MOSSA_ERR_OUT_OF_MEMORY; }
    g.m = m; g.nb = nb; g.C = C; g.ldc = ldc;
    for (k0 = 0; k0 < k; k0 += ks) {
        float *p = (float *)g.pa;
        g.ks = MOSSA__MIN(ks, k - k0);
        g.first = k0 == 0; g.last = k0 + g.ks == k;
        mossa__pack_slab(ctx, trans, m, k0, g.ks, A, lda, shift, scale, p);
        mossa__parallel(ctx, nb * nb, mossa__slab_task, &g);
    }
    mossa__free(ctx, raw); mossa__free(ctx, g.buf);
    return MOSSA_OK;
}

/* The rank's Gram and its reduction keep the lower triangle in row groups
   of 16 ("lt" layout): group g (rows 16g .. 16g + 15) holds its rows
   16 (g + 1) floats apart (just wide enough for the group's diagonal
   tile), the groups one after another. Half the memory of a square
   matrix, and the triangle is one nearly contiguous run: the reduction
   sweeps it once per step, and rows of a square float matrix of order
   1024 are 4 KB apart, each a page of its own, where the hardware's
   prefetchers start over. Sweeping a 1 MB triangle with the row-pair
   kernel, this layout ran 1.5 times as fast (this machine). */
static size_t mossa__lt_size(size_t m)
{
    size_t g = (m + MOSSA__PW - 1) / MOSSA__PW;
    return MOSSA__PW * MOSSA__PW * (g * (g + 1) / 2);
}
/* row r's stride (the width of its group) and first entry */
static size_t mossa__lt_ld(size_t r) { return MOSSA__PW * (r / MOSSA__PW + 1); }
static float *mossa__lt_row(float *a, size_t r)
{
    size_t g = r / MOSSA__PW;
    return a + MOSSA__PW * MOSSA__PW * (g * (g + 1) / 2) + (r % MOSSA__PW) * MOSSA__PW * (g + 1);
}

/* ---- the rank's Gram in float ---------------------------------------------
   C = op(As)' op(As) as in mossa__gemm_sym_slabs (As = (A - 1 shift')
   scale, packed a k-slab at a time), but only the lower triangle (entries
   (r, c) with c <= r; the float reduction reads nothing else) and in
   float: each k-block's float sum is added to C with one float addition
   (the tile kernels gemm_tile16f, gemm_tile16x32f and, where the level
   has it, gemm_tile16x48f), stored in the lt layout above: a quarter of
   the double product's memory, and neither a mirror pass nor a conversion
   after it. The additions over k-blocks add to each entry at most a few
   float roundings of the entry itself, against the k-block sums' own
   rounding, up to about sqrt(256) roundings of the sum of |terms|. Every
   entry gets the same additions in the same order for any slab length,
   chunking and thread count: the same bits.

   Blocks (bi >= bj) are taken in row order and split into one run per
   thread of about equal numbers of tiles: a thread then works on
   neighbouring blocks of C and the same panels of the slab in every
   slab; handing out single blocks, the two threads' blocks interleave and
   the product took about 5% longer (this machine). A thread takes its own
   run's blocks from the front; when it is done it takes the other runs'
   from their backs (one claim word per run, a compare-and-swap per
   block), so a thread that was late or slower, in a slab its partner
   packed more of, is helped; which thread computes a block changes no
   bit. Without GNU C atomics each run is taken whole. */
typedef struct mossa__gramf_job {
    const float *pa;   /* the current slab, packed (panels over ks) */
    size_t m, ks, nb;  /* order, slab length, blocks per side */
    int first;         /* the first slab sets C (its entries are garbage) */
    size_t runs;       /* tasks: runs of blocks of about equal cost */
    size_t *rstart;    /* runs + 1: run r is blocks [rstart[r], rstart[r + 1]) */
    uint64_t *claim;   /* per run: its next block from the front | (one past
                          its last from the back) << 32 */
    float *C;          /* the lt layout */
    float *buf;        /* per worker MOSSA__BS^2: a block that runs past m */
} mossa__gramf_job;

/* how many B micro-panels mossa__panel_tiles_lf takes at pj (of nb):
   three where the level has the 16 x 48 tile, else two, the last one
   alone (the runs' cost counts the same groups) */
static size_t mossa__lf_group(const mossa__kernels *kt, size_t pj, size_t nb)
{
    return kt->gemm_tile16x48f && pj + 2 < nb ? 3 : MOSSA__MIN((size_t)2, nb - pj);
}

/* One k-block of a lower block: tiles (pi, pj) with pi >= pj on a
   diagonal block (diag), all of them otherwise, B micro-panels three
   (where the level has the 16 x 48 tile), two or one at a time. C: the lt
   layout (ldc 0; (r0, c0) the block's corner) or a plain buffer of row
   stride ldc. */
static void mossa__panel_tiles_lf(const float *a0, size_t na, const float *b0, size_t nb, size_t kc, int diag,
                                  float *C, size_t ldc, size_t r0, size_t c0)
{
    const mossa__kernels *kt = mossa__k();
    const size_t as = kc * MOSSA__PW;
    size_t pi, pj, w, v;
    for (pj = 0; pj < nb; pj += w) {
        const float *b = b0 + pj * as;
        w = mossa__lf_group(kt, pj, nb);
        for (pi = diag ? pj : 0; pi < na; ++pi) {
            size_t r = r0 + pi * MOSSA__PW, ld = ldc ? ldc : mossa__lt_ld(r);
            float *ct = (ldc ? C + r * ldc : mossa__lt_row(C, r)) + c0 + pj * MOSSA__PW;
            /* on a diagonal block, rows of tiles above the group's last
               micro-panel take only the tiles up to the diagonal (the lt
               layout has no room for the others); each tile's entries
               are the same sums at any width */
            v = diag ? MOSSA__MIN(w, pi - pj + 1) : w;
            if (v == 3) kt->gemm_tile16x48f(a0 + pi * as, b, kc, ct, ld);
            else if (v == 2 && kt->gemm_tile16x32f) kt->gemm_tile16x32f(a0 + pi * as, b, kc, ct, ld);
            else {
                kt->gemm_tile16f(a0 + pi * as, b, kc, ct, ld);
                if (v == 2) kt->gemm_tile16f(a0 + pi * as, b + as, kc, ct + MOSSA__PW, ld);
            }
        }
    }
}

/* block i of the lower blocks in row order: (bi, bj), bj <= bi */
static void mossa__gramf_rc(size_t i, size_t *bi, size_t *bj)
{
    size_t r = (size_t)((sqrt(8.0 * (double)i + 1.0) - 1.0) / 2.0);
    while (r * (r + 1) / 2 > i) --r;
    while ((r + 1) * (r + 2) / 2 <= i) ++r;
    *bi = r;
    *bj = i - r * (r + 1) / 2;
}

/* 16 x 16 tiles of lower block i: the runs' cost */
static size_t mossa__gramf_cost(size_t m, size_t i)
{
    size_t np = mossa__panels_of(m), bi, bj, na, nbp, pj, w, cost = 0;
    mossa__gramf_rc(i, &bi, &bj);
    na = MOSSA__MIN(MOSSA__BP, np - bi * MOSSA__BP);
    nbp = MOSSA__MIN(MOSSA__BP, np - bj * MOSSA__BP);
    if (bi != bj) return na * nbp;
    for (pj = 0; pj < nbp; pj += w) {
        w = mossa__lf_group(mossa__k(), pj, nbp);
        cost += (na - pj) * w - (w > 1 ? (w - 1) * w / 2 : 0);   /* the diagonal rows' narrower tiles */
    }
    return cost;
}

/* one slab's k-blocks of lower block i */
static void mossa__gramf_block(const mossa__gramf_job *g, size_t i, int worker)
{
    size_t np = mossa__panels_of(g->m), bi, bj, r, k0, r0, c0, rows, cols, na, nbp;
    float *buf = g->buf + (size_t)worker * MOSSA__BS * MOSSA__BS;
    int whole;
    mossa__gramf_rc(i, &bi, &bj);
    r0 = bi * MOSSA__BS; c0 = bj * MOSSA__BS;
    rows = MOSSA__MIN(MOSSA__BS, g->m - r0); cols = MOSSA__MIN(MOSSA__BS, g->m - c0);
    na = MOSSA__MIN(MOSSA__BP, np - bi * MOSSA__BP); nbp = MOSSA__MIN(MOSSA__BP, np - bj * MOSSA__BP);
    whole = rows == MOSSA__BS && cols == MOSSA__BS;
    if (!whole) {
        /* the padded part stays zero; the rest continues C's sums */
        memset(buf, 0, MOSSA__BS * MOSSA__BS * sizeof(float));
        if (!g->first)
            for (r = 0; r < rows; ++r)
                memcpy(buf + r * MOSSA__BS, mossa__lt_row(g->C, r0 + r) + c0, (bi == bj ? r + 1 : cols) * sizeof(float));
    } else if (g->first)   /* on a diagonal block, up to its row group's end */
        for (r = 0; r < rows; ++r)
            memset(mossa__lt_row(g->C, r0 + r) + c0, 0, (bi == bj ? mossa__lt_ld(r0 + r) - c0 : cols) * sizeof(float));
    for (k0 = 0; k0 < g->ks; k0 += MOSSA__KC)
        mossa__panel_tiles_lf(g->pa + mossa__pidx(np, g->ks, bi * MOSSA__BP, k0), na,
                              g->pa + mossa__pidx(np, g->ks, bj * MOSSA__BP, k0), nbp,
                              MOSSA__MIN(MOSSA__KC, g->ks - k0), bi == bj, whole ? g->C : buf,
                              whole ? 0 : MOSSA__BS, whole ? r0 : 0, whole ? c0 : 0);
    if (!whole)
        for (r = 0; r < rows; ++r)
            memcpy(mossa__lt_row(g->C, r0 + r) + c0, buf + r * MOSSA__BS, (bi == bj ? r + 1 : cols) * sizeof(float));
}

static void mossa__gramf_task(void *arg, size_t task, int worker)
{
    const mossa__gramf_job *g = (const mossa__gramf_job *)arg;
#if MOSSA__HAVE_CREWS
    size_t o;
    for (o = 0; o < g->runs; ++o) {
        uint64_t *cw = g->claim + (task + o) % g->runs;
        for (;;) {
            uint64_t w = __atomic_load_n(cw, __ATOMIC_ACQUIRE), lo = w & 0xffffffffu, hi = w >> 32;
            if (lo >= hi) break;
            if (__atomic_compare_exchange_n(cw, &w, o == 0 ? w + 1u : w - ((uint64_t)1 << 32), 0, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                mossa__gramf_block(g, (size_t)(o == 0 ? lo : hi - 1u), worker);
        }
    }
#else
    size_t i;
    for (i = g->rstart[task]; i < g->rstart[task + 1]; ++i) mossa__gramf_block(g, i, worker);
#endif
}

/* trans, A, lda, shift, scale as for mossa__gemm_pack_shifted; ks: the
   slab length (a multiple of MOSSA__KC), 0 for the library's choice.
   C (order m, mossa__lt_size(m) floats): the lower triangle in the lt
   layout; the rest of each diagonal tile may be overwritten. */
static mossa_status mossa__gram_lower_f(mossa__ctx *ctx, int trans, size_t m, size_t k, const float *A, size_t lda,
                                        const double *shift, double scale, size_t ks, float *C)
{
    mossa__gramf_job g;
    size_t k0, bytes, blocks, i, r, total = 0, cum = 0;
    void *raw = NULL;
    if (m == 0) return MOSSA_OK;
    if (ks == 0) ks = mossa__slab_len(m, k);
    if (ks == 0) ks = (k + MOSSA__KC - 1) / MOSSA__KC * MOSSA__KC;
    if (k == 0) {
        for (i = 0; i < m; ++i) memset(mossa__lt_row(C, i), 0, (i + 1) * sizeof(float));
        return MOSSA_OK;
    }
    if (mossa__mul_overflows(mossa__panels_of(m) * MOSSA__PW, ks, &bytes) ||
        mossa__mul_overflows(bytes, sizeof(float), &bytes))
        return MOSSA_ERR_TOO_LARGE;
    g.nb = (m + MOSSA__BS - 1) / MOSSA__BS;
    blocks = g.nb * (g.nb + 1) / 2;   /* an order this large has no Gram buffer anyway */
    if (blocks > 0xffffffffu) return MOSSA_ERR_TOO_LARGE;
    g.runs = MOSSA__MIN((size_t)ctx->n_threads, blocks);
    g.pa = (const float *)mossa__alloc_big(ctx, bytes, &raw);
    g.buf = (float *)mossa__alloc(ctx, (size_t)ctx->n_threads * MOSSA__BS * MOSSA__BS * sizeof(float));
    g.rstart = (size_t *)mossa__alloc(ctx, (g.runs + 1) * sizeof(size_t));
    g.claim = (uint64_t *)mossa__alloc(ctx, g.runs * sizeof(uint64_t));
    if (!g.pa || !g.buf || !g.rstart || !g.claim) {
        mossa__free(ctx, raw); mossa__free(ctx, g.buf); mossa__free(ctx, g.rstart); mossa__free(ctx, g.claim);
        return MOSSA_ERR_OUT_OF_MEMORY;
    }
    g.m = m; g.C = C;
    /* run r: the blocks whose cost midpoint falls in [r, r + 1) total / runs */
    for (i = 0; i < blocks; ++i) total += mossa__gramf_cost(m, i);
    for (r = 0; r <= g.runs; ++r) g.rstart[r] = blocks;
    for (i = 0, r = 0; i < blocks; ++i) {
        size_t c = mossa__gramf_cost(m, i);
        double at = ((double)cum + 0.5 * (double)c) * (double)g.runs / (double)total;
        cum += c;
        while (r < g.runs && at >= (double)r) g.rstart[r++] = i;
    }
    g.rstart[0] = 0;
    for (k0 = 0; k0 < k; k0 += ks) {
        float *p = (float *)g.pa;
        g.ks = MOSSA__MIN(ks, k - k0);
        g.first = k0 == 0;
        for (r = 0; r < g.runs; ++r) g.claim[r] = (uint64_t)g.rstart[r] | ((uint64_t)g.rstart[r + 1] << 32);
        mossa__pack_slab(ctx, trans, m, k0, g.ks, A, lda, shift, scale, p);
        mossa__parallel(ctx, g.runs, mossa__gramf_task, &g);
    }
    mossa__free(ctx, raw); mossa__free(ctx, g.buf); mossa__free(ctx, g.rstart); mossa__free(ctx, g.claim);
    return MOSSA_OK;
}

/* shift: subtracted from the columns of A as it is packed (or NULL), the
   difference then multiplied by scale (a power of two) */
static mossa_status mossa__gemm_run(mossa__ctx *ctx, int trans_a, int trans_b, int sym,
                                    size_t m, size_t n, size_t k,
                                    const float *A, size_t lda, const double *shift, double scale,
                                    const float *B, size_t ldb,
                                    double beta, double *C, size_t ldc)
{
    mossa__gemm_operand a;
    mossa_status st;
    size_t ks;
    if (m == 0 || n == 0) return MOSSA_OK;
    if (k == 0) { mossa__gemm_scale(m, n, beta, C, ldc); return MOSSA_OK; }
    if (sym && beta == 0.0 && (ks = mossa__slab_len(m, k)) != 0)
        return mossa__gemm_sym_slabs(ctx, trans_a, m, k, A, lda, shift, scale, ks, C, ldc);
    st = mossa__gemm_pack_shifted(ctx, trans_a, m, k, A, lda, shift, scale, &a);
    if (st != MOSSA_OK) return st;
    st = mossa__gemm_core(ctx, a.p, 0, 0, trans_b, sym, m, n, k, B, ldb, beta, C, ldc);
    mossa__gemm_release(ctx, &a);
    return st;
}

static mossa_status mossa__gemm(mossa__ctx *ctx, int trans_a, int trans_b,
                                size_t m, size_t n, size_t k,
                                const float *A, size_t lda,
                                const float *B, size_t ldb,
                                double beta, double *C, size_t ldc)
{
    return mossa__gemm_run(ctx, trans_a, trans_b, 0, m, n, k, A, lda, NULL, 1.0, B, ldb, beta, C, ldc);
}

static mossa_status mossa__gemm_sym(mossa__ctx *ctx, int trans_a, size_t m, size_t k,
                                    const float *A, size_t lda, double beta, double *C, size_t ldc)
{
    return mossa__gemm_run(ctx, trans_a, !trans_a, 1, m, m, k, A, lda, NULL, 1.0, A, lda, beta, C, ldc);
}

/* C = op(Ac)' op(Ac) for the column-shifted Ac = (A - 1 shift') scale
   (shift: one value per column of A, or NULL; scale: a power of two, 1 for
   none), without a shifted copy of A: the shift is applied while packing,
   so C is the same as mossa__gemm_sym of the centered float copy, and the
   copy (and the first touch of its memory) is saved. */
static mossa_status mossa__gemm_sym_shifted(mossa__ctx *ctx, int trans_a, size_t m, size_t k, const float *A,
                                            size_t lda, const double *shift, double scale, double *C, size_t ldc)
{
    return mossa__gemm_run(ctx, trans_a, !trans_a, 1, m, m, k, A, lda, shift, scale, A, lda, 0.0, C, ldc);
}

#ifdef MOSSA_TEST_HOOKS
/* Test builds: mossa__gemm with its own context (tests/test_cka.c). */
MOSSA_DEF mossa_status mossa_test_gemm(int n_threads, int trans_a, int trans_b, size_t m, size_t n, size_t k,
                                       const float *A, size_t lda, const float *B, size_t ldb,
                                       double beta, double *C, size_t ldc);
MOSSA_DEF mossa_status mossa_test_gemm(int n_threads, int trans_a, int trans_b, size_t m, size_t n, size_t k,
                                       const float *A, size_t lda, const float *B, size_t ldb,
                                       double beta, double *C, size_t ldc)
{
    mossa__ctx ctx;
    mossa_status st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__gemm(&ctx, trans_a, trans_b, m, n, k, A, lda, B, ldb, beta, C, ldc);
    mossa__ctx_end(&ctx);
    return st;
}
/* C = op(A) B through mossa__gemm_pack + mossa__gemm_packed (tests/test_svd.c). */
MOSSA_DEF mossa_status mossa_test_gemm_packed(int n_threads, int trans_a, size_t m, size_t n, size_t k,
                                              const float *A, size_t lda, const float *B, size_t ldb,
                                              double beta, double *C, size_t ldc);
MOSSA_DEF mossa_status mossa_test_gemm_packed(int n_threads, int trans_a, size_t m, size_t n, size_t k,
                                              const float *A, size_t lda, const float *B, size_t ldb,
                                              double beta, double *C, size_t ldc)
{
    mossa__ctx ctx;
    mossa__gemm_operand op;
    mossa_status st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__gemm_pack(&ctx, trans_a, m, k, A, lda, &op);
    if (st == MOSSA_OK) st = mossa__gemm_packed(&ctx, &op, 0, n, B, ldb, beta, C, ldc);
    mossa__gemm_release(&ctx, &op);
    mossa__ctx_end(&ctx);
    return st;
}
/* C = op(A) B with op(A) read in place (mossa__gemm_inplace; A' with
   trans_a); MOSSA_ERR_INVALID_ARGUMENT when that does not apply (shape)
   (tests/test_svd.c). */
MOSSA_DEF mossa_status mossa_test_gemm_inplace(int n_threads, int trans_a, size_t m, size_t n, size_t k,
                                               const float *A, size_t lda, const float *B, size_t ldb, double *C,
                                               size_t ldc);
MOSSA_DEF mossa_status mossa_test_gemm_inplace(int n_threads, int trans_a, size_t m, size_t n, size_t k,
                                               const float *A, size_t lda, const float *B, size_t ldb, double *C,
                                               size_t ldc)
{
    mossa__ctx ctx;
    mossa__gemm_operand op;
    mossa_status st;
    if (!mossa__gemm_inplace(trans_a, m, k, A, lda, &op)) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__gemm_packed(&ctx, &op, 0, n, B, ldb, 0.0, C, ldc);
    mossa__ctx_end(&ctx);
    return st;
}
/* C = op(Ac)' op(Ac) for Ac = A - 1 shift' (shift may be NULL) with its
   own context: ks 0 as the library chooses (one pass at test sizes), else
   in k-slabs of ks (a multiple of MOSSA__KC) (tests/test_svd.c). */
MOSSA_DEF mossa_status mossa_test_gemm_sym_slabs(int n_threads, int trans_a, size_t m, size_t k, const float *A,
                                                 size_t lda, const double *shift, size_t ks, double *C, size_t ldc);
MOSSA_DEF mossa_status mossa_test_gemm_sym_slabs(int n_threads, int trans_a, size_t m, size_t k, const float *A,
                                                 size_t lda, const double *shift, size_t ks, double *C, size_t ldc)
{
    mossa__ctx ctx;
    mossa_status st;
    if (ks % MOSSA__KC) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    st = ks ? mossa__gemm_sym_slabs(&ctx, trans_a, m, k, A, lda, shift, 1.0, ks, C, ldc)
            : mossa__gemm_sym_shifted(&ctx, trans_a, m, k, A, lda, shift, 1.0, C, ldc);
    mossa__ctx_end(&ctx);
    return st;
}
/* mossa__gram_lower_f with its own context (ks 0: the library's slab
   length) (tests/test_svd.c). */
MOSSA_DEF mossa_status mossa_test_gram_lower_f(int n_threads, int trans_a, size_t m, size_t k, const float *A,
                                               size_t lda, const double *shift, size_t ks, float *C, size_t ldc);
MOSSA_DEF mossa_status mossa_test_gram_lower_f(int n_threads, int trans_a, size_t m, size_t k, const float *A,
                                               size_t lda, const double *shift, size_t ks, float *C, size_t ldc)
{
    mossa__ctx ctx;
    mossa_status st;
    if (ks % MOSSA__KC) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    {
        /* the lt layout unpacked into C's lower triangle */
        size_t i;
        float *lt = (float *)mossa__alloc(&ctx, (m ? mossa__lt_size(m) : 1) * sizeof(float));
        if (!lt) st = MOSSA_ERR_OUT_OF_MEMORY;
        else {
            st = mossa__gram_lower_f(&ctx, trans_a, m, k, A, lda, shift, 1.0, ks, lt);
            if (st == MOSSA_OK)
                for (i = 0; i < m; ++i) memcpy(C + i * ldc, mossa__lt_row(lt, i), (i + 1) * sizeof(float));
        }
        mossa__free(&ctx, lt);
    }
    mossa__ctx_end(&ctx);
    return st;
}
/* mossa__gemm_sym with its own context (tests/test_svd.c). */
MOSSA_DEF mossa_status mossa_test_gemm_sym(int n_threads, int trans_a, size_t m, size_t k,
                                           const float *A, size_t lda, double beta, double *C, size_t ldc);
MOSSA_DEF mossa_status mossa_test_gemm_sym(int n_threads, int trans_a, size_t m, size_t k,
                                           const float *A, size_t lda, double beta, double *C, size_t ldc)
{
    mossa__ctx ctx;
    mossa_status st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__gemm_sym(&ctx, trans_a, m, k, A, lda, beta, C, ldc);
    mossa__ctx_end(&ctx);
    return st;
}
#endif

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
/* cka.c - centered Gram matrices and CKA: linear (Gram or feature form),
   RBF, biased and debiased HSIC, layer matrices, streaming, minibatch.

   Every matrix is centered once, explicitly: column means in double, then
   (x - mean) formed in double and rounded once into the packed float copy
   (impl/gemm.c). The implicit form K - 1m' - m1' + c is never used: with
   "massive activation" columns (means ~1e4) it cancels away all digits.
   Each matrix is also scaled by a power of two (exact; CKA is scale
   invariant) so that float products neither overflow nor underflow. */

/* ---- options ----------------------------------------------------------- */
typedef struct mossa__cka_opt {
    int rbf, debiased;
    double threshold;
} mossa__cka_opt;

static mossa_status mossa__cka_resolve(const mossa_cka_options *o, mossa__cka_opt *r)
{
    r->rbf = 0; r->debiased = 0; r->threshold = 1.0;
    if (!o) return MOSSA_OK;
    if (o->kernel != MOSSA_KERNEL_LINEAR && o->kernel != MOSSA_KERNEL_RBF) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!(o->threshold >= 0.0) || o->threshold > DBL_MAX) return MOSSA_ERR_INVALID_ARGUMENT;
    r->rbf = o->kernel == MOSSA_KERNEL_RBF;
    r->debiased = o->debiased != 0;
    if (o->threshold > 0.0) r->threshold = o->threshold;
    return MOSSA_OK;
}

static mossa_status mossa__cka_check_sizes(size_t n, size_t d)
{
    size_t t;
    if (n == 0 || d == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    /* packed copies round both sides up to 16 */
    if (mossa__mul_overflows(n + 64, d + 64, &t) || mossa__mul_overflows(t, 2 * sizeof(double), &t) ||
        mossa__mul_overflows(n, n, &t) || mossa__mul_overflows(t, sizeof(double), &t))
        return MOSSA_ERR_TOO_LARGE;
    return MOSSA_OK;
}

/* upper-triangle block pairs (bi <= bj) of an nb x nb block grid, row-major */
static mossa_status mossa__upper_pairs(mossa__ctx *ctx, size_t nb, size_t **pairs, size_t *count)
{
    size_t i, j, t = 0;
    *count = nb * (nb + 1) / 2;
    *pairs = (size_t *)mossa__alloc(ctx, 2 * *count * sizeof(size_t));
    if (!*pairs) return MOSSA_ERR_OUT_OF_MEMORY;
    for (i = 0; i < nb; ++i)
        for (j = i; j < nb; ++j) { (*pairs)[2 * t] = i; (*pairs)[2 * t + 1] = j; ++t; }
    return MOSSA_OK;
}

/* Sums w * u_ij * v_ij over the computed tiles of two blocks (u = v for
   squares): off-diagonal tiles of a symmetric diagonal block stand for
   their mirror too (weight 2); so do off-diagonal blocks (sym != 0). */
static void mossa__block_dots(const double *u, const double *v, size_t na, size_t nb, int diag, int sym,
                              double *uv, double *uu, double *vv)
{
    size_t pi, pj, i, j;
    double suv = 0.0, suu = 0.0, svv = 0.0;
    for (pi = 0; pi < na; ++pi)
        for (pj = diag ? pi : 0; pj < nb; ++pj) {
            double tuv = 0.0, tuu = 0.0, tvv = 0.0, w = (diag && pi == pj) ? 1.0 : (sym ? 2.0 : 1.0);
            for (i = 0; i < MOSSA__PW; ++i) {
                const double *ur = u + (pi * MOSSA__PW + i) * MOSSA__BS + pj * MOSSA__PW;
                const double *vr = v ? v + (pi * MOSSA__PW + i) * MOSSA__BS + pj * MOSSA__PW : ur;
                for (j = 0; j < MOSSA__PW; ++j) {
                    tuv += ur[j] * vr[j];
                    tuu += ur[j] * ur[j];
                    tvv += vr[j] * vr[j];
                }
            }
            suv += w * tuv; suu += w * tuu; svv += w * tvv;
        }
    *uv += suv; *uu += suu; *vv += svv;
}

/* ---- a centered, packed matrix ------------------------------------------ */
typedef struct mossa__cmat {
    double *mean;      /* d */
    double *rownorm;   /* n: squared norms of the stored (scaled, centered) rows */
    float *panels;
    void *raw;         /* panels' allocation (mossa__alloc_big), NULL when not owned */
    double scale;      /* stored = (x - mean) * scale */
} mossa__cmat;

/* nothing allocated (safe to free) */
static void mossa__cmat_none(mossa__cmat *m)
{
    m->mean = NULL; m->rownorm = NULL; m->panels = NULL; m->raw = NULL;
}

static void mossa__cmat_free(mossa__ctx *ctx, mossa__cmat *m)
{
    mossa__free(ctx, m->mean); mossa__free(ctx, m->rownorm); mossa__free(ctx, m->raw);
    mossa__cmat_none(m);
}

/* by_rows: panels over the n rows (inner = d, Gram form); else panels over
   the d columns (inner = n, feature form). */
static mossa_status mossa__cmat_into(mossa__ctx *ctx, const float *x, size_t n, size_t d, int by_rows,
                                     float *into, mossa__cmat *m)
{
    mossa_status st;
    size_t count = by_rows ? mossa__panels_of(n) * MOSSA__PW * d : mossa__panels_of(d) * MOSSA__PW * n;
    mossa__cmat_none(m);
    m->mean = (double *)mossa__alloc(ctx, d * sizeof(double));
    m->rownorm = (double *)mossa__alloc(ctx, n * sizeof(double));
    if (!m->mean || !m->rownorm) { mossa__cmat_free(ctx, m); return MOSSA_ERR_OUT_OF_MEMORY; }
    st = mossa__column_means(ctx, x, n, d, d, m->mean, &m->scale);
    if (st != MOSSA_OK) { mossa__cmat_free(ctx, m); return st; }
    if (into) m->panels = into;
    else {
        m->panels = (float *)mossa__alloc_big(ctx, count * sizeof(float), &m->raw);
        if (!m->panels) { mossa__cmat_free(ctx, m); return MOSSA_ERR_OUT_OF_MEMORY; }
    }
    if (by_rows) mossa__pack_rows(ctx, x, n, d, d, m->mean, m->scale, m->panels, m->rownorm);
    else mossa__pack_cols(ctx, x, n, d, d, m->mean, m->scale, m->panels, n, m->rownorm);
    if (into) m->panels = NULL;   /* the caller owns it */
    return MOSSA_OK;
}

static mossa_status mossa__cmat_make(mossa__ctx *ctx, const float *x, size_t n, size_t d, int by_rows,
                                     mossa__cmat *m)
{
    return mossa__cmat_into(ctx, x, n, d, by_rows, NULL, m);
}

/* ---- linear CKA, Gram form: <K, L>, <K, K>, <L, L> for K = Xc Xc' and
   L = Yc Yc', block by block without storing either Gram ---------------- */
typedef struct mossa__lin_gram_job {
    const float *p;  /* the row panels of X (pass 1), then of Y (pass 2) */
    size_t n, d, np;
    int pass;
    const size_t *pairs;
    float *kx;       /* per task: Kx's block (float) */
    double *buf;     /* per worker: 2 blocks */
    double *part;    /* per task: 3 sums */
} mossa__lin_gram_job;

/* Two passes over the upper blocks of n x n, sharing one packed buffer
   (Y is packed where X was): pass 1 keeps each block of Kx as floats and
   sums Kx^2 in double; pass 2 computes Ky's block and sums Ky^2 and
   Kx Ky. The packed copy of only one input is alive at a time. */
static void mossa__lin_gram_task(void *arg, size_t task, int worker)
{
    const mossa__lin_gram_job *j = (const mossa__lin_gram_job *)arg;
    size_t bi = j->pairs[2 * task], bj = j->pairs[2 * task + 1], i;
    size_t na = MOSSA__MIN(MOSSA__BP, j->np - bi * MOSSA__BP), nb = MOSSA__MIN(MOSSA__BP, j->np - bj * MOSSA__BP);
    double *bk = j->buf + (size_t)worker * 2 * MOSSA__BS * MOSSA__BS, *bx = bk + MOSSA__BS * MOSSA__BS;
    float *kx = j->kx + task * MOSSA__BS * MOSSA__BS;
    double *p = j->part + 3 * task, unused = 0.0, unused2 = 0.0;
    int diag = bi == bj;
    memset(bk, 0, MOSSA__BS * MOSSA__BS * sizeof(double));
    mossa__panel_block(j->p, j->np, bi * MOSSA__BP, na, j->p, j->np, bj * MOSSA__BP, nb, j->d, diag, bk, MOSSA__BS);
    if (j->pass == 1) {
        p[0] = p[1] = p[2] = 0.0;
        mossa__block_dots(bk, NULL, na, nb, diag, 1, &unused, &p[1], &unused2);
        for (i = 0; i < MOSSA__BS * MOSSA__BS; ++i) kx[i] = (float)bk[i];
    } else {
        for (i = 0; i < MOSSA__BS * MOSSA__BS; ++i) bx[i] = (double)kx[i];
        mossa__block_dots(bx, bk, na, nb, diag, 1, &p[0], &unused, &p[2]);
    }
}

/* ---- linear CKA, feature form: ||Xc'Yc||^2, ||Xc'Xc||^2, ||Yc'Yc||^2 from
   one SYRK of the stacked panels [Xc Yc], reduced block by block ---------
   The inner dimension is n (large), so a task owns a super-block of
   MOSSA__SBP x MOSSA__SBP blocks (512 x 512 doubles, 2 MB) and sweeps the
   k-blocks outermost: each k-slice of its panels is read from memory once
   per super-block instead of once per 128 x 128 block (7x less traffic
   at d = 4096, which bounds the speed at n = 10,000). The float blocks are
   added to C in k order exactly as block by block, so the values match. */
#define MOSSA__SBP 4
typedef struct mossa__lin_feat_job {
    const float *px, *py;   /* column panels, inner length n */
    size_t n, npx, npy, nbx, nby, nsx, nsy;
    size_t nxx, nyy;        /* task counts of the XX and YY parts */
    const size_t *pxx, *pyy;
    double *buf;            /* per worker: MOSSA__SBP^2 blocks */
    double *part;           /* per task: 1 sum */
} mossa__lin_feat_job;

static void mossa__lin_feat_task(void *arg, size_t task, int worker)
{
    const mossa__lin_feat_job *j = (const mossa__lin_feat_job *)arg;
    double *sb = j->buf + (size_t)worker * MOSSA__SBP * MOSSA__SBP * MOSSA__BS * MOSSA__BS;
    size_t si, sj, npa, npb, nba, nbb, k0, u, v;
    const float *A, *B;
    int sdiag = 0, sym = 1;
    double total = 0.0, uu, vv, uv;
    if (task < j->nxx) {
        si = j->pxx[2 * task]; sj = j->pxx[2 * task + 1];
        A = B = j->px; npa = npb = j->npx; nba = nbb = j->nbx; sdiag = si == sj;
    } else if (task < j->nxx + j->nyy) {
        size_t t = task - j->nxx;
        si = j->pyy[2 * t]; sj = j->pyy[2 * t + 1];
        A = B = j->py; npa = npb = j->npy; nba = nbb = j->nby; sdiag = si == sj;
    } else {
        size_t t = task - j->nxx - j->nyy;
        si = t / j->nsy; sj = t % j->nsy;
        A = j->px; B = j->py; sym = 0; npa = j->npx; npb = j->npy; nba = j->nbx; nbb = j->nby;
    }
    memset(sb, 0, MOSSA__SBP * MOSSA__SBP * MOSSA__BS * MOSSA__BS * sizeof(double));
    for (k0 = 0; k0 < j->n; k0 += MOSSA__KC) {
        size_t k1 = MOSSA__MIN(j->n, k0 + MOSSA__KC);
        for (v = 0; v < MOSSA__SBP && sj * MOSSA__SBP + v < nbb; ++v)
            for (u = 0; u < MOSSA__SBP && si * MOSSA__SBP + u < nba; ++u) {
                size_t bi = si * MOSSA__SBP + u, bj = sj * MOSSA__SBP + v;
                if (sdiag && u > v) continue;
                mossa__panel_block_k(A, npa, bi * MOSSA__BP, MOSSA__MIN(MOSSA__BP, npa - bi * MOSSA__BP),
                                     B, npb, bj * MOSSA__BP, MOSSA__MIN(MOSSA__BP, npb - bj * MOSSA__BP),
                                     j->n, k0, k1, sym && bi == bj, sb + (u * MOSSA__SBP + v) * MOSSA__BS * MOSSA__BS,
                                     MOSSA__BS);
            }
    }
    for (u = 0; u < MOSSA__SBP && si * MOSSA__SBP + u < nba; ++u)
        for (v = 0; v < MOSSA__SBP && sj * MOSSA__SBP + v < nbb; ++v) {
            size_t bi = si * MOSSA__SBP + u, bj = sj * MOSSA__SBP + v;
            if (sdiag && u > v) continue;
            uu = vv = uv = 0.0;
            mossa__block_dots(sb + (u * MOSSA__SBP + v) * MOSSA__BS * MOSSA__BS, NULL,
                              MOSSA__MIN(MOSSA__BP, npa - bi * MOSSA__BP), MOSSA__MIN(MOSSA__BP, npb - bj * MOSSA__BP),
                              sym && bi == bj, sym, &uv, &uu, &vv);
            total += uu;
        }
    j->part[task] = total;
}

/* s[0] = <K,L>, s[1] = <K,K>, s[2] = <L,L> in the stored (scaled) units;
   dk, dl = diagonals of K and L (n each, returned to the caller). */
static mossa_status mossa__linear_sums(mossa__ctx *ctx, const float *x, size_t n, size_t dx,
                                       const float *y, size_t dy, double s[3],
                                       double **dk, double **dl, double *sx, double *sy)
{
    mossa__cmat mx, my;
    mossa_status st;
    size_t t;
    /* Gram form costs n^2 (dx + dy) / 2 multiply-adds, the feature form
       n (dx + dy)^2 / 2: pick the cheaper. */
    int gram = n < dx + dy;
    *dk = *dl = NULL;
    *sx = *sy = 1.0;
    s[0] = s[1] = s[2] = 0.0;
    mossa__cmat_none(&mx); mossa__cmat_none(&my);
    if (gram) {
        mossa__lin_gram_job j;
        size_t count = 0, np = mossa__panels_of(n), pbytes = np * MOSSA__PW * MOSSA__MAX(dx, dy) * sizeof(float);
        size_t kbytes;
        float *P = NULL;
        void *praw = NULL, *kraw = NULL;
        j.pairs = NULL; j.kx = NULL; j.buf = NULL; j.part = NULL;
        j.n = n; j.np = np;
        st = mossa__upper_pairs(ctx, (np + MOSSA__BP - 1) / MOSSA__BP, (size_t **)&j.pairs, &count);
        if (st == MOSSA_OK) {
            kbytes = count * MOSSA__BS * MOSSA__BS * sizeof(float);
            P = (float *)mossa__alloc_big(ctx, pbytes, &praw);
            j.kx = (float *)mossa__alloc_big(ctx, kbytes, &kraw);
            j.buf = (double *)mossa__alloc(ctx, (size_t)ctx->n_threads * 2 * MOSSA__BS * MOSSA__BS * sizeof(double));
            j.part = (double *)mossa__alloc(ctx, 3 * count * sizeof(double));
            if (!P || !j.kx || !j.buf || !j.part) st = MOSSA_ERR_OUT_OF_MEMORY;
        }
        if (st == MOSSA_OK) st = mossa__cmat_into(ctx, x, n, dx, 1, P, &mx);
        if (st == MOSSA_OK) {
            j.p = P; j.d = dx; j.pass = 1;
            mossa__parallel(ctx, count, mossa__lin_gram_task, &j);
            st = mossa__cmat_into(ctx, y, n, dy, 1, P, &my);
        }
        if (st == MOSSA_OK) {
            j.p = P; j.d = dy; j.pass = 2;
            mossa__parallel(ctx, count, mossa__lin_gram_task, &j);
            for (t = 0; t < count; ++t) { s[0] += j.part[3 * t]; s[1] += j.part[3 * t + 1]; s[2] += j.part[3 * t + 2]; }
        }
        mossa__free(ctx, (void *)j.pairs); mossa__free(ctx, praw); mossa__free(ctx, kraw);
        mossa__free(ctx, j.buf); mossa__free(ctx, j.part);
    } else {
        st = mossa__cmat_make(ctx, x, n, dx, 0, &mx);
        if (st == MOSSA_OK) st = mossa__cmat_make(ctx, y, n, dy, 0, &my);
    }
    if (st == MOSSA_OK) { *sx = mx.scale; *sy = my.scale; }
    if (st == MOSSA_OK && !gram) {
        mossa__lin_feat_job j;
        size_t total;
        size_t *pxx = NULL, *pyy = NULL;
        j.px = mx.panels; j.py = my.panels; j.n = n;
        j.npx = mossa__panels_of(dx); j.npy = mossa__panels_of(dy);
        j.nbx = (j.npx + MOSSA__BP - 1) / MOSSA__BP; j.nby = (j.npy + MOSSA__BP - 1) / MOSSA__BP;
        j.nsx = (j.nbx + MOSSA__SBP - 1) / MOSSA__SBP; j.nsy = (j.nby + MOSSA__SBP - 1) / MOSSA__SBP;
        j.buf = NULL; j.part = NULL;
        st = mossa__upper_pairs(ctx, j.nsx, &pxx, &j.nxx);
        if (st == MOSSA_OK) st = mossa__upper_pairs(ctx, j.nsy, &pyy, &j.nyy);
        total = j.nxx + j.nyy + j.nsx * j.nsy;
        if (st == MOSSA_OK) {
            j.buf = (double *)mossa__alloc(ctx, (size_t)ctx->n_threads * MOSSA__SBP * MOSSA__SBP * MOSSA__BS * MOSSA__BS
                                                * sizeof(double));
            j.part = (double *)mossa__alloc(ctx, total * sizeof(double));
            if (!j.buf || !j.part) st = MOSSA_ERR_OUT_OF_MEMORY;
        }
        if (st == MOSSA_OK) {
            j.pxx = pxx; j.pyy = pyy;
            mossa__parallel(ctx, total, mossa__lin_feat_task, &j);
            for (t = 0; t < j.nxx; ++t) s[1] += j.part[t];
            for (; t < j.nxx + j.nyy; ++t) s[2] += j.part[t];
            for (; t < total; ++t) s[0] += j.part[t];
        }
        mossa__free(ctx, pxx); mossa__free(ctx, pyy); mossa__free(ctx, j.buf); mossa__free(ctx, j.part);
    }
    if (st == MOSSA_OK) {
        *dk = mx.rownorm; *dl = my.rownorm;
        mx.rownorm = NULL; my.rownorm = NULL;
    }
    mossa__cmat_free(ctx, &mx);
    mossa__cmat_free(ctx, &my);
    return st;
}

/* HSIC values from the linear sums. The diagonal identities use K1 = 0
   (centered data): tr(K~L~) = <K,L> - sum dK dL, 1'K~1 = -tr K,
   1'K~L~1 = sum dK dL, which turns Song et al.'s unbiased estimator into
   [<K,L> - n/(n-2) sum dK dL + trK trL / ((n-1)(n-2))] / (n (n-3)). */
static mossa_status mossa__linear_hsic(mossa__ctx *ctx, const float *x, size_t n, size_t dx,
                                       const float *y, size_t dy, int debiased, double h[3])
{
    double s[3], *dk, *dl, sx, sy, kl = 0.0, kk = 0.0, ll = 0.0, tk = 0.0, tl = 0.0, nn = (double)n;
    size_t i;
    mossa_status st = mossa__linear_sums(ctx, x, n, dx, y, dy, s, &dk, &dl, &sx, &sy);
    if (st != MOSSA_OK) return st;
    if (!debiased) {
        double c = 1.0 / ((nn - 1.0) * (nn - 1.0));
        h[0] = s[0] * c; h[1] = s[1] * c; h[2] = s[2] * c;
    } else {
        double c = 1.0 / (nn * (nn - 3.0)), e = 1.0 / ((nn - 1.0) * (nn - 2.0)), f = nn / (nn - 2.0);
        for (i = 0; i < n; ++i) {
            kl += dk[i] * dl[i]; kk += dk[i] * dk[i]; ll += dl[i] * dl[i];
            tk += dk[i]; tl += dl[i];
        }
        h[0] = (s[0] - f * kl + tk * tl * e) * c;
        h[1] = (s[1] - f * kk + tk * tk * e) * c;
        h[2] = (s[2] - f * ll + tl * tl * e) * c;
    }
    /* back to the caller's units (exact powers of two) */
    h[0] /= (sx * sx) * (sy * sy);
    h[1] /= (sx * sx) * (sx * sx);
    h[2] /= (sy * sy) * (sy * sy);
    mossa__free(ctx, dk); mossa__free(ctx, dl);
    return MOSSA_OK;
}

/* ---- exact median of the full squared-distance matrix ---------------------
   The n x n matrix holds n diagonal zeros and every upper-triangle value
   twice, so its sorted order is n zeros followed by u0 u0 u1 u1 ... (u =
   the sorted upper triangle): rank r >= n is u[(r - n) / 2].

   Order statistics of u are exact: non-negative floats sort as their bit
   patterns, so a radix select (a histogram of the top 11 bits, then of the
   next 11 and the last 10 inside the chosen buckets) finds them. Over the
   whole triangle that is three scattered-increment passes; instead a sample of
   16384 values brackets the wanted ranks (+-4 standard deviations of a
   sample rank), the values below and inside the bracket are counted and
   the ~3% inside copied into per-chunk slots, and the radix select runs
   on those. The RBF kernel pass does the counting while each row of
   distances is still in cache (the sample computed beforehand from the
   input rows); mossa__select2 does it in its own streaming pass. A chunk
   that overflows its slots costs a second copying pass; a bracket that
   misses the ranks (an unrepresentative sample) costs the full radix
   select. The answer is the same either way, and every count is an
   integer, so any thread count gives the same bits. */
#define MOSSA__HIST 2048   /* buckets of the largest radix digit */
#define MOSSA__SEL_CHUNK 65536
#define MOSSA__SEL_SAMPLES 16384
#define MOSSA__SEL_MARGIN 256

static uint32_t mossa__fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    return u;
}

/* rank -> bucket of an nb-bucket histogram (rank becomes the rank inside it) */
static uint32_t mossa__sel_find(const size_t *h, uint32_t nb, size_t *rank)
{
    uint32_t b;
    for (b = 0; b < nb - 1; ++b) {
        if (*rank < h[b]) return b;
        *rank -= h[b];
    }
    return nb - 1;
}

/* out[q] = the rank[q]-th smallest of v[0..count) (non-negative floats):
   three passes, one per digit of the bit pattern (11, 11 and 10 bits),
   each counting the values that share the bits chosen so far;
   h: 2 x MOSSA__HIST counts of scratch */
static void mossa__radix_select(const float *v, size_t count, const size_t rank[2], size_t *h, float out[2])
{
    static const int shift[4] = {32, 21, 10, 0};
    uint32_t pre[2] = {0u, 0u};
    size_t i, r[2];
    int p, q;
    r[0] = rank[0]; r[1] = rank[1];
    for (p = 1; p < 4; ++p) {
        const int hs = shift[p - 1], s = shift[p];
        const uint32_t nb = 1u << (hs - s), mask = nb - 1u;
        /* the prefixes above bit hs (none on the first pass) */
        const uint32_t p0 = p == 1 ? 0u : pre[0] >> hs, p1 = p == 1 ? 0u : pre[1] >> hs;
        memset(h, 0, 2 * MOSSA__HIST * sizeof(size_t));
        if (p == 1)
            for (i = 0; i < count; ++i) h[mossa__fbits(v[i]) >> s]++;
        else
            for (i = 0; i < count; ++i) {
                uint32_t u = mossa__fbits(v[i]);
                if ((u >> hs) == p0) h[(u >> s) & mask]++;
                else if ((u >> hs) == p1) h[MOSSA__HIST + ((u >> s) & mask)]++;
            }
        for (q = 0; q < 2; ++q)
            pre[q] |= mossa__sel_find(h + (q == 1 && p0 != p1 ? MOSSA__HIST : 0), nb, &r[q]) << s;
    }
    for (q = 0; q < 2; ++q) memcpy(&out[q], &pre[q], sizeof(float));
}

/* the s-th of MOSSA__SEL_SAMPLES evenly strided positions in [0, count) */
static size_t mossa__sample_pos(size_t s, size_t count)
{
    return (size_t)(((double)s + 0.5) * ((double)count / (double)MOSSA__SEL_SAMPLES));
}

/* The bracket of rank[0] .. rank[1] of count values from a sample of S of
   them, as bit patterns: a value u is inside iff u - lo <= width
   (unsigned), below iff u < lo. */
static void mossa__sel_bracket(const float *sample, size_t S, size_t count, const size_t rank[2], size_t *h,
                               uint32_t *lo, uint32_t *width)
{
    size_t sr[2];
    float sv[2];
    sr[0] = (size_t)((double)rank[0] / (double)count * (double)S);
    sr[1] = (size_t)((double)rank[1] / (double)count * (double)S) + 1;
    sr[0] = sr[0] > MOSSA__SEL_MARGIN ? sr[0] - MOSSA__SEL_MARGIN : 0;
    sr[1] = MOSSA__MIN(S - 1, sr[1] + MOSSA__SEL_MARGIN);
    mossa__radix_select(sample, S, sr, h, sv);
    *lo = sr[0] == 0 ? 0u : mossa__fbits(sv[0]);
    *width = (sr[1] == S - 1 ? mossa__fbits((float)HUGE_VAL) : mossa__fbits(sv[1])) - *lo;
}

/* After the counting of nt states (each kept its first min(inside, cap)
   values at its keep; the keep areas lie in order in one buffer): moves
   the kept values together to kp[0].keep, in order, sets kp[t].k to state
   t's offset among all values inside and rr = rank - (count below).
   Returns 0 when the ranks are inside and no state overflowed (out set
   from the kept values), 1 when they are inside but some state
   overflowed (*I = count inside), 2 when the bracket missed them. */
static int mossa__sel_merge(mossa__keep *kp, size_t nt, const size_t rank[2], size_t *h, size_t rr[2], size_t *I,
                            float out[2])
{
    size_t t, B = 0, over = 0;
    float *dst = kp[0].keep;
    *I = 0;
    for (t = 0; t < nt; ++t) {
        size_t c = kp[t].inside;
        B += kp[t].below;
        if (c > kp[t].cap) over = 1;
        /* after an overflow nothing moves: *I then outgrows the slots */
        else if (!over) memmove(dst + *I, kp[t].keep, c * sizeof(float));
        kp[t].k = *I;
        *I += c;
    }
    if (!(B <= rank[0] && rank[1] < B + *I)) return 2;
    rr[0] = rank[0] - B; rr[1] = rank[1] - B;
    if (over) return 1;
    mossa__radix_select(dst, *I, rr, h, out);
    return 0;
}

#define MOSSA__SEL_CAP (MOSSA__SEL_CHUNK / 16)  /* per-chunk room for the ~3% inside */
typedef struct mossa__sel_job {
    const float *u;
    size_t count;
    uint32_t lo, width;
    mossa__keep *kp;          /* per chunk; pass 2: kp[t].k = the chunk's offset */
    float *dst;               /* pass 1: MOSSA__SEL_CAP + MOSSA__KEEP_PAD per chunk;
                                 pass 2: all values inside */
    int pass;
} mossa__sel_job;

static void mossa__sel_task(void *arg, size_t task, int worker)
{
    const mossa__sel_job *j = (const mossa__sel_job *)arg;
    size_t i, i0 = task * MOSSA__SEL_CHUNK, i1 = MOSSA__MIN(j->count, i0 + MOSSA__SEL_CHUNK);
    const float *u = j->u;
    (void)worker;
    if (j->pass == 1) {
        mossa__keep *kp = j->kp + task;
        kp->lo = j->lo; kp->width = j->width; kp->keep = j->dst + task * (MOSSA__SEL_CAP + MOSSA__KEEP_PAD);
        kp->cap = MOSSA__SEL_CAP; kp->k = kp->below = kp->inside = 0;
        mossa__keep_scalar(u + i0, i1 - i0, kp);
    } else {
        float *d = j->dst + j->kp[task].k;   /* the chunk's offset */
        for (i = i0; i < i1; ++i)
            if (mossa__fbits(u[i]) - j->lo <= j->width) *d++ = u[i];
    }
}

/* out[q] = the rank[q]-th smallest of u[0..count), rank[0] <= rank[1] */
static mossa_status mossa__select2(mossa__ctx *ctx, const float *u, size_t count, const size_t rank[2],
                                   int sampled, float out[2])
{
    size_t *h = (size_t *)mossa__alloc(ctx, 2 * MOSSA__HIST * sizeof(size_t));
    size_t nt = (count + MOSSA__SEL_CHUNK - 1) / MOSSA__SEL_CHUNK, s, I = 0, rr[2];
    mossa__keep *kp = NULL;
    float *sample = NULL, *in = NULL;
    mossa_status st = MOSSA_OK;
    mossa__sel_job j;
    if (!h) return MOSSA_ERR_OUT_OF_MEMORY;
    if (sampled && count > 64 * MOSSA__SEL_SAMPLES) {
        const size_t S = MOSSA__SEL_SAMPLES;
        sample = (float *)mossa__alloc(ctx, S * sizeof(float));
        kp = (mossa__keep *)mossa__alloc(ctx, nt * sizeof(mossa__keep));
        in = (float *)mossa__alloc(ctx, nt * (MOSSA__SEL_CAP + MOSSA__KEEP_PAD) * sizeof(float));
        if (!sample || !kp || !in) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        for (s = 0; s < S; ++s) sample[s] = u[mossa__sample_pos(s, count)];
        mossa__sel_bracket(sample, S, count, rank, h, &j.lo, &j.width);
        j.u = u; j.count = count; j.dst = in; j.pass = 1; j.kp = kp;
        mossa__parallel(ctx, nt, mossa__sel_task, &j);
        switch (mossa__sel_merge(kp, nt, rank, h, rr, &I, out)) {
        case 0:
            goto done;
        case 1:
            /* a chunk overflowed its slots: copy everything inside again */
            mossa__free(ctx, in);
            in = I <= count / 8 ? (float *)mossa__alloc(ctx, I * sizeof(float)) : NULL;
            if (in) {
                j.dst = in; j.pass = 2;
                mossa__parallel(ctx, nt, mossa__sel_task, &j);
                mossa__radix_select(in, I, rr, h, out);
                goto done;
            }
            break;
        default:
            break;
        }
    }
    mossa__radix_select(u, count, rank, h, out);
done:
    mossa__free(ctx, in); mossa__free(ctx, kp); mossa__free(ctx, sample); mossa__free(ctx, h);
    return st;
}

#ifdef MOSSA_TEST_HOOKS
/* Test builds: the exact two-rank selection, sampled bracket or not. */
MOSSA_DEF mossa_status mossa_test_select2(int n_threads, const float *u, size_t count, const size_t rank[2],
                                          int sampled, float out[2]);
MOSSA_DEF mossa_status mossa_test_select2(int n_threads, const float *u, size_t count, const size_t rank[2],
                                          int sampled, float out[2])
{
    mossa__ctx ctx;
    mossa_status st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__select2(&ctx, u, count, rank, sampled, out);
    mossa__ctx_end(&ctx);
    return st;
}
#endif

/* numpy.median of the full n x n matrix whose strict upper triangle
   holds count = n (n-1) / 2 values: the two ranks of the triangle whose
   values it averages; returns 0 when both are among the leading zeros
   (the median is 0), 1 when only the lower middle is (*low_zero). */
static int mossa__median_ranks(size_t n, size_t r[2], int *low_zero)
{
    uint64_t N = (uint64_t)n * (uint64_t)n, full[2];
    int q;
    full[0] = (N - 1) / 2;          /* odd N: the middle; even: the lower middle */
    full[1] = N / 2;                /* even N: the upper middle (odd: the same) */
    if (full[1] < n) return 0;
    for (q = 0; q < 2; ++q) r[q] = (size_t)(full[q] < n ? (full[1] - n) / 2 : (full[q] - n) / 2);
    *low_zero = full[0] < n;
    return 1;
}

static double mossa__median_value(int low_zero, const float val[2])
{
    return 0.5 * ((low_zero ? 0.0 : (double)val[0]) + (double)val[1]);
}

/* ---- stored kernel matrices (linear Gram or RBF) ----------------------------
   Only the strict upper triangle is stored (n (n-1) / 2 floats, row i holds
   columns i+1 .. n-1 at mossa__uoff(n, i)) plus the diagonal in double:
   half the memory and half the passes of a full n x n matrix. */
static size_t mossa__uoff(size_t n, size_t i) { return i * (2 * n - i - 1) / 2; }

typedef struct mossa__kern_job {
    const float *p;        /* row panels, inner d */
    size_t n, d, np;
    double *diag;          /* n: the Gram's diagonal (dist: from the same kernel) */
    int dist;              /* 1: squared distances, 0: Gram */
    const size_t *pairs;
    double *buf;
    float *ku;             /* upper triangle, or */
    double *kd;            /* n x n doubles (full) */
    double unscale;        /* multiplies Gram values written to kd */
    /* dist: the median's counting (see above), one state per worker (the
       order of the kept values does not matter to a selection), or NULL */
    mossa__keep *kw;
} mossa__kern_job;

/* The diagonal of the Gram computed by the very kernel calls that compute
   the off-diagonal entries: for identical rows G_ii = G_ij = G_jj to the
   bit, so duplicates get a distance of exactly 0 (as in numpy), which
   exact double norms would turn into rounding noise. */
static void mossa__kern_diag_task(void *arg, size_t task, int worker)
{
    const mossa__kern_job *j = (const mossa__kern_job *)arg;
    double tile[MOSSA__PW * MOSSA__PW];
    size_t i;
    (void)worker;
    memset(tile, 0, sizeof(tile));
    mossa__panel_block(j->p, j->np, task, 1, j->p, j->np, task, 1, j->d, 0, tile, MOSSA__PW);
    for (i = 0; i < MOSSA__PW && task * MOSSA__PW + i < j->n; ++i)
        j->diag[task * MOSSA__PW + i] = tile[i * MOSSA__PW + i];
}

static void mossa__kern_task(void *arg, size_t task, int worker)
{
    const mossa__kern_job *j = (const mossa__kern_job *)arg;
    size_t bi = j->pairs[2 * task], bj = j->pairs[2 * task + 1];
    size_t na = MOSSA__MIN(MOSSA__BP, j->np - bi * MOSSA__BP), nb = MOSSA__MIN(MOSSA__BP, j->np - bj * MOSSA__BP);
    double *b = j->buf + (size_t)worker * MOSSA__BS * MOSSA__BS;
    const mossa__kernels *kt = mossa__k();
    size_t i, c, r0 = bi * MOSSA__BS, c0 = bj * MOSSA__BS;
    size_t rows = MOSSA__MIN(MOSSA__BS, j->n - r0), cols = MOSSA__MIN(MOSSA__BS, j->n - c0);
    int diag = bi == bj;
    /* a copy of the worker's state: the states of two workers share a
       cache line, and updating them in place after every row would make
       it bounce between the cores */
    mossa__keep kw, *kp = NULL;
    if (j->kw) { kw = j->kw[worker]; kp = &kw; }
    memset(b, 0, MOSSA__BS * MOSSA__BS * sizeof(double));
    mossa__panel_block(j->p, j->np, bi * MOSSA__BP, na, j->p, j->np, bj * MOSSA__BP, nb, j->d, diag, b, MOSSA__BS);
    for (i = 0; i < rows; ++i) {
        size_t r = r0 + i, cstart = diag ? i + 1 : 0;
        const double *br = b + i * MOSSA__BS;
        if (j->kd) {
            /* full doubles (linear only); the diagonal block's lower tiles
               were not computed, so each entry goes to both halves */
            if (diag) j->kd[r * j->n + r] = br[i] * j->unscale;
            for (c = cstart; c < cols; ++c) {
                double v = br[c] * j->unscale;
                j->kd[r * j->n + c0 + c] = v;
                j->kd[(c0 + c) * j->n + r] = v;
            }
        } else {
            float *dst = j->ku + mossa__uoff(j->n, r) + (c0 + cstart - r - 1); /* entry (r, c0 + cstart) */
            if (!j->dist) {
                for (c = cstart; c < cols; ++c) dst[c - cstart] = (float)br[c];
            } else {
                /* |xi|^2 + |xj|^2 - 2 xi.xj on centered rows, never negative;
                   counted for the median while in registers */
                kt->rbf_dist(br + cstart, cols - cstart, j->diag[r], j->diag + c0 + cstart, dst, kp);
            }
        }
    }
    if (kp) j->kw[worker] = kw;
}

/* One pass over the stored triangle: RBF rows become exp(-D c) in place,
   and the row sums of the full symmetric matrix (diagonal left out) are
   accumulated in double: row i's own segment plus, per task, the column
   sums of its rows (reduced in task order afterwards). */
#define MOSSA__ROW_TASK 128
typedef struct mossa__rows_job {
    float *K;
    size_t n;
    int rbf;
    double c;           /* rbf: K = exp(-D * c) */
    double *rowsum;     /* n */
    double *colsum;     /* per task: n */
} mossa__rows_job;

static void mossa__rows_task(void *arg, size_t task, int worker)
{
    const mossa__rows_job *j = (const mossa__rows_job *)arg;
    size_t i, c, i0 = task * MOSSA__ROW_TASK, i1 = MOSSA__MIN(j->n, i0 + MOSSA__ROW_TASK);
    double *cs = j->colsum + task * j->n;
    (void)worker;
    for (c = 0; c < j->n; ++c) cs[c] = 0.0;
    for (i = i0; i < i1; ++i) {
        float *row = j->K + mossa__uoff(j->n, i);
        size_t len = j->n - 1 - i;
        double s0 = 0.0, s1 = 0.0;
        if (j->rbf) {
            j->rowsum[i] = len ? mossa__k()->rbf_exp_row(row, len, (float)-j->c, cs + i + 1) : 0.0;
            continue;
        }
        for (c = 0; c + 2 <= len; c += 2) {
            s0 += (double)row[c]; s1 += (double)row[c + 1];
            cs[i + 1 + c] += (double)row[c];
            cs[i + 2 + c] += (double)row[c + 1];
        }
        if (c < len) { s0 += (double)row[c]; cs[i + 1 + c] += (double)row[c]; }
        j->rowsum[i] = s0 + s1;
    }
}

/* Centered K_ij = K_ij - a_i - a_j (Kornblith's center_gram):
   biased:   a_i = r_i - g / 2, r = row means, g = their mean (that is HKH);
   debiased: a_i = R_i / (n-2) - sum R / (2 (n-1)(n-2)), R = row sums of K
             with its diagonal left out, and the diagonal itself set to 0
             (U-centering: <Ku, Lu> / (n (n-3)) is Song et al.'s HSIC_1). */
static mossa_status mossa__rows_and_offsets(mossa__ctx *ctx, float *K, const double *diag, size_t n, int rbf,
                                            double c, int debiased, double *a, double *colsum)
{
    mossa__rows_job j;
    size_t i, t, nt = (n + MOSSA__ROW_TASK - 1) / MOSSA__ROW_TASK;
    double tot = 0.0, nn = (double)n;
    j.colsum = colsum;   /* nt x n */
    j.K = K; j.n = n; j.rbf = rbf; j.c = c; j.rowsum = a;
    mossa__parallel(ctx, nt, mossa__rows_task, &j);
    for (t = 0; t < nt; ++t)
        for (i = 0; i < n; ++i) a[i] += j.colsum[t * n + i];
    for (i = 0; i < n; ++i) {
        if (!debiased) a[i] += diag[i];
        tot += a[i];
    }
    if (!debiased) {
        double g = tot / (nn * nn);
        for (i = 0; i < n; ++i) a[i] = a[i] / nn - 0.5 * g;
    } else {
        double g = tot / (2.0 * (nn - 1.0) * (nn - 2.0));
        for (i = 0; i < n; ++i) a[i] = a[i] / (nn - 2.0) - g;
    }
    return MOSSA_OK;
}

/* The median's counting keeps up to 1/16 of the triangle's values (the
   bracket holds ~3%), split between the workers: room per worker, or 0
   when the triangle is small enough for a plain radix select. */
static size_t mossa__keep_cap(size_t tri, size_t nw)
{
    return tri > 64 * MOSSA__SEL_SAMPLES ? (tri / 16 + nw - 1) / nw : 0;
}

/* The median's sample for the RBF kernel pass: MOSSA__SEL_SAMPLES strided
   entries of the upper triangle, as scale^2 |x_i - x_j|^2 straight from
   the input rows. They match the stored distances up to rounding, which
   is all a bracket needs (mossa__sel_merge checks it on the real values). */
#define MOSSA__DSAMPLE_TASK 1024
typedef struct mossa__dsample_job {
    const float *x;
    size_t n, d, count;
    double s2;
    float *out;
} mossa__dsample_job;

/* the row of the upper triangle that holds linear position pos */
static size_t mossa__urow(size_t n, size_t pos)
{
    double a = 2.0 * (double)n - 1.0, disc = a * a - 8.0 * (double)pos;
    size_t i = (size_t)(0.5 * (a - sqrt(disc > 0.0 ? disc : 0.0)));
    if (i > n - 1) i = n - 1;
    while (i > 0 && mossa__uoff(n, i) > pos) --i;
    while (i + 1 < n && mossa__uoff(n, i + 1) <= pos) ++i;
    return i;
}

static void mossa__dsample_task(void *arg, size_t task, int worker)
{
    const mossa__dsample_job *j = (const mossa__dsample_job *)arg;
    const size_t S = MOSSA__SEL_SAMPLES;
    size_t s, s0 = task * MOSSA__DSAMPLE_TASK, s1 = MOSSA__MIN(S, s0 + MOSSA__DSAMPLE_TASK);
    (void)worker;
    for (s = s0; s < s1; ++s) {
        size_t pos = mossa__sample_pos(s, j->count);
        size_t i = mossa__urow(j->n, pos), c = i + 1 + (pos - mossa__uoff(j->n, i));
        float v;
        mossa__k()->sqdist(j->x + i * j->d, j->x + c * j->d, 1, j->d, j->d, &v);
        j->out[s] = (float)((double)v * j->s2);
    }
}

/* The stored kernel of X: upper triangle ku, diagonal diag (both in
   scaled units for linear; *unscale converts), or the full double matrix
   kd (linear only, caller's units). buf: the workers' Gram blocks (NULL:
   allocated here); keep: room for the median's counting (see
   mossa__keep_cap), without which RBF selects in a pass of its own. */
static mossa_status mossa__kernel_matrix(mossa__ctx *ctx, const float *x, size_t n, size_t d,
                                         const mossa__cka_opt *o, float *ku, double *diag, double *kd,
                                         double *unscale, double *bandwidth_c, double *buf, float *keep)
{
    mossa__cmat m;
    mossa__kern_job j;
    size_t count = 0, i, tri = n * (n - 1) / 2, r[2] = {0, 0}, rr[2], I;
    size_t *h = NULL, w, nw = (size_t)ctx->n_threads, cap = keep ? mossa__keep_cap(tri, nw) : 0;
    float *sample = NULL, val[2];
    int low_zero = 0, need_median = o->rbf && mossa__median_ranks(n, r, &low_zero);
    mossa_status st;
    st = mossa__cmat_make(ctx, x, n, d, 1, &m);
    if (st != MOSSA_OK) return st;
    j.p = m.panels; j.n = n; j.d = d; j.np = mossa__panels_of(n); j.diag = diag;
    j.dist = o->rbf; j.ku = ku; j.kd = kd;
    j.kw = NULL;
    /* stored floats stay in scaled units (no overflow); doubles are unscaled */
    j.unscale = kd ? 1.0 / (m.scale * m.scale) : 1.0;
    if (unscale) *unscale = (o->rbf || kd) ? 1.0 : 1.0 / (m.scale * m.scale);
    j.pairs = NULL;
    st = mossa__upper_pairs(ctx, (j.np + MOSSA__BP - 1) / MOSSA__BP, (size_t **)&j.pairs, &count);
    j.buf = buf ? buf : (double *)mossa__alloc(ctx, nw * MOSSA__BS * MOSSA__BS * sizeof(double));
    if (st == MOSSA_OK && !j.buf) st = MOSSA_ERR_OUT_OF_MEMORY;
    if (st == MOSSA_OK && need_median) h = (size_t *)mossa__alloc(ctx, 2 * MOSSA__HIST * sizeof(size_t));
    if (st == MOSSA_OK && need_median && !h) st = MOSSA_ERR_OUT_OF_MEMORY;
    if (st == MOSSA_OK && need_median && cap) {
        mossa__dsample_job sj;
        sample = (float *)mossa__alloc(ctx, MOSSA__SEL_SAMPLES * sizeof(float));
        j.kw = (mossa__keep *)mossa__alloc(ctx, nw * sizeof(mossa__keep));
        if (!sample || !j.kw) st = MOSSA_ERR_OUT_OF_MEMORY;
        if (st == MOSSA_OK) {
            sj.x = x; sj.n = n; sj.d = d; sj.count = tri; sj.s2 = m.scale * m.scale; sj.out = sample;
            mossa__parallel(ctx, (MOSSA__SEL_SAMPLES + MOSSA__DSAMPLE_TASK - 1) / MOSSA__DSAMPLE_TASK,
                            mossa__dsample_task, &sj);
            mossa__sel_bracket(sample, MOSSA__SEL_SAMPLES, tri, r, h, &j.kw[0].lo, &j.kw[0].width);
            for (w = 0; w < nw; ++w) {
                j.kw[w].lo = j.kw[0].lo; j.kw[w].width = j.kw[0].width;
                j.kw[w].keep = keep + w * (cap + MOSSA__KEEP_PAD); j.kw[w].cap = cap;
                j.kw[w].k = j.kw[w].below = j.kw[w].inside = 0;
            }
        }
    }
    if (st == MOSSA_OK && (j.dist || diag)) mossa__parallel(ctx, j.np, mossa__kern_diag_task, &j);
    if (st == MOSSA_OK) mossa__parallel(ctx, count, mossa__kern_task, &j);
    mossa__free(ctx, (void *)j.pairs); mossa__free(ctx, sample);
    if (!buf) mossa__free(ctx, j.buf);
    mossa__cmat_free(ctx, &m);
    if (st == MOSSA_OK && o->rbf) {
        /* Kornblith: sigma^2 = t^2 median(D), K = exp(-D / (2 sigma^2)) */
        double med = 0.0, sigma2;
        if (need_median) {
            if (j.kw && mossa__sel_merge(j.kw, nw, r, h, rr, &I, val) == 0)
                med = mossa__median_value(low_zero, val);
            else {
                /* the bracket missed or a worker's room overflowed: select afresh */
                st = mossa__select2(ctx, ku, tri, r, 1, val);
                if (st == MOSSA_OK) med = mossa__median_value(low_zero, val);
            }
        }
        sigma2 = o->threshold * o->threshold * med;
        if (st == MOSSA_OK && (!(sigma2 > 0.0) || !(sigma2 <= DBL_MAX))) st = MOSSA_ERR_ZERO_BANDWIDTH;
        if (st == MOSSA_OK) {
            *bandwidth_c = 1.0 / (2.0 * sigma2);
            for (i = 0; i < n; ++i) diag[i] = 1.0;
        }
    }
    mossa__free(ctx, j.kw); mossa__free(ctx, h);
    return st;
}

/* s = <Kc, Lc>, <Kc, Kc>, <Lc, Lc> over the full matrices (unnormalised):
   twice the upper triangle, plus the diagonal when biased. */
typedef struct mossa__pair_job {
    const float *K, *L;
    const double *a, *b, *dk, *dl;
    size_t n;
    double *out;   /* per task triples */
} mossa__pair_job;

static void mossa__pair_task(void *arg, size_t task, int worker)
{
    const mossa__pair_job *j = (const mossa__pair_job *)arg;
    size_t i, i0 = task * 16, i1 = MOSSA__MIN(j->n, i0 + 16);
    double *p = j->out + 3 * task, r[3];
    (void)worker;
    p[0] = p[1] = p[2] = 0.0;
    for (i = i0; i < i1; ++i) {
        size_t off = mossa__uoff(j->n, i), len = j->n - 1 - i;
        if (!len) continue;
        mossa__k()->hsic_row(j->K + off, j->L + off, j->a + i + 1, j->b + i + 1, j->a[i], j->b[i], len, len, r);
        p[0] += r[0]; p[1] += r[1]; p[2] += r[2];
    }
}

static mossa_status mossa__pair_sums(mossa__ctx *ctx, const float *K, const double *dk, const double *a,
                                     const float *L, const double *dl, const double *b, size_t n,
                                     int debiased, double s[3])
{
    mossa__pair_job j;
    size_t t, i, nt = (n + 15) / 16;
    double d0 = 0.0, d1 = 0.0, d2 = 0.0;
    j.out = (double *)mossa__alloc(ctx, 3 * nt * sizeof(double));
    if (!j.out) return MOSSA_ERR_OUT_OF_MEMORY;
    j.K = K; j.L = L; j.a = a; j.b = b; j.dk = dk; j.dl = dl; j.n = n;
    mossa__parallel(ctx, nt, mossa__pair_task, &j);
    s[0] = s[1] = s[2] = 0.0;
    for (t = 0; t < nt; ++t) { s[0] += j.out[3 * t]; s[1] += j.out[3 * t + 1]; s[2] += j.out[3 * t + 2]; }
    mossa__free(ctx, j.out);
    s[0] *= 2.0; s[1] *= 2.0; s[2] *= 2.0;
    if (!debiased)
        for (i = 0; i < n; ++i) {
            double u = dk[i] - 2.0 * a[i], v = dl[i] - 2.0 * b[i];
            d0 += u * v; d1 += u * u; d2 += v * v;
        }
    s[0] += d0; s[1] += d1; s[2] += d2;
    return MOSSA_OK;
}

static double mossa__hsic_norm(size_t n, int debiased)
{
    double nn = (double)n;
    return debiased ? 1.0 / (nn * (nn - 3.0)) : 1.0 / ((nn - 1.0) * (nn - 1.0));
}

/* ---- the prepared layer ---------------------------------------------------- */
struct mossa_cka_gram {
    size_t n;
    int rbf, debiased;
    float *K;          /* strict upper triangle (then scratch, mossa__kwork) */
    void *raw;         /* K's allocation */
    double *diag;      /* n */
    double *a;         /* centering offsets */
    double self;       /* <Kc, Kc> */
    double unscale;    /* K in the caller's units = K * unscale */
    mossa_allocator alloc;
    int has_alloc;
};

/* One allocation holds the stored triangle and, after it, the scratch of
   building it: during the kernel pass the workers' Gram blocks and the
   median's keep areas, then (reusing the same bytes) the rows pass's
   per-task column sums. First touches of fresh memory are what costs
   here (a separate megabyte of 4 KB pages costs ~3 ms on a VM), and the
   scratch so shares the triangle's huge pages. Byte offsets; keep = 0
   when there is no keep area. */
typedef struct mossa__kwork {
    size_t buf, keep, colsum, bytes;
} mossa__kwork;

static void mossa__kwork_layout(size_t n, int rbf, size_t nw, mossa__kwork *w)
{
    size_t tri = n * (n - 1) / 2, nt = (n + MOSSA__ROW_TASK - 1) / MOSSA__ROW_TASK;
    size_t at = (tri * sizeof(float) + 63) & ~(size_t)63, blocks = nw * MOSSA__BS * MOSSA__BS * sizeof(double);
    size_t cap = rbf ? mossa__keep_cap(tri, nw) : 0, keep = cap ? nw * (cap + MOSSA__KEEP_PAD) * sizeof(float) : 0;
    w->buf = at;
    w->keep = keep ? at + blocks : 0;
    w->colsum = at;
    w->bytes = at + MOSSA__MAX(blocks + keep, nt * n * sizeof(double));
}

static void mossa__gram_release(mossa__ctx *ctx, mossa_cka_gram *g)
{
    if (!g) return;
    mossa__free(ctx, g->raw); mossa__free(ctx, g->diag); mossa__free(ctx, g->a); mossa__free(ctx, g);
}

static mossa_status mossa__gram_build(mossa__ctx *ctx, const float *x, size_t n, size_t d,
                                      const mossa__cka_opt *o, int need_self, mossa_cka_gram **out)
{
    mossa_cka_gram *g;
    mossa_status st;
    mossa__kwork w;
    double s[3], c = 0.0;
    *out = NULL;
    if ((st = mossa__cka_check_sizes(n, d)) != MOSSA_OK) return st;
    if (n < 2 || (o->debiased && n < 4)) return MOSSA_ERR_TOO_FEW_SAMPLES;
    g = (mossa_cka_gram *)mossa__calloc(ctx, 1, sizeof(*g));
    if (!g) return MOSSA_ERR_OUT_OF_MEMORY;
    g->n = n; g->rbf = o->rbf; g->debiased = o->debiased;
    g->has_alloc = ctx->allocator != NULL;
    if (ctx->allocator) g->alloc = *ctx->allocator;
    mossa__kwork_layout(n, o->rbf, (size_t)ctx->n_threads, &w);
    g->K = (float *)mossa__alloc_big(ctx, w.bytes, &g->raw);
    g->diag = (double *)mossa__alloc(ctx, n * sizeof(double));
    g->a = (double *)mossa__alloc(ctx, n * sizeof(double));
    if (!g->K || !g->a || !g->diag) st = MOSSA_ERR_OUT_OF_MEMORY;
    else st = mossa__kernel_matrix(ctx, x, n, d, o, g->K, g->diag, NULL, &g->unscale, &c,
                                   (double *)(void *)((char *)g->K + w.buf),
                                   w.keep ? (float *)(void *)((char *)g->K + w.keep) : NULL);
    if (st == MOSSA_OK)
        st = mossa__rows_and_offsets(ctx, g->K, g->diag, n, o->rbf, c, o->debiased, g->a,
                                     (double *)(void *)((char *)g->K + w.colsum));
    if (st == MOSSA_OK && need_self) {
        st = mossa__pair_sums(ctx, g->K, g->diag, g->a, g->K, g->diag, g->a, n, o->debiased, s);
        g->self = s[1];
        if (st == MOSSA_OK && !(g->self > 0.0)) st = MOSSA_ERR_ZERO_VARIANCE;
    }
    if (st != MOSSA_OK) {
        mossa__gram_release(ctx, g);
        return st;
    }
    *out = g;
    return MOSSA_OK;
}

static mossa_status mossa__cka_rbf_hsic(mossa__ctx *ctx, const float *x, size_t n, size_t dx,
                                        const float *y, size_t dy, const mossa__cka_opt *o, double h[3])
{
    mossa_cka_gram *gx = NULL, *gy = NULL;
    mossa_status st = mossa__gram_build(ctx, x, n, dx, o, 0, &gx);
    double s[3], c = mossa__hsic_norm(n, o->debiased);
    if (st == MOSSA_OK) st = mossa__gram_build(ctx, y, n, dy, o, 0, &gy);
    /* one pass gives the cross and both self terms */
    if (st == MOSSA_OK) st = mossa__pair_sums(ctx, gx->K, gx->diag, gx->a, gy->K, gy->diag, gy->a, n, o->debiased, s);
    if (st == MOSSA_OK) { h[0] = s[0] * c; h[1] = s[1] * c; h[2] = s[2] * c; }
    mossa__gram_release(ctx, gx);
    mossa__gram_release(ctx, gy);
    return st;
}

static mossa_status mossa__hsic3(mossa__ctx *ctx, const float *x, size_t n, size_t dx, const float *y,
                                 size_t dy, const mossa__cka_opt *o, double h[3])
{
    mossa_status st;
    if (!x || !y) return MOSSA_ERR_INVALID_ARGUMENT;
    if ((st = mossa__cka_check_sizes(n, dx)) != MOSSA_OK) return st;
    if ((st = mossa__cka_check_sizes(n, dy)) != MOSSA_OK) return st;
    if (n < 2 || (o->debiased && n < 4)) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (o->rbf) return mossa__cka_rbf_hsic(ctx, x, n, dx, y, dy, o, h);
    return mossa__linear_hsic(ctx, x, n, dx, y, dy, o->debiased, h);
}

static mossa_status mossa__cka_ratio(const double h[3], double *cka)
{
    double v;
    if (!(h[1] > 0.0) || !(h[2] > 0.0)) return MOSSA_ERR_ZERO_VARIANCE;
    v = h[0] / (sqrt(h[1]) * sqrt(h[2]));
    if (!(v - v == 0.0)) return MOSSA_ERR_ZERO_VARIANCE;
    *cka = v;
    return MOSSA_OK;
}

/* ---- public API ------------------------------------------------------------- */
#define MOSSA__CKA_BEGIN(options, ctx, o, st)                                              \
    st = mossa__cka_resolve(options, &o);                                                  \
    if (st == MOSSA_OK) st = mossa__ctx_begin(&ctx, options ? options->n_threads : 0,      \
                                              options ? options->allocator : NULL);

MOSSA_DEF mossa_status mossa_cka_hsic(const float *x, size_t n, size_t dx, const float *y, size_t dy,
                                      const mossa_cka_options *options, double hsic[3])
{
    mossa__cka_opt o;
    mossa__ctx ctx;
    mossa_status st;
    if (!hsic) return MOSSA_ERR_INVALID_ARGUMENT;
    hsic[0] = hsic[1] = hsic[2] = 0.0;
    MOSSA__CKA_BEGIN(options, ctx, o, st)
    else return st;
    if (st != MOSSA_OK) return st;
    st = mossa__hsic3(&ctx, x, n, dx, y, dy, &o, hsic);
    mossa__ctx_end(&ctx);
    if (st != MOSSA_OK) hsic[0] = hsic[1] = hsic[2] = 0.0;
    return st;
}

MOSSA_DEF mossa_status mossa_cka(const float *x, size_t n, size_t dx, const float *y, size_t dy,
                                 const mossa_cka_options *options, double *cka)
{
    double h[3];
    mossa_status st;
    if (!cka) return MOSSA_ERR_INVALID_ARGUMENT;
    *cka = 0.0;
    st = mossa_cka_hsic(x, n, dx, y, dy, options, h);
    if (st == MOSSA_OK) st = mossa__cka_ratio(h, cka);
    return st;
}

MOSSA_DEF mossa_status mossa_centered_gram(const float *x, size_t n, size_t d,
                                           const mossa_cka_options *options, double *gram)
{
    mossa__cka_opt o;
    mossa__ctx ctx;
    mossa_status st;
    mossa_cka_gram *g = NULL;
    size_t i, j;
    if (!x || !gram) return MOSSA_ERR_INVALID_ARGUMENT;
    MOSSA__CKA_BEGIN(options, ctx, o, st)
    else return st;
    if (st != MOSSA_OK) return st;
    if (!o.rbf && !o.debiased) {
        /* HKH = Xc Xc' directly in double */
        st = mossa__cka_check_sizes(n, d);
        if (st == MOSSA_OK) st = mossa__kernel_matrix(&ctx, x, n, d, &o, NULL, NULL, gram, NULL, NULL, NULL, NULL);
    } else {
        st = mossa__gram_build(&ctx, x, n, d, &o, 0, &g);
        if (st == MOSSA_OK) {
            for (i = 0; i < n; ++i) {
                const float *row = g->K + mossa__uoff(n, i);
                gram[i * n + i] = o.debiased ? 0.0 : (g->diag[i] - 2.0 * g->a[i]) * g->unscale;
                for (j = i + 1; j < n; ++j)
                    gram[i * n + j] = gram[j * n + i] = ((double)row[j - i - 1] - g->a[i] - g->a[j]) * g->unscale;
            }
            mossa__gram_release(&ctx, g);
        }
    }
    mossa__ctx_end(&ctx);
    return st;
}

/* Xc'Yc block by block */
typedef struct mossa__cross_job {
    const float *px, *py;
    size_t n, dx, dy, npx, npy, nby;
    double unscale;
    double *buf, *out;
} mossa__cross_job;

static void mossa__cross_task(void *arg, size_t task, int worker)
{
    const mossa__cross_job *j = (const mossa__cross_job *)arg;
    size_t bi = task / j->nby, bj = task % j->nby, i, c;
    size_t na = MOSSA__MIN(MOSSA__BP, j->npx - bi * MOSSA__BP), nb = MOSSA__MIN(MOSSA__BP, j->npy - bj * MOSSA__BP);
    double *b = j->buf + (size_t)worker * MOSSA__BS * MOSSA__BS;
    memset(b, 0, MOSSA__BS * MOSSA__BS * sizeof(double));
    mossa__panel_block(j->px, j->npx, bi * MOSSA__BP, na, j->py, j->npy, bj * MOSSA__BP, nb, j->n, 0, b, MOSSA__BS);
    for (i = 0; i < MOSSA__BS && bi * MOSSA__BS + i < j->dx; ++i)
        for (c = 0; c < MOSSA__BS && bj * MOSSA__BS + c < j->dy; ++c)
            j->out[(bi * MOSSA__BS + i) * j->dy + bj * MOSSA__BS + c] = b[i * MOSSA__BS + c] * j->unscale;
}

MOSSA_DEF mossa_status mossa_centered_cross(const float *x, size_t n, size_t dx, const float *y, size_t dy,
                                            const mossa_cka_options *options, double *out)
{
    mossa__cka_opt o;
    mossa__ctx ctx;
    mossa_status st;
    mossa__cmat mx, my;
    mossa__cross_job j;
    if (!x || !y || !out) return MOSSA_ERR_INVALID_ARGUMENT;
    if ((st = mossa__cka_check_sizes(n, dx)) != MOSSA_OK) return st;
    if ((st = mossa__cka_check_sizes(n, dy)) != MOSSA_OK) return st;
    MOSSA__CKA_BEGIN(options, ctx, o, st)
    else return st;
    if (st != MOSSA_OK) return st;
    st = mossa__cmat_make(&ctx, x, n, dx, 0, &mx);
    if (st == MOSSA_OK) {
        st = mossa__cmat_make(&ctx, y, n, dy, 0, &my);
        if (st != MOSSA_OK) mossa__cmat_free(&ctx, &mx);
    }
    if (st == MOSSA_OK) {
        j.px = mx.panels; j.py = my.panels; j.n = n; j.dx = dx; j.dy = dy;
        j.npx = mossa__panels_of(dx); j.npy = mossa__panels_of(dy);
        j.nby = (j.npy + MOSSA__BP - 1) / MOSSA__BP;
        j.unscale = 1.0 / (mx.scale * my.scale);
        j.out = out;
        j.buf = (double *)mossa__alloc(&ctx, (size_t)ctx.n_threads * MOSSA__BS * MOSSA__BS * sizeof(double));
        if (!j.buf) st = MOSSA_ERR_OUT_OF_MEMORY;
        else mossa__parallel(&ctx, ((j.npx + MOSSA__BP - 1) / MOSSA__BP) * j.nby, mossa__cross_task, &j);
        mossa__free(&ctx, j.buf);
        mossa__cmat_free(&ctx, &mx); mossa__cmat_free(&ctx, &my);
    }
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_cka_gram_create(const float *x, size_t n, size_t d,
                                             const mossa_cka_options *options, mossa_cka_gram **gram)
{
    mossa__cka_opt o;
    mossa__ctx ctx;
    mossa_status st;
    if (!gram) return MOSSA_ERR_INVALID_ARGUMENT;
    *gram = NULL;
    if (!x) return MOSSA_ERR_INVALID_ARGUMENT;
    MOSSA__CKA_BEGIN(options, ctx, o, st)
    else return st;
    if (st != MOSSA_OK) return st;
    st = mossa__gram_build(&ctx, x, n, d, &o, 1, gram);
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_cka_gram_cka(const mossa_cka_gram *a, const mossa_cka_gram *b,
                                          const mossa_cka_options *options, double *cka)
{
    mossa__ctx ctx;
    mossa_status st;
    double s[3];
    if (!cka) return MOSSA_ERR_INVALID_ARGUMENT;
    *cka = 0.0;
    if (!a || !b || a->rbf != b->rbf || a->debiased != b->debiased) return MOSSA_ERR_INVALID_ARGUMENT;
    if (a->n != b->n) return MOSSA_ERR_DIMENSION_MISMATCH;
    st = mossa__ctx_begin(&ctx, options ? options->n_threads : 0, options ? options->allocator : NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__pair_sums(&ctx, a->K, a->diag, a->a, b->K, b->diag, b->a, a->n, a->debiased, s);
    mossa__ctx_end(&ctx);
    if (st == MOSSA_OK) {
        double h[3];
        h[0] = s[0]; h[1] = a->self; h[2] = b->self;
        st = mossa__cka_ratio(h, cka);
    }
    return st;
}

MOSSA_DEF void mossa_cka_gram_destroy(mossa_cka_gram *gram)
{
    mossa__ctx ctx;
    mossa_allocator al;
    if (!gram) return;
    al = gram->alloc;   /* the struct holds the allocator: copy it out first */
    ctx.allocator = gram->has_alloc ? &al : NULL;
    ctx.n_threads = 1; ctx.pool = NULL;
    mossa__gram_release(&ctx, gram);
}

MOSSA_DEF mossa_status mossa_cka_matrix(const float *const *a, const size_t *dims_a, size_t la,
                                        const float *const *b, const size_t *dims_b, size_t lb,
                                        size_t n, const mossa_cka_options *options, double *out)
{
    mossa__cka_opt o;
    mossa__ctx ctx;
    mossa_status st;
    mossa_cka_gram **gb = NULL, *ga = NULL;
    size_t i, jj;
    double s[3];
    if (!a || !dims_a || !b || !dims_b || !out || la == 0 || lb == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    for (i = 0; i < la * lb; ++i) out[i] = 0.0;
    MOSSA__CKA_BEGIN(options, ctx, o, st)
    else return st;
    if (st != MOSSA_OK) return st;
    gb = (mossa_cka_gram **)mossa__calloc(&ctx, lb, sizeof(*gb));
    if (!gb) st = MOSSA_ERR_OUT_OF_MEMORY;
    for (jj = 0; st == MOSSA_OK && jj < lb; ++jj)
        st = b[jj] ? mossa__gram_build(&ctx, b[jj], n, dims_b[jj], &o, 1, &gb[jj]) : MOSSA_ERR_INVALID_ARGUMENT;
    for (i = 0; st == MOSSA_OK && i < la; ++i) {
        st = a[i] ? mossa__gram_build(&ctx, a[i], n, dims_a[i], &o, 1, &ga) : MOSSA_ERR_INVALID_ARGUMENT;
        for (jj = 0; st == MOSSA_OK && jj < lb; ++jj) {
            st = mossa__pair_sums(&ctx, ga->K, ga->diag, ga->a, gb[jj]->K, gb[jj]->diag, gb[jj]->a, n, o.debiased, s);
            if (st == MOSSA_OK) {
                double h[3];
                h[0] = s[0]; h[1] = ga->self; h[2] = gb[jj]->self;
                st = mossa__cka_ratio(h, &out[i * lb + jj]);
            }
        }
        mossa__gram_release(&ctx, ga);
        ga = NULL;
    }
    if (gb) for (jj = 0; jj < lb; ++jj) mossa__gram_release(&ctx, gb[jj]);
    mossa__free(&ctx, gb);
    mossa__ctx_end(&ctx);
    if (st != MOSSA_OK) for (i = 0; i < la * lb; ++i) out[i] = 0.0;
    return st;
}

/* ---- streaming ----------------------------------------------------------------
   Flat state: [n, dx, dy, mx (dx), my (dy), Cxx (dx*dx), Cyy (dy*dy), Cxy (dx*dy)]. */
struct mossa_cka_stream {
    size_t dx, dy;
    double *state;
    int n_threads;
    mossa_allocator alloc;
    int has_alloc;
};

MOSSA_DEF size_t mossa_cka_stream_state_size(size_t dx, size_t dy)
{
    size_t a, b, c, s;
    if (mossa__mul_overflows(dx, dx, &a) || mossa__mul_overflows(dy, dy, &b) || mossa__mul_overflows(dx, dy, &c))
        return 0;
    s = 3 + dx + dy;
    if (a > (size_t)-1 - s) return 0;
    s += a;
    if (b > (size_t)-1 - s) return 0;
    s += b;
    if (c > (size_t)-1 - s) return 0;
    return s + c;
}

MOSSA_DEF mossa_status mossa_cka_stream_create(size_t dx, size_t dy, const mossa_cka_options *options,
                                               mossa_cka_stream **stream)
{
    mossa_cka_stream *s;
    mossa__ctx ctx;
    size_t count = mossa_cka_stream_state_size(dx, dy), bytes;
    if (!stream) return MOSSA_ERR_INVALID_ARGUMENT;
    *stream = NULL;
    if (dx == 0 || dy == 0 || (options && options->n_threads < 0)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (count == 0 || mossa__mul_overflows(count, sizeof(double), &bytes)) return MOSSA_ERR_TOO_LARGE;
    ctx.allocator = options ? options->allocator : NULL; ctx.n_threads = 1; ctx.pool = NULL;
    s = (mossa_cka_stream *)mossa__calloc(&ctx, 1, sizeof(*s));
    if (!s) return MOSSA_ERR_OUT_OF_MEMORY;
    s->dx = dx; s->dy = dy;
    s->n_threads = options ? options->n_threads : 0;
    s->has_alloc = ctx.allocator != NULL;
    if (ctx.allocator) s->alloc = *ctx.allocator;
    s->state = (double *)mossa__calloc(&ctx, count, sizeof(double));
    if (!s->state) { mossa__free(&ctx, s); return MOSSA_ERR_OUT_OF_MEMORY; }
    s->state[1] = (double)dx; s->state[2] = (double)dy;
    *stream = s;
    return MOSSA_OK;
}

MOSSA_DEF void mossa_cka_stream_destroy(mossa_cka_stream *stream)
{
    mossa__ctx ctx;
    mossa_allocator al;
    if (!stream) return;
    al = stream->alloc;
    ctx.allocator = stream->has_alloc ? &al : NULL; ctx.n_threads = 1; ctx.pool = NULL;
    mossa__free(&ctx, stream->state);
    mossa__free(&ctx, stream);
}

/* Folds a batch into a block of a co-moment matrix:
   C += B / s^2 + f * da_i db_j, f = n_old n_b / (n_old + n_b). */
typedef struct mossa__stream_job {
    const float *px, *py;
    size_t nb, dx, dy, npx, npy, nbx, nby, nxx, nyy;
    const size_t *pxx, *pyy;
    double *cxx, *cyy, *cxy;
    const double *dmx, *dmy;   /* batch mean - old mean */
    double f, ux, uy;          /* ux = 1/sx^2, uy = 1/sy^2 */
    double *buf;
} mossa__stream_job;

static void mossa__stream_task(void *arg, size_t task, int worker)
{
    const mossa__stream_job *j = (const mossa__stream_job *)arg;
    double *b = j->buf + (size_t)worker * MOSSA__BS * MOSSA__BS;
    size_t bi, bj, na, nbk, rows, cols, pi, pj, i, c, ldc, npa, npb;
    const float *A, *B;
    const double *da, *db;
    double *C, u;
    int diag = 0, sym = 1;
    if (task < j->nxx) {
        bi = j->pxx[2 * task]; bj = j->pxx[2 * task + 1];
        A = B = j->px; C = j->cxx; ldc = j->dx; rows = cols = j->dx; da = db = j->dmx; u = j->ux;
        npa = npb = j->npx;
    } else if (task < j->nxx + j->nyy) {
        size_t t = task - j->nxx;
        bi = j->pyy[2 * t]; bj = j->pyy[2 * t + 1];
        A = B = j->py; C = j->cyy; ldc = j->dy; rows = cols = j->dy; da = db = j->dmy; u = j->uy;
        npa = npb = j->npy;
    } else {
        size_t t = task - j->nxx - j->nyy;
        bi = t / j->nby; bj = t % j->nby;
        A = j->px; B = j->py; C = j->cxy; ldc = j->dy; rows = j->dx; cols = j->dy;
        da = j->dmx; db = j->dmy; u = sqrt(j->ux * j->uy); sym = 0;
        npa = j->npx; npb = j->npy;
    }
    na = MOSSA__MIN(MOSSA__BP, npa - bi * MOSSA__BP); nbk = MOSSA__MIN(MOSSA__BP, npb - bj * MOSSA__BP);
    diag = sym && bi == bj;
    memset(b, 0, MOSSA__BS * MOSSA__BS * sizeof(double));
    if (j->nb > 0)
        mossa__panel_block(A, npa, bi * MOSSA__BP, na, B, npb, bj * MOSSA__BP, nbk, j->nb, diag, b, MOSSA__BS);
    for (pi = 0; pi < na; ++pi)
        for (pj = diag ? pi : 0; pj < nbk; ++pj)
            for (i = 0; i < MOSSA__PW; ++i) {
                size_t r = bi * MOSSA__BS + pi * MOSSA__PW + i;
                if (r >= rows) break;
                for (c = 0; c < MOSSA__PW; ++c) {
                    size_t col = bj * MOSSA__BS + pj * MOSSA__PW + c;
                    double v;
                    if (col >= cols) break;
                    v = b[(pi * MOSSA__PW + i) * MOSSA__BS + pj * MOSSA__PW + c] * u + j->f * da[r] * db[col];
                    C[r * ldc + col] += v;
                    if (sym && (bi != bj || pi != pj)) C[col * ldc + r] += v;
                }
            }
}

MOSSA_DEF mossa_status mossa_cka_stream_add(mossa_cka_stream *s, const float *x, const float *y, size_t n)
{
    mossa__ctx ctx;
    mossa_status st;
    mossa__cmat mx, my;
    mossa__stream_job j;
    size_t dx, dy, k;
    double n0, n1, *mean_x, *mean_y, *dmx = NULL, *dmy = NULL;
    size_t *pxx = NULL, *pyy = NULL;
    if (!s || !x || !y) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n == 0) return MOSSA_OK;
    dx = s->dx; dy = s->dy;
    if ((st = mossa__cka_check_sizes(n, dx)) != MOSSA_OK) return st;
    if ((st = mossa__cka_check_sizes(n, dy)) != MOSSA_OK) return st;
    st = mossa__ctx_begin(&ctx, s->n_threads, s->has_alloc ? &s->alloc : NULL);
    if (st != MOSSA_OK) return st;
    mossa__cmat_none(&mx); mossa__cmat_none(&my);
    j.buf = NULL;
    st = mossa__cmat_make(&ctx, x, n, dx, 0, &mx);
    if (st == MOSSA_OK) st = mossa__cmat_make(&ctx, y, n, dy, 0, &my);
    if (st == MOSSA_OK) {
        dmx = (double *)mossa__alloc(&ctx, dx * sizeof(double));
        dmy = (double *)mossa__alloc(&ctx, dy * sizeof(double));
        j.buf = (double *)mossa__alloc(&ctx, (size_t)ctx.n_threads * MOSSA__BS * MOSSA__BS * sizeof(double));
        if (!dmx || !dmy || !j.buf) st = MOSSA_ERR_OUT_OF_MEMORY;
    }
    j.npx = mossa__panels_of(dx); j.npy = mossa__panels_of(dy);
    j.nbx = (j.npx + MOSSA__BP - 1) / MOSSA__BP; j.nby = (j.npy + MOSSA__BP - 1) / MOSSA__BP;
    if (st == MOSSA_OK) st = mossa__upper_pairs(&ctx, j.nbx, &pxx, &j.nxx);
    if (st == MOSSA_OK) st = mossa__upper_pairs(&ctx, j.nby, &pyy, &j.nyy);
    if (st == MOSSA_OK) {
        n0 = s->state[0]; n1 = n0 + (double)n;
        mean_x = s->state + 3; mean_y = mean_x + dx;
        for (k = 0; k < dx; ++k) dmx[k] = mx.mean[k] - mean_x[k];
        for (k = 0; k < dy; ++k) dmy[k] = my.mean[k] - mean_y[k];
        j.px = mx.panels; j.py = my.panels; j.nb = n; j.dx = dx; j.dy = dy;
        j.pxx = pxx; j.pyy = pyy;
        j.cxx = mean_y + dy; j.cyy = j.cxx + dx * dx; j.cxy = j.cyy + dy * dy;
        j.dmx = dmx; j.dmy = dmy;
        j.f = n0 * (double)n / n1;
        j.ux = 1.0 / (mx.scale * mx.scale); j.uy = 1.0 / (my.scale * my.scale);
        mossa__parallel(&ctx, j.nxx + j.nyy + j.nbx * j.nby, mossa__stream_task, &j);
        for (k = 0; k < dx; ++k) mean_x[k] += dmx[k] * ((double)n / n1);
        for (k = 0; k < dy; ++k) mean_y[k] += dmy[k] * ((double)n / n1);
        s->state[0] = n1;
    }
    mossa__free(&ctx, pxx); mossa__free(&ctx, pyy);
    mossa__free(&ctx, dmx); mossa__free(&ctx, dmy); mossa__free(&ctx, j.buf);
    mossa__cmat_free(&ctx, &mx); mossa__cmat_free(&ctx, &my);
    mossa__ctx_end(&ctx);
    return st;
}

static int mossa__state_dims(const double *st, size_t *dx, size_t *dy)
{
    if (!(st[1] >= 1.0 && st[2] >= 1.0 && st[1] < 1e15 && st[2] < 1e15 && st[0] >= 0.0)) return 0;
    *dx = (size_t)st[1]; *dy = (size_t)st[2];
    return (double)*dx == st[1] && (double)*dy == st[2];
}

MOSSA_DEF mossa_status mossa_cka_stream_merge_state(double *inout, const double *in)
{
    size_t dx, dy, dx2, dy2, i, k;
    double na, nb, n, f, *ma, *mc;
    const double *mb;
    if (!inout || !in) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!mossa__state_dims(inout, &dx, &dy) || in[1] != inout[1] || in[2] != inout[2] || !(in[0] >= 0.0))
        return MOSSA_ERR_DIMENSION_MISMATCH;
    na = inout[0]; nb = in[0]; n = na + nb;
    if (nb == 0.0) return MOSSA_OK;
    dx2 = dx * dx; dy2 = dy * dy;
    f = na * nb / n;
    ma = inout + 3; mb = in + 3;
    /* C = Ca + Cb + f (mb - ma)(mb - ma)' for each of Cxx, Cyy, Cxy */
    {
        double *ca = ma + dx + dy;
        const double *cb = mb + dx + dy;
        for (i = 0; i < dx; ++i) {
            double di = mb[i] - ma[i];
            for (k = 0; k < dx; ++k) ca[i * dx + k] += cb[i * dx + k] + f * di * (mb[k] - ma[k]);
        }
        ca += dx2; cb += dx2;
        for (i = 0; i < dy; ++i) {
            double di = mb[dx + i] - ma[dx + i];
            for (k = 0; k < dy; ++k) ca[i * dy + k] += cb[i * dy + k] + f * di * (mb[dx + k] - ma[dx + k]);
        }
        ca += dy2; cb += dy2;
        for (i = 0; i < dx; ++i) {
            double di = mb[i] - ma[i];
            for (k = 0; k < dy; ++k) ca[i * dy + k] += cb[i * dy + k] + f * di * (mb[dx + k] - ma[dx + k]);
        }
    }
    mc = ma;
    for (i = 0; i < dx + dy; ++i) mc[i] += (mb[i] - ma[i]) * (nb / n);
    inout[0] = n;
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_cka_stream_merge(mossa_cka_stream *dst, const mossa_cka_stream *src)
{
    if (!dst || !src) return MOSSA_ERR_INVALID_ARGUMENT;
    if (dst->dx != src->dx || dst->dy != src->dy) return MOSSA_ERR_DIMENSION_MISMATCH;
    return mossa_cka_stream_merge_state(dst->state, src->state);
}

MOSSA_DEF mossa_status mossa_cka_stream_state_cka(const double *state, double *cka)
{
    size_t dx, dy, i;
    double h[3] = {0.0, 0.0, 0.0};
    const double *c;
    if (!cka) return MOSSA_ERR_INVALID_ARGUMENT;
    *cka = 0.0;
    if (!state || !mossa__state_dims(state, &dx, &dy)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (state[0] < 2.0) return MOSSA_ERR_TOO_FEW_SAMPLES;
    c = state + 3 + dx + dy;
    for (i = 0; i < dx * dx; ++i) h[1] += c[i] * c[i];
    c += dx * dx;
    for (i = 0; i < dy * dy; ++i) h[2] += c[i] * c[i];
    c += dy * dy;
    for (i = 0; i < dx * dy; ++i) h[0] += c[i] * c[i];
    return mossa__cka_ratio(h, cka);
}

MOSSA_DEF mossa_status mossa_cka_stream_finish(const mossa_cka_stream *stream, double *cka)
{
    if (!cka) return MOSSA_ERR_INVALID_ARGUMENT;
    *cka = 0.0;
    if (!stream) return MOSSA_ERR_INVALID_ARGUMENT;
    return mossa_cka_stream_state_cka(stream->state, cka);
}

MOSSA_DEF mossa_status mossa_cka_stream_export(const mossa_cka_stream *stream, double *state)
{
    if (!stream || !state) return MOSSA_ERR_INVALID_ARGUMENT;
    memcpy(state, stream->state, mossa_cka_stream_state_size(stream->dx, stream->dy) * sizeof(double));
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_cka_stream_import(mossa_cka_stream *stream, const double *state)
{
    size_t dx, dy;
    if (!stream || !state) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!mossa__state_dims(state, &dx, &dy) || dx != stream->dx || dy != stream->dy)
        return MOSSA_ERR_DIMENSION_MISMATCH;
    memcpy(stream->state, state, mossa_cka_stream_state_size(dx, dy) * sizeof(double));
    return MOSSA_OK;
}

/* ---- minibatch ------------------------------------------------------------------ */
MOSSA_DEF mossa_status mossa_cka_minibatch_add(mossa_cka_minibatch *mb, const float *x, size_t n,
                                               size_t dx, const float *y, size_t dy,
                                               const mossa_cka_options *options)
{
    mossa_cka_options o;
    double h[3];
    mossa_status st;
    if (!mb) return MOSSA_ERR_INVALID_ARGUMENT;
    if (options) o = *options;
    else memset(&o, 0, sizeof(o));
    o.debiased = 1;
    st = mossa_cka_hsic(x, n, dx, y, dy, &o, h);
    if (st != MOSSA_OK) return st;
    mb->sum_xy += h[0]; mb->sum_xx += h[1]; mb->sum_yy += h[2];
    mb->batches += 1;
    return MOSSA_OK;
}

MOSSA_DEF void mossa_cka_minibatch_merge(mossa_cka_minibatch *dst, const mossa_cka_minibatch *src)
{
    if (!dst || !src) return;
    dst->sum_xy += src->sum_xy; dst->sum_xx += src->sum_xx; dst->sum_yy += src->sum_yy;
    dst->batches += src->batches;
}

MOSSA_DEF mossa_status mossa_cka_minibatch_finish(const mossa_cka_minibatch *mb, double *cka)
{
    double h[3];
    if (!cka) return MOSSA_ERR_INVALID_ARGUMENT;
    *cka = 0.0;
    if (!mb) return MOSSA_ERR_INVALID_ARGUMENT;
    if (mb->batches == 0) return MOSSA_ERR_TOO_FEW_SAMPLES;
    h[0] = mb->sum_xy; h[1] = mb->sum_xx; h[2] = mb->sum_yy;
    return mossa__cka_ratio(h, cka);
}

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
   Every product goes through the shared packed engine of impl/gemm.c
   (mossa__gemm, mossa__gemm_sym: float32 operands, float partial sums
   over short k-blocks promoted to double, task geometry fixed by the
   shapes, so results are identical for any thread count).
   The range finders multiply the same X (n x d) 2q + 2 times, alternately
   as X and as X'. Packing X for every product cost more than the products
   themselves (measured at 10000 x 4096, l = 138: packing plus the kernel
   zeroing the fresh 164 MB buffer took ~60% of the time). Even packed once,
   the first touch of that buffer cost a quarter of a randomized SVD on a
   VM. So both X and X' are read in place where the products are thin
   (each product task copies one k-block at a time into a small buffer: X
   by transposing 16 rows at a time, X' when d is a multiple of 16), else
   packed once. Without memory
   for the copies the products fall back to mossa__gemm, with bit-identical
   results. */
typedef struct mossa__xprod {
    const float *x;
    size_t n, d;
    mossa__gemm_operand xr, xt;   /* op = X (n over d), X' (d over n); p NULL = not packed */
} mossa__xprod;

/* nothing packed yet (safe to end) */
static void mossa__xprod_none(mossa__xprod *xp)
{
    mossa__gemm_operand_none(&xp->xr);
    mossa__gemm_operand_none(&xp->xt);
}

/* l: the widest product by X (not X') that will follow */
static void mossa__xprod_begin(mossa__ctx *ctx, mossa__xprod *xp, const float *x, size_t n, size_t d, size_t l)
{
    xp->x = x; xp->n = n; xp->d = d;
    mossa__xprod_none(xp);
    /* a failed pack leaves its operand empty: every product then goes
       through mossa__gemm */
    if (!(mossa__gemm_is_thin(l) && mossa__gemm_inplace(0, n, d, x, d, &xp->xr)) &&
        mossa__gemm_pack(ctx, 0, n, d, x, d, &xp->xr) != MOSSA_OK)
        return;
    if (!mossa__gemm_inplace(1, d, n, x, d, &xp->xt) && mossa__gemm_pack(ctx, 1, d, n, x, d, &xp->xt) != MOSSA_OK)
        mossa__gemm_release(ctx, &xp->xr);
}

static void mossa__xprod_end(mossa__ctx *ctx, mossa__xprod *xp)
{
    mossa__gemm_release(ctx, &xp->xr);
    mossa__gemm_release(ctx, &xp->xt);
}

/* C = X B (trans 0: n x l, B d x l) or X' B (trans 1: d x l, B n x l) */
static mossa_status mossa__xprod_mul(mossa__ctx *ctx, const mossa__xprod *xp, int trans, size_t l,
                                     const float *B, double *C)
{
    const mossa__gemm_operand *op = trans ? &xp->xt : &xp->xr;
    if (op->p || op->ld) return mossa__gemm_packed(ctx, op, 0, l, B, l, 0.0, C, l);
    return mossa__gemm(ctx, trans, 0, trans ? xp->d : xp->n, l, trans ? xp->n : xp->d, xp->x, xp->d, B, l,
                       0.0, C, l);
}

/* ---- column statistics and the centered copy ----------------------------- */
typedef struct mossa__cstat_job {
    const float *x;
    size_t n, d, chunk;
    const double *shift;  /* pass 1: the shift (row 0 of X, or zeros) */
    const double *mean;   /* pass 2: the mean subtracted */
    double *part;         /* pass 1: tasks x 2d sums of c and c^2 */
    float *xc;            /* pass 2: the centered copy */
} mossa__cstat_job;

/* rows per svd_colstat call: its sums stay in registers over them. The
   4000 x 1024 pass, two threads, X in cache: row by row 0.80 ms (stores
   of the sums bound it), 4 rows 0.56, 8 0.48, 16 0.38-0.41, 32 and 64
   0.45 (a plain read of X: 0.27) */
#define MOSSA__COLSTAT_ROWS 16
/* pass 1: per column, the sums of c = x - shift and of c^2 over the
   task's rows (the svd_colstat kernel, MOSSA__COLSTAT_ROWS rows a call,
   each column's rows in order); pass 2: the centered copy. */
static void mossa__cstat_task(void *arg, size_t task, int worker)
{
    const mossa__cstat_job *g = (const mossa__cstat_job *)arg;
    size_t i, j, r0 = task * g->chunk, r1 = MOSSA__MIN(g->n, r0 + g->chunk), d = g->d;
    (void)worker;
    if (!g->mean) {
        double *s = g->part + task * 2 * d, *q = s + d;
        const double *sh = g->shift;
        for (j = 0; j < 2 * d; ++j) s[j] = 0.0;
        const mossa__kernels *kt = mossa__k();
        for (i = r0; i < r1; i += MOSSA__COLSTAT_ROWS)
            kt->svd_colstat(g->x + i * d, d, MOSSA__MIN((size_t)MOSSA__COLSTAT_ROWS, r1 - i), sh, s, q, d);
    } else
        for (i = r0; i < r1; ++i) {
            const float *row = g->x + i * d;
            float *out = g->xc + i * d;
            const double *mu = g->mean;
            for (j = 0; j < d; ++j) out[j] = (float)((double)row[j] - mu[j]);
        }
}

/* Column means (zeros when !center), ||X - 1 mean'||_F^2 in double, and
   (when xc) the centered float copy. One pass for the statistics: the
   sums of c = x - x0 and c^2 over the rows, x0 the first row (when
   centering), give mean = x0 + S1 / n and sum (x - mean)^2 = S2 - S1^2 / n,
   in double. Shifted by a row of the data, c is of the size of the
   spread, not of the mean (LLM features with means in the thousands
   would cancel away unshifted); what cancels is n (mean - x0)^2 against
   S2, so the relative error is at most about n times double's rounding
   even when x0 is the column's farthest outlier. */
static mossa_status mossa__center(mossa__ctx *ctx, const float *x, size_t n, size_t d, int center,
                                  double *mean, float *xc, double *total)
{
    mossa__cstat_job g;
    size_t t, j, chunk = mossa__svd_chunk(n), tasks = (n + chunk - 1) / chunk;
    size_t bytes;
    double *part;
    if (mossa__mul_overflows(tasks, 2 * d, &bytes)) return MOSSA_ERR_TOO_LARGE;
    part = (double *)mossa__alloc(ctx, (bytes + d) * sizeof(double));
    if (!part) return MOSSA_ERR_OUT_OF_MEMORY;
    g.x = x; g.n = n; g.d = d; g.chunk = chunk; g.part = part + d; g.xc = xc; g.mean = NULL;
    for (j = 0; j < d; ++j) part[j] = center ? (double)x[j] : 0.0;
    g.shift = part;
    mossa__parallel(ctx, tasks, mossa__cstat_task, &g);
    *total = 0.0;
    for (j = 0; j < d; ++j) {
        double s1 = 0.0, s2 = 0.0, c;
        for (t = 0; t < tasks; ++t) { s1 += g.part[t * 2 * d + j]; s2 += g.part[t * 2 * d + d + j]; }
        mean[j] = center ? part[j] + s1 / (double)n : 0.0;
        c = center ? s2 - s1 * (s1 / (double)n) : s2;
        /* rounding may leave a constant column a hair below zero */
        *total += center && c < 0.0 ? 0.0 : c;
    }
    if (xc) {
        g.mean = mean;
        mossa__parallel(ctx, tasks, mossa__cstat_task, &g);
    }
    mossa__free(ctx, part);
    return MOSSA_OK;
}

/* ---- Cholesky and triangular inverse (small, double) ---------------------- */
/* y -= f x over len entries, each entry on its own (the same bits in any
   grouping). Written four at a time: GCC 12 at -O2 vectorises only loops
   without a scalar tail of their own (clang vectorises either form). */
static void mossa__axpy_sub(double *MOSSA__RESTRICT y, const double *MOSSA__RESTRICT x, double f, size_t len)
{
    size_t k = 0;
    for (; k + 4 <= len; k += 4) {
        y[k] -= f * x[k];
        y[k + 1] -= f * x[k + 1];
        y[k + 2] -= f * x[k + 2];
        y[k + 3] -= f * x[k + 3];
    }
    for (; k < len; ++k) y[k] -= f * x[k];
}

/* a (l x l, row-major, lower triangle read) -> L (lower) in place. Fails
   (returns 0) when a pivot drops below rel_tol * max diagonal, i.e. when
   the matrix is numerically too ill-conditioned for CholeskyQR.
   Right-looking on the upper triangle (R = L', rows contiguous), in panels
   of MOSSA__CHOL_NB rows: each trailing row takes R[j][i] R[j][k] off its
   entries (i, k), k >= i, for the panel's rows j in order, staying in L1
   while they stream past. Each entry gets the same subtractions in the
   same order (j ascending) as left-looking dot products down the columns
   of L would give it, along contiguous rows (at l = 512, a Krylov basis,
   10.7 -> 7 ms with GCC 12, 6 with clang). The same bits as that code
   with GCC, and with clang on x86-64; clang's default contraction on
   aarch64 fused the two forms differently (results differ there in the
   last bits, as between any two compilers). */
#define MOSSA__CHOL_NB 16
static int mossa__cholesky(size_t l, double *a, double rel_tol)
{
    size_t i, j, k, j0, j1;
    double maxd = 0.0;
    for (i = 0; i < l; ++i) maxd = MOSSA__MAX(maxd, a[i * l + i]);
    if (!(maxd > 0.0)) return 0;
    for (i = 0; i < l; ++i)
        for (k = i + 1; k < l; ++k) a[i * l + k] = a[k * l + i];
    for (j0 = 0; j0 < l; j0 = j1) {
        j1 = MOSSA__MIN(l, j0 + MOSSA__CHOL_NB);
        for (j = j0; j < j1; ++j) {
            double *rj = a + j * l, s = rj[j];
            if (!(s > rel_tol * maxd)) return 0;
            s = sqrt(s);
            rj[j] = s;
            for (k = j + 1; k < l; ++k) rj[k] /= s;
            for (i = j + 1; i < j1; ++i) mossa__axpy_sub(a + i * l + i, rj + i, rj[i], l - i);
        }
        /* the rows below the panel take its rows in order, each row
           staying in L1 while the panel's rows stream past */
        for (i = j1; i < l; ++i) {
            for (j = j0; j < j1; ++j) mossa__axpy_sub(a + i * l + i, a + j * l + i, a[j * l + i], l - i);
        }
    }
    for (i = 0; i < l; ++i)
        for (k = i + 1; k < l; ++k) {
            a[k * l + i] = a[i * l + k];
            a[i * l + k] = 0.0;
        }
    return 1;
}

/* R^{-1} for R = L' (upper), written as float row-major l x l.
   tmp = L^{-1} (lower) a row at a time: row i = (e_i - sum_{k<i} L[i][k]
   (row k)) / L[i][i], row k nonzero in columns 0..k only. Each entry
   takes the same subtractions in the same order (k ascending from its
   column) as substitution down its column, but along contiguous rows, a
   block of MOSSA__CHOL_NB rows taking each earlier row in turn (down the
   columns, rows 4 KB apart at l = 512, it took 23 ms; now 5.5). Neither
   routine gained from the pool: split over two threads (rows of the
   trailing update; ranges of columns), both ran no faster at orders
   400-700 on the 2-core VM. */
static void mossa__chol_rinv(size_t l, const double *L, double *tmp, float *rinv)
{
    size_t i, j, k, i0, i1;
    for (i0 = 0; i0 < l; i0 = i1) {
        i1 = MOSSA__MIN(l, i0 + MOSSA__CHOL_NB);
        for (i = i0; i < i1; ++i)
            for (j = 0; j < i; ++j) tmp[i * l + j] = 0.0;
        /* the rows above the block, each read once for all its rows */
        for (k = 0; k < i0; ++k) {
            const double *tk = tmp + k * l;
            for (i = i0; i < i1; ++i) mossa__axpy_sub(tmp + i * l, tk, L[i * l + k], k + 1);
        }
        for (i = i0; i < i1; ++i) {
            double *ti = tmp + i * l, d = L[i * l + i];
            for (k = i0; k < i; ++k) mossa__axpy_sub(ti, tmp + k * l, L[i * l + k], k + 1);
            for (j = 0; j < i; ++j) ti[j] /= d;
            ti[i] = 1.0 / d;
        }
    }
    for (i = 0; i < l; ++i)
        for (j = 0; j < l; ++j) rinv[i * l + j] = j >= i ? (float)tmp[j * l + i] : 0.0f;
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

/* sqrt(a^2 + b^2): the plain formula where neither square can overflow or
   lose precision to underflow, libm's (much slower) hypot elsewhere; the
   QL sweeps call it once per rotation. */
static double mossa__hypot(double a, double b)
{
    double m = MOSSA__MAX(fabs(a), fabs(b));
    if (m < 1e150 && m > 1e-150) return sqrt(a * a + b * b);
    return hypot(a, b);
}

/* ---- symmetric tridiagonal QL (implicit shifts), with vectors --------------
   d: diagonal, e[i] (i >= 1): element between i-1 and i. zt: n x n, row
   i = the i-th basis vector, rotated along (values only: mossa__tql_values
   below). Returns 0 when the QL sweeps exceed 30 n in total (LAPACK's
   budget). */
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
                r = mossa__hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + (g >= 0.0 ? r : -r));
                s = c = 1.0;
                p = 0.0;
                r = 1.0;
                for (i = m - 1; i >= l; --i) {
                    f = s * e[i];
                    b = c * e[i];
                    e[i + 1] = (r = mossa__hypot(f, g));
                    if (r == 0.0) { d[i + 1] -= p; e[m] = 0.0; break; }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    d[i + 1] = g + (p = s * r);
                    g = c * r - b;
                    {
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

/* ---- symmetric tridiagonal QL, values only (root-free) ----------------------
   The Pal-Walker-Kahan form of the implicit QL step (as in LAPACK's
   dsterf): the recurrence runs on the squared off-diagonal, so a rotation
   costs three divisions and no square root (about 12 ms against 16 for
   mossa__tql's rotations at order 1024 here). The matrix is scaled by a power of two
   first (exact), so the squares cannot overflow. d, e as for mossa__tql;
   the eigenvalues are left in d, unsorted. Returns 0 when the sweeps
   exceed 30 n in total. */
static void mossa__lae2(double a, double b, double c, double *rt1, double *rt2)
{
    /* eigenvalues of [a b; b c] (LAPACK's dlae2) */
    double sm = a + c, df = a - c, adf = fabs(df), tb = b + b, ab = fabs(tb), acmx, acmn, rt;
    if (fabs(a) > fabs(c)) { acmx = a; acmn = c; } else { acmx = c; acmn = a; }
    if (adf > ab) rt = adf * sqrt(1.0 + (ab / adf) * (ab / adf));
    else if (adf < ab) rt = ab * sqrt(1.0 + (adf / ab) * (adf / ab));
    else rt = ab * sqrt(2.0);
    if (sm != 0.0) {
        *rt1 = 0.5 * (sm < 0.0 ? sm - rt : sm + rt);
        *rt2 = (acmx / *rt1) * acmn - (b / *rt1) * b;
    } else {
        *rt1 = 0.5 * rt;
        *rt2 = -0.5 * rt;
    }
}

static int mossa__tql_values(size_t n, double *d, double *e)
{
    size_t l, m, i;
    long iter = 0;
    double anorm = 0.0, sc;
    int ex;
    for (i = 0; i < n; ++i) anorm = MOSSA__MAX(anorm, fabs(d[i]));
    for (i = 1; i < n; ++i) anorm = MOSSA__MAX(anorm, fabs(e[i]));
    if (n < 2 || anorm == 0.0) return 1;
    (void)frexp(anorm, &ex);
    sc = ldexp(1.0, -ex);                      /* anorm sc in [1/2, 1) */
    for (i = 0; i < n; ++i) d[i] *= sc;
    for (i = 0; i + 1 < n; ++i) { double t = e[i + 1] * sc; e[i] = t * t; }   /* e[i]: (i, i+1), squared */
    e[n - 1] = 0.0;
    for (l = 0; l < n;) {
        double p, rte, sigma, r, c, s, gamma;
        for (m = l; m + 1 < n; ++m) {
            double dd = fabs(d[m]) + fabs(d[m + 1]);
            if (e[m] <= DBL_EPSILON * DBL_EPSILON * dd * dd) break;
        }
        if (m == l) { ++l; continue; }
        if (m == l + 1) {
            mossa__lae2(d[l], sqrt(e[l]), d[l + 1], &d[l], &d[l + 1]);
            e[l] = 0.0;
            l += 2;
            continue;
        }
        if (++iter > 30 * (long)n) return 0;
        /* Wilkinson's shift from the leading 2 x 2 */
        p = d[l];
        rte = sqrt(e[l]);
        sigma = (d[l + 1] - p) / (2.0 * rte);
        r = mossa__hypot(sigma, 1.0);
        sigma = p - rte / (sigma + (sigma >= 0.0 ? r : -r));
        c = 1.0; s = 0.0;
        gamma = d[m] - sigma;
        p = gamma * gamma;
        /* p' = gamma^2 / c = gamma^2 r / p: both divisions wait only for
           r, so the loop's chain of dependent operations holds one */
        for (i = m; i-- > l;) {
            double bb = e[i], oldc = c, oldgam = gamma, alpha = d[i], ir, rp;
            r = p + bb;
            ir = 1.0 / r;
            rp = p != 0.0 ? r / p : 0.0;
            if (i + 1 != m) e[i + 1] = s * r;
            c = p * ir;
            s = bb * ir;
            gamma = c * (alpha - sigma) - s * oldgam;
            d[i + 1] = oldgam + (alpha - gamma);
            p = c != 0.0 ? (gamma * gamma) * rp : oldc * bb;
        }
        e[l] = s * p;
        d[l] = sigma + gamma;
    }
    for (i = 0; i < n; ++i) d[i] /= sc;
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
    /* the float reduction (mossa__tridiagonalise_f): its matrix, vectors
       and partial products in float, used instead of the above when af is set */
    float *af, *partf;
    const float *puf, *pqf, *uf;
} mossa__trd_job;

/* row j of a step: the pending update (if any), then its terms of A u
   into p and its own sum (if u). The products of the diagonal's update and
   of the last term are statements of their own, as in the pair kernels
   (svd_rowop2): a compiler that fuses a product into the add of the same
   expression (clang does wherever FMA is available, as in the kernels)
   then rounds both the same way. */
static void mossa__trd_row(const mossa__kernels *kt, const mossa__trd_job *g, size_t j, double *p)
{
    double *r = g->a + j * g->n, s;
    double uj = g->u ? g->u[j] : 0.0;
    if (g->pu) {
        double m1 = g->pu[j] * g->pq[j], m2 = g->pq[j] * g->pu[j];
        r[j] -= m1 + m2;
    }
    s = kt->svd_rowop(j, r, g->pu ? g->pq : NULL, g->pu, g->pu ? g->pu[j] : 0.0, g->pu ? g->pq[j] : 0.0, g->u, uj, p);
    if (g->u) {
        double t = r[j] * uj;
        p[j] += s + t;
    }
}

/* the float path's partial products: rows a multiple of 64 floats apart */
#define MOSSA__TRDF_LD(len) (((len) + 63) / 64 * 64)

/* the float twin of mossa__trd_row, row j at r */
static void mossa__trdf_row(const mossa__kernels *kt, const mossa__trd_job *g, size_t j, float *r, float *p)
{
    float s;
    float uj = g->uf ? g->uf[j] : 0.0f;
    if (g->puf) {
        float m1 = g->puf[j] * g->pqf[j], m2 = g->pqf[j] * g->puf[j];
        r[j] -= m1 + m2;
    }
    s = kt->svd_rowopf(j, r, g->puf ? g->pqf : NULL, g->puf, g->puf ? g->puf[j] : 0.0f, g->puf ? g->pqf[j] : 0.0f,
                       g->uf, uj, p);
    if (g->uf) {
        float t = r[j] * uj;
        p[j] += s + t;
    }
}

/* one block of rows of a step, in float */
static void mossa__trdf_rows(const mossa__trd_job *g, size_t task)
{
    size_t j, k, j0 = task * g->block, j1 = MOSSA__MIN(g->rows, j0 + g->block);
    float *p = g->partf + task * MOSSA__TRDF_LD(g->n);
    const mossa__kernels *kt = mossa__k();
    if (g->uf)
        for (k = 0; k < j1; ++k) p[k] = 0.0f;
    j = j0;
    if (g->puf && g->uf)
        for (; j + 1 < j1; j += 2)
            kt->svd_rowop2f(j, mossa__lt_row(g->af, j), mossa__lt_row(g->af, j + 1), g->pqf, g->puf, g->uf, p,
                            j + 3 < j1 ? mossa__lt_row(g->af, j + 2) : NULL);
    for (; j < j1; ++j) mossa__trdf_row(kt, g, j, mossa__lt_row(g->af, j), p);
}

/* one block of rows of a step */
static void mossa__trd_rows(const mossa__trd_job *g, size_t task)
{
    size_t j, k, j0 = task * g->block, j1 = MOSSA__MIN(g->rows, j0 + g->block);
    double *p;
    const mossa__kernels *kt = mossa__k();
    if (g->af) { mossa__trdf_rows(g, task); return; }
    p = g->part + task * g->n;
    if (g->u)
        for (k = 0; k < j1; ++k) p[k] = 0.0;
    j = j0;
    if (g->pu && g->u)   /* every step but the first: rows in pairs (the same bits) */
        for (; j + 1 < j1; j += 2)
            kt->svd_rowop2(j, g->a + j * g->n, g->a + (j + 1) * g->n, g->pq, g->pu, g->u, p);
    for (; j < j1; ++j) mossa__trd_row(kt, g, j, p);
}

/* The whole reduction runs as one crew (see impl/internal.h): n steps
   of a few microseconds each cannot pay a hand-off to the pool per step.
   Per step, the driver does the serial head (the pivot row and its
   Householder vector), then two parallel phases: the step's row blocks
   (mossa__trd_rows), and the sums of their partial products over ranges
   of MOSSA__TRD_COLS columns (each column summed over the blocks in block
   order), and the driver finishes the step. Blocks and sums do not depend
   on who runs them, so neither does the result. */
#define MOSSA__TRD_COLS 64
typedef struct mossa__trd_crew_job {
    mossa__trd_job g;            /* the current step */
    double *w, *e, *u, *pu, *pq;
    float *uf, *puf, *pqf;       /* the float reduction's vectors */
    size_t tasks;                /* row blocks of the current step */
    double h;                    /* the step's Householder scale */
} mossa__trd_crew_job;

/* Task t of a step's row blocks (of T): the driver claims tasks from the
   front, helpers from the back (mossa__crew_take), so the list runs over
   every other block from the longest down, then back up over the rest:
   T-1, T-3, ..., then ..., T-4, T-2. Both ends take long blocks first and
   meet at the shortest, so the last block of a step is a short one (with
   the blocks simply longest first, the helpers' end started with the
   shortest, the two met at blocks of middle length, and the one that
   finished first waited for the other's: about 0.8 of 19 ms of phases at
   order 1024 on two threads), and each thread keeps about the same
   blocks, in its own cache, from one step to the next. */
static size_t mossa__trd_order(size_t T, size_t t)
{
    size_t h = (T + 1) / 2;
    return t < h ? T - 1 - 2 * t : T - 2 - 2 * (T - 1 - t);
}

static void mossa__trd_block(void *arg, size_t task)
{
    const mossa__trd_crew_job *J = (const mossa__trd_crew_job *)arg;
    mossa__trd_rows(&J->g, mossa__trd_order(J->tasks, task));
}

/* p = A u / h over one range of columns. Column k sums the partial
   products of blocks k / block, ..., tasks - 1 in that order; the loops
   run over the blocks outside and the columns inside, so that the adds
   of neighbouring columns are independent (and vectorise) while each
   column's order stays the same. */
static void mossa__trd_sum(void *arg, size_t task)
{
    const mossa__trd_crew_job *J = (const mossa__trd_crew_job *)arg;
    const mossa__trd_job *g = &J->g;
    size_t k, t, k0 = task * MOSSA__TRD_COLS, k1 = MOSSA__MIN(g->rows, k0 + MOSSA__TRD_COLS);
    double s[MOSSA__TRD_COLS];
    for (k = k0; k < k1; ++k) s[k - k0] = 0.0;
    for (t = k0 / g->block; t < J->tasks; ++t) {
        /* the columns this block has partial products for: k / block <= t */
        size_t kend = MOSSA__MIN(k1, (t + 1) * g->block);
        const double *pt = g->part + t * g->n;
        for (k = k0; k < kend; ++k) s[k - k0] += pt[k];
    }
    for (k = k0; k < k1; ++k) J->pq[k] = s[k - k0] / J->h;
}

/* sum_k x[k] y[k] over four chains (k mod 4), added pairwise at the end */
static double mossa__sum4(const double *x, const double *y, size_t len)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t k = 0;
    for (; k + 4 <= len; k += 4) {
        s0 += x[k] * y[k]; s1 += x[k + 1] * y[k + 1]; s2 += x[k + 2] * y[k + 2]; s3 += x[k + 3] * y[k + 3];
    }
    for (; k < len; ++k) s0 += x[k] * y[k];
    return (s0 + s1) + (s2 + s3);
}

/* max_k |x[k]| (exact in any order) */
static double mossa__absmax(const double *x, size_t len)
{
    double m0 = 0.0, m1 = 0.0;
    size_t k = 0;
    for (; k + 2 <= len; k += 2) { m0 = MOSSA__MAX(m0, fabs(x[k])); m1 = MOSSA__MAX(m1, fabs(x[k + 1])); }
    if (k < len) m0 = MOSSA__MAX(m0, fabs(x[k]));
    return MOSSA__MAX(m0, m1);
}

static void mossa__trd_drive(mossa__crew *crew, void *arg)
{
    mossa__trd_crew_job *J = (mossa__trd_crew_job *)arg;
    mossa__trd_job *g = &J->g;
    size_t n = g->n, i, k;
    double *a = g->a, *w = J->w, *e = J->e, *u = J->u, *pu = J->pu, *pq = J->pq;
    double (*rowop)(size_t, double *, const double *, const double *, double, double,
                    const double *, double, double *) = mossa__k()->svd_rowop;
    int pending = 0, ex;
    for (i = n - 1; i >= 1 && n > 1; --i) {
        double *ri = a + i * n, scale, h, f, gg, kk, inv;
        /* the serial head and tail of a step run while the helpers wait:
           the row update is the vector kernel's, and the sums run four
           independent chains (a fixed order, whatever the thread count) */
        if (pending) (void)rowop(i + 1, ri, pq, pu, pu[i], pq[i], NULL, 0.0, NULL);
        w[i] = ri[i];
        scale = mossa__absmax(ri, i);
        g->rows = i; g->pu = pending ? pu : NULL; g->pq = pq;
        J->tasks = (i + g->block - 1) / g->block;
        if (i == 1 || scale == 0.0) {
            e[i] = ri[i - 1];
            g->u = NULL;   /* only the pending update, if any */
            if (pending) mossa__crew_phase(crew, mossa__trd_block, J, J->tasks);
            pending = 0;
            continue;
        }
        /* scaled by the power of two just above max |r_k|: exact (no
           rounding) and h <= i (no overflow); a multiplication unless the
           inverse would overflow (max |r_k| below 2^-1022) */
        (void)frexp(scale, &ex);
        scale = ldexp(1.0, ex);
        if (ex >= DBL_MIN_EXP) {
            inv = ldexp(1.0, -ex);
            for (k = 0; k < i; ++k) u[k] = ri[k] * inv;
        } else
            for (k = 0; k < i; ++k) u[k] = ri[k] / scale;
        h = mossa__sum4(u, u, i);
        f = u[i - 1];
        gg = f >= 0.0 ? -sqrt(h) : sqrt(h);
        e[i] = scale * gg;
        h -= f * gg;
        u[i - 1] = f - gg;
        g->u = u;
        J->h = h;
        mossa__crew_phase(crew, mossa__trd_block, J, J->tasks);
        mossa__crew_phase(crew, mossa__trd_sum, J, (i + MOSSA__TRD_COLS - 1) / MOSSA__TRD_COLS);
        /* q = p - (u'p / 2h) u; pending update A -= u q' + q u' */
        kk = mossa__sum4(u, pq, i) / (2.0 * h);
        for (k = 0; k < i; ++k) { pq[k] -= kk * u[k]; pu[k] = u[k]; }
        pending = 1;
    }
    if (n > 0) {
        if (pending) a[0] -= 2.0 * pu[0] * pq[0];
        w[0] = a[0];
        e[0] = 0.0;
    }
}

/* Below this order the reduction runs in the calling thread: one hand-off
   to the pool costs more than the whole of a small problem. */
#define MOSSA__TRD_SERIAL 256
/* From this order on the variance rank reduces its Gram in float
   (mossa__tridiagonalise_f); below, the double reduction costs little. */
#define MOSSA__TRDF_MIN 256

/* The symmetric a (n x n row-major, lower triangle read, destroyed)
   reduced to tridiagonal form: diagonal d, off-diagonal e (e[i] couples
   i - 1 and i; e[0] = 0), as mossa__tql takes them. */
static mossa_status mossa__tridiagonalise(mossa__ctx *ctx, size_t n, double *a, double *d, double *e)
{
    size_t block = MOSSA__MAX((size_t)32, (n + 31) / 32), tasks_max = (n + block - 1) / block;
    mossa__trd_crew_job J;
    mossa__crew crew;
    mossa_status st = MOSSA_OK;
    memset(&J, 0, sizeof(J));
    J.w = d;
    J.e = e;
    J.u = (double *)mossa__alloc(ctx, n * sizeof(double));
    J.pu = (double *)mossa__alloc(ctx, n * sizeof(double));
    J.pq = (double *)mossa__alloc(ctx, n * sizeof(double));
    J.g.part = (double *)mossa__alloc(ctx, (tasks_max ? tasks_max : 1) * n * sizeof(double));
    if (!J.u || !J.pu || !J.pq || !J.g.part) st = MOSSA_ERR_OUT_OF_MEMORY;
    else {
        J.g.a = a; J.g.n = n; J.g.block = block;
        mossa__crew_run(n < MOSSA__TRD_SERIAL ? NULL : ctx, &crew, mossa__trd_drive, &J);
    }
    mossa__free(ctx, J.u); mossa__free(ctx, J.pu); mossa__free(ctx, J.pq); mossa__free(ctx, J.g.part);
    return st;
}

/* ---- the same reduction with the matrix held in float ----------------------
   The variance rank's Gram is a float product (its entries carry errors of
   float size already), and the reduction's cost is the traffic of its
   trailing triangle, read and written once per step: held in float, the
   triangle of a 1024-order Gram (2 MB) stays in the cores' L2 and half as
   many bytes move. The matrix and the vectors the row kernels read are
   float (mossa__trdf_row); each step's scalars, its Householder scale and
   the sums of the blocks' partial products are double. The Householder
   vector is rounded to float before its h = u'u / 2 is taken, so the
   reflection applied is orthogonal to double precision; the rounding of
   the stored entries is a backward error of float size, like the Gram's
   own. On Gram matrices of planted spectra (tests/test_svd.c) the
   eigenvalues move by under about 1e-7 of the largest. */
/* The driver's serial steps run through kernels (svd_absmaxf,
   svd_scalef, svd_sumcols, svd_qupdatef): a step's serial part is the
   helpers' idle time, and in scalar code it was about a quarter of the
   whole reduction at order 1024. */
static void mossa__trdf_drive(mossa__crew *crew, void *arg)
{
    mossa__trd_crew_job *J = (mossa__trd_crew_job *)arg;
    mossa__trd_job *g = &J->g;
    const mossa__kernels *kt = mossa__k();
    size_t n = g->n, i, k0, ld = MOSSA__TRDF_LD(n);
    float *a = g->af, *u = J->uf, *pu = J->puf, *pq = J->pqf;
    double *w = J->w, *e = J->e, *q = J->pq;
    int pending = 0, ex;
    for (i = n - 1; i >= 1 && n > 1; --i) {
        float *ri = mossa__lt_row(a, i);
        double scale, h, f, gg, kk, inv, sig, un;
        if (pending) (void)kt->svd_rowopf(i + 1, ri, pq, pu, pu[i], pq[i], NULL, 0.0f, NULL);
        w[i] = (double)ri[i];
        scale = (double)kt->svd_absmaxf(ri, i);
        g->rows = i; g->puf = pending ? pu : NULL; g->pqf = pq;
        J->tasks = (i + g->block - 1) / g->block;
        if (i == 1 || scale == 0.0) {
            e[i] = (double)ri[i - 1];
            g->uf = NULL;   /* only the pending update, if any */
            if (pending) mossa__crew_phase(crew, mossa__trd_block, J, J->tasks);
            pending = 0;
            continue;
        }
        /* scaled by the power of two just above max |r_k| (in double, where
           the inverse of any float's scale is finite): exact unless an
           entry falls below float's smallest, next to 2^-149 of the largest */
        (void)frexp(scale, &ex);
        scale = ldexp(1.0, ex);
        inv = ldexp(1.0, -ex);
        sig = kt->svd_scalef(ri, inv, u, i);
        f = (double)u[i - 1];
        gg = f >= 0.0 ? -sqrt(sig) : sqrt(sig);
        e[i] = scale * gg;
        u[i - 1] = (float)(f - gg);
        /* h = u'u / 2 of the vector as rounded: the other entries' sum and
           the new last square (squares of floats are exact in double) */
        un = (double)u[i - 1];
        h = 0.5 * ((sig - f * f) + un * un);
        g->uf = u;
        J->h = h;
        mossa__crew_phase(crew, mossa__trd_block, J, J->tasks);
        /* p = A u / h over ranges of MOSSA__TRD_COLS columns, each column
           summing the blocks' partial products from the first block that
           reaches it, in block order; with it u'p, range by range */
        kk = 0.0;
        for (k0 = 0; k0 < i; k0 += MOSSA__TRD_COLS) {
            size_t t0 = k0 / g->block;
            kk += kt->svd_sumcols(g->partf + t0 * ld + k0, ld, J->tasks - t0, MOSSA__MIN((size_t)MOSSA__TRD_COLS, i - k0),
                                  h, u + k0, q + k0);
        }
        /* q = p - (u'p / 2h) u in double, rounded to float for the pending
           update, whose other vector is u itself: the two buffers swap
           (the helpers hold u's lines already; a copy would take them back) */
        kk /= 2.0 * h;
        kt->svd_qupdatef(q, kk, u, pq, i);
        {
            float *t = pu;
            pu = u;
            u = t;
        }
        pending = 1;
    }
    if (n > 0) {
        if (pending) a[0] -= 2.0f * pu[0] * pq[0];
        w[0] = (double)a[0];
        e[0] = 0.0;
    }
}

/* mossa__tridiagonalise on a float matrix a (order n, its lower triangle
   in the lt layout of impl/gemm.c, destroyed); d and e in double. */
static mossa_status mossa__tridiagonalise_f(mossa__ctx *ctx, size_t n, float *a, double *d, double *e)
{
    /* blocks of whole ranges of sums (each range's columns are then
       written by every block from its first on), 16 at most: the sums (in
       the driver) cost in proportion to the blocks */
    size_t block = MOSSA__TRDF_LD(MOSSA__MAX((size_t)64, (n + 15) / 16)), tasks_max = (n + block - 1) / block;
    mossa__trd_crew_job J;
    mossa__crew crew;
    mossa_status st = MOSSA_OK;
    memset(&J, 0, sizeof(J));
    J.w = d;
    J.e = e;
    J.pq = (double *)mossa__alloc(ctx, n * sizeof(double));
    J.uf = (float *)mossa__alloc(ctx, n * sizeof(float));
    J.puf = (float *)mossa__alloc(ctx, n * sizeof(float));
    J.pqf = (float *)mossa__alloc(ctx, n * sizeof(float));
    J.g.partf = (float *)mossa__alloc(ctx, (tasks_max ? tasks_max : 1) * MOSSA__TRDF_LD(n) * sizeof(float));
    if (!J.pq || !J.uf || !J.puf || !J.pqf || !J.g.partf) st = MOSSA_ERR_OUT_OF_MEMORY;
    else {
        J.g.af = a; J.g.n = n; J.g.block = block;
        mossa__crew_run(n < MOSSA__TRD_SERIAL ? NULL : ctx, &crew, mossa__trdf_drive, &J);
    }
    mossa__free(ctx, J.pq); mossa__free(ctx, J.uf); mossa__free(ctx, J.puf); mossa__free(ctx, J.pqf);
    mossa__free(ctx, J.g.partf);
    return st;
}

/* The eigenvalues of the tridiagonal (d, e) (destroyed) in d, descending. */
static mossa_status mossa__tridiag_values(size_t n, double *d, double *e)
{
    size_t i, k;
    if (!mossa__tql_values(n, d, e)) return MOSSA_ERR_NOT_CONVERGED;
    /* insertion sort: n log n is irrelevant next to n^3 */
    for (i = 1; i < n; ++i) {
        double x = d[i];
        k = i;
        while (k > 0 && d[k - 1] < x) { d[k] = d[k - 1]; --k; }
        d[k] = x;
    }
    return MOSSA_OK;
}

/* Eigenvalues of the symmetric a (n x n row-major, lower triangle read,
   destroyed) into w, descending. */
static mossa_status mossa__eigvals_sym(mossa__ctx *ctx, size_t n, double *a, double *w)
{
    double *e = (double *)mossa__alloc(ctx, (n ? n : 1) * sizeof(double));
    mossa_status st = e ? mossa__tridiagonalise(ctx, n, a, w, e) : MOSSA_ERR_OUT_OF_MEMORY;
    if (st == MOSSA_OK) st = mossa__tridiag_values(n, w, e);
    mossa__free(ctx, e);
    return st;
}

#ifdef MOSSA_TEST_HOOKS
/* Test builds: rows j and j+1 of a fused step on a (row t at a + t n;
   pending update x, y and new vector u, all present), as a pair
   (svd_rowop2) or one row at a time (mossa__trd_row); p accumulates as in
   a task. */
MOSSA_DEF void mossa_test_trd_row_pair(int paired, size_t j, size_t n, double *a, const double *x,
                                       const double *y, const double *u, double *p);
MOSSA_DEF void mossa_test_trd_row_pair(int paired, size_t j, size_t n, double *a, const double *x,
                                       const double *y, const double *u, double *p)
{
    mossa__trd_job g;
    if (paired) { mossa__k()->svd_rowop2(j, a + j * n, a + (j + 1) * n, x, y, u, p); return; }
    memset(&g, 0, sizeof(g));
    g.a = a; g.n = n; g.pq = x; g.pu = y; g.u = u;
    mossa__trd_row(mossa__k(), &g, j, p);
    mossa__trd_row(mossa__k(), &g, j + 1, p);
}
/* Test builds: the same for the float reduction (svd_rowop2f or
   mossa__trdf_row). */
MOSSA_DEF void mossa_test_trdf_row_pair(int paired, size_t j, size_t n, float *a, const float *x, const float *y,
                                        const float *u, float *p);
MOSSA_DEF void mossa_test_trdf_row_pair(int paired, size_t j, size_t n, float *a, const float *x, const float *y,
                                        const float *u, float *p)
{
    mossa__trd_job g;
    if (paired) { mossa__k()->svd_rowop2f(j, a + j * n, a + (j + 1) * n, x, y, u, p, NULL); return; }
    memset(&g, 0, sizeof(g));
    g.pqf = x; g.puf = y; g.uf = u;
    mossa__trdf_row(mossa__k(), &g, j, a + j * n, p);
    mossa__trdf_row(mossa__k(), &g, j + 1, a + (j + 1) * n, p);
}

/* Test builds: the active level's kernels of the float reduction's
   driver (tests/test_svd.c); which: 0 absmaxf (returned), 1 scalef,
   2 sumcols, 3 qupdatef. */
MOSSA_DEF double mossa_test_trdf_serial(int which, const float *x, size_t ld, size_t nb, size_t n, double c,
                                        const float *u, double *q, float *out);
MOSSA_DEF double mossa_test_trdf_serial(int which, const float *x, size_t ld, size_t nb, size_t n, double c,
                                        const float *u, double *q, float *out)
{
    const mossa__kernels *kt = mossa__k();
    switch (which) {
    case 0: return (double)kt->svd_absmaxf(x, n);
    case 1: return kt->svd_scalef(x, c, out, n);
    case 2: return kt->svd_sumcols(x, ld, nb, n, c, u, q);
    default: kt->svd_qupdatef(q, c, u, out, n); return 0.0;
    }
}

/* Test builds: the active level's svd_sturm16 (tests/test_svd.c). */
MOSSA_DEF void mossa_test_sturm16(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                  size_t *c);
MOSSA_DEF void mossa_test_sturm16(size_t n, const double *d, const double *e2, double pivmin, const double *s,
                                  size_t *c)
{
    mossa__k()->svd_sturm16(n, d, e2, pivmin, s, c);
}

/* Test builds: the eigenvalues (descending) of the symmetric a (n x n,
   lower triangle rounded to float) through the float reduction, with a
   chosen thread count. */
MOSSA_DEF mossa_status mossa_test_eigvals_f(int n_threads, const double *a, size_t n, double *w);
MOSSA_DEF mossa_status mossa_test_eigvals_f(int n_threads, const double *a, size_t n, double *w)
{
    mossa__ctx ctx;
    float *c;
    double *e;
    size_t i, j;
    mossa_status st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    c = (float *)mossa__alloc(&ctx, (n ? mossa__lt_size(n) : 1) * sizeof(float));
    e = (double *)mossa__alloc(&ctx, (n ? n : 1) * sizeof(double));
    if (!c || !e) st = MOSSA_ERR_OUT_OF_MEMORY;
    else {
        for (i = 0; i < n; ++i)
            for (j = 0; j <= i; ++j) mossa__lt_row(c, i)[j] = (float)a[i * n + j];
        st = mossa__tridiagonalise_f(&ctx, n, c, w, e);
        if (st == MOSSA_OK) st = mossa__tridiag_values(n, w, e);
    }
    mossa__free(&ctx, c); mossa__free(&ctx, e);
    mossa__ctx_end(&ctx);
    return st;
}

/* Test builds: the rank of the spectrum of the symmetric a (n x n, copied)
   with a chosen thread count, through its tail (tail 1: MOSSA_ERR_NOT_CONVERGED
   when the tail path declines) or through the whole spectrum (tail 0). */
static int mossa__rank_tail(mossa__ctx *ctx, size_t n, const double *d, const double *e, double f,
                            mossa_rank_result *res);
static mossa_status mossa__rank_tridiag(mossa__ctx *ctx, size_t n, double *d, double *e, double f, int tail,
                                        mossa_rank_result *res);
MOSSA_DEF mossa_status mossa_test_rank_spectrum(int n_threads, const double *a, size_t n, double f, int tail,
                                                mossa_rank_result *res);
MOSSA_DEF mossa_status mossa_test_rank_spectrum(int n_threads, const double *a, size_t n, double f, int tail,
                                                mossa_rank_result *res)
{
    mossa__ctx ctx;
    double *c, *w, *e;
    mossa_status st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    c = (double *)mossa__alloc(&ctx, n * n * sizeof(double));
    w = (double *)mossa__alloc(&ctx, n * sizeof(double));
    e = (double *)mossa__alloc(&ctx, n * sizeof(double));
    if (!c || !w || !e) st = MOSSA_ERR_OUT_OF_MEMORY;
    else {
        memcpy(c, a, n * n * sizeof(double));
        st = mossa__tridiagonalise(&ctx, n, c, w, e);
        if (st == MOSSA_OK && tail) st = mossa__rank_tail(&ctx, n, w, e, f, res) ? MOSSA_OK : MOSSA_ERR_NOT_CONVERGED;
        else if (st == MOSSA_OK) st = mossa__rank_tridiag(&ctx, n, w, e, f, 0, res);
    }
    mossa__free(&ctx, c); mossa__free(&ctx, w); mossa__free(&ctx, e);
    mossa__ctx_end(&ctx);
    return st;
}

/* Test builds: the values-only eigensolver with a chosen thread count
   (mossa_eigh uses one thread). a is copied. */
MOSSA_DEF mossa_status mossa_test_eigvals(int n_threads, const double *a, size_t n, double *w);
MOSSA_DEF mossa_status mossa_test_eigvals(int n_threads, const double *a, size_t n, double *w)
{
    mossa__ctx ctx;
    double *c;
    mossa_status st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    c = (double *)mossa__alloc(&ctx, n * n * sizeof(double));
    if (!c) st = MOSSA_ERR_OUT_OF_MEMORY;
    else {
        memcpy(c, a, n * n * sizeof(double));
        st = mossa__eigvals_sym(&ctx, n, c, w);
    }
    mossa__free(&ctx, c);
    mossa__ctx_end(&ctx);
    return st;
}
#endif

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
    float *acc;          /* l x l or NULL: the product of every pass's rinv (Q = Y acc) */
    int chol;            /* set by mossa__orth: 1 when every pass was Q = Y rinv, 0 after Householder */
    int in_qf;           /* set by the caller: Y is given in qf only (y is scratch, filled on a fallback) */
    int no_q;            /* set by the caller (with acc): the caller needs only acc, not Q; the
                            last pass then leaves Q unformed (qf holds Y after one pass, the first
                            pass's basis after two), and formed says which */
    int formed;          /* set by mossa__orth: 0 when Q was left unformed (no_q) */
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

/* Element-wise conversions of the n x l working blocks, split across the
   pool (each entry on its own: any split gives the same bits). mode 0:
   f = (float)a; 1: a = (double)f; 2: a -= b, then f = (float)a. */
#define MOSSA__CONV_CHUNK ((size_t)1 << 15)
typedef struct mossa__conv_job { double *a; const double *b; float *f; size_t count; int mode; } mossa__conv_job;

static void mossa__conv_task(void *arg, size_t task, int worker)
{
    const mossa__conv_job *g = (const mossa__conv_job *)arg;
    size_t i = task * MOSSA__CONV_CHUNK, end = MOSSA__MIN(g->count, i + MOSSA__CONV_CHUNK);
    (void)worker;
    if (g->mode == 0) for (; i < end; ++i) g->f[i] = (float)g->a[i];
    else if (g->mode == 1) for (; i < end; ++i) g->a[i] = (double)g->f[i];
    else for (; i < end; ++i) { g->a[i] -= g->b[i]; g->f[i] = (float)g->a[i]; }
}

static void mossa__conv(mossa__ctx *ctx, int mode, double *a, const double *b, float *f, size_t count)
{
    mossa__conv_job g;
    size_t t, tasks = (count + MOSSA__CONV_CHUNK - 1) / MOSSA__CONV_CHUNK;
    g.a = a; g.b = b; g.f = f; g.count = count; g.mode = mode;
    if (tasks < 4) for (t = 0; t < tasks; ++t) mossa__conv_task(&g, t, 0);
    else mossa__parallel(ctx, tasks, mossa__conv_task, &g);
}

/* C = op(A) B (op(A) rows x k, B k x l, C rows x l) with A read in place
   when it can be (no packed copy of the basis, and none of its first
   touch), else through mossa__gemm. Same bits either way. */
static mossa_status mossa__gemm_ip(mossa__ctx *ctx, int trans, size_t rows, size_t k, const float *A, size_t lda,
                                   size_t l, const float *B, double *C)
{
    mossa__gemm_operand op;
    if (mossa__gemm_inplace(trans, rows, k, A, lda, &op)) return mossa__gemm_packed(ctx, &op, 0, l, B, l, 0.0, C, l);
    return mossa__gemm(ctx, trans, 0, rows, l, k, A, lda, B, l, 0.0, C, l);
}

/* the squared norm of each of the b columns of y (n x b), in row order */
static void mossa__col_norms2(const double *y, size_t n, size_t b, double *out)
{
    size_t i, j;
    for (j = 0; j < b; ++j) out[j] = 0.0;
    for (i = 0; i < n; ++i)
        for (j = 0; j < b; ++j) out[j] += y[i * b + j] * y[i * b + j];
}

/* Y (n x b) -= Q (Q' Y) for the L orthonormal columns of Q (n x L, row
   stride ldq), passes times: one block Gram-Schmidt pass in float leaves
   Y orthogonal to Q only to ~1e-7 times ||Y|| / ||Y - QQ'Y||; a second
   pass makes it float-exact. passes < 0: the second pass only when some
   column lost more than a factor 100 of its norm in the first (so that
   one pass leaves it orthogonal to Q to ~1e-5 at worst: Kahan's "twice is
   enough" with a float threshold); norms (b doubles) is then scratch.
   yf (n x b floats), c (L x b), cf (L x b floats) and yq (n x b) are
   scratch. */
static mossa_status mossa__project_out(mossa__ctx *ctx, const float *q, size_t ldq, size_t L, size_t n,
                                       size_t b, int passes, double *y, float *yf, double *c, float *cf, double *yq,
                                       double *norms)
{
    size_t i;
    int pass, adaptive = passes < 0;
    if (adaptive) passes = -passes;
    if (L > 0) mossa__conv(ctx, 0, y, NULL, yf, n * b);
    if (adaptive && L > 0) mossa__col_norms2(y, n, b, norms);
    for (pass = 0; pass < passes && L > 0; ++pass) {
        MOSSA__CHECK(mossa__gemm_ip(ctx, 1, L, n, q, ldq, b, yf, c));
        for (i = 0; i < L * b; ++i) cf[i] = (float)c[i];
        MOSSA__CHECK(mossa__gemm_ip(ctx, 0, n, L, q, ldq, b, cf, yq));
        mossa__conv(ctx, 2, y, yq, yf, n * b);
        if (adaptive && pass == 0) {
            /* yq is free again: the norms after the pass */
            int again = 0;
            mossa__col_norms2(y, n, b, yq);
            for (i = 0; i < b; ++i) again |= !(yq[i] * 1e4 >= norms[i]);
            if (!again) break;
        }
    }
    return MOSSA_OK;
}

/* Y (m x l) -> Q (qf) by CholeskyQR, passes times; passes < 0: up to
   -passes, a further pass only when the last Gram was more than 1e-4
   away from I (a basis already orthonormal to that level is made
   orthonormal to float precision by one pass). */
static mossa_status mossa__orth(mossa__ctx *ctx, size_t m, size_t l, double *y, float *qf,
                                int passes, mossa__orth_ws *ws)
{
    size_t count = m * l, i, j;
    int pass, adaptive = passes < 0;
    if (adaptive) passes = -passes;
    ws->formed = 1;
    if (!ws->in_qf) mossa__conv(ctx, 0, y, NULL, qf, count);
    for (pass = 0; pass < passes; ++pass) {
        double dev = 0.0;
        /* G = Q'Q: for Q of one block of columns as a plain product with
           Q' read in place (split over k across the pool; the symmetric
           product would be a single block, one thread); wider, as the
           symmetric product (the blocks above the diagonal only, and Q
           packed once instead of as both operands: at 10000 x 400, about
           40 ms instead of 55 on a 2-core VM). Exactly symmetric either
           way, as each entry pairs the same products in the same order */
        if (l <= MOSSA__BS) MOSSA__CHECK(mossa__gemm_ip(ctx, 1, l, m, qf, l, l, qf, ws->g));
        else MOSSA__CHECK(mossa__gemm_sym(ctx, 1, l, m, qf, l, 0.0, ws->g, l));
        if (adaptive)
            for (i = 0; i < l; ++i)
                for (j = 0; j <= i; ++j) dev = MOSSA__MAX(dev, fabs(ws->g[i * l + j] - (i == j ? 1.0 : 0.0)));
        ws->chol = 0;
        if (!mossa__cholesky(l, ws->g, pass == 0 ? 1e-5 : 1e-2)) {
            /* Y itself: after a first pass, the basis that pass made */
            if (ws->in_qf && pass == 0) mossa__conv(ctx, 1, y, NULL, qf, count);
            return mossa__orth_householder(ctx, m, l, y, qf);
        }
        ws->chol = 1;
        mossa__chol_rinv(l, ws->g, ws->tmp, ws->rinv);
        if (ws->acc) {
            if (pass == 0) memcpy(ws->acc, ws->rinv, l * l * sizeof(float));
            else {
                MOSSA__CHECK(mossa__gemm(ctx, 0, 0, l, l, l, ws->acc, l, ws->rinv, l, 0.0, ws->tmp, l));
                for (i = 0; i < l * l; ++i) ws->acc[i] = (float)ws->tmp[i];
            }
        }
        /* the last pass: a caller that needs only acc (Q = Y acc, Y the
           basis given) skips the m x l x l product */
        if (ws->no_q && ws->acc && ((adaptive && dev <= 1e-4) || pass + 1 == passes)) { ws->formed = 0; break; }
        MOSSA__CHECK(mossa__gemm_ip(ctx, 0, m, l, qf, l, l, ws->rinv, y));
        mossa__conv(ctx, 0, y, NULL, qf, count);
        if (adaptive && dev <= 1e-4) break;
    }
    return MOSSA_OK;
}

#ifdef MOSSA_TEST_HOOKS
/* Test builds: the Krylov range finder's last step, the adaptive
   CholeskyQR of a whole basis Y (m x l float) given in q (overwritten)
   with acc, as krylov_qb calls it: no_q leaves Q unformed when one pass
   suffices. Out: acc (l x l, Q = Y acc on the Cholesky route), *chol,
   *formed. */
MOSSA_DEF mossa_status mossa_test_orth_basis(size_t m, size_t l, int no_q, float *q, float *acc, int *chol,
                                             int *formed);
MOSSA_DEF mossa_status mossa_test_orth_basis(size_t m, size_t l, int no_q, float *q, float *acc, int *chol,
                                             int *formed)
{
    mossa__ctx ctx;
    mossa__orth_ws ws;
    double *y;
    mossa_status st = mossa__ctx_begin(&ctx, 1, NULL);
    if (st != MOSSA_OK) return st;
    y = (double *)mossa__alloc(&ctx, m * l * sizeof(double));
    ws.g = (double *)mossa__alloc(&ctx, l * l * sizeof(double));
    ws.tmp = (double *)mossa__alloc(&ctx, l * l * sizeof(double));
    ws.rinv = (float *)mossa__alloc(&ctx, l * l * sizeof(float));
    ws.acc = acc; ws.chol = 0; ws.in_qf = 1; ws.no_q = no_q; ws.formed = 1;
    if (!y || !ws.g || !ws.tmp || !ws.rinv) st = MOSSA_ERR_OUT_OF_MEMORY;
    else st = mossa__orth(&ctx, m, l, y, q, -2, &ws);
    *chol = ws.chol; *formed = ws.formed;
    mossa__free(&ctx, y); mossa__free(&ctx, ws.g); mossa__free(&ctx, ws.tmp); mossa__free(&ctx, ws.rinv);
    mossa__ctx_end(&ctx);
    return st;
}
#endif

/* One parallel pass over X: NaN/Inf (an all-ones exponent) and whether any
   entry is nonzero, from the largest |x| bit pattern (an integer maximum:
   the answer does not depend on the split). */
#define MOSSA__SCAN_CHUNK ((size_t)1 << 16)
typedef struct mossa__scan_job {
    const float *x;
    size_t count;
    unsigned char *bad, *nonzero; /* one flag per worker */
} mossa__scan_job;

static void mossa__scan_task(void *arg, size_t task, int worker)
{
    const mossa__scan_job *g = (const mossa__scan_job *)arg;
    size_t i = task * MOSSA__SCAN_CHUNK, end = MOSSA__MIN(g->count, i + MOSSA__SCAN_CHUNK);
    /* the largest |x| bit pattern: >= 0x7f800000 is Inf or NaN, 0 means
       all zero. Four independent maxima keep the loop at about one
       element per cycle without vector instructions. */
    uint32_t m[4] = {0, 0, 0, 0}, u[4], top;
    int j;
    for (; i + 4 <= end; i += 4) {
        memcpy(u, g->x + i, sizeof(u));
        for (j = 0; j < 4; ++j) {
            uint32_t a = u[j] & 0x7fffffffu;
            m[j] = a > m[j] ? a : m[j];
        }
    }
    for (; i < end; ++i) {
        memcpy(u, g->x + i, sizeof(u[0]));
        u[0] &= 0x7fffffffu;
        m[0] = u[0] > m[0] ? u[0] : m[0];
    }
    top = MOSSA__MAX(MOSSA__MAX(m[0], m[1]), MOSSA__MAX(m[2], m[3]));
    if (top >= 0x7f800000u) g->bad[worker] = 1;
    if (top) g->nonzero[worker] = 1;
}

/* Arguments first (before any work); then, in the context, the scan:
   MOSSA_ERR_NONFINITE, and *all_zero (may be NULL) for an all-zero X. */
static mossa_status mossa__check_shape(const float *x, size_t n, size_t d)
{
    size_t count;
    if (!x || n == 0 || d == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (mossa__mul_overflows(n, d, &count) || count > ((size_t)-1) / 8) return MOSSA_ERR_TOO_LARGE;
    return MOSSA_OK;
}

static mossa_status mossa__check_matrix(mossa__ctx *ctx, const float *x, size_t n, size_t d, int *all_zero)
{
    mossa__scan_job g;
    int w, bad = 0, any = 0;
    unsigned char *flags = (unsigned char *)mossa__alloc(ctx, 2 * (size_t)ctx->n_threads);
    if (!flags) return MOSSA_ERR_OUT_OF_MEMORY;
    memset(flags, 0, 2 * (size_t)ctx->n_threads);
    g.x = x; g.count = n * d; g.bad = flags; g.nonzero = flags + ctx->n_threads;
    mossa__parallel(ctx, (g.count + MOSSA__SCAN_CHUNK - 1) / MOSSA__SCAN_CHUNK, mossa__scan_task, &g);
    for (w = 0; w < ctx->n_threads; ++w) { bad |= g.bad[w]; any |= g.nonzero[w]; }
    mossa__free(ctx, flags);
    if (all_zero) *all_zero = !any;
    return bad ? MOSSA_ERR_NONFINITE : MOSSA_OK;
}

/* The randomized SVD checks X through its first product Y = X Omega
   instead of a pass of its own: a NaN or Inf anywhere in row i of X makes
   every Y[i][j] NaN or Inf, and X = 0 makes Y = 0. Only when Y is not
   finite (X is not, or its products overflowed) or Y is all zero (X is,
   or its products underflowed) is X scanned, to tell which. */
static mossa_status mossa__check_by_product(mossa__ctx *ctx, const float *x, size_t n, size_t d,
                                            const double *y, size_t count)
{
    size_t i;
    int finite = 1, any = 0, all_zero = 0;
    mossa_status st;
    for (i = 0; i < count; ++i) {
        double v = y[i];
        if (!(v - v == 0.0)) { finite = 0; break; }
        if (v != 0.0) any = 1;
    }
    if (finite && any) return MOSSA_OK;
    st = mossa__check_matrix(ctx, x, n, d, &all_zero);
    if (st == MOSSA_OK && all_zero) st = MOSSA_ERR_ZERO_VARIANCE; /* no singular vectors to speak of */
    return st;
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

#if MOSSA__AMX
/* ---- bfloat16 power iterations (the amx level) -------------------------------
   On the amx level the randomized SVD runs its power iterations (every
   product but the last two) on bfloat16 copies of X and of the basis
   with the AMX tile unit, summing in float: about six times the
   float32 products' speed at 10000 x 4096 (8-9 ms against 50-60). The last product X P and
   B' = X'Q stay float32 (as everywhere else), so Q spans X P exactly and
   the singular values are the exact Ritz values of that subspace; the
   bfloat16 rounding (2^-9 relative per entry) only perturbs the subspace
   the iterations steer towards, by far less than the iterations' own
   error on any spectrum (the tests compare both routes against long
   double). Not taken when asked (no_bf16), when X has a NaN/Inf, is
   zero or has entries beyond 2^+-60 (the float32 route then reports or
   handles it), for products under 2^24 multiply-adds, or without memory
   for the copies (X in bfloat16 twice, row-major and transposed, padded
   to multiples of 32). */
typedef struct mossa__bf16x {
    uint16_t *xb, *xt;     /* np x dp and dp x np, in the tile layout of impl/kernels/avx512.c */
    uint16_t *bp;          /* the basis (K x l, K = np or dp), tiled and pair-interleaved */
    void *xb_raw, *xt_raw; /* what to free for xb and xt (mossa__alloc_big: huge pages) */
    size_t n, d, np, dp, l;
} mossa__bf16x;

typedef struct mossa__bf16_job {
    const float *x;        /* convert: X; pack: the basis (rows x l) */
    mossa__bf16x *bx;
    uint32_t *tmax;        /* convert: per task, the largest |x| bit pattern */
    size_t rows, kp;       /* pack: the basis' rows, and rows padded (a multiple of 32);
                              mul: the rows of A, padded */
    const uint16_t *a;     /* mul: A (rows x kp) */
    size_t rb;             /* mul: rows per task */
    float *c;              /* mul: C (rows x l) */
} mossa__bf16_job;

static void mossa__bf16_convert_task(void *arg, size_t task, int worker)
{
    const mossa__bf16_job *g = (const mossa__bf16_job *)arg;
    const mossa__bf16x *b = g->bx;
    (void)worker;
    g->tmax[task] = mossa__amx_convert32(g->x, b->n, b->d, task * 32, b->np, b->dp, b->xb, b->xt);
}

/* rows 256t..256t+255 of the basis (rows x l floats, zeros from rows on) */
static void mossa__bf16_pack_task(void *arg, size_t task, int worker)
{
    const mossa__bf16_job *g = (const mossa__bf16_job *)arg;
    size_t l = g->bx->l, nk = g->kp / 32, kt, p, cb;
    (void)worker;
    for (kt = task * 8; kt < MOSSA__MIN(nk, task * 8 + 8); ++kt)
        for (p = 0; p < 16; ++p) {
            size_t k = 32 * kt + 2 * p;
            const float *r0 = g->x + MOSSA__MIN(k, g->rows - 1) * l, *r1 = g->x + MOSSA__MIN(k + 1, g->rows - 1) * l;
            size_t n0 = k < g->rows ? 16 : 0, n1 = k + 1 < g->rows ? 16 : 0;
            for (cb = 0; cb < l / 16; ++cb)
                mossa__amx_cvt32(r0 + 16 * cb, n0, r1 + 16 * cb, n1, 1, g->bx->bp + (cb * nk + kt) * 512 + p * 32);
        }
}

static void mossa__bf16_mul_task(void *arg, size_t task, int worker)
{
    const mossa__bf16_job *g = (const mossa__bf16_job *)arg;
    size_t r0 = task * g->rb, rows = MOSSA__MIN(g->rows, r0 + g->rb) - r0;
    (void)worker;
    mossa__amx_mul(g->a + (r0 / 16) * (g->kp / 32) * 512, g->kp, rows, g->bx->bp, g->bx->l, g->c + r0 * g->bx->l,
                   g->bx->l);
}

static void mossa__bf16_release(mossa__ctx *ctx, mossa__bf16x *b)
{
    mossa__free(ctx, b->xb_raw); mossa__free(ctx, b->xt_raw); mossa__free(ctx, b->bp);
    b->xb = b->xt = b->bp = NULL;
    b->xb_raw = b->xt_raw = NULL;
}

/* The copies of X (l % 16 == 0); 0 (nothing held) when X is not finite,
   zero or outside 2^+-60, or without memory. */
static int mossa__bf16_begin(mossa__ctx *ctx, mossa__bf16x *b, const float *x, size_t n, size_t d, size_t l)
{
    mossa__bf16_job g;
    size_t t, tasks, big, bytes;
    uint32_t m = 0, *tmax;
    b->xb = b->xt = b->bp = NULL;
    b->xb_raw = b->xt_raw = NULL;
    b->n = n; b->d = d; b->l = l;
    b->np = (n + 31) / 32 * 32; b->dp = (d + 31) / 32 * 32;
    big = MOSSA__MAX(b->np, b->dp);
    if (mossa__mul_overflows(b->np, b->dp, &bytes) || bytes > ((size_t)-1) / 4) return 0;
    tasks = b->np / 32;
    /* huge pages: the first touch of 4 KB pages was most of the conversion */
    b->xb = (uint16_t *)mossa__alloc_big(ctx, bytes * sizeof(uint16_t), &b->xb_raw);
    b->xt = (uint16_t *)mossa__alloc_big(ctx, bytes * sizeof(uint16_t), &b->xt_raw);
    b->bp = (uint16_t *)mossa__alloc(ctx, big * l * sizeof(uint16_t));
    tmax = (uint32_t *)mossa__alloc(ctx, tasks * sizeof(uint32_t));
    if (b->xb && b->xt && b->bp && tmax) {
        memset(&g, 0, sizeof(g));
        g.x = x; g.bx = b; g.tmax = tmax;
        mossa__parallel(ctx, tasks, mossa__bf16_convert_task, &g);
        for (t = 0; t < tasks; ++t) m = MOSSA__MAX(m, tmax[t]);
    }
    mossa__free(ctx, tmax);
    /* finite, nonzero, and within 2^+-60 (no product overflows, none of
       the entries that matter falls below float's normal range) */
    if (m < ((127u - 60u) << 23) || m >= ((127u + 60u) << 23)) { mossa__bf16_release(ctx, b); return 0; }
    return 1;
}

/* whether the bfloat16 route pays: the amx level, and products of 2^24
   multiply-adds or more on at least 256 x 256 (the sketch a multiple of
   16, as subspace iteration rounds it unless it is min(n, d)) */
static int mossa__bf16_wanted(size_t n, size_t d, size_t l)
{
    return mossa__k()->level == MOSSA_SIMD_AMX && l % 16 == 0 && n >= 256 && d >= 256 &&
           (double)n * (double)d * (double)l >= 16777216.0;
}

/* C (rows x l floats) = A B, A = X (0: rows n, K dp) or X' (1: rows d,
   K np) in bfloat16, B (K x l floats, its first n or d rows given) packed
   to bfloat16 first. c has room for the padded rows. */
static void mossa__bf16_mul(mossa__ctx *ctx, mossa__bf16x *b, int trans, const float *B, float *c)
{
    mossa__bf16_job g;
    size_t rows = trans ? b->dp : b->np, rb;
    memset(&g, 0, sizeof(g));
    g.bx = b; g.x = B;
    g.rows = trans ? b->n : b->d;
    g.kp = trans ? b->np : b->dp;
    mossa__parallel(ctx, (g.kp / 32 + 7) / 8, mossa__bf16_pack_task, &g);
    /* row blocks of 32 to 256: at least 8 tasks where there are rows for them */
    rb = MOSSA__MIN((size_t)256, MOSSA__MAX((size_t)32, rows / 8 / 32 * 32));
    g.rows = rows; g.rb = rb;
    g.a = trans ? b->xt : b->xb;
    g.c = c;
    mossa__parallel(ctx, (rows + rb - 1) / rb, mossa__bf16_mul_task, &g);
}

#endif /* MOSSA__AMX */

#ifdef MOSSA_TEST_HOOKS
static unsigned long mossa__bf16_routes;
/* Test builds: how many randomized SVDs took the bfloat16 route */
MOSSA_DEF unsigned long mossa_test_bf16_routes(void);
MOSSA_DEF unsigned long mossa_test_bf16_routes(void) { return __atomic_load_n(&mossa__bf16_routes, __ATOMIC_RELAXED); }
#define MOSSA__COUNT_BF16() __atomic_fetch_add(&mossa__bf16_routes, 1UL, __ATOMIC_RELAXED)

/* and the bfloat16 product alone, any shape (l a multiple of
   16): C = X B (trans 0; B d x l, C n x l) or X' B (1; B n x l, C d x l),
   both row-major. 0 when the route cannot run (not the amx level, X not
   finite, zero or outside 2^+-60, no memory). */
MOSSA_DEF int mossa_test_bf16_mul(int n_threads, const float *x, size_t n, size_t d, size_t l, int trans,
                                  const float *B, float *C);
MOSSA_DEF int mossa_test_bf16_mul(int n_threads, const float *x, size_t n, size_t d, size_t l, int trans,
                                  const float *B, float *C)
{
#if MOSSA__AMX
    mossa__ctx ctx;
    mossa__bf16x bx;
    float *c;
    int ok = 0;
    if (mossa__k()->level != MOSSA_SIMD_AMX || l % 16 != 0) return 0;
    if (mossa__ctx_begin(&ctx, n_threads, NULL) != MOSSA_OK) return 0;
    if (mossa__bf16_begin(&ctx, &bx, x, n, d, l)) {
        c = (float *)mossa__alloc(&ctx, MOSSA__MAX(bx.np, bx.dp) * l * sizeof(float));
        if (c) {
            mossa__bf16_mul(&ctx, &bx, trans, B, c);
            memcpy(C, c, (trans ? d : n) * l * sizeof(float));
            ok = 1;
        }
        mossa__free(&ctx, c);
        mossa__bf16_release(&ctx, &bx);
    }
    mossa__ctx_end(&ctx);
    return ok;
#else
    (void)n_threads; (void)x; (void)n; (void)d; (void)l; (void)trans; (void)B; (void)C;
    return 0;
#endif
}
#else
#define MOSSA__COUNT_BF16() ((void)0)
#endif

/* ---- randomized range finder + QB ------------------------------------------
   Halko, Martinsson & Tropp (2011), algorithm 4.4 (subspace iteration):
   Y = X Omega, then q times Q = orth(Y), P = orth(X' Q), Y = X P; finally
   B = Q' X. Every block is re-orthonormalised: without it the columns of
   (X X')^q X Omega all collapse onto the top singular vector in floating
   point. Returns Q (n x l float) and B' = X'Q (d x l double, row-major). */
static mossa_status mossa__range_qb(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t l,
                                    int q, uint64_t seed, int check, int bf16, float *qf, double *bt)
{
    mossa__orth_ws ws;
    mossa__gauss_job gj;
    mossa__xprod xp;
#if MOSSA__AMX
    mossa__bf16x bx;
#endif
    float *omega = NULL, *pf = NULL;
    double *y = NULL;
    size_t big = MOSSA__MAX(n, d), bytes;
    int it;
    mossa_status st = MOSSA_OK;
    ws.g = ws.tmp = NULL; ws.rinv = ws.acc = NULL; ws.chol = ws.in_qf = ws.no_q = 0; ws.formed = 1;
    mossa__xprod_none(&xp);
    if (mossa__mul_overflows(big, l, &bytes)) return MOSSA_ERR_TOO_LARGE;
    /* rows padded to 32 for the bfloat16 route's products */
    omega = (float *)mossa__alloc(ctx, (d + 31) / 32 * 32 * l * sizeof(float));
    pf = omega; /* P reuses the test matrix's storage (both d x l) */
    y = (double *)mossa__alloc(ctx, bytes * sizeof(double));
    ws.g = (double *)mossa__alloc(ctx, l * l * sizeof(double));
    ws.tmp = (double *)mossa__alloc(ctx, l * l * sizeof(double));
    ws.rinv = (float *)mossa__alloc(ctx, l * l * sizeof(float));
    if (!omega || !y || !ws.g || !ws.tmp || !ws.rinv) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    gj.o = omega; gj.rows = d; gj.cols = l; gj.seed = seed;
    mossa__parallel(ctx, (d + 63) / 64, mossa__gauss_task, &gj);
#if MOSSA__AMX
    if (bf16 && q > 0 && mossa__bf16_wanted(n, d, l) && mossa__bf16_begin(ctx, &bx, x, n, d, l)) {
        MOSSA__COUNT_BF16();
        /* every product but the last two in bfloat16 (X is finite and
           nonzero: the conversion checked) */
        ws.in_qf = 1;
        mossa__bf16_mul(ctx, &bx, 0, omega, qf);
        st = mossa__orth(ctx, n, l, y, qf, 1, &ws);
        for (it = 0; it < q && st == MOSSA_OK; ++it) {
            mossa__bf16_mul(ctx, &bx, 1, qf, pf);
            st = mossa__orth(ctx, d, l, y, pf, 1, &ws);
            if (st == MOSSA_OK && it + 1 < q) {
                mossa__bf16_mul(ctx, &bx, 0, pf, qf);
                st = mossa__orth(ctx, n, l, y, qf, 1, &ws);
            }
        }
        ws.in_qf = 0;
        mossa__bf16_release(ctx, &bx);
        mossa__xprod_begin(ctx, &xp, x, n, d, l);
        if (st == MOSSA_OK) st = mossa__xprod_mul(ctx, &xp, 0, l, pf, y);
        if (st == MOSSA_OK) st = mossa__orth(ctx, n, l, y, qf, 2, &ws);
    } else
#else
    (void)bf16;
#endif
    {
        mossa__xprod_begin(ctx, &xp, x, n, d, l);
        st = mossa__xprod_mul(ctx, &xp, 0, l, omega, y);
        if (st == MOSSA_OK && check) st = mossa__check_by_product(ctx, x, n, d, y, n * l);
        if (st == MOSSA_OK) st = mossa__orth(ctx, n, l, y, qf, q > 0 ? 1 : 2, &ws);
        for (it = 0; it < q && st == MOSSA_OK; ++it) {
            st = mossa__xprod_mul(ctx, &xp, 1, l, qf, y);
            if (st == MOSSA_OK) st = mossa__orth(ctx, d, l, y, pf, 1, &ws);
            if (st == MOSSA_OK) st = mossa__xprod_mul(ctx, &xp, 0, l, pf, y);
            if (st == MOSSA_OK) st = mossa__orth(ctx, n, l, y, qf, it + 1 == q ? 2 : 1, &ws);
        }
    }
    /* B' = X'Q */
    if (st == MOSSA_OK) st = mossa__xprod_mul(ctx, &xp, 1, l, qf, bt);
done:
    mossa__xprod_end(ctx, &xp);
    mossa__free(ctx, omega); mossa__free(ctx, y);
    mossa__free(ctx, ws.g); mossa__free(ctx, ws.tmp); mossa__free(ctx, ws.rinv);
    return st;
}

/* columns c0.. of w (rows x ldw floats) = the rows x b block y */
static void mossa__keep_block(const double *y, size_t rows, size_t b, float *w, size_t ldw, size_t c0)
{
    size_t i, j;
    for (i = 0; i < rows; ++i)
        for (j = 0; j < b; ++j) w[i * ldw + c0 + j] = (float)y[i * b + j];
}

/* ---- block Krylov range finder ----------------------------------------------
   Musco & Musco (2015): the basis of K = [X W, (X X') X W, ..., (X X')^q X W]
   with a b-column Gaussian W, built Lanczos-style: every new block is
   X X' (previous block), projected away from all earlier blocks (once) and
   orthonormalised. For slowly decaying spectra it reaches the accuracy of
   subspace iteration with about half the passes over X (the polynomial
   filter is the whole Krylov space, not only its last power).
   Q: n x b(q+1) float (ldq = b(q+1); formed only with need_q, else left
   as the unorthonormalised blocks); B' = X'Q (d x b(q+1), double). */
static mossa_status mossa__krylov_qb(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t bs,
                                     int q, uint64_t seed, int check, int need_q, float *qall, double *bt)
{
    size_t L = bs * (size_t)(q + 1), big = MOSSA__MAX(n, d), filled = 0, i, j;
    float *om = NULL, *qb = NULL, *cf = NULL, *wf = NULL, *acc = NULL;
    double *y = NULL, *yq = NULL, *c = NULL, *nrm = NULL;
    mossa__orth_ws ws;
    mossa__gauss_job gj;
    mossa__xprod xp;
    mossa_status st = MOSSA_OK;
    int it;
    ws.g = ws.tmp = NULL; ws.rinv = ws.acc = NULL; ws.chol = ws.in_qf = ws.no_q = 0; ws.formed = 1;
    mossa__xprod_none(&xp);
    om = (float *)mossa__alloc(ctx, d * bs * sizeof(float));
    qb = (float *)mossa__alloc(ctx, big * bs * sizeof(float));
    cf = (float *)mossa__alloc(ctx, L * bs * sizeof(float));
    y = (double *)mossa__alloc(ctx, big * MOSSA__MAX(bs, L) * sizeof(double));
    yq = (double *)mossa__alloc(ctx, n * bs * sizeof(double));
    c = (double *)mossa__alloc(ctx, L * bs * sizeof(double));
    ws.g = (double *)mossa__alloc(ctx, L * L * sizeof(double));
    ws.tmp = (double *)mossa__alloc(ctx, L * L * sizeof(double));
    ws.rinv = (float *)mossa__alloc(ctx, L * L * sizeof(float));
    wf = (float *)mossa__alloc(ctx, d * L * sizeof(float));
    acc = (float *)mossa__alloc(ctx, L * L * sizeof(float));
    nrm = (double *)mossa__alloc(ctx, bs * sizeof(double));
    if (!om || !qb || !cf || !y || !yq || !c || !ws.g || !ws.tmp || !ws.rinv || !wf || !acc || !nrm) {
        st = MOSSA_ERR_OUT_OF_MEMORY;
        goto done;
    }
    gj.o = om; gj.rows = d; gj.cols = bs; gj.seed = seed;
    mossa__parallel(ctx, (d + 63) / 64, mossa__gauss_task, &gj);
    mossa__xprod_begin(ctx, &xp, x, n, d, bs);
    st = mossa__xprod_mul(ctx, &xp, 0, bs, om, y);
    if (st == MOSSA_OK && check) st = mossa__check_by_product(ctx, x, n, d, y, n * bs);
    for (it = 0; it <= q && st == MOSSA_OK; ++it) {
        if (it > 0) {
            /* next block from the previous one: X (orth(X' Q_prev));
               X' Q_prev is kept, a block of W = X' Q (below) */
            st = mossa__xprod_mul(ctx, &xp, 1, bs, qb, y);
            if (st == MOSSA_OK) mossa__keep_block(y, d, bs, wf, L, (size_t)(it - 1) * bs);
            if (st == MOSSA_OK) st = mossa__orth(ctx, d, bs, y, om, 1, &ws);
            if (st == MOSSA_OK) st = mossa__xprod_mul(ctx, &xp, 0, bs, om, y);
            /* the second pass only where the first cancelled much of the
               block (an exhausted Krylov space, e.g. a flat spectrum): the
               blocks need not be float-exactly orthogonal to each other,
               as the whole basis is orthonormalised at the end (CholeskyQR,
               a second pass if its Gram is off I by more than 1e-4,
               Householder if singular), but a basis near dependence would
               let R^-1 amplify the float error of W. On slow decay at
               10000 x 4096 one pass gives the same top-128 values to 4
               digits, ~10% faster than two */
            if (st == MOSSA_OK) st = mossa__project_out(ctx, qall, L, filled, n, bs, -2, y, qb, c, cf, yq, nrm);
        }
        if (st == MOSSA_OK) st = mossa__orth(ctx, n, bs, y, qb, 2, &ws);
        if (st != MOSSA_OK) break;
        for (i = 0; i < n; ++i)
            for (j = 0; j < bs; ++j) qall[i * L + filled + j] = qb[i * bs + j];
        filled += bs;
    }
    /* W = X' Q_raw: the iteration made every block's X' Q_i but the
       last one's */
    if (st == MOSSA_OK) st = mossa__xprod_mul(ctx, &xp, 1, bs, qb, y);
    if (st == MOSSA_OK) mossa__keep_block(y, d, bs, wf, L, (size_t)q * bs);
    /* CholeskyQR over the whole basis: one pass when the blocks came out
       orthogonal to each other (to ~1e-6 in float), a second when they
       did not (a Krylov space exhausted before its depth, e.g. a flat
       spectrum): Q = Q_raw R^-1, with R^-1 accumulated over the passes */
    if (st == MOSSA_OK) {
        /* Q itself only when the caller needs it (singular vectors):
           the singular values come from B' = W R^-1 alone */
        ws.acc = acc; ws.in_qf = 1; ws.no_q = !need_q;
        st = mossa__orth(ctx, n, L, y, qall, -2, &ws);
        ws.acc = NULL; ws.in_qf = ws.no_q = 0;
    }
    /* B = Q'X as (X'Q)' = (W R^-1)': a d x L x L product instead of a
       pass over X of width L. After a Householder fallback (no R^-1) the
       product with X is made. */
    if (st == MOSSA_OK && ws.chol) st = mossa__gemm(ctx, 0, 0, d, L, L, wf, L, acc, L, 0.0, bt, L);
    else if (st == MOSSA_OK) st = mossa__xprod_mul(ctx, &xp, 1, L, qall, bt);
done:
    mossa__xprod_end(ctx, &xp);
    mossa__free(ctx, om); mossa__free(ctx, qb); mossa__free(ctx, cf); mossa__free(ctx, y);
    mossa__free(ctx, yq); mossa__free(ctx, c);
    mossa__free(ctx, ws.g); mossa__free(ctx, ws.tmp); mossa__free(ctx, ws.rinv); mossa__free(ctx, wf);
    mossa__free(ctx, acc); mossa__free(ctx, nrm);
    return st;
}

/* SVD of the small B (given as B', d x l row-major) through the eigen-decomposition of
   B B' (float products, double eigensolver): s_i^2 carry an absolute error
   of ~1e-7 s_1^2, so this is used only when s_k^2 >= 2e-3 s_1^2 (relative
   error of s_k below ~1e-5); otherwise *ok = 0 and the caller uses the
   QR + Jacobi route. zu: l x l (column i = left vector i); v: the first k
   right vectors, column-major d x k (column i at v + i d). */
static mossa_status mossa__small_svd_gram(mossa__ctx *ctx, double *btd, size_t l, size_t d, size_t k,
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
    mossa__conv(ctx, 0, btd, NULL, bt, d * l);
    st = mossa__gemm_sym(ctx, 1, l, d, bt, l, 0.0, g, l);
    /* values only when no vectors are wanted (a third of the work, and
       parallel); the two solvers agree to ~1e-15 relative */
    if (st == MOSSA_OK) st = zu || v ? mossa__eigh_vectors(ctx, l, g, w, z) : mossa__eigvals_sym(ctx, l, g, w);
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
        st = mossa__gemm(ctx, 0, 0, d, k, l, bt, l, zf, k, 0.0, tmp, k);
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
                                    size_t block, int check, int bf16, double *s, float *u, float *vt)
{
    size_t mn = MOSSA__MIN(n, d), l, i, j, r, bs_krylov = 0;
    int q, gram_ok = 0;
    float *qf = NULL, *zf = NULL;
    double *bt = NULL, *b = NULL, *sl = NULL, *zu = NULL, *v = NULL, *ud = NULL;
    int need_vec = (u != NULL || vt != NULL);
    size_t bytes;
    mossa_status st = MOSSA_OK;
    if (oversample == 0) oversample = 10;
    l = (k + oversample > mn || k + oversample < k) ? mn : k + oversample;
    if (power_iters == 0) q = (double)k < 0.1 * (double)mn ? 7 : 4;
    else q = power_iters < 0 ? 0 : power_iters;
    if (krylov) {
        /* block size b = 0.85 (k + p) rounded up to a multiple of 16 (at
           least 8), depth q (default 3): basis of b (q + 1) columns, 2q + 2
           passes of width b over X (B = Q'X comes from the X'Q_i that the
           iteration made). The product engine computes 16 columns at a
           time, so the filled panel costs only the small b x b work: at
           10000 x 4096 on s_i = i^-0.5, block 128 instead of 118 (k = 128)
           took the same time with half the error, and 48 instead of 36
           (k = 32) a sixth of it. A block asked for is taken as it is. */
        size_t bs = block ? block : ((size_t)ceil(0.85 * (double)l) + 15) / 16 * 16;
        q = power_iters == 0 ? 3 : (power_iters < 0 ? 0 : power_iters);
        if (bs < 8) bs = 8;
        /* a small matrix limits the basis: thinner blocks keep the depth */
        if (bs * (size_t)(q + 1) > mn) bs = mn / (size_t)(q + 1);
        if (bs >= 1 && bs * (size_t)(q + 1) >= k) {
            bs_krylov = bs;
            l = bs * (size_t)(q + 1);
        } else if (power_iters == 0) q = (double)k < 0.1 * (double)mn ? 7 : 4; /* subspace iteration */
    }
    if (!bs_krylov) {
        /* the GEMM's panels are 16 wide: a partial last panel is computed
           as zeros anyway, so filling it costs only the small l x l work,
           and a wider sketch shrinks the error of the top k (by about
           (s_{l+1} / s_k)^(2q+1)) */
        size_t lr = (l + 15) / 16 * 16;
        if (lr > l && lr <= mn) l = lr;
    }
    if (mossa__mul_overflows(MOSSA__MAX(n, d), l, &bytes)) return MOSSA_ERR_TOO_LARGE;
    qf = (float *)mossa__alloc(ctx, (n + 31) / 32 * 32 * l * sizeof(float)); /* rows padded for range_qb */
    bt = (double *)mossa__alloc(ctx, l * d * sizeof(double));
    sl = (double *)mossa__alloc(ctx, l * sizeof(double));
    if (need_vec) {
        zu = (double *)mossa__alloc(ctx, l * l * sizeof(double));
        zf = (float *)mossa__alloc(ctx, l * k * sizeof(float));
        ud = (double *)mossa__alloc(ctx, n * k * sizeof(double));
        if (vt) v = (double *)mossa__alloc(ctx, d * l * sizeof(double));
        if (!zu || !zf || !ud || (vt && !v)) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    }
    if (!qf || !bt || !sl) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    if (bs_krylov) st = mossa__krylov_qb(ctx, x, n, d, bs_krylov, q, seed, check, need_vec, qf, bt);
    else st = mossa__range_qb(ctx, x, n, d, l, q, seed, check, bf16, qf, bt);
    if (st != MOSSA_OK) goto done;
    /* The small SVD of B: through B B' when B is well conditioned over the
       top k (fast); else B (l x d row-major), which is B' column-major, by
       Householder QR + one-sided Jacobi (accurate to working precision). */
    if (l >= 64) {
        st = mossa__small_svd_gram(ctx, bt, l, d, k, sl, zu, v, &gram_ok);
        if (st != MOSSA_OK) goto done;
    }
    if (!gram_ok) {
        b = (double *)mossa__alloc(ctx, l * d * sizeof(double));
        if (!b) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        for (i = 0; i < d; ++i)
            for (j = 0; j < l; ++j) b[j * d + i] = bt[i * l + j];
        st = mossa__svd_wide(ctx, d, l, b, sl, zu, v);
    }
    if (st != MOSSA_OK) goto done;
    for (i = 0; i < k; ++i) s[i] = sl[i];
    if (!need_vec) goto done;
    /* U = Q Z_k; signs: the largest-|.| entry of each U column positive */
    for (i = 0; i < l; ++i)
        for (j = 0; j < k; ++j) zf[i * k + j] = (float)zu[i * l + j];
    st = mossa__gemm(ctx, 0, 0, n, k, l, qf, l, zf, k, 0.0, ud, k);
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
    mossa__free(ctx, qf); mossa__free(ctx, bt); mossa__free(ctx, b); mossa__free(ctx, sl); mossa__free(ctx, zu);
    mossa__free(ctx, zf); mossa__free(ctx, ud); mossa__free(ctx, v);
    return st;
}

MOSSA_DEF mossa_status mossa_svd_randomized(const float *x, size_t n, size_t d, size_t k,
                                            const mossa_svd_options *options,
                                            double *s, float *u, float *vt)
{
    mossa_svd_options def;
    mossa__ctx ctx;
    mossa_status st;
    if (!options) { memset(&def, 0, sizeof(def)); options = &def; }
    if (!s) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__check_shape(x, n, d);
    if (st != MOSSA_OK) return st;
    if (k == 0 || k > MOSSA__MIN(n, d) || options->power_iters < -1) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, options->n_threads, options->allocator);
    if (st != MOSSA_OK) return st;
    /* X (NaN/Inf, all zero) is checked through the first product */
    st = mossa__svd_core(&ctx, x, n, d, k, options->oversample, options->power_iters, options->seed,
                         options->block_krylov, options->krylov_block, 1, !options->no_bf16, s, u, vt);
    mossa__ctx_end(&ctx);
    return st;
}

/* ---- variance rank ------------------------------------------------------------
   The count is read off the exact spectrum of the smaller Gram matrix
   (Xc'Xc when n >= d, Xc Xc' otherwise), whose eigenvalues are the s_i^2
   of Xc. The Gram is formed by the float GEMM with double accumulation and
   reduced to tridiagonal form (from order MOSSA__TRDF_MIN on with the
   matrix held in float, mossa__tridiagonalise_f; below, in double), whose
   spectrum then comes in double from either the bisection of its tail,
   mossa__rank_tail, or implicit QL, eigenvalues only. Eigenvalues carry an
   absolute error of about 1e-7 * s_1^2 (float products; the float
   reduction adds as much again, and moved the cumulative fractions of
   4000 x 1024 planted, Gaussian and column-scaled matrices by at most
   4e-8 against the double one), far below the gaps that decide a 99%
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

/* ---- the rank from the bottom of the spectrum ---------------------------------
   The count needs the whole spectrum only through its sum, which is the
   trace. With w descending, T_r = sum_{i >= r} w_i, and the count is the
   smallest r with T_r <= (1 - f) sum: at f = 0.99 only the eigenvalues in
   the last 1% of the variance are needed (65 of 1024 for s_i = i^-0.5).
   Those come from bisection on Sturm counts of the tridiagonal matrix,
   each eigenvalue on its own (the same bits for any thread count),
   sixteen at a time in one sweep (the svd_sturm16 kernel: the divisions
   of the lanes overlap), the tasks spread over the threads; the QL sweep
   they replace is serial and took about a tenth of the rank at 4000 x
   1024. Sturm counts at a grid of points say how many are needed and
   give each its starting bracket, so that they are bisected in one
   batch. When more than n / 4 of them would be needed (f far below 1, a
   long flat tail), the QL is cheaper and is used instead (at order 1024
   its 8 ms, serial, are the time of n / 4 bisections on one thread). The spectrum's
   conventions are those of mossa__rank_from_spectrum: eigenvalues at or
   below 1e-9 of the largest count for neither the sum nor the rank. */
#define MOSSA__LANES 16
typedef struct mossa__bisect_job {
    size_t n;
    const double *d, *e2;     /* scaled diagonal; squared off-diagonal, e2[i] couples i - 1 and i */
    double lo, hi, atol, pivmin;
    const size_t *idx;        /* eigenvalue indices, MOSSA__LANES per task */
    const double *blo, *bhi;  /* their starting brackets (or NULL: [lo, hi]) */
    size_t count;
    double *out;              /* out[t] = eigenvalue idx[t] */
} mossa__bisect_job;

static void mossa__bisect_task(void *arg, size_t task, int worker)
{
    const mossa__bisect_job *g = (const mossa__bisect_job *)arg;
    const mossa__kernels *kt = mossa__k();
    size_t t, j[MOSSA__LANES], c[MOSSA__LANES], it, first = MOSSA__LANES * task;
    size_t nl = MOSSA__MIN((size_t)MOSSA__LANES, g->count - first);
    double lo[MOSSA__LANES], hi[MOSSA__LANES], mid[MOSSA__LANES];
    (void)worker;
    for (t = 0; t < MOSSA__LANES; ++t) {
        size_t q = first + MOSSA__MIN(t, nl - 1);   /* spare lanes repeat the last */
        j[t] = g->idx[q];
        lo[t] = g->blo ? g->blo[q] : g->lo;
        hi[t] = g->bhi ? g->bhi[q] : g->hi;
    }
    /* halve until every interval is within atol (about 50 steps from the
       whole spectrum); the cap only guards against a NaN */
    for (it = 0; it < 200; ++it) {
        int open = 0;
        for (t = 0; t < MOSSA__LANES; ++t) {
            mid[t] = 0.5 * (lo[t] + hi[t]);
            open |= hi[t] - lo[t] > g->atol;
        }
        if (!open) break;
        kt->svd_sturm16(g->n, g->d, g->e2, g->pivmin, mid, c);
        for (t = 0; t < MOSSA__LANES; ++t) {
            if (c[t] > j[t]) hi[t] = mid[t];
            else lo[t] = mid[t];
        }
    }
    for (t = 0; t < nl; ++t) g->out[first + t] = 0.5 * (lo[t] + hi[t]);
}

/* eigenvalues idx[0..count) into out (brackets blo, bhi or NULL), in parallel */
static void mossa__bisect(mossa__ctx *ctx, mossa__bisect_job *g, const size_t *idx, const double *blo,
                          const double *bhi, size_t count, double *out)
{
    g->idx = idx; g->blo = blo; g->bhi = bhi; g->count = count; g->out = out;
    mossa__parallel(ctx, (count + MOSSA__LANES - 1) / MOSSA__LANES, mossa__bisect_task, g);
}

#define MOSSA__TAIL_MIN 256   /* below this order the QL costs next to nothing */
#define MOSSA__TAIL_FIRST 30  /* the smallest eigenvalues bisected with the first two */
/* 1: res set from the tail; 0: not attempted or given up (the caller
   takes the whole spectrum). d, e as mossa__tridiagonalise leaves them. */
static int mossa__rank_tail(mossa__ctx *ctx, size_t n, const double *d, const double *e, double f,
                            mossa_rank_result *res)
{
    mossa__bisect_job g;
    size_t i, j, budget = n / 4, below, have, need, *idx = NULL;
    double *ds = NULL, *e2 = NULL, *ev = NULL, *blo = NULL, *bhi = NULL, anorm = 0.0, emax = 0.0, sc, top, tiny;
    double sum = 0.0, tail = 0.0, excl = 0.0, pts[MOSSA__LANES];
    size_t cnt[MOSSA__LANES];
    int ex, done = 0;
    if (n < MOSSA__TAIL_MIN || !(f < 1.0)) return 0;
    for (i = 0; i < n; ++i) anorm = MOSSA__MAX(anorm, fabs(d[i]));
    for (i = 1; i < n; ++i) anorm = MOSSA__MAX(anorm, fabs(e[i]));
    if (!(anorm > 0.0) || !(anorm <= DBL_MAX)) return 0;
    ds = (double *)mossa__alloc(ctx, n * sizeof(double));
    e2 = (double *)mossa__alloc(ctx, n * sizeof(double));
    /* budget + 2 >= MOSSA__TAIL_FIRST + 2 (n >= 256) */
    ev = (double *)mossa__alloc(ctx, (budget + 2) * sizeof(double));
    blo = (double *)mossa__alloc(ctx, (budget + 2) * sizeof(double));
    bhi = (double *)mossa__alloc(ctx, (budget + 2) * sizeof(double));
    idx = (size_t *)mossa__alloc(ctx, (budget + 2) * sizeof(size_t));
    if (!ds || !e2 || !ev || !blo || !bhi || !idx) goto out;
    /* scaled by a power of two (exact) so that the squares cannot
       overflow; the count and fractions do not depend on it */
    (void)frexp(anorm, &ex);
    sc = ldexp(1.0, -ex);
    g.lo = 0.0; g.hi = 0.0;
    for (i = 0; i < n; ++i) {
        double r = (i > 0 ? fabs(e[i]) : 0.0) + (i + 1 < n ? fabs(e[i + 1]) : 0.0);
        ds[i] = d[i] * sc;
        e2[i] = i > 0 ? (e[i] * sc) * (e[i] * sc) : 0.0;
        emax = MOSSA__MAX(emax, e2[i]);
        g.lo = i ? MOSSA__MIN(g.lo, ds[i] - r * sc) : ds[i] - r * sc;   /* Gershgorin */
        g.hi = i ? MOSSA__MAX(g.hi, ds[i] + r * sc) : ds[i] + r * sc;
        sum += ds[i];
    }
    g.n = n; g.d = ds; g.e2 = e2;
    g.pivmin = DBL_MIN * MOSSA__MAX(1.0, emax);
    g.lo -= 4.0 * DBL_EPSILON * (fabs(g.lo) + fabs(g.hi)) + g.pivmin;
    g.hi += 4.0 * DBL_EPSILON * (fabs(g.lo) + fabs(g.hi)) + g.pivmin;
    g.atol = 2.0 * DBL_EPSILON * MOSSA__MAX(fabs(g.lo), fabs(g.hi));
    /* the first batch (two tasks): the smallest MOSSA__TAIL_FIRST
       eigenvalues, the budget-th smallest, b, which bounds the part of the
       spectrum the tail may use, and the largest, which sets the cut-off;
       ev[j] is eigenvalue j (ascending) for j < have */
    for (j = 0; j < MOSSA__TAIL_FIRST; ++j) idx[j] = j;
    idx[MOSSA__TAIL_FIRST] = budget - 1; idx[MOSSA__TAIL_FIRST + 1] = n - 1;
    mossa__bisect(ctx, &g, idx, NULL, NULL, MOSSA__TAIL_FIRST + 2, ev);
    have = MOSSA__TAIL_FIRST;
    top = ev[MOSSA__TAIL_FIRST + 1];
    if (!(top > 0.0)) goto out;
    tiny = top * 1e-9;
    {
        /* Sturm counts at 16 points from the cut-off to b: the count at
           the cut-off is how many eigenvalues the sum leaves out (the
           smallest ones), and between the points each eigenvalue below b
           is known to within a fifteenth of [tiny, b]. Whether the tail
           fits in the budget is then known up to that much: the middle of
           the bounds decides (a wrong guess costs at most the budget's
           bisections, or the QL that would have run anyway). */
        double lo_sum = 0.0, hi_sum = 0.0, low = 0.0, b = ev[MOSSA__TAIL_FIRST], step = (b - tiny) / 15.0, prev;
        size_t t, last;
        if (!(step > 0.0)) goto out;
        for (t = 0; t < MOSSA__LANES; ++t) pts[t] = t == 15 ? b : tiny + step * (double)t;
        mossa__k()->svd_sturm16(n, ds, e2, g.pivmin, pts, cnt);
        below = cnt[0];
        if (below >= budget) goto out;
        last = below;
        prev = tiny;
        for (t = 1; t < MOSSA__LANES; ++t) {
            size_t in = cnt[t] > last ? cnt[t] - last : 0;   /* (counts can step back by rounding) */
            lo_sum += (double)in * prev;
            hi_sum += (double)in * pts[t];
            last = MOSSA__MAX(last, cnt[t]);
            prev = pts[t];
        }
        /* the eigenvalues from count(b) up to the budget-th are b */
        lo_sum += (double)(budget - MOSSA__MIN(budget, last)) * b;
        hi_sum += (double)(budget - MOSSA__MIN(budget, last)) * b;
        if (0.5 * (lo_sum + hi_sum) <= (1.0 - f) * sum) goto out;
        /* how many are needed at most: eigenvalue j (j >= below) is at
           least the grid point below it, so once the sum of those passes
           (1 - f) sum (at least (1 - f) of the sum without the excluded
           ones) the tail has passed too */
        need = below;
        for (t = 1; t < MOSSA__LANES && need < budget; ++t) {
            while (need < budget && need < cnt[t] && low <= (1.0 - f) * sum) {
                low += pts[t - 1];
                ++need;
            }
            if (low > (1.0 - f) * sum) break;
        }
        while (need < budget && low <= (1.0 - f) * sum) { low += b; ++need; }   /* those at b */
        need = MOSSA__MIN(budget, need + 1);
        /* the rest of them in one batch, each from its bracket on the grid */
        if (need > have) {
            for (j = have; j < need; ++j) {
                idx[j - have] = j;
                blo[j - have] = g.lo; bhi[j - have] = g.hi;
                if (j < below) bhi[j - have] = pts[0];
                else
                    for (t = 1; t < MOSSA__LANES; ++t)
                        if (cnt[t] > j && cnt[t - 1] <= j) { blo[j - have] = pts[t - 1]; bhi[j - have] = pts[t]; break; }
            }
            mossa__bisect(ctx, &g, idx, blo, bhi, need - have, ev + have);
            have = need;
        }
    }
    /* ascending: first those below the cut-off (their sum leaves the sum
       of the spectrum), then the tail until it passes (1 - f) of that sum;
       the count ends right after the eigenvalue that passes it (w
       descending: ascending j is w_{n-1-j}). More in batches of 32 should
       the grid's bound have been short. */
    for (j = 0; j < budget && !done; ++j) {
        if (j == have) {
            size_t more = MOSSA__MIN(budget, have + 2 * MOSSA__LANES) - have;
            for (i = 0; i < more; ++i) idx[i] = have + i;
            mossa__bisect(ctx, &g, idx, NULL, NULL, more, ev + have);
            have += more;
        }
        if (j < below) { excl += ev[j]; continue; }
        if (tail + ev[j] > (1.0 - f) * (sum - excl)) {
            if (!(sum - excl > 0.0)) goto out;
            res->rank = n - j;
            res->explained = (sum - excl - tail) / (sum - excl);
            done = 1;
        } else
            tail += ev[j];
    }
out:
    mossa__free(ctx, ds); mossa__free(ctx, e2); mossa__free(ctx, ev);
    mossa__free(ctx, blo); mossa__free(ctx, bhi); mossa__free(ctx, idx);
    return done;
}

/* The rank of the tridiagonal (d, e) (destroyed): from the tail of its
   spectrum where that is short (and tail is set), else from the whole. */
static mossa_status mossa__rank_tridiag(mossa__ctx *ctx, size_t n, double *d, double *e, double f, int tail,
                                        mossa_rank_result *res)
{
    mossa_status st;
    if (tail && mossa__rank_tail(ctx, n, d, e, f, res)) return MOSSA_OK;
    st = mossa__tridiag_values(n, d, e);
    return st == MOSSA_OK ? mossa__rank_from_spectrum(d, n, f, res) : st;
}

/* The power of two the rank's (and PCA's) products scale Xc by. total = ||Xc||_F^2
   bounds every entry, |xc| <= sqrt(total), and the largest entries are at
   least sqrt(total / nd). Float partial sums of squares would overflow
   past |xc| ~ 2^60 and underflow below ~2^-60, so outside [2^-40, 2^40]
   Xc is scaled to bring sqrt(total) into [1/2, 1): exact (a float times a
   power of two, unless it falls below 2^-126, i.e. 2^-126 of the largest),
   and no fraction of the spectrum changes. Inside, 1: the same bits as
   unscaled. */
static double mossa__xc_scale(double total)
{
    int ex;
    (void)frexp(sqrt(total), &ex);
    return ex > 40 || ex < -40 ? ldexp(1.0, -ex) : 1.0;
}

/* xc (count floats, or NULL) times that scale, in place; returns it */
static double mossa__xc_rescale(float *xc, size_t count, double total)
{
    double scale = mossa__xc_scale(total);
    size_t i;
    if (xc && scale != 1.0)
        for (i = 0; i < count; ++i) xc[i] = (float)((double)xc[i] * scale);
    return scale;
}

/* The Gram spectrum of Xc = (X - 1 mean') scale (mean NULL: X itself),
   the centering and scaling applied while the Gram's operand is packed. */
static mossa_status mossa__rank_gram(mossa__ctx *ctx, const float *x, const double *mean, size_t n, size_t d,
                                     double f, double scale, mossa_rank_result *res)
{
    size_t m = MOSSA__MIN(n, d), bytes;
    double *g = NULL, *w = NULL, *e = NULL;
    void *graw = NULL;
    mossa_status st;
    if (mossa__mul_overflows(m, m, &bytes) || bytes > ((size_t)-1) / 8) return MOSSA_ERR_TOO_LARGE;
    /* huge pages where the system has them: the reduction sweeps the
       trailing triangle once per step, n times */
    /* Xc'Xc (d x d) or Xc Xc' (n x n), whichever is smaller; from order
       MOSSA__TRDF_MIN on, the float reduction's lower triangle straight
       from the product (mossa__gram_lower_f), else the double Gram */
    g = (double *)mossa__alloc_big(ctx, m >= MOSSA__TRDF_MIN ? mossa__lt_size(m) * sizeof(float) : bytes * sizeof(double),
                                   &graw);
    w = (double *)mossa__alloc(ctx, m * sizeof(double));
    e = (double *)mossa__alloc(ctx, m * sizeof(double));
    if (!g || !w || !e) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    if (m >= MOSSA__TRDF_MIN) {
        float *gf = (float *)(void *)g;
        st = mossa__gram_lower_f(ctx, n >= d, m, n >= d ? n : d, x, d, mean, scale, 0, gf);
        if (st == MOSSA_OK) st = mossa__tridiagonalise_f(ctx, m, gf, w, e);
    } else {
        st = mossa__gemm_sym_shifted(ctx, n >= d, m, n >= d ? n : d, x, d, mean, scale, g, m);
        if (st == MOSSA_OK) st = mossa__tridiagonalise(ctx, m, g, w, e);
    }
    if (st == MOSSA_OK) st = mossa__rank_tridiag(ctx, m, w, e, f, 1, res);
done:
    mossa__free(ctx, graw); mossa__free(ctx, w); mossa__free(ctx, e);
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
    mossa__xprod xp;
    mossa_status st = MOSSA_OK;
    int it;
    *certified = 0;
    ws.g = ws.tmp = NULL; ws.rinv = ws.acc = NULL; ws.chol = ws.in_qf = ws.no_q = 0; ws.formed = 1;
    mossa__xprod_none(&xp);
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
    mossa__xprod_begin(ctx, &xp, xc, n, d, 256); /* b grows to 256 */
    while (L + b <= lmax && spent < budget) {
        /* a new block: Y = Xc Omega, refined by power iterations, each step
           projected away from the basis so far (twice: block Gram-Schmidt
           in float loses orthogonality once) */
        gj.o = om; gj.rows = d; gj.cols = b; gj.seed = 0x5eed0000u + (uint64_t)L;
        mossa__parallel(ctx, (d + 63) / 64, mossa__gauss_task, &gj);
        st = mossa__xprod_mul(ctx, &xp, 0, b, om, y);
        for (it = 0; it <= 2 && st == MOSSA_OK; ++it) {
            st = mossa__project_out(ctx, qall, lmax, L, n, b, 2, y, qb, c, cf, yq, NULL);
            if (st == MOSSA_OK) st = mossa__orth(ctx, n, b, y, qb, it == 2 ? 2 : 1, &ws);
            if (st != MOSSA_OK || it == 2) break;
            st = mossa__xprod_mul(ctx, &xp, 1, b, qb, y);
            if (st == MOSSA_OK) st = mossa__orth(ctx, d, b, y, pb, 1, &ws);
            if (st == MOSSA_OK) st = mossa__xprod_mul(ctx, &xp, 0, b, pb, y);
        }
        if (st != MOSSA_OK) goto done;
        if (L > 0) {
            /* the bounds need [Q Qb] orthonormal: a block that the
               orthonormalisation had to complete with arbitrary directions
               (an exhausted, rank-deficient residual) ends the attempt */
            double worst = 0.0;
            st = mossa__gemm(ctx, 1, 0, L, b, n, qall, lmax, qb, b, 0.0, c, b);
            if (st != MOSSA_OK) goto done;
            for (i = 0; i < L * b; ++i) worst = MOSSA__MAX(worst, fabs(c[i]));
            if (worst > 1e-3) break;
        }
        /* B block = Qb' Xc = (Xc' Qb)' */
        st = mossa__xprod_mul(ctx, &xp, 1, b, qb, y);
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
            st = mossa__gemm_sym(ctx, 1, L, d, bt, L, 0.0, gram, L);
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
    mossa__xprod_end(ctx, &xp);
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
    double f, total = 0.0, scale, *mean = NULL;
    float *xc = NULL;
    if (!options) { memset(&def, 0, sizeof(def)); options = &def; }
    if (!result) return MOSSA_ERR_INVALID_ARGUMENT;
    result->rank = 0; result->explained = 0.0; result->total_variance = 0.0;
    f = options->variance == 0.0 ? 0.99 : options->variance;
    if (!(f > 0.0 && f <= 1.0)) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__check_shape(x, n, d);
    if (st != MOSSA_OK) return st;
    st = mossa__ctx_begin(&ctx, options->n_threads, options->allocator);
    if (st != MOSSA_OK) return st;
    {
        /* Small problems go straight to the exact Gram spectrum, which
           centers while it packs; larger ones first try the certified
           randomized path, which reads a centered copy many times. */
        int certified = 0;
        size_t m = MOSSA__MIN(n, d);
        int randomized = options->method == 1 || (options->method == 0 && m > 1536);
        mean = (double *)mossa__alloc(&ctx, d * sizeof(double));
        if (randomized) xc = (float *)mossa__alloc(&ctx, n * d * sizeof(float));
        if (!mean || (randomized && !xc)) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        st = mossa__center(&ctx, x, n, d, !options->no_center, mean, xc, &total);
        if (st != MOSSA_OK) goto done;
        /* no pass of its own to scan X: a NaN or Inf anywhere makes its
           column's mean, and then the sum of squares, NaN or Inf (with
           finite floats neither double sum can overflow: at most 2^256
           per entry times fewer than 2^61 entries) */
        if (!(total - total == 0.0)) { st = MOSSA_ERR_NONFINITE; goto done; }
        if (!(total > 0.0)) { st = MOSSA_ERR_ZERO_VARIANCE; goto done; }
        result->total_variance = total;
        scale = mossa__xc_rescale(xc, n * d, total);   /* xc: the randomized path's copy, or NULL */
        if (randomized) st = mossa__rank_randomized(&ctx, xc, n, d, f, total * scale * scale, result, &certified);
        if (st == MOSSA_OK && !certified) {
            /* the copy is no longer needed: the Gram reads X itself */
            mossa__free(&ctx, xc);
            xc = NULL;
            st = mossa__rank_gram(&ctx, x, options->no_center ? NULL : mean, n, d, f, scale, result);
        }
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
    double total = 0.0, scale, *mean = NULL, *g = NULL, *w = NULL, *v = NULL, *sc = NULL, *s = NULL;
    float *xc = NULL, *vf = NULL, *u = NULL;
    size_t i, j, r;
    if (!options) { memset(&def, 0, sizeof(def)); options = &def; }
    if (!scores) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__check_shape(x, n, d);
    if (st != MOSSA_OK) return st;
    st = mossa__ctx_begin(&ctx, options->n_threads, options->allocator);
    if (st != MOSSA_OK) return st;
    if (k == 0 || k > MOSSA__MIN(n, d) || options->power_iters < -1) st = MOSSA_ERR_INVALID_ARGUMENT;
    else if (n < 2) st = MOSSA_ERR_TOO_FEW_SAMPLES;
    if (st != MOSSA_OK) goto done;
    mean = (double *)mossa__alloc(&ctx, d * sizeof(double));
    xc = (float *)mossa__alloc(&ctx, n * d * sizeof(float));
    if (!mean || !xc) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    st = mossa__center(&ctx, x, n, d, 1, mean, xc, &total);
    if (st != MOSSA_OK) goto done;
    /* NaN/Inf through the centering's sums, as for the rank */
    if (!(total - total == 0.0)) { st = MOSSA_ERR_NONFINITE; goto done; }
    if (!(total > 0.0)) { st = MOSSA_ERR_ZERO_VARIANCE; goto done; }
    /* entries near the ends of float's range: scaled by a power of two
       for the products (as for the rank), the results scaled back */
    scale = mossa__xc_rescale(xc, n * d, total);
    if (d <= 1024 && n >= d) {
        g = (double *)mossa__alloc(&ctx, d * d * sizeof(double));
        w = (double *)mossa__alloc(&ctx, d * sizeof(double));
        v = (double *)mossa__alloc(&ctx, d * d * sizeof(double));
        vf = (float *)mossa__alloc(&ctx, d * k * sizeof(float));
        sc = (double *)mossa__alloc(&ctx, n * k * sizeof(double));
        if (!g || !w || !v || !vf || !sc) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        st = mossa__gemm_sym(&ctx, 1, d, n, xc, d, 0.0, g, d);
        if (st == MOSSA_OK) st = mossa__eigh_vectors(&ctx, d, g, w, v);
        if (st != MOSSA_OK) goto done;
        for (i = 0; i < d; ++i)
            for (j = 0; j < k; ++j) vf[i * k + j] = (float)v[i * d + j];
        st = mossa__gemm(&ctx, 0, 0, n, k, d, xc, d, vf, k, 0.0, sc, k);
        if (st != MOSSA_OK) goto done;
        for (r = 0; r < k; ++r) {
            double big = -1.0, sgn = 1.0;
            for (i = 0; i < n; ++i)
                if (fabs(sc[i * k + r]) > big) { big = fabs(sc[i * k + r]); sgn = sc[i * k + r] < 0 ? -1.0 : 1.0; }
            for (i = 0; i < n; ++i) scores[i * k + r] = (float)(sgn * sc[i * k + r] / scale);
            if (components)
                for (j = 0; j < d; ++j) components[r * d + j] = (float)(sgn * v[j * d + r]);
            if (variance) variance[r] = (w[r] > 0.0 ? w[r] : 0.0) / (scale * scale) / (double)(n - 1);
        }
    } else {
        s = (double *)mossa__alloc(&ctx, k * sizeof(double));
        u = (float *)mossa__alloc(&ctx, n * k * sizeof(float));
        if (!s || !u) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
        st = mossa__svd_core(&ctx, xc, n, d, k, options->oversample, options->power_iters, options->seed,
                             options->block_krylov, options->krylov_block, 0, 0, s, u, components);
        if (st != MOSSA_OK) goto done;
        for (r = 0; r < k; ++r) s[r] /= scale;
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

/* A max-heap of n (distance, index) pairs -> ascending order, in place. */
static void mossa__tsne_heap_sorted(float *d, int32_t *ix, size_t n)
{
    size_t end;
    for (end = n; end-- > 1;) {
        float td = d[0]; int32_t ti = ix[0];
        d[0] = d[end]; ix[0] = ix[end]; d[end] = td; ix[end] = ti;
        mossa__tsne_heap_sift(d, ix, end, 0);
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
        mossa__tsne_heap_sorted(hd, hi, K);
    }
}

/* squared distances in dist */
static mossa_status mossa__tsne_knn_brute(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
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

/* ---- exact kNN: vantage-point tree ------------------------------------------
   Yianilos' VP-tree over fixed 32-point leaves. A node picks a vantage row
   v (counter-based RNG, fixed seed: the tree never depends on the t-SNE
   seed or the thread count) and splits its range at a multiple of 32 near
   the median of the distances to v, so every leaf starts at a multiple of
   32 and is stored as one d x 32 panel, exactly the operand layout of the
   brute force. A query evaluates a leaf with the same tile kernel, the
   query row in the "reference" slot: each lane accumulates (r_k - q_k)^2
   over k in the same order and with the same (fused) operations as the
   brute force computes (q_k - r_k)^2, so the squared distances are equal
   to the bit, and with the same (distance, index) order the neighbour
   sets are identical.
   Pruning uses distances to the vantage points in double and the triangle
   inequality with a slack that covers the rounding of both sides: the
   float32 kernel's relative error is below (d + 2) 2^-24 (sum of
   non-negative terms) plus underflow (<= 2^-149 per term), the double
   one below d 2^-52. A subtree is skipped only when every point in it is
   provably farther than the current k-th distance, so ties and
   duplicates are never lost. Memory: n x d floats (panels) + 8 n bytes
   (build distances) + n / 16 nodes. */
#define MOSSA__TSNE_VP_LEAF 32       /* = MOSSA__TSNE_KNN_QB, the panel width */
#define MOSSA__TSNE_VP_TASK 8        /* leaves (of queries) per task */
#define MOSSA__TSNE_VP_STACK 128
#define MOSSA__TSNE_VP_SEED 0x56505472656531ull

typedef struct mossa__tsne_vpnode {
    double lo[2], hi[2];  /* child c holds points at vantage distance [lo[c], hi[c]] */
    int32_t vp;           /* vantage row; -1 = leaf */
    int32_t child;        /* inner: first of two children; leaf: first slot (multiple of 32) */
    int32_t count;        /* leaf: points */
    int32_t pad;
} mossa__tsne_vpnode;

typedef struct mossa__tsne_vp {
    const float *x;
    size_t n, d, k, nleaves, nnodes;
    mossa__tsne_vpnode *nodes;
    int32_t *perm;        /* slot -> row */
    float *panel;         /* nleaves x d x 32 */
    double *vd;           /* build: distance of slot to the current vantage */
    double rel_f, abs_f, rel_d;
    int32_t *idx;         /* out: n x k */
    float *dist;          /* out: n x k squared */
    char *wscratch;       /* per worker: stack + tile */
    size_t wstride;
} mossa__tsne_vp;

static double mossa__tsne_dist_d(const float *a, const float *b, size_t d)
{
    double s = 0.0;
    size_t c;
    for (c = 0; c < d; ++c) { double t = (double)a[c] - (double)b[c]; s += t * t; }
    return sqrt(s);
}

/* (vd, perm) ascending order by distance, then row */
static int mossa__tsne_vp_less(const mossa__tsne_vp *T, size_t a, size_t b)
{
    return T->vd[a] < T->vd[b] || (T->vd[a] == T->vd[b] && T->perm[a] < T->perm[b]);
}

static void mossa__tsne_vp_swap(mossa__tsne_vp *T, size_t a, size_t b)
{
    double td = T->vd[a];
    int32_t tp = T->perm[a];
    T->vd[a] = T->vd[b]; T->perm[a] = T->perm[b];
    T->vd[b] = td; T->perm[b] = tp;
}

/* Quickselect: slots [b, e) rearranged so that [b, m) hold the m - b
   smallest keys (keys are distinct: ties broken by row). */
static void mossa__tsne_vp_select(mossa__tsne_vp *T, size_t b, size_t e, size_t m)
{
    while (e - b > 1) {
        size_t mid = b + (e - b) / 2, i, store;
        /* median of three as pivot, moved to e - 1 */
        if (mossa__tsne_vp_less(T, mid, b)) mossa__tsne_vp_swap(T, mid, b);
        if (mossa__tsne_vp_less(T, e - 1, b)) mossa__tsne_vp_swap(T, e - 1, b);
        if (mossa__tsne_vp_less(T, mid, e - 1)) mossa__tsne_vp_swap(T, mid, e - 1);
        store = b;
        for (i = b; i < e - 1; ++i)
            if (mossa__tsne_vp_less(T, i, e - 1)) mossa__tsne_vp_swap(T, i, store++);
        mossa__tsne_vp_swap(T, store, e - 1);
        if (store == m || store + 1 == m) return;   /* [b, store] are the smallest */
        if (store > m) e = store; else b = store + 1;
    }
}

/* Serial build, O(n d log n): ranges split in pre-order. */
static void mossa__tsne_vp_build(mossa__tsne_vp *T)
{
    size_t stack[2 * MOSSA__TSNE_VP_STACK], sp = 0, i, d = T->d, nn = 1;
    int32_t sid[MOSSA__TSNE_VP_STACK];
    for (i = 0; i < T->n; ++i) T->perm[i] = (int32_t)i;
    stack[sp++] = 0; stack[sp++] = T->n; sid[0] = 0;
    while (sp > 0) {
        size_t e = stack[--sp], b = stack[--sp], len = e - b, id = (size_t)sid[sp / 2];
        mossa__tsne_vpnode *nd = &T->nodes[id];
        if (len <= MOSSA__TSNE_VP_LEAF) {
            size_t leaf = b / MOSSA__TSNE_VP_LEAF, c, l;
            float *pn = T->panel + leaf * d * MOSSA__TSNE_VP_LEAF;
            nd->vp = -1; nd->child = (int32_t)b; nd->count = (int32_t)len;
            for (c = 0; c < d; ++c)
                for (l = 0; l < MOSSA__TSNE_VP_LEAF; ++l)
                    pn[c * MOSSA__TSNE_VP_LEAF + l] = l < len ? T->x[(size_t)T->perm[b + l] * d + c] : 0.0f;
            continue;
        } else {
            size_t nb = (len + MOSSA__TSNE_VP_LEAF - 1) / MOSSA__TSNE_VP_LEAF;
            size_t m = b + MOSSA__TSNE_VP_LEAF * (nb / 2), v;
            const float *xv;
            v = b + (size_t)(mossa_rng_u64(MOSSA__TSNE_VP_SEED, id) % (uint64_t)len);
            nd->vp = T->perm[v];
            xv = T->x + (size_t)nd->vp * d;
            for (i = b; i < e; ++i) T->vd[i] = mossa__tsne_dist_d(T->x + (size_t)T->perm[i] * d, xv, d);
            mossa__tsne_vp_select(T, b, e, m);
            nd->lo[0] = nd->lo[1] = HUGE_VAL; nd->hi[0] = nd->hi[1] = 0.0;
            for (i = b; i < e; ++i) {
                int c = i >= m;
                if (T->vd[i] < nd->lo[c]) nd->lo[c] = T->vd[i];
                if (T->vd[i] > nd->hi[c]) nd->hi[c] = T->vd[i];
            }
            nd->child = (int32_t)nn; nd->count = 0;
            nn += 2;
            /* far child pushed first: the tree is laid out near-first */
            sid[sp / 2] = (int32_t)(nd->child + 1); stack[sp++] = m; stack[sp++] = e;
            sid[sp / 2] = (int32_t)nd->child; stack[sp++] = b; stack[sp++] = m;
        }
    }
    T->nnodes = nn;
}

/* true iff every point at true distance >= lb from the query is provably
   farther (in the kernel's float32 arithmetic) than tau2 */
static int mossa__tsne_vp_prune(const mossa__tsne_vp *T, double lb, float tau2)
{
    return lb > 0.0 && lb * lb * (1.0 - T->rel_f) - T->abs_f > (double)tau2;
}

/* lower bound on the true distance from a query at vantage distance dq to
   any point of a shell [lo, hi], net of the double rounding */
static double mossa__tsne_vp_lb(const mossa__tsne_vp *T, double dq, double lo, double hi)
{
    double a = (lo - dq) - T->rel_d * (lo + dq), b = (dq - hi) - T->rel_d * (dq + hi);
    return MOSSA__MAX(MOSSA__MAX(a, b), 0.0);
}

/* (d, ix) lexicographic order */
#define MOSSA__TSNE_PAIR_LESS(da, ia, db, ib) ((da) < (db) || ((da) == (db) && (ia) < (ib)))

/* Quickselect on (distance, row) pairs: [0, m) get the m smallest. */
static void mossa__tsne_pair_select(float *d, int32_t *ix, size_t n, size_t m)
{
    size_t b = 0, e = n;
    if (m == 0 || m >= n) return;
    while (e - b > 1) {
        size_t mid = b + (e - b) / 2, i, st;
        float pd;
        int32_t pi;
#define MOSSA__TSNE_PSWAP(a, c) do { float t_ = d[a]; int32_t u_ = ix[a]; d[a] = d[c]; ix[a] = ix[c]; d[c] = t_; ix[c] = u_; } while (0)
        if (MOSSA__TSNE_PAIR_LESS(d[mid], ix[mid], d[b], ix[b])) MOSSA__TSNE_PSWAP(mid, b);
        if (MOSSA__TSNE_PAIR_LESS(d[e - 1], ix[e - 1], d[b], ix[b])) MOSSA__TSNE_PSWAP(e - 1, b);
        if (MOSSA__TSNE_PAIR_LESS(d[mid], ix[mid], d[e - 1], ix[e - 1])) MOSSA__TSNE_PSWAP(mid, e - 1);
        pd = d[e - 1]; pi = ix[e - 1];
        st = b;
        for (i = b; i < e - 1; ++i)
            if (MOSSA__TSNE_PAIR_LESS(d[i], ix[i], pd, pi)) { MOSSA__TSNE_PSWAP(i, st); ++st; }
        MOSSA__TSNE_PSWAP(st, e - 1);
#undef MOSSA__TSNE_PSWAP
        if (st == m || st + 1 == m) return;
        if (st > m) e = st; else b = st + 1;
    }
}

/* Candidates are appended to a buffer while they beat the threshold
   (the k-th best pair found so far); when the buffer holds 2k entries a
   selection keeps the k best, so each candidate costs O(1) amortised
   (a k-heap costs log k per replacement, and early leaves replace a lot). */
static void mossa__tsne_vp_task(void *arg, size_t task, int worker)
{
    mossa__tsne_vp *T = (mossa__tsne_vp *)arg;
    size_t d = T->d, K = T->k, l0 = task * MOSSA__TSNE_VP_TASK, cap = 2 * K + MOSSA__TSNE_VP_LEAF;
    size_t l1 = MOSSA__MIN(T->nleaves, l0 + MOSSA__TSNE_VP_TASK), s, s1 = MOSSA__MIN(T->n, l1 * MOSSA__TSNE_VP_LEAF);
    char *ws = T->wscratch + (size_t)worker * T->wstride;
    double *sb = (double *)ws;
    int32_t *sn = (int32_t *)(sb + MOSSA__TSNE_VP_STACK);
    float *tile = (float *)(sn + MOSSA__TSNE_VP_STACK);
    float *bd = tile + MOSSA__TSNE_VP_LEAF;
    int32_t *bi = (int32_t *)(bd + cap);
    const mossa__kernels *kt = mossa__k();
    /* queries in slot order: consecutive queries walk the same paths */
    for (s = l0 * MOSSA__TSNE_VP_LEAF; s < s1; ++s) {
        size_t qi = (size_t)T->perm[s], cnt = 0, sp = 0, j;
        const float *xq = T->x + qi * d;
        float *hd = T->dist + qi * K, tau = HUGE_VALF;
        int32_t *hi = T->idx + qi * K, taui = INT32_MAX;
        sb[sp] = 0.0; sn[sp++] = 0;
        while (sp > 0) {
            const mossa__tsne_vpnode *nd;
            --sp;
            if (mossa__tsne_vp_prune(T, sb[sp], tau)) continue;
            nd = &T->nodes[sn[sp]];
            if (nd->vp < 0) {
                size_t b = (size_t)nd->child, l, c = (size_t)nd->count;
                kt->tsne_knn_tile(T->panel + (b / MOSSA__TSNE_VP_LEAF) * d * MOSSA__TSNE_VP_LEAF, d, xq, d, 1, tile, 0);
                for (l = 0; l < c; ++l) {
                    int32_t ji = T->perm[b + l];
                    if (MOSSA__TSNE_PAIR_LESS(tile[l], ji, tau, taui) && (size_t)ji != qi) {
                        bd[cnt] = tile[l]; bi[cnt++] = ji;
                    }
                }
                /* first threshold as soon as k are known, then every k more */
                if (cnt >= 2 * K || (cnt >= K && taui == INT32_MAX)) {
                    mossa__tsne_pair_select(bd, bi, cnt, K);
                    cnt = K;
                    tau = bd[0]; taui = bi[0];
                    for (j = 1; j < K; ++j)
                        if (MOSSA__TSNE_PAIR_LESS(tau, taui, bd[j], bi[j])) { tau = bd[j]; taui = bi[j]; }
                }
            } else {
                double dq = mossa__tsne_dist_d(xq, T->x + (size_t)nd->vp * d, d);
                double lb0 = mossa__tsne_vp_lb(T, dq, nd->lo[0], nd->hi[0]);
                double lb1 = mossa__tsne_vp_lb(T, dq, nd->lo[1], nd->hi[1]);
                /* nearer child popped first */
                if (lb0 <= lb1) {
                    sb[sp] = lb1; sn[sp++] = nd->child + 1;
                    sb[sp] = lb0; sn[sp++] = nd->child;
                } else {
                    sb[sp] = lb0; sn[sp++] = nd->child;
                    sb[sp] = lb1; sn[sp++] = nd->child + 1;
                }
            }
        }
        /* the k best, ascending (the heap sort orders (d, index) pairs) */
        mossa__tsne_pair_select(bd, bi, cnt, K);
        for (j = 0; j < K; ++j) { hd[j] = bd[j]; hi[j] = bi[j]; }
        for (j = K / 2; j-- > 0;) mossa__tsne_heap_sift(hd, hi, K, j);
        mossa__tsne_heap_sorted(hd, hi, K);
    }
}

static mossa_status mossa__tsne_knn_vptree(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
                                           int32_t *idx, float *dist)
{
    mossa__tsne_vp T;
    size_t nl = (n + MOSSA__TSNE_VP_LEAF - 1) / MOSSA__TSNE_VP_LEAF, nodes = 2 * nl, bytes, b_nodes, b_vd,
           b_panel, b_perm, b_ws;
    char *mem;
    memset(&T, 0, sizeof(T));
    T.x = x; T.n = n; T.d = d; T.k = k; T.nleaves = nl; T.idx = idx; T.dist = dist;
    T.wstride = MOSSA__TSNE_VP_STACK * (sizeof(double) + sizeof(int32_t)) + MOSSA__TSNE_VP_LEAF * sizeof(float)
              + (2 * k + MOSSA__TSNE_VP_LEAF) * (sizeof(float) + sizeof(int32_t));
    T.wstride = (T.wstride + 63) & ~(size_t)63;
    /* one block: nodes | vd | panels | perm | worker scratch */
    b_nodes = nodes * sizeof(mossa__tsne_vpnode);
    b_vd = n * sizeof(double);
    if (mossa__mul_overflows(nl * MOSSA__TSNE_VP_LEAF, d * sizeof(float), &b_panel)) return MOSSA_ERR_TOO_LARGE;
    b_perm = ((n * sizeof(int32_t)) + 63) & ~(size_t)63;
    b_ws = T.wstride * (size_t)ctx->n_threads;
    bytes = b_nodes + b_vd + b_panel + b_perm + b_ws;
    if (bytes < b_panel) return MOSSA_ERR_TOO_LARGE;
    mem = (char *)mossa__alloc(ctx, bytes);
    if (!mem) return MOSSA_ERR_OUT_OF_MEMORY;
    T.nodes = (mossa__tsne_vpnode *)mem;
    T.vd = (double *)(mem + b_nodes);
    T.panel = (float *)(mem + b_nodes + b_vd);
    T.perm = (int32_t *)(mem + b_nodes + b_vd + b_panel);
    T.wscratch = mem + b_nodes + b_vd + b_panel + b_perm;
    T.rel_f = (double)(d + 2) * ldexp(1.0, -21);        /* 8x the bound */
    T.abs_f = (double)(d + 1) * ldexp(1.0, -140);
    T.rel_d = (double)(d + 2) * ldexp(1.0, -48);
    mossa__tsne_vp_build(&T);
    mossa__parallel(ctx, (nl + MOSSA__TSNE_VP_TASK - 1) / MOSSA__TSNE_VP_TASK, mossa__tsne_vp_task, &T);
    mossa__free(ctx, mem);
    return MOSSA_OK;
}


/* Method choice for MOSSA_TSNE_KNN_AUTO, from time(brute) / time(VP-tree)
   measured with k = 90, 2 threads, AVX-512, on this project's 2-core
   machine (loaded, so +-20%), for Gaussian data (intrinsic dimension = d)
   and 7-10 well separated clusters (intrinsic dimension lower):
       n       d:  2          3          5          10         20         50
       2000        1.7/2.3    1.2/1.9    1.1/1.3    0.8/1.6    0.8/1.4    0.7/1.0
       5000        2.8/2.9    1.6/2.3    1.1/2.6    0.9/1.9    0.7/1.9    0.5/1.5
       20000       3.9/5.1    3.1/2.8    1.2/2.1    0.5/1.8    0.4/2.3    0.3/1.5
   (Gaussian/clustered), and 0.7 (n 5000) / 0.4 (n 20000) on the 64-d
   digits resampled with N(0, 1) noise. Above d = 5 the tree wins only
   when the intrinsic dimension is low, and loses up to 3x when it is not
   (it then opens nearly every leaf), so auto takes the tree for d <= 5
   and n >= 2000 only, where it won on every data set measured. */
static int mossa__tsne_use_vptree(size_t n, size_t d, int method)
{
    if (method == MOSSA_TSNE_KNN_BRUTE) return 0;
    if (method == MOSSA_TSNE_KNN_VPTREE) return 1;
    return n >= 2000 && d <= 5;
}

static int mossa__tsne_knn_method_valid(int method)
{
    return method == MOSSA_TSNE_KNN_AUTO || method == MOSSA_TSNE_KNN_BRUTE || method == MOSSA_TSNE_KNN_VPTREE;
}

/* squared distances in dist; both methods give identical output */
static mossa_status mossa__tsne_knn_sq(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
                                       int method, int32_t *idx, float *dist)
{
    if (mossa__tsne_use_vptree(n, d, method)) return mossa__tsne_knn_vptree(ctx, x, n, d, k, idx, dist);
    return mossa__tsne_knn_brute(ctx, x, n, d, k, idx, dist);
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

/* Mean and standard deviation of the first coordinate of y (n x dims):
   the PCA initialisations scale it to 1e-4. */
static double mossa__tsne_first_sd(const double *y, size_t n, size_t dims, double *mean)
{
    double mu = 0.0, sd = 0.0;
    size_t i;
    for (i = 0; i < n; ++i) mu += y[i * dims];
    mu /= (double)n;
    for (i = 0; i < n; ++i) sd += (y[i * dims] - mu) * (y[i * dims] - mu);
    *mean = mu;
    return sqrt(sd / (double)n);
}

/* ---- PCA initialisation ---------------------------------------------------------
   Wide inputs (d > MOSSA__TSNE_PCA_SVD_MAX_D, see mossa__tsne_pca_svd):
   subspace iteration on the explicitly centred data (x - mean in double, so
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
    sd = mossa__tsne_first_sd(y, n, (size_t)dims, &mu);
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

/* PCA through the SVD module (exact: Gram eigen-decomposition in double
   when d <= 1024 and n >= d) for narrow inputs. mossa_pca works on a
   centred copy of X (4 d bytes per point), so it is used only while that
   copy stays below the optimiser's own peak (about 0.9 KB per point):
   d <= MOSSA__TSNE_PCA_SVD_MAX_D. On 70000 x 64 it took 0.18 s against
   0.77 s for the subspace iteration above and resolves close eigenvalues
   that 12 subspace steps do not. Wider inputs (LLM hidden states, d in
   the thousands) keep the subspace iteration: it needs n x (dims + 6)
   doubles, not a copy of X. Signs: mossa_pca's (largest-|.| score of
   each component positive). Dimensions beyond min(n, d) start as
   N(0, 1e-4^2). */
#define MOSSA__TSNE_PCA_SVD_MAX_D 128
static mossa_status mossa__tsne_pca_svd(mossa__ctx *ctx, const mossa_tsne_options *o, const float *x,
                                        size_t n, size_t d, double *y, int *ok)
{
    mossa_svd_options so;
    size_t dims = (size_t)o->dims, k = MOSSA__MIN(dims, MOSSA__MIN(n, d)), i, l;
    float *sc;
    double mu = 0.0, sd = 0.0;
    mossa_status st;
    *ok = 0;
    memset(&so, 0, sizeof(so));
    so.n_threads = ctx->n_threads; so.allocator = ctx->allocator; so.seed = o->seed;
    sc = (float *)mossa__alloc(ctx, n * k * sizeof(float));
    if (!sc) return MOSSA_ERR_OUT_OF_MEMORY;
    st = mossa_pca(x, n, d, k, &so, NULL, sc, NULL);
    if (st == MOSSA_ERR_ZERO_VARIANCE) { mossa__free(ctx, sc); return MOSSA_OK; }
    if (st != MOSSA_OK) { mossa__free(ctx, sc); return st; }
    for (i = 0; i < n; ++i)
        for (l = 0; l < k; ++l) y[i * dims + l] = (double)sc[i * k + l];
    sd = mossa__tsne_first_sd(y, n, dims, &mu);
    if (sd > 0.0 && isfinite(sd)) {
        for (i = 0; i < n; ++i)
            for (l = 0; l < dims; ++l)
                y[i * dims + l] = l < k ? y[i * dims + l] * (1e-4 / sd) : 1e-4 * mossa_rng_normal(o->seed, i * dims + l);
        *ok = 1;
    }
    mossa__free(ctx, sc);
    return MOSSA_OK;
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
    if (!mossa__tsne_knn_method_valid((int)o->knn)) return MOSSA_ERR_INVALID_ARGUMENT;
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
    if (options && (!mossa__tsne_knn_method_valid((int)options->knn) || options->n_threads < 0))
        return MOSSA_ERR_INVALID_ARGUMENT;
    if (!mossa__all_finite(x, n * d)) return MOSSA_ERR_NONFINITE;
    st = mossa__ctx_begin(&ctx, options ? options->n_threads : 0, options ? options->allocator : NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_knn_sq(&ctx, x, n, d, k, options ? (int)options->knn : 0, indices, distances);
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
        st = d <= MOSSA__TSNE_PCA_SVD_MAX_D ? mossa__tsne_pca_svd(&ctx, &o, x, n, d, s->y, &ok)
                                            : mossa__tsne_pca(&ctx, x, n, d, o.dims, o.seed, s->y, &ok);
        if (st == MOSSA_OK && !ok) mossa__tsne_random_init(s);
    } else mossa__tsne_random_init(s);
    if (st != MOSSA_OK) goto fail;
    st = MOSSA_ERR_OUT_OF_MEMORY;
    s->indptr = (size_t *)mossa__alloc(&ctx, (n + 1) * sizeof(size_t));
    s->col = (int32_t *)mossa__alloc(&ctx, n * k * sizeof(int32_t));
    s->w = (float *)mossa__alloc(&ctx, n * k * sizeof(float));
    if (!s->indptr || !s->col || !s->w) goto fail;
    for (i = 0; i <= n; ++i) s->indptr[i] = i * k;
    st = mossa__tsne_knn_sq(&ctx, x, n, d, k, (int)o.knn, s->col, s->w);
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
/* text.c - streaming UTF-8 text scanner, English syllable counter and
   readability formulas. The rules are documented at the top of text.h.

   Speed: plain ASCII text (words, apostrophes, spaces, punctuation,
   sentence ends) goes through the word loop (mossa__text_fast), which finds
   words in 64-byte letter masks and looks their syllables up in a memo of
   recent words in batches; everything else goes through the byte state
   machine (mossa__text_cp), which the word loop mirrors. A word missing from
   the memo is counted once (vowel groups + corrections, then one probe of
   the exception table through a bucketed 32-bit hash), so there is no
   allocation and no per-word search. */

/* ---- character classes ------------------------------------------------ */
enum {
    MOSSA__C_OTHER = 0, MOSSA__C_LOWER, MOSSA__C_UPPER, MOSSA__C_DIGIT, MOSSA__C_SPACE,
    MOSSA__C_NL, MOSSA__C_PERIOD, MOSSA__C_STRONG, MOSSA__C_APOS, MOSSA__C_CLOSE,
    MOSSA__C_HYPHEN, MOSSA__C_MARK, MOSSA__C_PARA
};
/* tok_flags_ */
#define MOSSA__TF_CAP 1u       /* first letter uppercase */
#define MOSSA__TF_INITIAL 2u   /* first word of its sentence */
#define MOSSA__TF_ACRONYM 4u   /* dotted single-letter segments (U.S.) */
#define MOSSA__TF_OVF 8u       /* longer than the word buffer */
/* pend_ */
#define MOSSA__PEND_APOS 1
#define MOSSA__PEND_PERIOD 2
/* term_: pending terminal punctuation, by how it may end a sentence */
#define MOSSA__T_PLAIN 1       /* ends unless a lowercase letter follows */
#define MOSSA__T_NEVER 2       /* title abbreviation or initial: never ends */
#define MOSSA__T_CAPITAL 3     /* etc., a.m., U.S.: ends only before a capital */
#define MOSSA__T_STRONG 4      /* ! ? ... : ends unless a lowercase letter follows */
/* term_phase_ */
#define MOSSA__PH_AFTER 1      /* right after the terminal run (quotes may follow) */
#define MOSSA__PH_SPACE 2      /* white space seen; the next visible character decides */

/* ASCII classes; letters are also folded through mossa__text_lower. */
static const unsigned char mossa__text_ascii[128] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 5, 4, 4, 4, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* ' '  */ 4, 7, 9, 0, 0, 0, 0, 8, 0, 9, 0, 0, 0, 10, 6, 0,
    /* '0'  */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 7,
    /* '@'  */ 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 'P'  */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 9, 0, 0,
    /* '`'  */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 'p'  */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 9, 0, 0
};

/* Latin-1 letters U+00C0..U+00FF folded to the ASCII letter used for
   syllables ('E' = an accented e that is always pronounced, as in café;
   'A' = a vowel that is a syllable on its own, as the diaeresis marks in
   naïve and Zoë; '#' = a consonant-like letter); 0 = not a letter (U+00D7, U+00F7). */
static const char mossa__text_latin1[64] = {
    'a','a','a','a','a','a','a','c','e','E','e','A','i','i','i','A',
    'd','n','o','o','o','o','o', 0 ,'o','u','u','u','u','y','#','s',
    'a','a','a','a','a','a','a','c','e','E','e','A','i','i','i','A',
    'd','n','o','o','o','o','o', 0 ,'o','u','u','u','u','y','#','y'
};

/* Class of a non-ASCII code point; *fold gets the syllable byte of a letter. */
static int mossa__text_class_cp(uint32_t cp, unsigned char *fold)
{
    *fold = '#';
    if (cp < 0xC0) {
        if (cp == 0x85) return MOSSA__C_NL;
        if (cp == 0xA0) return MOSSA__C_SPACE;
        if (cp == 0xAD) return MOSSA__C_MARK;                    /* soft hyphen */
        if (cp == 0xAA || cp == 0xBA) { *fold = cp == 0xAA ? 'a' : 'o'; return MOSSA__C_LOWER; }
        if (cp == 0xB5) return MOSSA__C_LOWER;
        if (cp == 0xBB) return MOSSA__C_CLOSE;                   /* » */
        return MOSSA__C_OTHER;
    }
    if (cp < 0x100) {
        char f = mossa__text_latin1[cp - 0xC0];
        if (!f) return MOSSA__C_OTHER;
        *fold = (unsigned char)f;
        return (cp < 0xDF) ? MOSSA__C_UPPER : MOSSA__C_LOWER;
    }
    if (cp < 0x250) {                                            /* Latin Extended-A/B */
        static const char base[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
        if (cp < 0x180) {
            int upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E) ? (cp & 1) : !(cp & 1);
            if (cp == 0x178) upper = 1;
            if (cp == 0x138 || cp == 0x149 || cp == 0x17F) upper = 0;
            if (cp - 0x100 < sizeof(base) - 1) *fold = (unsigned char)base[cp - 0x100];
            return upper ? MOSSA__C_UPPER : MOSSA__C_LOWER;
        }
        return MOSSA__C_LOWER;
    }
    if (cp < 0x2B0) return MOSSA__C_LOWER;                       /* IPA */
    if (cp >= 0x300 && cp < 0x370) return MOSSA__C_MARK;         /* combining diacritics */
    if (cp >= 0x370 && cp < 0x530) {                             /* Greek, Cyrillic */
        if (cp == 0x37E || cp == 0x387 || (cp >= 0x482 && cp <= 0x489)) return MOSSA__C_OTHER;
        if ((cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x400 && cp <= 0x42F) || cp == 0x386 ||
            (cp >= 0x388 && cp <= 0x38F)) {
            uint32_t low = cp >= 0x400 ? (cp < 0x410 ? cp + 0x50 : cp + 0x20) : cp + 0x20;
            if (low == 0x3B1 || low == 0x3B5 || low == 0x3B7 || low == 0x3B9 || low == 0x3BF ||
                low == 0x3C5 || low == 0x3C9 || low == 0x430 || low == 0x435 || low == 0x438 ||
                low == 0x43E || low == 0x443 || low == 0x44B || low == 0x44D || low == 0x44E ||
                low == 0x44F || low == 0x451 || cp == 0x386 || (cp >= 0x388 && cp <= 0x38F))
                *fold = 'A';
            return MOSSA__C_UPPER;
        }
        if (cp == 0x3B1 || cp == 0x3B5 || cp == 0x3B7 || cp == 0x3B9 || cp == 0x3BF ||
            cp == 0x3C5 || cp == 0x3C9 || (cp >= 0x3AC && cp <= 0x3AF) || cp == 0x3CC ||
            cp == 0x3CD || cp == 0x3CE || cp == 0x430 || cp == 0x435 || cp == 0x438 ||
            cp == 0x43E || cp == 0x443 || cp == 0x44B || cp == 0x44D || cp == 0x44E ||
            cp == 0x44F || cp == 0x451)
            *fold = 'A';
        return MOSSA__C_LOWER;
    }
    if ((cp >= 0x531 && cp <= 0x587) || (cp >= 0x5D0 && cp <= 0x5EA) ||
        (cp >= 0x620 && cp <= 0x64A) || (cp >= 0x900 && cp <= 0xDFF) ||
        (cp >= 0xE00 && cp <= 0xE7F) || (cp >= 0x10A0 && cp <= 0x10FF) ||
        (cp >= 0x1E00 && cp <= 0x1FFF))
        return MOSSA__C_LOWER;
    if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3)) {
        *fold = 'A';                                             /* one syllable each */
        return MOSSA__C_LOWER;
    }
    if ((cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
        cp == 0x1680)
        return MOSSA__C_SPACE;
    if (cp == 0x2028) return MOSSA__C_NL;
    if (cp == 0x2029) return MOSSA__C_PARA;
    if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF) return MOSSA__C_MARK;
    if (cp == 0x2019) return MOSSA__C_APOS;
    if (cp == 0x2010 || cp == 0x2011) return MOSSA__C_HYPHEN;
    if (cp == 0x2026 || cp == 0x203C || (cp >= 0x2047 && cp <= 0x2049) || cp == 0xFF01 ||
        cp == 0xFF1F || cp == 0x3002)
        return MOSSA__C_STRONG;
    if (cp == 0x201D || cp == 0x203A || cp == 0xFF09 || cp == 0x300D || cp == 0x300F)
        return MOSSA__C_CLOSE;
    return MOSSA__C_OTHER;
}

/* ---- exception table --------------------------------------------------- */
/* 32-bit hash of the lowercased word (ASCII letters and apostrophes), the
   same function as tests/gen_syllable_table.py computes. */
static uint32_t mossa__text_hash(const unsigned char *w, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    size_t i = 0, j;
    while (i < n) {
        uint64_t x = 0;
        for (j = 0; j < 8 && i + j < n; ++j) x |= (uint64_t)w[i + j] << (8 * j);
        h = (h ^ x) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
        i += 8;
    }
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 29;
    return (uint32_t)(h >> 32);
}

/* BEGIN GENERATED SYLLABLE TABLE (tests/gen_syllable_table.py) */
/* 1124 CMUdict words whose heuristic count is wrong, chosen by frequency in running
   prose; 12971 bytes. Key: mossa__text_hash; delta code c: c - 2 if c < 2 else c - 1. */
#define MOSSA__SYL_N 1124
static const uint16_t mossa__syl_bucket[4097] = {
    0,0,0,0,0,0,0,0,0,0,1,1,2,2,2,2,
    2,2,2,2,2,2,2,2,2,2,2,2,2,3,3,3,
    3,4,5,5,5,5,5,5,5,6,6,6,7,7,7,7,
    7,7,7,7,7,7,8,8,9,10,10,10,10,11,11,12,
    12,12,12,12,12,12,12,12,12,12,12,13,13,14,14,14,
    15,15,15,15,15,15,16,16,16,16,16,16,16,16,16,16,
    16,17,17,18,18,20,20,21,22,22,22,22,22,22,23,23,
    23,24,25,25,26,26,26,27,27,27,27,27,27,28,28,28,
    28,28,28,28,28,28,29,29,29,29,30,30,30,30,30,30,
    30,31,32,33,33,34,34,35,35,35,35,35,36,37,37,37,
    37,38,38,38,38,39,39,39,40,40,43,44,44,44,45,45,
    45,45,45,46,46,46,46,46,46,46,48,48,48,49,49,50,
    50,50,50,51,51,51,51,51,52,52,53,53,53,54,54,54,
    55,55,55,55,55,55,55,55,55,55,55,55,56,56,58,58,
    58,58,58,58,58,58,58,58,59,59,59,60,60,60,60,61,
    61,63,64,64,64,65,65,65,66,66,66,66,66,66,66,66,
    66,66,66,67,67,67,67,67,67,68,69,69,69,69,69,69,
    69,69,69,69,69,69,69,69,69,69,69,72,72,72,72,72,
    72,72,72,72,72,72,72,72,72,72,72,73,73,73,73,73,
    73,74,74,74,75,75,75,75,75,75,75,75,76,76,76,76,
    76,77,77,77,78,78,78,78,78,78,79,79,79,79,79,80,
    80,80,80,80,81,81,81,81,81,81,81,82,82,82,82,83,
    83,83,84,84,85,88,88,88,88,88,89,89,89,89,89,89,
    90,91,91,91,91,91,91,91,92,92,93,93,93,93,94,94,
    94,95,95,95,95,95,95,96,97,98,98,98,100,100,100,101,
    101,101,101,101,101,102,103,103,105,105,105,105,105,105,105,105,
    105,105,105,105,105,106,106,106,106,106,106,106,107,107,107,107,
    107,108,109,109,109,109,110,110,110,110,110,110,110,110,110,112,
    112,113,113,113,113,114,114,116,117,119,119,119,119,120,121,121,
    122,122,122,122,122,122,122,122,123,123,123,123,123,124,124,124,
    125,125,126,127,129,129,129,131,131,131,132,132,132,132,132,132,
    132,132,132,132,132,132,132,132,132,132,132,133,133,133,133,133,
    133,133,134,134,134,134,135,135,135,135,135,135,135,136,136,136,
    137,137,137,138,138,138,138,138,138,138,138,139,139,139,139,139,
    139,139,139,139,139,140,140,141,142,142,142,142,142,143,143,143,
    144,144,144,144,144,144,145,145,145,146,146,147,149,149,149,149,
    149,149,149,149,149,149,149,149,149,150,150,150,150,150,150,150,
    150,150,150,151,151,152,153,153,153,155,155,156,157,157,157,157,
    159,159,159,159,159,159,159,160,160,160,160,160,160,160,160,160,
    160,160,160,160,162,163,163,164,164,164,164,164,164,164,164,164,
    164,164,164,165,165,166,166,166,167,167,167,167,168,169,169,169,
    169,169,169,169,169,169,169,169,169,169,171,172,172,172,172,172,
    172,172,172,173,173,173,173,173,173,173,174,174,174,174,174,174,
    174,175,175,176,176,176,176,176,176,176,176,176,176,176,176,177,
    177,177,177,177,177,177,177,177,177,177,177,177,177,177,177,177,
    177,177,177,177,177,177,177,177,178,178,178,178,180,180,180,180,
    181,181,182,182,182,182,182,182,182,182,182,182,182,182,183,183,
    184,184,184,184,185,185,186,186,187,187,187,188,188,188,188,188,
    188,188,188,189,189,190,190,190,191,191,191,191,191,191,191,192,
    192,192,192,193,193,193,194,194,194,194,195,195,195,196,196,196,
    196,197,197,197,198,199,199,199,200,200,201,201,202,203,204,204,
    204,204,204,204,204,204,205,205,206,206,206,206,206,206,206,207,
    207,207,208,208,210,210,210,211,212,212,213,213,215,215,215,215,
    215,215,215,215,217,217,218,218,221,221,222,222,222,223,223,223,
    224,225,225,225,225,225,226,226,226,226,226,226,227,227,227,227,
    228,228,229,229,229,229,230,231,231,231,231,232,232,232,233,233,
    233,234,234,234,234,234,234,234,235,235,236,236,236,237,237,237,
    237,239,240,240,240,240,240,240,240,240,240,240,240,240,240,240,
    243,244,244,244,244,244,244,246,246,246,246,246,246,246,246,246,
    246,246,246,246,246,247,247,247,249,249,249,249,249,249,249,249,
    249,249,249,249,249,249,250,251,251,251,251,251,251,251,252,252,
    253,255,255,255,255,256,256,256,256,256,256,257,257,257,257,257,
    257,257,258,259,260,260,260,260,260,260,261,261,262,262,262,262,
    262,263,264,264,265,265,265,265,265,265,266,266,266,267,267,267,
    267,268,269,269,269,269,270,270,270,270,270,270,270,270,270,270,
    271,271,271,272,272,272,272,272,272,272,272,272,272,272,273,274,
    274,274,274,274,274,275,276,276,276,277,278,280,280,281,283,283,
    283,283,283,283,284,284,285,285,286,286,286,287,287,287,287,287,
    287,287,287,287,287,287,287,287,287,287,287,287,287,287,287,288,
    288,288,288,288,288,288,289,289,290,290,290,290,290,290,290,290,
    290,290,290,290,291,292,292,292,292,292,292,292,292,292,292,292,
    293,293,293,293,293,294,295,295,295,295,295,295,295,295,297,297,
    297,297,298,298,299,300,300,301,302,302,302,303,303,303,303,303,
    303,303,303,304,304,304,304,304,305,305,305,306,306,306,306,307,
    308,308,308,308,308,309,309,309,309,310,310,310,310,310,310,310,
    310,310,310,310,311,311,311,311,311,311,311,311,311,311,311,311,
    311,311,311,311,311,311,313,313,313,313,313,313,314,314,314,314,
    314,314,314,314,314,314,314,314,314,314,315,315,316,317,318,318,
    318,318,319,319,320,320,320,320,320,320,320,321,321,321,322,323,
    323,323,323,323,323,324,324,325,325,325,325,326,326,326,326,327,
    327,327,327,328,328,328,328,328,328,328,328,328,328,329,329,329,
    329,329,329,330,330,330,330,330,330,330,330,330,331,332,332,332,
    332,332,332,333,333,334,334,335,336,336,337,337,337,337,337,337,
    337,337,337,337,337,337,338,340,341,341,341,341,341,341,342,342,
    342,342,343,343,343,343,343,343,343,343,343,343,343,344,344,344,
    344,344,344,345,345,345,345,345,345,345,345,345,347,347,348,349,
    349,349,349,349,349,350,351,351,351,351,351,351,352,352,352,352,
    353,353,353,353,353,353,355,355,355,355,356,356,357,358,358,358,
    358,358,358,359,361,361,364,364,364,364,364,365,365,365,366,366,
    367,367,367,367,368,368,369,370,370,371,371,371,371,371,371,371,
    372,372,372,372,373,373,373,373,373,373,373,374,375,375,375,375,
    375,376,376,376,377,378,378,378,378,378,379,379,379,379,379,379,
    379,379,379,379,379,379,379,380,380,380,380,382,382,383,383,384,
    384,384,384,384,385,385,386,386,387,387,389,389,390,391,391,391,
    391,391,392,392,392,392,392,392,392,392,393,393,393,395,396,396,
    396,396,396,396,396,396,397,397,397,397,397,397,397,397,397,398,
    398,398,398,398,398,398,399,399,399,399,399,399,399,399,399,399,
    399,400,400,400,401,401,402,402,402,402,402,402,402,403,403,403,
    403,403,403,403,403,403,403,403,403,403,403,403,404,404,404,404,
    405,405,405,405,405,405,406,406,406,407,408,408,408,408,408,408,
    408,408,409,409,409,409,411,411,411,412,412,412,412,412,412,412,
    412,413,414,414,414,414,414,414,415,416,416,416,416,416,417,417,
    417,418,418,419,419,419,420,421,421,421,421,421,421,421,421,422,
    422,422,422,422,422,422,422,422,423,424,424,424,425,425,426,426,
    426,426,426,426,428,428,428,428,428,429,429,429,429,431,431,432,
    433,433,433,434,434,434,434,434,434,435,435,435,435,435,436,437,
    437,438,438,440,440,440,440,440,440,440,441,441,443,444,444,445,
    445,445,447,447,447,447,447,449,449,449,449,450,451,452,453,453,
    453,453,453,453,453,453,453,454,455,455,455,455,455,455,455,456,
    457,457,457,457,457,458,458,458,459,460,461,461,461,461,461,461,
    461,461,462,463,463,463,463,463,465,466,466,466,466,466,466,467,
    467,467,467,468,468,468,468,468,469,469,469,469,471,471,471,471,
    472,472,472,472,472,472,472,473,474,474,475,475,475,476,476,476,
    476,477,480,480,480,480,480,480,481,481,481,481,481,481,481,482,
    483,483,483,484,484,484,484,484,485,485,485,485,485,485,485,485,
    485,485,485,486,487,488,488,488,488,488,488,488,488,488,488,489,
    489,490,490,490,490,492,493,493,494,494,494,495,495,495,495,495,
    495,495,495,495,495,495,495,495,496,496,496,496,496,497,497,497,
    497,497,498,498,498,498,498,498,498,498,500,501,501,501,502,502,
    502,503,503,503,503,504,504,505,505,505,505,505,505,506,506,507,
    507,507,507,508,508,508,508,508,508,509,509,509,509,510,510,511,
    511,512,512,512,512,512,512,513,513,513,514,515,515,515,516,516,
    516,516,516,516,517,517,517,518,519,519,519,520,520,521,521,522,
    522,522,522,523,523,523,523,523,523,523,523,524,524,524,524,524,
    524,524,524,524,524,524,525,525,526,526,526,527,528,529,529,530,
    530,530,530,530,530,530,531,532,534,534,535,535,535,535,535,535,
    535,536,538,538,538,538,538,538,538,539,540,540,540,540,540,540,
    541,543,543,544,544,544,545,545,545,545,545,545,545,545,545,545,
    545,545,545,545,546,547,547,548,548,548,548,549,549,550,550,550,
    550,550,550,550,550,551,553,553,553,554,554,554,554,554,554,554,
    554,554,554,554,554,554,554,554,554,554,554,557,557,557,557,557,
    557,557,558,559,559,561,561,561,561,562,564,564,564,564,564,564,
    566,567,568,569,569,569,569,570,570,570,570,570,571,571,571,572,
    572,574,574,574,574,575,575,575,575,575,575,575,575,576,577,577,
    577,577,577,577,578,578,578,579,581,582,582,582,582,582,582,582,
    583,583,583,584,584,584,584,585,585,586,586,586,586,586,586,586,
    586,586,587,587,587,587,587,587,587,587,587,587,587,587,587,587,
    588,588,588,588,589,590,590,590,590,591,591,591,591,591,591,591,
    591,591,591,591,592,592,592,592,592,592,592,592,592,592,592,592,
    592,593,593,593,595,595,595,595,595,595,595,595,595,595,597,599,
    599,599,599,599,599,599,599,599,599,599,599,601,602,604,604,604,
    604,605,605,605,605,605,605,605,606,606,606,606,606,607,607,607,
    607,607,607,608,608,608,608,608,608,608,608,609,609,609,610,611,
    611,611,611,611,611,613,614,615,616,617,617,617,617,617,617,617,
    617,617,617,617,617,618,618,618,618,618,618,618,618,618,618,618,
    618,618,618,619,619,619,620,620,620,622,623,623,623,623,624,624,
    624,625,625,625,626,626,627,628,628,628,628,629,629,629,629,629,
    629,629,629,629,629,630,630,630,631,631,632,632,632,632,632,632,
    632,632,633,633,633,634,634,634,634,634,634,634,635,635,635,635,
    635,635,635,635,635,635,635,635,635,635,635,635,635,635,635,635,
    635,635,635,635,635,635,635,635,635,636,636,636,636,636,636,636,
    636,636,636,636,636,636,636,637,637,637,637,637,638,638,638,639,
    639,639,639,639,639,639,639,639,639,639,639,640,641,641,642,642,
    642,642,642,642,642,642,642,642,642,642,642,642,642,643,643,644,
    644,645,645,645,645,645,646,646,647,647,647,649,649,649,649,650,
    650,650,650,650,650,650,650,651,651,651,651,651,651,651,651,652,
    652,653,653,653,653,653,653,654,654,654,654,655,655,655,655,655,
    655,655,656,657,657,657,659,659,659,659,659,659,659,660,661,661,
    661,661,661,662,663,663,663,663,663,663,663,663,663,664,664,664,
    665,665,665,665,666,666,666,666,668,669,669,670,670,670,670,670,
    670,670,670,670,671,672,673,673,674,674,674,675,675,675,675,675,
    675,676,679,679,680,680,680,680,680,680,680,681,682,682,682,682,
    682,682,682,682,682,682,682,682,682,682,682,682,685,685,685,686,
    687,687,687,687,687,687,687,688,689,689,689,692,692,693,693,693,
    695,695,695,695,695,696,696,696,696,696,696,696,697,698,698,700,
    700,700,700,700,700,702,703,703,703,703,704,704,704,704,704,704,
    704,705,706,706,706,707,707,707,707,707,707,707,707,707,707,707,
    707,707,707,707,707,708,708,708,708,710,710,710,712,712,712,712,
    712,712,714,714,715,715,716,717,717,717,717,718,720,720,721,721,
    721,722,722,722,722,722,723,723,723,723,724,724,724,724,724,724,
    724,725,725,725,725,725,725,725,725,725,725,725,726,726,726,726,
    726,726,726,727,727,728,730,730,730,730,731,732,733,734,734,735,
    735,735,735,735,736,736,736,736,736,736,736,736,736,736,737,737,
    737,737,737,738,738,738,738,738,738,738,738,738,739,739,739,739,
    739,739,740,740,740,740,740,740,740,741,741,742,742,743,744,744,
    744,744,744,744,744,744,745,746,746,747,747,747,747,747,748,748,
    748,748,748,750,750,750,750,751,751,751,751,751,751,751,752,752,
    753,753,753,753,753,753,754,755,755,755,755,755,755,755,756,756,
    756,756,756,756,756,756,757,758,758,758,758,759,759,759,760,762,
    762,762,762,762,762,762,762,762,763,764,764,764,764,764,764,764,
    764,765,765,765,765,765,766,766,767,768,769,769,769,769,770,770,
    772,772,774,774,774,774,774,774,774,775,775,775,775,775,775,775,
    775,775,775,775,775,775,775,775,775,775,775,775,775,775,776,776,
    776,777,777,778,778,778,778,778,779,779,779,780,780,780,780,781,
    781,781,781,781,781,782,782,782,782,782,782,783,783,783,783,784,
    784,784,784,784,785,785,786,786,786,786,786,786,787,787,788,788,
    788,789,789,789,789,789,789,789,789,789,789,789,790,790,790,791,
    792,794,794,794,794,794,794,794,794,794,794,795,795,795,795,796,
    796,796,796,796,797,797,797,797,797,797,798,798,798,799,799,799,
    799,799,799,799,799,799,800,800,800,800,800,800,800,800,800,801,
    801,801,802,802,802,802,802,802,803,803,803,805,806,806,806,807,
    808,808,809,810,810,810,810,811,811,811,812,812,813,813,813,813,
    813,813,813,813,813,813,813,813,813,813,813,814,814,814,814,815,
    815,815,815,815,815,815,815,815,815,816,816,816,816,817,817,818,
    820,821,822,823,823,823,824,824,825,825,825,825,825,825,827,829,
    829,829,830,830,830,830,830,830,830,831,831,831,831,831,831,831,
    831,831,831,831,831,831,831,831,831,831,831,831,832,833,833,833,
    834,834,835,836,837,837,838,838,838,838,839,839,839,840,840,840,
    841,841,842,842,842,842,842,843,843,843,843,843,843,843,843,843,
    843,843,843,845,845,845,845,846,847,847,847,848,848,848,849,849,
    850,851,851,853,853,854,854,854,854,854,854,854,854,856,856,856,
    856,856,857,857,857,857,857,857,857,857,857,858,859,860,861,861,
    863,863,863,863,863,863,863,863,863,863,864,864,864,865,865,865,
    865,865,866,866,866,867,867,867,868,869,869,869,869,869,869,869,
    870,871,872,872,872,872,872,872,872,872,872,873,873,873,873,873,
    873,873,874,874,874,874,875,875,875,875,876,876,876,876,876,877,
    878,878,878,878,879,879,880,880,882,882,882,882,882,883,883,884,
    885,885,885,885,885,885,885,885,886,889,889,889,889,889,889,889,
    889,889,889,889,889,890,893,893,894,895,895,895,895,895,896,896,
    896,896,896,896,896,896,897,897,897,897,897,897,898,899,900,900,
    900,900,901,901,901,901,901,901,901,902,903,904,904,906,906,907,
    908,909,909,909,909,909,910,912,912,912,913,913,914,914,914,915,
    915,917,917,917,917,917,917,917,917,917,917,917,917,917,918,918,
    919,919,919,919,919,919,919,919,919,919,920,920,920,921,921,922,
    922,922,922,922,922,923,923,923,924,924,924,925,926,926,927,927,
    928,929,929,929,930,931,932,932,932,932,932,932,933,933,934,934,
    934,934,934,934,934,934,934,934,935,935,935,935,935,935,935,935,
    935,935,935,935,936,936,936,938,939,939,939,939,940,940,941,943,
    943,943,944,944,944,944,944,944,944,944,945,946,946,946,946,946,
    946,946,946,946,946,946,946,946,946,946,946,946,946,946,946,947,
    947,948,950,950,950,951,951,951,951,952,953,953,953,953,953,953,
    953,954,955,955,956,956,956,956,956,956,956,957,957,957,957,958,
    958,959,959,959,959,959,959,959,959,959,959,959,960,961,962,962,
    962,962,962,962,963,963,963,963,963,963,963,963,963,963,965,966,
    966,966,966,966,966,966,966,966,966,967,967,967,967,967,968,969,
    969,969,969,969,969,969,969,969,969,969,970,970,970,970,971,971,
    971,971,972,972,972,972,972,972,972,972,972,972,972,973,973,973,
    973,975,976,976,976,976,977,978,978,978,978,979,979,980,980,980,
    980,980,980,981,981,981,981,981,981,982,982,982,983,983,983,983,
    983,983,984,984,984,986,987,987,987,987,987,987,988,988,988,988,
    988,989,989,989,990,990,990,990,990,991,991,991,992,993,993,993,
    993,993,994,994,995,995,995,995,995,997,997,997,998,998,998,998,
    999,999,1000,1000,1000,1001,1001,1001,1001,1001,1001,1001,1001,1002,1002,1002,
    1003,1003,1003,1003,1003,1003,1003,1003,1003,1003,1003,1004,1005,1006,1007,1008,
    1009,1009,1010,1010,1011,1012,1012,1012,1012,1012,1012,1012,1013,1015,1015,1015,
    1015,1016,1016,1017,1017,1017,1017,1017,1018,1018,1019,1020,1021,1021,1021,1021,
    1021,1021,1023,1023,1023,1023,1023,1025,1025,1027,1027,1027,1027,1027,1028,1029,
    1029,1029,1029,1029,1029,1029,1029,1029,1030,1030,1030,1031,1031,1031,1033,1033,
    1033,1033,1033,1034,1035,1035,1035,1037,1037,1037,1037,1037,1037,1037,1037,1038,
    1039,1039,1040,1041,1041,1042,1042,1042,1042,1043,1043,1043,1046,1048,1048,1048,
    1048,1048,1048,1049,1049,1049,1050,1050,1050,1051,1051,1052,1053,1053,1053,1053,
    1053,1053,1053,1053,1053,1053,1053,1053,1053,1055,1056,1057,1058,1058,1058,1059,
    1059,1060,1060,1060,1060,1061,1061,1061,1061,1061,1061,1061,1061,1061,1061,1061,
    1061,1061,1061,1061,1061,1062,1062,1062,1063,1064,1065,1065,1065,1065,1066,1066,
    1066,1066,1066,1067,1069,1069,1069,1069,1071,1071,1071,1071,1071,1071,1071,1073,
    1073,1073,1073,1073,1074,1074,1074,1074,1074,1074,1076,1076,1076,1077,1077,1077,
    1079,1080,1081,1081,1081,1081,1081,1081,1081,1081,1081,1081,1081,1081,1081,1081,
    1081,1081,1081,1081,1081,1081,1081,1083,1083,1084,1084,1085,1086,1086,1088,1088,
    1088,1088,1089,1089,1089,1089,1089,1090,1090,1090,1090,1090,1090,1090,1090,1090,
    1090,1091,1091,1091,1091,1091,1092,1092,1092,1093,1093,1094,1094,1094,1094,1094,
    1095,1096,1096,1096,1098,1098,1098,1098,1098,1098,1098,1099,1099,1099,1099,1099,
    1099,1099,1099,1100,1100,1102,1103,1104,1104,1104,1105,1105,1105,1106,1106,1107,
    1108,1108,1108,1108,1108,1108,1109,1109,1109,1109,1109,1110,1110,1110,1110,1110,
    1110,1110,1110,1110,1110,1110,1110,1110,1110,1110,1110,1110,1110,1110,1110,1110,
    1110,1113,1113,1113,1114,1114,1114,1114,1114,1115,1116,1117,1117,1118,1118,1118,
    1119,1120,1121,1121,1121,1121,1122,1122,1123,1124,1124,1124,1124,1124,1124,1124,
    1124,
};
static const uint32_t mossa__syl_keys[1124] = {
    0x0099C018,0x00BABABA,0x01C3634D,0x020D70ED,0x0218BA8E,0x028A7298,0x02BA5BD5,0x035C3219,
    0x03733D27,0x03813EB5,0x03C6AEAA,0x03E758C4,0x04ABFC45,0x04CFFB25,0x04FBD007,0x05538F18,
    0x060F0E58,0x06236967,0x0643A0E0,0x064D7808,0x0669A8CA,0x06764208,0x06D48922,0x070B7F80,
    0x07188C0B,0x073B39BA,0x07686ED0,0x07CD1543,0x08537E0D,0x08944693,0x0905A765,0x0910FA67,
    0x09201B1B,0x094140F8,0x09636022,0x09BE58C7,0x09C5F92F,0x0A0CF85C,0x0A478572,0x0A7300A3,
    0x0A94A4FF,0x0A9869B3,0x0A9F9C92,0x0AA466F8,0x0AD39938,0x0B24F492,0x0B98DAA2,0x0B9B4EE9,
    0x0BC5D633,0x0BE250F7,0x0C21AC8A,0x0C760A53,0x0C985CE9,0x0CC7D602,0x0CF43044,0x0DBD5893,
    0x0DDE33E9,0x0DDED23D,0x0E77CDD4,0x0EAA5DEB,0x0EEF727C,0x0F08278A,0x0F0FFADC,0x0F127FC0,
    0x0F46FD8A,0x0F7A7163,0x102BAECA,0x10815E85,0x10965C17,0x11A4AA84,0x11A5D8D9,0x11A9E725,
    0x12A6C689,0x130A5976,0x13305E99,0x13B1DDBE,0x140ACDE3,0x14323289,0x1496BB3C,0x14EC645D,
    0x1532979F,0x15A6473E,0x15E13D9C,0x161CF162,0x16355948,0x164184C5,0x1642DA35,0x16494964,
    0x169DD493,0x16FFCB76,0x170B2E6E,0x177F9C41,0x17972797,0x17D1D66C,0x18006FE8,0x1863B8A7,
    0x187B3064,0x1880BFD0,0x18B5895B,0x18B8FB2E,0x18E65419,0x19422399,0x19546AFF,0x197EC013,
    0x197EFAD9,0x1A4F7675,0x1ABCEB87,0x1B01ADC1,0x1B1EBFC2,0x1B5E0094,0x1BE298DC,0x1BE75D4F,
    0x1C0DB00C,0x1C45E442,0x1C69F089,0x1C6BBEC8,0x1C77A440,0x1C83E9EA,0x1C87ACE6,0x1CC1DF88,
    0x1CD8534A,0x1CFD7DDC,0x1D7676CC,0x1DCEBC52,0x1DF1AE8C,0x1E180573,0x1E2F80AB,0x1E331A8C,
    0x1E39F07F,0x1E637089,0x1E6A74B2,0x1E98AFD3,0x1FAF9B14,0x20161E23,0x205927AF,0x20CD7CC5,
    0x20F0C68A,0x212D23D1,0x21AC6050,0x224ABCF6,0x2267BC2B,0x227AC951,0x22C0FEAA,0x22FC24EA,
    0x2355A44C,0x2381237A,0x23AC7D45,0x23B1B12F,0x23B9A289,0x248ECC36,0x252547EE,0x25439B56,
    0x2552E7E3,0x2583EF23,0x2586356E,0x25A3FE48,0x25BBD862,0x25F1EFFD,0x25FA8AE2,0x26697717,
    0x2738E0CD,0x273EE108,0x2744F3E4,0x2768C9BD,0x28266D4E,0x28432E32,0x287FF5BE,0x28BD66CA,
    0x28CD47C6,0x299D1ABA,0x299FC1FE,0x29A81907,0x2A2E46BE,0x2A939B4C,0x2B020E44,0x2B2CF067,
    0x2BE1F434,0x2D718E37,0x2DB7F2D7,0x2DBE27BE,0x2DF45A72,0x2E1D0DF8,0x2ED4C71A,0x2EF8115C,
    0x2F34EB9A,0x2F57C9F8,0x2F729670,0x2FA08CE0,0x302F014B,0x304A9A44,0x307F09CF,0x30E8D5F6,
    0x3121B811,0x3159C0F1,0x3193FB18,0x31CD2E28,0x3204C9E2,0x323D579D,0x3247FD11,0x327FF147,
    0x329D2864,0x32B28889,0x32C9845A,0x32D81AD8,0x3350B68D,0x3370F052,0x33E634EA,0x341AE0BB,
    0x34319BB9,0x343211CA,0x34625EB3,0x34761B61,0x3499CBD8,0x34B06B33,0x34B49785,0x3531B384,
    0x3536670D,0x355AA73F,0x3571B16D,0x35726387,0x3578402B,0x359958AA,0x35C245F6,0x35F80322,
    0x360E845E,0x3658DDFB,0x36B0DA91,0x36FE4345,0x3712C77F,0x37588E58,0x3769E7AD,0x37AADD5D,
    0x37DF7522,0x3805FDCD,0x38719E19,0x389420F9,0x38C3B2A1,0x39013352,0x390E456D,0x391A7D4E,
    0x39F58A51,0x39F8F167,0x39FE5982,0x3A07B0C8,0x3A6A5B05,0x3A6A675C,0x3B4BE3A7,0x3B73B045,
    0x3B76A714,0x3C54E5C5,0x3C6A40E2,0x3CDA370F,0x3CF9C75B,0x3D01FD89,0x3D0BCD5E,0x3D425CCC,
    0x3DAC24F8,0x3E14C7BA,0x3E2456F8,0x3E3A189B,0x3E96FF39,0x3EB5F337,0x3F015C17,0x3F18277C,
    0x3F3597DE,0x3F942C06,0x3FC061CE,0x400DD99A,0x40194613,0x40506C8D,0x40FB9317,0x412BC1EE,
    0x41D23D32,0x41E04AC4,0x4246F825,0x425BB8CB,0x428937F9,0x429AC2C2,0x42A3BDB7,0x42A96230,
    0x42CC8785,0x42D87B03,0x42DA52C7,0x433604BE,0x4354916C,0x437BF1C0,0x43A47E26,0x44E90D4A,
    0x455EC179,0x457E891B,0x46399A00,0x464517B7,0x46F44F51,0x47443883,0x47524E4F,0x47DBAFBF,
    0x47DC8DB3,0x481758B1,0x483101F1,0x4847350D,0x486A353A,0x4879DA98,0x48A5327E,0x4925C2E7,
    0x497966B7,0x49A9382A,0x49E070C9,0x49F2BBDA,0x4A45267B,0x4A832ADB,0x4B3BA3A1,0x4C58A1E7,
    0x4C5C8C7D,0x4CB22656,0x4D973B35,0x4DB6CF30,0x4DCB93F8,0x4DDD29D5,0x4E196AA2,0x4E307C1C,
    0x4EAA8D44,0x4EDC17C3,0x4EEE84B4,0x4F453649,0x4F60D621,0x4FA193A0,0x4FEF8B24,0x502EE402,
    0x50CCC246,0x5124BF34,0x51B39DA1,0x51C466A4,0x522EFB02,0x524F0A37,0x526EC150,0x52789598,
    0x52981742,0x53595D40,0x5365DF7C,0x5369A34E,0x5374EAC6,0x53D4791A,0x54148E79,0x54C3A519,
    0x5524D824,0x55B6AF31,0x55B74C11,0x55DC0D40,0x55ECCC06,0x5641E207,0x5650D4A6,0x56B6CEF0,
    0x56FFF66E,0x57507F7B,0x5751EA80,0x5792B44D,0x57B1D2AA,0x57C2FFC6,0x582B44E3,0x5834B556,
    0x58396C94,0x58507E4E,0x585236B6,0x5859FE7D,0x58AB5A44,0x58D29D59,0x58F91593,0x5933BCB4,
    0x5959C048,0x5966FB70,0x59858281,0x59F28C75,0x5A3EB755,0x5AAD591A,0x5ABB4EB7,0x5B0ACD12,
    0x5B32D8E6,0x5B410A78,0x5B9D5D67,0x5C6439FD,0x5CA96690,0x5CAEB904,0x5CC59715,0x5CE02ED5,
    0x5D3AF601,0x5D5B5B1A,0x5D77CCAA,0x5D95053C,0x5D9858A2,0x5DB3538B,0x5DC84D8C,0x5E175C61,
    0x5E9EFA8A,0x5EC52F76,0x5ECE2A1F,0x5ED40BC1,0x5F5BBFE1,0x5FE8E0B3,0x60508D9E,0x610B7957,
    0x61316D6C,0x61511523,0x61C77BF4,0x62B3AC09,0x62F4100E,0x63549FBB,0x638448C6,0x6398D0FC,
    0x6411A8FF,0x6454275E,0x64578681,0x648D6A04,0x650EA565,0x651F3C2E,0x657C054E,0x658BC21A,
    0x65D25836,0x66031164,0x66241E8F,0x665BF11B,0x666721B2,0x66E7E5A4,0x67752AA6,0x67861D5C,
    0x67B8BF30,0x67D8B012,0x683ABE51,0x683DDFA1,0x6886BC99,0x68C0CF3F,0x68CDF9FB,0x68E92795,
    0x68FAD863,0x6928F563,0x6983A785,0x69D1D065,0x69E8851D,0x6A07A9E0,0x6A2D4855,0x6A2FD495,
    0x6A964156,0x6ABBB74E,0x6ABCF86B,0x6AC1934E,0x6AE5725C,0x6B12B958,0x6B1BB6C8,0x6B61395B,
    0x6B6C1C14,0x6BA02AEB,0x6BB42FE5,0x6BCFAD09,0x6BD13112,0x6C665647,0x6C7D08C1,0x6CEB0998,
    0x6CF9B6D0,0x6D44BE13,0x6D7EE1FC,0x6D8B0533,0x6D9B10DD,0x6E1BA2ED,0x6E2A42B1,0x6E74BF0C,
    0x6E7865D2,0x6E8EC02F,0x6EEA6BBB,0x6F296E1C,0x6F767032,0x6FB4CEB2,0x6FB56355,0x6FF2EDFB,
    0x7069334E,0x707534BB,0x70960AF2,0x70CFB574,0x7100A75B,0x711CD90F,0x711DA63A,0x711DDDE6,
    0x717C017C,0x71EB9867,0x71F009F4,0x7220B7E2,0x7270A880,0x7320AA76,0x73357B28,0x7343C9F2,
    0x73E62BC5,0x74043FC5,0x74451A57,0x744B64D6,0x7451D01B,0x747B89A3,0x74A83D5A,0x757E8666,
    0x75C10DF0,0x761A18AC,0x7692593B,0x76972986,0x76A83957,0x76D4C4AB,0x770BC213,0x7746B72D,
    0x776B12FB,0x77CCB49B,0x77EF5B65,0x782EFE02,0x7886CAA5,0x78C70CB4,0x78EFE1A5,0x79066F6E,
    0x796D4492,0x799A351B,0x79A6B47D,0x79DCC5E5,0x7A377DC9,0x7A62F7A1,0x7A7C92D8,0x7AAA4AF3,
    0x7ACBB263,0x7AE5B583,0x7B2E8541,0x7BADFEFC,0x7C5ED4A0,0x7C7CB119,0x7CA8A7DA,0x7CB3BBBE,
    0x7CC45EA5,0x7CE60C64,0x7D580B2E,0x7D63E043,0x7D72D5C7,0x7D7D196F,0x7D93E5A7,0x7E061E3A,
    0x7E108523,0x7E165336,0x7E81FAC6,0x7E989709,0x7EF50B1D,0x7F01722B,0x7F0213AB,0x7F2E14A7,
    0x7F5985EA,0x803DBEE9,0x80410A2C,0x80688F0F,0x80AB85E5,0x80C8BD21,0x814AB7CD,0x81546E02,
    0x815F5CDF,0x818EDF87,0x82A42A55,0x82A641F7,0x82A8ED8C,0x831DCB89,0x832F69D6,0x8341CE48,
    0x834D41B0,0x8384E014,0x8393F474,0x8394FC34,0x83F6B565,0x83FF0506,0x8407406C,0x841B6463,
    0x84218FAF,0x846CFCE6,0x84B7E247,0x84E606EF,0x8504BEEE,0x850D9ACD,0x854C5263,0x85C188A5,
    0x85DC57F2,0x863B8E36,0x866719A6,0x8677035A,0x867E9F6B,0x868FFE51,0x86F93078,0x872300CF,
    0x876F23DA,0x87810547,0x881AD3D5,0x88F1F494,0x89324567,0x894D1E13,0x89826B37,0x8A3C4F7F,
    0x8B000AC1,0x8B319C58,0x8B38FCAA,0x8BD23694,0x8BDDF0F4,0x8BE8E729,0x8BE9628E,0x8CA2EDE8,
    0x8CAB9664,0x8CBED81D,0x8CC659E9,0x8CCC0075,0x8D0F99BB,0x8D79259F,0x8DCA6DA0,0x8E2099C3,
    0x8EA3EC02,0x8ED206C5,0x8EED1449,0x8F425776,0x8F48D5CA,0x8F5461B4,0x8F630792,0x8F76B428,
    0x8F879BFA,0x904EBEB2,0x9128CCB8,0x91551F41,0x91864F33,0x918E6A19,0x919CD777,0x91DB215B,
    0x92055F9E,0x923831FB,0x92593AF6,0x926E5895,0x92AD6EE5,0x93410F85,0x937917E4,0x9393DA9E,
    0x941F836B,0x9443F5AC,0x94B56166,0x9684227B,0x9769EC12,0x97BE59C7,0x97EF02A3,0x98A91DD0,
    0x98BBA2FB,0x98DB4F90,0x99CABE20,0x99E82AA0,0x9A0C8755,0x9A512C13,0x9A7F6DEA,0x9AAE0981,
    0x9AAEC301,0x9AE78880,0x9B64C698,0x9BE0F72C,0x9C0014AF,0x9C69DB02,0x9CA49A92,0x9D19ACFC,
    0x9D28FB81,0x9D598712,0x9D5E6272,0x9DC34167,0x9DD5DE2F,0x9E23F64D,0x9E327C1D,0x9EC79E72,
    0x9EFB11A9,0x9F3AB4AD,0x9F7449B1,0x9F75B176,0x9F875DEC,0x9FA8C202,0xA0351FCA,0xA044C766,
    0xA05254CB,0xA07AE784,0xA0A755E8,0xA10C590E,0xA1181A41,0xA1194EF3,0xA11CFDEE,0xA1318F7D,
    0xA1A8D889,0xA1BAD81E,0xA2B63382,0xA2BB93AF,0xA2BD3D17,0xA2ECDA54,0xA2F98950,0xA3687260,
    0xA3772D22,0xA3A0F3A8,0xA3A72008,0xA3ACAB14,0xA3CB2F8C,0xA3F479DE,0xA3FDF6C1,0xA4422DE8,
    0xA4BAA780,0xA4C35CE9,0xA4E2962D,0xA4E31173,0xA541C856,0xA54D8EAD,0xA5541DEB,0xA59890D6,
    0xA60C957F,0xA61FBFEF,0xA642AA31,0xA74754DF,0xA7849E56,0xA789F673,0xA7BAAB39,0xA7BFE899,
    0xA8145153,0xA81F78AF,0xA836AF7E,0xA850422D,0xA860966C,0xA8AC0831,0xA8BA9F99,0xA8BAA61B,
    0xA8D0962A,0xA9044F0B,0xA95FF8FE,0xA99180AC,0xAA0ADDB6,0xAAB4AD68,0xAB2740D0,0xAB48160A,
    0xAB5BF4A1,0xAB5CE832,0xAB949344,0xABA6193E,0xABB7ABAE,0xABC3E7F9,0xABE30309,0xAC38DD19,
    0xACD47FC9,0xAD235783,0xADB37EE1,0xAE1A10BE,0xAE881602,0xAEAD4693,0xAEC22536,0xAED764F6,
    0xAF5C4C05,0xAF65DFA5,0xAF8FBDF9,0xAFD2CB81,0xB0219405,0xB0256538,0xB067FD7A,0xB0D694C0,
    0xB0F9F187,0xB1534F0F,0xB165B474,0xB1D50C69,0xB25200C8,0xB266365A,0xB2AC99AB,0xB2DA2E8B,
    0xB2E0CF49,0xB2ED3B6A,0xB379A1ED,0xB384B130,0xB4016F36,0xB4536EE7,0xB475095B,0xB486904C,
    0xB49F33EC,0xB4DC01C8,0xB4F50405,0xB4FE6569,0xB513D904,0xB5165613,0xB5829B3E,0xB6D73E09,
    0xB7080011,0xB72FF42D,0xB77D5570,0xB7A3B6E5,0xB7EAAE20,0xB84F8B0F,0xB8A70669,0xB8EB3F08,
    0xB93C8C8D,0xB9586988,0xB9B3DD99,0xB9D80F87,0xBA0D7A0D,0xBABDB553,0xBAEB7983,0xBAF3972A,
    0xBB009E9A,0xBB0351E9,0xBBA40406,0xBBEE6528,0xBC3E689E,0xBC9E53FE,0xBCCF7B82,0xBD5251CB,
    0xBDE6F8C9,0xBE1058A7,0xBE74D311,0xBEA7395E,0xBEAB0CAB,0xBEB5BF0E,0xBEEB2862,0xBEF068F5,
    0xBF151A4B,0xBF23A310,0xBF632C73,0xBF946E49,0xBFB1212D,0xC0A634B2,0xC0E4F218,0xC18684C3,
    0xC1CBD347,0xC1E2B108,0xC1F53CFA,0xC1FCCC59,0xC208FBB7,0xC214B0ED,0xC225FE15,0xC25FCEF6,
    0xC27A4907,0xC2D6ACEF,0xC2D82BE5,0xC2E0683D,0xC2E3FA17,0xC31252A3,0xC38F649E,0xC4BC96E3,
    0xC4C980BC,0xC4F66744,0xC5158736,0xC527A411,0xC53586AB,0xC559D77C,0xC5974A77,0xC5C7537D,
    0xC5F83F2B,0xC61FE704,0xC668A11E,0xC7242FC7,0xC727FBDF,0xC76F374E,0xC7759757,0xC7A34A41,
    0xC7DB5048,0xC7F45F29,0xC804E160,0xC82412F9,0xC829B799,0xC8489921,0xC8C4FC83,0xC8CE6922,
    0xC91B833F,0xC9A48BFD,0xC9BC9E91,0xC9C64B58,0xC9DCC509,0xC9F5773E,0xC9FE014D,0xCA903C97,
    0xCAC4A7F8,0xCB171F03,0xCB4E77DB,0xCB70BE33,0xCB85E363,0xCBFA4402,0xCC0C3F3C,0xCC1FE547,
    0xCCAA7BDE,0xCD1D275D,0xCD5EE911,0xCD93EFB7,0xCDE13B93,0xCDF8FF1C,0xCE3055B9,0xCE55A8F7,
    0xCE7C7157,0xCE7E9388,0xCEC94FAE,0xCEE81C12,0xCEFE20AD,0xCF7F6E7F,0xCF80160E,0xCF8338F0,
    0xCF8E2B71,0xD04494AE,0xD05259F7,0xD0591541,0xD05ECAEA,0xD0789702,0xD08051A9,0xD0D327B9,
    0xD15D63BC,0xD1B27556,0xD1CD9104,0xD1D0FDDF,0xD2177871,0xD2826E3F,0xD29E540F,0xD2A682BC,
    0xD2C02B73,0xD2C9DAAC,0xD2E47FA8,0xD2F943B6,0xD30309FC,0xD35C6660,0xD3668833,0xD3682356,
    0xD399C06F,0xD3BC89B8,0xD3EBF25E,0xD4005702,0xD40D14D6,0xD4D331E8,0xD4FAD506,0xD59F9B57,
    0xD5CED331,0xD5EDD577,0xD646C8C8,0xD6709609,0xD6AFD904,0xD6B6FD9C,0xD6D41656,0xD6F93DD8,
    0xD70DB77F,0xD73043B9,0xD74D5370,0xD75D5DB7,0xD7BC5971,0xD7D8686A,0xD8713B8E,0xD93469DB,
    0xD9662E7C,0xD96FCAC9,0xD97EB58D,0xD9B7051C,0xD9DF6406,0xD9E1E546,0xD9E3E59A,0xDA19ECDF,
    0xDA9C9F4D,0xDAA8577F,0xDBEE4CFB,0xDC0209D9,0xDC1955B0,0xDC1B359C,0xDC46E5F7,0xDC86666F,
    0xDC98BB82,0xDD0E3EED,0xDD1A8ED8,0xDD35ED3E,0xDDAC413E,0xDDE7922F,0xDE0B7605,0xDEB5DDEC,
    0xDECB7248,0xDED76A69,0xDF330349,0xDFD106E7,0xDFDEEDD0,0xDFED1FDC,0xE08EED4A,0xE0D61FBA,
    0xE0EDC761,0xE197314D,0xE1D096DF,0xE2110620,0xE2CEC0AE,0xE309B5B3,0xE30C8461,0xE3151B8D,
    0xE3530777,0xE36C945E,0xE3A7948A,0xE3CDFB32,0xE42B168A,0xE48F1B95,0xE4BC4AA0,0xE5127533,
    0xE54615F9,0xE54F66B4,0xE553C997,0xE5B7040C,0xE6025A60,0xE6357570,0xE68DDCDC,0xE6BBADB7,
    0xE6CF1E7B,0xE718D80C,0xE73AEA2E,0xE785F3B1,0xE78FA4D7,0xE7BE4997,0xE7F7F400,0xE81AE069,
    0xE849752E,0xE8C2581F,0xE8FCFA4C,0xE9AE1E95,0xE9BF92D1,0xE9C57473,0xE9DE6725,0xE9E3C86F,
    0xE9F61AD9,0xEA18F407,0xEA3FE5B9,0xEA4FED31,0xEAB1A2AA,0xEAC89E10,0xEACF227B,0xEB074EFB,
    0xEB22208F,0xEB75D393,0xEB9F7C69,0xEBA61610,0xEBB19BD1,0xEC1AA642,0xEC1AEEE7,0xEC6516E2,
    0xEC6A69DF,0xEC8DC915,0xEC8E44E8,0xECDD0E8B,0xECE6959D,0xED7AFE74,0xEDAB906F,0xEDD74D00,
    0xEDDF6584,0xEE2A4725,0xEE3CB5B2,0xEE606F40,0xEE622079,0xEEE0066E,0xEEF59905,0xEF187E38,
    0xEF23DCAF,0xEF404A92,0xEF847638,0xEFB7FB3E,0xEFB85EE4,0xEFBB2E63,0xEFC0F701,0xEFCB9544,
    0xF0241B76,0xF0584FD2,0xF088B5C4,0xF0A1A4AD,0xF0B1C26B,0xF1847C32,0xF187027C,0xF1914743,
    0xF1A9DD39,0xF1BA7F34,0xF1E8624A,0xF2001C39,0xF248C4ED,0xF340B71F,0xF371B452,0xF389FA24,
    0xF39D3318,0xF3D11772,0xF4268B95,0xF4319FF1,0xF435C9C4,0xF4701701,0xF47AA494,0xF4E3B40F,
    0xF4EEB3A9,0xF5390488,0xF5967A25,0xF59A3A06,0xF5C0BFDD,0xF5F3E0E4,0xF5FFD5B5,0xF60BC2DF,
    0xF61965A5,0xF76CDA14,0xF76E6A51,0xF7842775,0xF7AF8B05,0xF7BD3B42,0xF7D321E6,0xF7D579E4,
    0xF811A4C8,0xF86C9DAA,0xF90846BC,0xF95B7195,0xF98470A5,0xF9AB92DD,0xF9FC4BA8,0xFA0AEE04,
    0xFA3560D5,0xFA3D9F60,0xFAAE02EC,0xFB2E2B5C,0xFB466084,0xFB48CA77,0xFB54498B,0xFB6B0827,
    0xFB913E55,0xFBC55EDA,0xFBEC3330,0xFBFEB431,0xFC5D13F6,0xFCA29CBD,0xFE0C54DE,0xFE0D7B99,
    0xFE0ED9A2,0xFE304AB2,0xFE8C2589,0xFE92820A,0xFEA50268,0xFECBDE7C,0xFEFA36A1,0xFF061C05,
    0xFF12087D,0xFF52E0C3,0xFF7A4648,0xFF82296C,
};
static const uint8_t mossa__syl_delta[281] = {
    165,166,153,105,170,155,150,149,89,101,94,121,171,85,169,102,185,154,166,150,
    182,149,85,166,169,106,149,106,233,149,150,169,101,41,149,165,105,102,169,105,
    153,154,171,102,154,170,150,89,85,165,181,85,90,123,105,149,166,149,154,169,
    105,169,102,101,165,148,85,186,91,149,166,110,107,90,170,232,85,154,146,89,
    165,101,153,170,106,85,154,154,90,102,85,165,183,86,106,94,169,170,86,166,
    150,154,86,170,150,102,150,165,37,170,166,150,154,149,89,154,149,85,86,157,
    165,149,102,150,102,158,102,89,106,166,101,90,153,155,106,105,154,86,86,154,
    153,153,213,150,149,101,90,90,150,90,102,126,105,165,117,133,94,122,150,101,
    104,85,166,106,102,190,86,70,89,150,166,102,102,85,158,105,90,90,89,154,
    149,102,105,86,106,154,230,166,105,102,149,230,169,174,86,89,154,101,101,150,
    102,106,101,170,89,86,90,154,153,85,102,106,154,85,89,166,166,101,169,85,
    105,233,170,102,110,106,149,170,102,86,153,169,86,185,154,213,102,214,154,169,
    183,153,154,107,170,149,89,150,89,153,170,166,150,86,89,169,103,168,106,89,
    158,169,102,165,149,106,90,106,149,101,102,102,166,214,90,94,150,90,185,218,
    166,
};
/* END GENERATED SYLLABLE TABLE */

/* Correction for a word from the table (0 when absent). Buckets are the
   top 12 bits of the hash; keys within a bucket are sorted. */
static int mossa__syl_exception(const unsigned char *w, size_t n)
{
    uint32_t h = mossa__text_hash(w, n);
    unsigned b = h >> 20, k, end;
    if (MOSSA__SYL_N == 0) return 0;
    for (k = mossa__syl_bucket[b], end = mossa__syl_bucket[b + 1]; k < end; ++k) {
        if (mossa__syl_keys[k] == h) {
            int code = (mossa__syl_delta[k >> 2] >> (2 * (k & 3))) & 3;
            return code < 2 ? code - 2 : code - 1;
        }
        if (mossa__syl_keys[k] > h) break;
    }
    return 0;
}

/* ---- syllable heuristic ------------------------------------------------ */
#define MOSSA__SYL_BIT(c) (1u << ((c) - 'a'))
static int mossa__syl_isvowel_byte(unsigned char c)
{
    /* bit c-64 for 'A' (65), 'E' (69) and a e i o u y (97...121) */
    static const uint64_t vowels = (1ULL << 1) | (1ULL << 5) | (1ULL << 33) | (1ULL << 37) |
                                   (1ULL << 41) | (1ULL << 47) | (1ULL << 53) | (1ULL << 57);
    return (unsigned)(c - 64) < 64u && ((vowels >> (c - 64)) & 1u);
}

/* Is c one of the lowercase letters in set? (a bit test, not a loop) */
static int mossa__syl_in(unsigned char c, const char *set)
{
    unsigned mask = 0;
    if ((unsigned)(c - 'a') >= 26u) return 0;
    for (; *set; ++set) mask |= MOSSA__SYL_BIT((unsigned char)*set);
    return (mask >> (c - 'a')) & 1u;
}

/* Is there a syllable boundary between the vowels at i and i+1 (hiatus)?
   w is lowercase letters only, v[] marks the letters acting as vowels. */
static int mossa__syl_split(const unsigned char *w, const unsigned char *v, size_t n, size_t i, int earlier)
{
    unsigned char a = w[i], b = w[i + 1];
    unsigned char p = i > 0 ? w[i - 1] : 0;
    unsigned char nx = i + 2 < n ? w[i + 2] : 0;
    unsigned char n3 = i + 3 < n ? w[i + 3] : 0;
    int at_end = (i + 2 == n);
    if (a == 'A' || b == 'A' || a == 'E' || b == 'E') return 1;
    if (a == 'y') {                         /* vowel y after a consonant: fly-ing, dry-er */
        if (b == 'e' && (at_end || (i + 3 == n && (nx == 's' || nx == 'd')))) return 0;
        return 1;
    }
    if (b == 'y') return 0;
    /* -ing after a vowel is its own syllable: be-ing, go-ing, continu-ing */
    if (b == 'i' && nx == 'n' && n3 == 'g' &&
        (i + 4 == n || (i + 5 == n && w[i + 4] == 's') ||
         (i + 6 == n && w[i + 4] == 'l' && w[i + 5] == 'y')))
        return 1;
    if (a == 'e' && i == 1 && w[0] == 'r' && n >= 5 && ((b == 'e' && n >= 7) || b == 'u' ||
                                                       (b == 'a' && ((nx == 't' && n3 == 't') || (nx == 'n' && n3 == 'a')))))
        return 1;                           /* re-enter, reuse, reattach */
    if (a == 'e' && i == 2 && w[0] == 'p' && w[1] == 'r' && n >= 6 &&
        (b == 'e' || b == 'i' || b == 'o' || (b == 'a' && nx != 'c')))
        return 1;                           /* preempt, preoccupied */
    switch (a) {
    case 'i':
        if (b == 'a') {
            if ((mossa__syl_in(p, "ctsgx") || (p == 'h' && i >= 2 && (w[i - 2] == 's' || w[i - 2] == 'c'))) &&
                (at_end || nx == 'l' || nx == 'n' || (nx == 's' && i + 3 == n)))
                return 0;                   /* special, initial, Asian, Asia */
            if (p == 'r' && nx == 'g' && n3 == 'e') return 0;       /* marriage */
            if (p == 'l' && nx == 'r' && i >= 2) return 0;          /* familiar */
            if (p == 'l' && i >= 2 && v[i - 2] &&
                (at_end || ((nx == 'n' || nx == 's') && i + 3 == n) || (nx == 'n' && n3 == 's' && i + 4 == n)))
                return 0;                   /* Julia, Italian */
            return 1;
        }
        if (b == 'o') {
            int sh = mossa__syl_in(p, "ctsxg") || (p == 'h' && i >= 2 && (w[i - 2] == 's' || w[i - 2] == 'c'));
            if (sh && (nx == 'n' || (nx == 'u' && n3 == 's'))) return 0;  /* -tion, -cious */
            if ((p == 'l' || p == 'n') && nx == 'n' && i >= 2) return 0;  /* million, onion */
            if (nx == 'r' && (p == 'v' || p == 'n')) return 0;           /* behavior, senior */
            return 1;
        }
        if (b == 'u') return 1;             /* medium */
        if (b == 'e') {
            if (nx == 't') return 1;        /* quiet, society */
            if (nx == 'n' && (n3 == 't' || n3 == 'c')) {
                int sci = (i == 2 && w[0] == 's' && w[1] == 'c');
                if ((p == 'c' || p == 't') && !sci) return 0;       /* patient, ancient */
                return 1;                   /* client, science, experience */
            }
            if (nx == 'r' && i + 3 == n && p && v[i - 1]) return 1;                 /* Meier */
            if (earlier && p && !v[i - 1]) {
                if (nx == 'r' && (i + 3 == n || (i + 4 == n && n3 == 's'))) return 1;   /* happier */
                if (nx == 's' && n3 == 't' && i + 4 == n) return 1;                  /* happiest */
                if (nx == 't' ) return 1;
            }
            return 0;
        }
        if (b == 'i') return 1;
        return 0;
    case 'e':
        if (b == 'a') {
            if (p == 'e') return 1;                                   /* agreeable */
            if (earlier && (at_end || (i + 3 == n && nx == 's'))) return 1;    /* idea, area */
            if (earlier && nx == 'n' && (i + 3 == n || (i + 4 == n && n3 == 's')) && p != 'c' && p != 'g')
                return 1;                                             /* European */
            if (i == 1 && w[0] == 'r') {                               /* re- prefix */
                if (nx == 'c' && n3 != 'h') return 1;                 /* react */
                if (nx == 'f' && n3 == 'f') return 1;
                if (nx == 's' && n3 == 's') return 1;
                if (nx == 'd' && n3 == 'j') return 1;
                if (nx == 'p' && n3 == 'p') return 1;
                if (nx == 'l' && n3 == 'i') return 1;                 /* reality, realize */
                if (nx == 'r' && (n3 == 'r' || n3 == 'm')) return 1;
                if (nx == 'w' || nx == 'b') return 1;
            }
            if (i == 2 && w[0] == 'c' && w[1] == 'r' && nx == 't' && !(n3 == 'u' && i + 4 < n && w[i + 4] == 'r'))
                return 1;                                             /* create, not creature */
            if (i == 2 && w[0] == 't' && w[1] == 'h') return 1;        /* theater */
            return 0;
        }
        if (b == 'o') {
            if (p == 'g' && i >= 2 && (nx == 'n' || nx == 'u')) return 0;      /* pigeon, gorgeous */
            if (p == 'c' && nx == 'u') return 0;                       /* herbaceous */
            if (i == 1 && nx == 'p' && (w[0] == 'p' || w[0] == 'l' || w[0] == 'j')) return 0;  /* people */
            if (i == 1 && w[0] == 'y') return 0;
            if (i == 1 && w[0] == 'g' && nx == 'r') return 0;          /* George */
            return 1;
        }
        if (b == 'i') {
            if (nx == 't' && n3 == 'y') return 1;                      /* deity */
            if (i == 1 && w[0] == 'r' &&
                ((nx == 'n' && (n3 == 'c' || n3 == 'f' || n3 == 's' || n3 == 'v')) || nx == 'm' ||
                 nx == 't' || nx == 's'))
                return 1;                                              /* reinforce */
            if (i >= 2 && nx == 's' && (n3 == 't' || n3 == 'm')) return 1;   /* atheist */
            return 0;
        }
        if (b == 'u') {
            if (nx == 'm') return 1;                                   /* museum */
            if (earlier && nx == 's' && i + 3 == n) return 1;  /* nucleus */
            return 0;
        }
        return 0;
    case 'u':
        if (b == 'a') {
            if (p == 's' && (nx == 'd' || nx == 'v' || nx == 's')) return 0;  /* persuade */
            return 1;                                                  /* actual, usual */
        }
        if (b == 'e') return (nx == 'l' || nx == 'n' || nx == 't' || nx == 'r') ? 1 : 0;  /* cruel, fluent */
        if (b == 'i') {
            if (nx == 'd' || (nx == 'n' && p != 'g')) return 1;         /* fluid, ruin, genuine */
            if (nx == 't' && (n3 == 'y' || n3 == 'i')) return 1;        /* ambiguity, tuition */
            if (nx == 's' && (n3 == 'm' || n3 == 't')) return 1;        /* altruism */
            if (nx == 'c' && n3 == 'i') return 1;                       /* suicide */
            return 0;
        }
        if (b == 'o') return 1;                                        /* duo, continuous */
        return 0;
    case 'o':
        if (b == 'a') {
            if (i == 1 && w[0] == 'c' && ((nx == 'l' && (n3 == 'i' || n3 == 'e')) || nx == 'u'))
                return 1;                                              /* coalition */
            return 0;
        }
        if (b == 'e') return (nx == 'm' || nx == 't' || nx == 'x' || nx == 'r' || nx == 'l') ? 1 : 0;  /* poem, poet */
        if (b == 'i') {
            if (nx == 'c') return 1;                                   /* heroic */
            if (i == 1 && w[0] == 'c' && nx == 'n' && n3 == 'c') return 1;    /* coincide */
            return 0;
        }
        if (b == 'o') {
            if (i == 1 && w[0] == 'c' && ((nx == 'p' && n3 == 'e') || (nx == 'r' && n3 == 'd'))) return 1;
            if (i == 1 && w[0] == 'z' && nx == 'l') return 1;          /* zoology */
            return 0;
        }
        return 0;
    case 'a':
        if (b == 'i' && nx == 'c') return 1;                           /* mosaic */
        if (b == 'o') return (p == 'h' && i >= 2 && w[i - 2] == 'c') ? 1 : 0;   /* chaos, but Mao */
        return 0;
    default:
        return 0;
    }
}

typedef struct mossa__syl_affix { const char *s; unsigned char len; } mossa__syl_affix;
#define MOSSA__AFFIX(s) {s, (unsigned char)(sizeof(s) - 1)}

/* Length of the first listed suffix that w ends with, leaving at least
   `stem` letters before it (0 = none). The last two letters are compared
   first, so most words are rejected without a memcmp. */
static size_t mossa__syl_ends(const unsigned char *w, size_t n, const mossa__syl_affix *list,
                              size_t count, size_t stem)
{
    size_t k;
    for (k = 0; k < count; ++k) {
        size_t L = list[k].len;
        if (n >= L + stem && w[n - 1] == (unsigned char)list[k].s[L - 1] &&
            w[n - 2] == (unsigned char)list[k].s[L - 2] && memcmp(w + n - L, list[k].s, L) == 0)
            return L;
    }
    return 0;
}

/* Syllables of a lowercase word (letters only, no apostrophes), n >= 1. */
static int mossa__syl_core(const unsigned char *w, size_t n)
{
    unsigned char v[MOSSA_TEXT_WORD_MAX];
    size_t i, fv = n, dropped;
    int g = 0;
    unsigned char c1, c2;
    for (i = 0; i < n; ++i) {
        unsigned char c = w[i];
        int isv = mossa__syl_isvowel_byte(c);
        if (c == 'u' && i > 0 && w[i - 1] == 'q') isv = 0;
        else if (c == 'u' && i > 0 && w[i - 1] == 'g' && i + 1 < n &&
                 mossa__syl_in(w[i + 1], "aeio") &&
                 !(w[i + 1] == 'o' && i + 2 < n && w[i + 2] == 'u') &&
                 !(w[i + 1] == 'i' && i + 2 < n && w[i + 2] == 't'))
            isv = 0;                                   /* guard, guess, league */
        else if (c == 'y') {
            int next_v = i + 1 < n && mossa__syl_in(w[i + 1], "aeiou");
            if (i == 0) isv = !next_v;                 /* yes */
            else if (v[i - 1]) isv = !next_v;          /* player: y between vowels */
            else if (next_v && (w[i - 1] == 'w' ||
                                (i + 3 < n && ((w[i + 1] == 'a' && w[i + 2] == 'r' && w[i + 3] == 'd') ||
                                               (w[i + 1] == 'e' && w[i + 2] == 'a' && w[i + 3] == 'r'))) ||
                                (i + 2 < n && w[i + 1] == 'o' && w[i + 2] == 'u')))
                isv = 0;                               /* lawyer, stockyard, payout */
            else isv = 1;
        }
        v[i] = (unsigned char)isv;
        if (isv && fv == n) fv = i;
    }
    if (fv == n) {
        /* no vowel: spelled out (tv, html, www) */
        for (i = 0; i < n; ++i) g += (w[i] == 'w') ? 3 : 1;
        return g;
    }
    for (i = 0; i < n; ++i)
        if (v[i] && (i == 0 || !v[i - 1] || mossa__syl_split(w, v, n, i - 1, g > 1))) ++g;

    c1 = n >= 2 ? w[n - 2] : 0;
    /* silent final e; syllabic -le and -re after a consonant (table, acre) */
    if (n >= 3 && w[n - 1] == 'e' && !v[n - 2] && fv < n - 2) {
        c2 = w[n - 3];
        if (!((c1 == 'l' || c1 == 'r') && !v[n - 3] && c2 != c1 && c2 != 'w'))
            --g;
    }
    /* -es and -ed: silent unless after a sibilant (boxes) or t/d (wanted) */
    if (n >= 4 && w[n - 2] == 'e' && (w[n - 1] == 's' || w[n - 1] == 'd') && !v[n - 3] && fv < n - 3) {
        unsigned char s1 = w[n - 3], s2 = w[n - 4];
        int syllabic = (s1 == 'l' || s1 == 'r') && !v[n - 4] && s2 != s1 && s2 != 'w';
        int pron;
        if (w[n - 1] == 's')
            pron = mossa__syl_in(s1, "szxcg") || (s1 == 'h' && (s2 == 'c' || s2 == 's')) || syllabic;
        else
            pron = s1 == 't' || s1 == 'd' || syllabic;
        if (!pron) --g;
    }
    /* silent e before a suffix: lovely, movement, hopeful, careless */
    dropped = n;
    {
        static const mossa__syl_affix suf[] = {
            MOSSA__AFFIX("ful"), MOSSA__AFFIX("lessness"), MOSSA__AFFIX("nesses"), MOSSA__AFFIX("ments"), MOSSA__AFFIX("ness"), MOSSA__AFFIX("less"),
            MOSSA__AFFIX("ment"), MOSSA__AFFIX("lessly"), MOSSA__AFFIX("fully"), MOSSA__AFFIX("ly")};
        static const unsigned char suf_at[27] = {0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,6,7,7,7,7,7,10,10};
        unsigned z = (unsigned)(w[n - 1] - 'a') < 26 ? (unsigned)(w[n - 1] - 'a') : 26;
        size_t L = z < 26 ? mossa__syl_ends(w, n, suf + suf_at[z], (size_t)(suf_at[z + 1] - suf_at[z]), 4) : 0;
        if (L) {
            size_t j = n - L - 1;              /* the e */
            if (w[j] == 'e' && !v[j - 1] && fv < j - 1 &&
                !((w[j - 1] == 'l' || w[j - 1] == 'r') && !v[j - 2] && w[j - 2] != w[j - 1])) {
                --g;
                dropped = j;
            }
        }
    }
    /* -ically: the -al- is silent (basically = B EY S IH K L IY) */
    if (n >= 7 && memcmp(w + n - 6, "ically", 6) == 0) --g;
    /* Italian/Spanish final e after -nt and -ion (Dante, Monte, Simone) */
    if (n >= 5 && w[n - 1] == 'e' && ((w[n - 2] == 't' && w[n - 3] == 'n') ||
                                      (w[n - 2] == 'n' && w[n - 3] == 'o' && w[n - 4] == 'i')))
        ++g;
    /* Mc- has a vowel of its own (McCarthy = M AH K ...) */
    if (n >= 4 && w[0] == 'm' && w[1] == 'c' && !v[2]) ++g;
    /* silent e closing the first part of a compound: homework, wideman */
    {
        static const mossa__syl_affix part[] = {
            MOSSA__AFFIX("ground"), MOSSA__AFFIX("wood"), MOSSA__AFFIX("ward"), MOSSA__AFFIX("land"), MOSSA__AFFIX("ville"), MOSSA__AFFIX("house"),
            MOSSA__AFFIX("stone"), MOSSA__AFFIX("place"), MOSSA__AFFIX("where"), MOSSA__AFFIX("shore"), MOSSA__AFFIX("side"), MOSSA__AFFIX("face"),
            MOSSA__AFFIX("like"), MOSSA__AFFIX("time"), MOSSA__AFFIX("line"), MOSSA__AFFIX("one"), MOSSA__AFFIX("keeping"), MOSSA__AFFIX("making"),
            MOSSA__AFFIX("thing"), MOSSA__AFFIX("work"), MOSSA__AFFIX("walk"), MOSSA__AFFIX("book"), MOSSA__AFFIX("well"), MOSSA__AFFIX("room"),
            MOSSA__AFFIX("town"), MOSSA__AFFIX("man"), MOSSA__AFFIX("men"), MOSSA__AFFIX("ship"), MOSSA__AFFIX("keeper"), MOSSA__AFFIX("maker"),
            MOSSA__AFFIX("water"), MOSSA__AFFIX("makers"), MOSSA__AFFIX("things"), MOSSA__AFFIX("works"), MOSSA__AFFIX("wards"), MOSSA__AFFIX("times"),
            MOSSA__AFFIX("books"), MOSSA__AFFIX("lines"), MOSSA__AFFIX("ways"), MOSSA__AFFIX("craft"), MOSSA__AFFIX("sight"), MOSSA__AFFIX("light"),
            MOSSA__AFFIX("boat"), MOSSA__AFFIX("body"), MOSSA__AFFIX("way")};
        static const unsigned char part_at[27] = {0,0,0,0,4,16,16,19,19,19,19,22,23,24,27,27,28,28,31,39,43,43,43,43,43,45,45};
        unsigned z = (unsigned)(w[n - 1] - 'a') < 26 ? (unsigned)(w[n - 1] - 'a') : 26;
        size_t L = z < 26 ? mossa__syl_ends(w, n, part + part_at[z], (size_t)(part_at[z + 1] - part_at[z]), 4) : 0;
        if (L) {
            size_t j = n - L - 1;
            if (w[j] == 'e' && !v[j - 1] && j >= 2 && v[j - 2] && fv < j - 1 && dropped != j) {
                --g;
                dropped = j;
            }
        }
    }
    /* silent e closing a first part we know: forecast, something, therefore */
    {
        static const mossa__syl_affix head[] = {
            MOSSA__AFFIX("base"), MOSSA__AFFIX("bone"), MOSSA__AFFIX("bike"), MOSSA__AFFIX("blue"), MOSSA__AFFIX("brake"), MOSSA__AFFIX("care"),
            MOSSA__AFFIX("case"), MOSSA__AFFIX("code"), MOSSA__AFFIX("cake"), MOSSA__AFFIX("drive"), MOSSA__AFFIX("eye"), MOSSA__AFFIX("fore"),
            MOSSA__AFFIX("five"), MOSSA__AFFIX("face"), MOSSA__AFFIX("file"), MOSSA__AFFIX("fine"), MOSSA__AFFIX("game"), MOSSA__AFFIX("gate"),
            MOSSA__AFFIX("grape"), MOSSA__AFFIX("grave"), MOSSA__AFFIX("glove"), MOSSA__AFFIX("home"), MOSSA__AFFIX("house"), MOSSA__AFFIX("here"),
            MOSSA__AFFIX("hope"), MOSSA__AFFIX("horse"), MOSSA__AFFIX("life"), MOSSA__AFFIX("like"), MOSSA__AFFIX("love"), MOSSA__AFFIX("lime"),
            MOSSA__AFFIX("line"), MOSSA__AFFIX("lone"), MOSSA__AFFIX("lake"), MOSSA__AFFIX("make"), MOSSA__AFFIX("mile"), MOSSA__AFFIX("nine"),
            MOSSA__AFFIX("note"), MOSSA__AFFIX("name"), MOSSA__AFFIX("place"), MOSSA__AFFIX("peace"), MOSSA__AFFIX("price"), MOSSA__AFFIX("pipe"),
            MOSSA__AFFIX("pine"), MOSSA__AFFIX("race"), MOSSA__AFFIX("rose"), MOSSA__AFFIX("rope"), MOSSA__AFFIX("some"), MOSSA__AFFIX("safe"),
            MOSSA__AFFIX("store"), MOSSA__AFFIX("stone"), MOSSA__AFFIX("space"), MOSSA__AFFIX("side"), MOSSA__AFFIX("state"), MOSSA__AFFIX("shore"),
            MOSSA__AFFIX("smoke"), MOSSA__AFFIX("stove"), MOSSA__AFFIX("scare"), MOSSA__AFFIX("sale"), MOSSA__AFFIX("slave"), MOSSA__AFFIX("spoke"),
            MOSSA__AFFIX("shape"), MOSSA__AFFIX("time"), MOSSA__AFFIX("there"), MOSSA__AFFIX("take"), MOSSA__AFFIX("tape"), MOSSA__AFFIX("tide"),
            MOSSA__AFFIX("type"), MOSSA__AFFIX("tube"), MOSSA__AFFIX("tale"), MOSSA__AFFIX("true"), MOSSA__AFFIX("trade"), MOSSA__AFFIX("vine"),
            MOSSA__AFFIX("whole"), MOSSA__AFFIX("where"), MOSSA__AFFIX("wide"), MOSSA__AFFIX("wire"), MOSSA__AFFIX("wine"), MOSSA__AFFIX("wave"),
            MOSSA__AFFIX("whale")};
        static const unsigned char head_at[27] = {0,0,5,9,10,11,16,21,26,26,26,26,33,35,38,38,43,43,46,61,71,71,72,79,79,79,79};
        unsigned z = (unsigned)(w[0] - 'a') < 26 ? (unsigned)(w[0] - 'a') : 26;
        size_t h2;
        for (h2 = z < 26 ? head_at[z] : 0; z < 26 && h2 < head_at[z + 1]; ++h2) {
            size_t L = head[h2].len;
            if (n >= L + 3 && w[0] == (unsigned char)head[h2].s[0] && w[1] == (unsigned char)head[h2].s[1] &&
                memcmp(w, head[h2].s, L) == 0) {
                size_t j = L - 1, k2;
                int vow = 0;
                for (k2 = L; k2 < n; ++k2) vow |= v[k2];
                if (!v[L] && vow && !(w[L] == 'v' && w[L + 1] == 'e') && dropped != j &&
                    w[j] == 'e' && !v[j - 1]) {
                    --g;
                    dropped = j;
                }
                break;
            }
        }
    }
    /* -ism, -asm, -thm: a syllabic m (criticism, enthusiasm, rhythm) */
    if (n >= 3 && w[n - 1] == 'm' && ((w[n - 2] == 's' && v[n - 3]) || (w[n - 2] == 'h' && w[n - 3] == 't')))
        ++g;
    else if (n >= 4 && w[n - 1] == 's' && w[n - 2] == 'm' &&
             ((w[n - 3] == 's' && v[n - 4]) || (w[n - 3] == 'h' && w[n - 4] == 't')))
        ++g;
    /* -ire(s|d): fire, desire, tired are two vowels in CMUdict (AY ER) */
    {
        size_t e = n;
        if (n >= 4 && (w[n - 1] == 's' || w[n - 1] == 'd') && w[n - 2] == 'e') e = n - 1;
        if (e >= 4 && w[e - 1] == 'e' && w[e - 2] == 'r' && w[e - 3] == 'i' && !v[e - 4] &&
            !(e >= 5 && w[e - 4] == 'h' && w[e - 5] == 's'))
            ++g;
    }
    return g < 1 ? 1 : g;
}

/* Syllables of a scanned word: lowercase ASCII letters, apostrophes and
   the fold bytes 'E', 'A', '#'. */
static int mossa__syl_word(const unsigned char *w, size_t n)
{
    unsigned char buf[MOSSA_TEXT_WORD_MAX];
    size_t m = 0, i, last_apos = n;
    int g, extra = 0;
    if (!memchr(w, '\'', n)) return mossa__syl_core(w, n);
    for (i = 0; i < n; ++i) {
        if (w[i] == '\'') last_apos = m;
        else buf[m++] = w[i];
    }
    if (m == 0) return 1;
    /* clitics: 's after a sibilant, n't / 'll / 'd / 've / 're after a consonant add a vowel */
    if (last_apos < m && last_apos > 0) {
        size_t tail = m - last_apos;
        unsigned char before = buf[last_apos - 1];
        int cons = !mossa__syl_isvowel_byte(before);
        if (tail == 1 && buf[last_apos] == 's') {
            unsigned char b2 = last_apos >= 2 ? buf[last_apos - 2] : 0;
            if (mossa__syl_in(before, "szx") || (before == 'h' && (b2 == 'c' || b2 == 's')) ||
                (before == 'e' && mossa__syl_in(b2, "cgsz")))
                extra = 1;
            m = last_apos;
        } else if (tail == 1 && buf[last_apos] == 't' && before == 'n' && last_apos >= 2) {
            if (!mossa__syl_isvowel_byte(buf[last_apos - 2])) extra = 1;   /* didn't, couldn't */
            m = last_apos;             /* syllables of "couldn", "did" + n */
        } else if ((tail == 2 && buf[last_apos] == 'l' && buf[last_apos + 1] == 'l') ||
                   (tail == 1 && (buf[last_apos] == 'd' || buf[last_apos] == 'm')) ||
                   (tail == 2 && buf[last_apos + 1] == 'e' &&
                    (buf[last_apos] == 'v' || buf[last_apos] == 'r'))) {
            if (cons) extra = 1;
            m = last_apos;
        }
    }
    g = mossa__syl_core(buf, m);
    return g + extra;
}

/* Full count for a word buffer: heuristic plus table correction. */
static int mossa__syl_count(const unsigned char *w, size_t n)
{
    int g = mossa__syl_word(w, n) + mossa__syl_exception(w, n);
    return g < 1 ? 1 : g;
}

/* ---- the scanner -------------------------------------------------------- */
/* Keeps the first n <= 8 bytes (memory order) of an 8-byte load. */
static uint64_t mossa__text_first_bytes(size_t n)
{
    static const unsigned char ones[32] = {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
                                           255, 255, 255, 255, 255};
    uint64_t m;
    memcpy(&m, ones + 16 - n, 8);
    return m;
}

/* How a period after the plain word k0 (lowercase, n <= 8 letters, zero
   padded) may end a sentence. */
static int mossa__text_abbrev_key(uint64_t k0, int cap)
{
    static const char never[][8] = {"mr", "ms", "dr", "st", "lt", "mt", "vs", "cf", "pp", "rev", "hon",
                                    "gen", "col", "sgt", "gov", "sen", "rep", "fig", "vol", "viz", "mrs",
                                    "prof", "capt", "dept", "figs", "vols", "approx", "messrs", "mme",
                                    "mlle", "eqs", "eq"};
    static const char capital[][8] = {"etc", "jr", "sr", "co", "inc", "ltd", "ave", "corp", "bros", "al",
                                      "blvd", "esq"};
    static const char no[8] = "no";    /* No. 5 is a reference; "said no." ends */
    uint64_t e;
    size_t j;
    memcpy(&e, no, 8);
    if (k0 == e) return cap ? MOSSA__T_NEVER : MOSSA__T_PLAIN;
    for (j = 0; j < sizeof(never) / 8; ++j) {
        memcpy(&e, never[j], 8);
        if (k0 == e) return MOSSA__T_NEVER;
    }
    for (j = 0; j < sizeof(capital) / 8; ++j) {
        memcpy(&e, capital[j], 8);
        if (k0 == e) return MOSSA__T_CAPITAL;
    }
    return MOSSA__T_PLAIN;
}

static int mossa__text_abbrev(const mossa_text_scanner *s)
{
    size_t n = s->wlen_;
    uint64_t k0;
    if (s->tok_flags_ & MOSSA__TF_ACRONYM) {
        if (n == 2 && ((s->word_[0] == 'e' && s->word_[1] == 'g') || (s->word_[0] == 'i' && s->word_[1] == 'e')))
            return MOSSA__T_NEVER;
        return MOSSA__T_CAPITAL;
    }
    if (n == 1 && s->word_letters_ == 1 && (s->tok_flags_ & MOSSA__TF_CAP)) return MOSSA__T_NEVER;
    if (n == 0 || n > 8 || s->word_letters_ != n) return MOSSA__T_PLAIN;
    memcpy(&k0, s->word_, 8);
    return mossa__text_abbrev_key(k0 & mossa__text_first_bytes(n), (s->tok_flags_ & MOSSA__TF_CAP) != 0);
}

static void mossa__text_sentence_end(mossa_text_scanner *s)
{
    if (s->sent_words_) { s->stats.sentences++; s->sent_words_ = 0; }
    s->mid_sent_ = 0;              /* 0 = at the start of a sentence */
}

/* 1 when a word of syl >= 3 syllables keeps 3 without an inflectional
   ending pronounced as its own syllable (Gunning's complex-word rule; the
   proper-noun and acronym exclusions are applied by the caller). */
static int mossa__text_stem3(const unsigned char *w, size_t n, int syl, int ovf)
{
    int stem = syl;
    if (syl < 3) return 0;
    if (n >= 5 && !ovf) {
        if (w[n - 3] == 'i' && w[n - 2] == 'n' && w[n - 1] == 'g') stem = syl - 1;
        else if (w[n - 2] == 'e' && w[n - 1] == 'd' && (w[n - 3] == 't' || w[n - 3] == 'd')) stem = syl - 1;
        else if (w[n - 2] == 'e' && w[n - 1] == 's' &&
                 (mossa__syl_in(w[n - 3], "sxzcg") || (w[n - 3] == 'h' && (w[n - 4] == 'c' || w[n - 4] == 's'))))
            stem = syl - 1;
    }
    return stem >= 3;
}

static unsigned mossa__ctz64(uint64_t x)          /* x != 0 */
{
#if MOSSA__GNUC
    return (unsigned)__builtin_ctzll((unsigned long long)x);
#else
    unsigned n = 0;
    while (!(x & 1u)) { x >>= 1; ++n; }
    return n;
#endif
}

/* ---- syllable memo ------------------------------------------------------
   Key: the word's 16 bytes as two words k0, k1 (lowercased, zero padded;
   words never hold a 0 byte and have at most 15 bytes, so byte 15 is 0). A
   stored entry keeps the payload (syllables + 1) | 0x80 * stem3 in byte 15
   (memory order, `top`, so any endianness).
   256 sets of 15 ways. The tags come first (4 KB, so they stay in L1): per
   set two words of 8-bit tags (tag j is bits 8j..8j+7 of the words, value
   order; 0 = empty way); then the entries, 16 bytes each (60 KB). The tag,
   8 more bits of the key's hash, picks the way without a branch (a
   zero-byte test on tags ^ tag), so a hit costs one compare that almost
   always holds; a mispredicted branch on a memo load would cost the load's
   latency on top. A miss (or a tag shared with an earlier way, 1 in 256)
   takes the slow scan; replacement fills an empty way, else the next in
   turn. Pure cache: a count never depends on it (the differential test
   checks this). */
#define MOSSA__MEMO_SET_BITS 8                  /* 256 sets */
#define MOSSA__MEMO_WAYS 15u
#define MOSSA__MEMO_ENTRIES_AT (2u << MOSSA__MEMO_SET_BITS)   /* words of tags */
static const unsigned char mossa__memo_top[8] = {0, 0, 0, 0, 0, 0, 0, 0xFF};

#if MOSSA__GNUC
#define MOSSA__TEXT_HOT static __inline__ __attribute__((always_inline))
#define MOSSA__TEXT_COLD static __attribute__((noinline))
#else
#define MOSSA__TEXT_HOT static
#define MOSSA__TEXT_COLD static
#endif

/* The memo returns (syllables + 1) | stem3 << 16; entries hold 7 + 1 bits. */
#define MOSSA__MEMO_DECODE(pay) (((pay) & 0x7Fu) | ((pay) & 0x80u) << 9)
#define MOSSA__ONES8 0x0101010101010101ULL
#define MOSSA__HIGH8 0x8080808080808080ULL
/* bit 7 of byte j is set for the lowest byte of x that is zero (higher
   bytes may show false positives, so only the lowest set bit is used) */
#define MOSSA__ZERO_BYTES(x) (((x) - MOSSA__ONES8) & ~(x) & MOSSA__HIGH8)

/* Two independent products, so the hash is one multiply deep. */
#define MOSSA__MEMO_HASH(k0, k1) (((k0) * 0xD6E8FEB86659FD93ULL) ^ ((k1) * 0x9E3779B97F4A7C15ULL))

/* The memo starts on a 64-byte boundary (memo_off_, fixed at init so that
   a copied scanner keeps a consistent layout). */
static uint64_t *mossa__text_memo_base(mossa_text_scanner *s)
{
    return s->memo_ + (s->memo_off_ & 7u);
}

/* Scans the set for the key (any tag), else computes the count and stores it. */
MOSSA__TEXT_COLD unsigned mossa__text_memo_miss(mossa_text_scanner *s, size_t set, unsigned tag, uint64_t k0,
                                                uint64_t k1, size_t n)
{
    uint64_t *t = mossa__text_memo_base(s) + 2 * set;
    uint64_t *e = mossa__text_memo_base(s) + MOSSA__MEMO_ENTRIES_AT + 2 * MOSSA__MEMO_WAYS * set;
    unsigned char w[16];
    uint64_t top, z;
    int syl;
    unsigned pay, way;
    memcpy(&top, mossa__memo_top, 8);
    for (way = 0; way < MOSSA__MEMO_WAYS; ++way)
        if (e[2 * way] == k0 && (e[2 * way + 1] & ~top) == k1)
            return MOSSA__MEMO_DECODE((unsigned)((e[2 * way + 1] & top) / (top / 0xFF)));
    memcpy(w, &k0, 8);
    memcpy(w + 8, &k1, 8);
    syl = mossa__syl_count(w, n);
    pay = (unsigned)(syl + 1) | (unsigned)mossa__text_stem3(w, n, syl, 0) << 16;
    if (syl > 126) return pay;          /* never, for 15 letters; else not stored */
    z = MOSSA__ZERO_BYTES(t[0]);
    if (z) {
        way = mossa__ctz64(z) >> 3;
    } else {
        z = MOSSA__ZERO_BYTES(t[1]) & ~((uint64_t)0x80 << 56);   /* byte 7 of word 1 is no way */
        way = z ? 8 + (mossa__ctz64(z) >> 3) : s->memo_tick_++ % MOSSA__MEMO_WAYS;
    }
    t[way >> 3] = (t[way >> 3] & ~((uint64_t)0xFF << (8 * (way & 7)))) | (uint64_t)tag << (8 * (way & 7));
    e[2 * way] = k0;
    e[2 * way + 1] = k1 | (uint64_t)((pay & 0x7Fu) | (pay >> 16) << 7) * (top / 0xFF);
    return pay;
}

/* The word k0, k1 of n bytes (1 <= n <= 15). */
MOSSA__TEXT_HOT unsigned mossa__text_memo(mossa_text_scanner *s, uint64_t k0, uint64_t k1, size_t n)
{
    uint64_t top, h, *base, *t, bt, x0, x1, y0, y1, sel, v;
    size_t set;
    unsigned tag, way;
    memcpy(&top, mossa__memo_top, 8);
    h = MOSSA__MEMO_HASH(k0, k1);
    set = (size_t)(h >> (64 - MOSSA__MEMO_SET_BITS));
    tag = (unsigned)(h >> 40) & 0xFFu;
    tag |= (tag == 0);
    base = mossa__text_memo_base(s);
    t = base + 2 * set;
    bt = (uint64_t)tag * MOSSA__ONES8;
    x0 = t[0] ^ bt;
    x1 = t[1] ^ bt;
    y0 = MOSSA__ZERO_BYTES(x0);
    y1 = MOSSA__ZERO_BYTES(x1);
    if (MOSSA__LIKELY(y0 | y1)) {
        const uint64_t *e;
        sel = (uint64_t)0 - (uint64_t)(y0 != 0);
        way = (mossa__ctz64((y0 & sel) | (y1 & ~sel)) >> 3) + (8u & ~(unsigned)sel);
        e = base + MOSSA__MEMO_ENTRIES_AT + 2 * (MOSSA__MEMO_WAYS * set + way);
        v = e[1];
        if (MOSSA__LIKELY(e[0] == k0 && (v & ~top) == k1))
            return MOSSA__MEMO_DECODE((unsigned)((v & top) / (top / 0xFF)));
    }
    return mossa__text_memo_miss(s, set, tag, k0, k1, n);
}

static void mossa__text_end_word(mossa_text_scanner *s)
{
    if (s->tok_ == 1) {
        unsigned f = s->tok_flags_;
        int syl, stem3;
        if (f & MOSSA__TF_ACRONYM) {
            size_t i;
            syl = 0;
            for (i = 0; i < s->wlen_; ++i) syl += (s->word_[i] == 'w') ? 3 : 1;
            stem3 = 0;                  /* acronyms are never complex */
        } else if (s->wlen_ <= 15 && !(f & MOSSA__TF_OVF) && !s->no_memo_) {
            uint64_t k0, k1;
            unsigned pay;
            memcpy(&k0, s->word_, 8);
            memcpy(&k1, s->word_ + 8, 8);
            pay = mossa__text_memo(s, k0, k1, s->wlen_);
            syl = (int)(pay & 0xFFFF) - 1;
            stem3 = (int)(pay >> 16);
        } else {
            syl = mossa__syl_count(s->word_, s->wlen_) + (int)s->ovf_groups_;
            stem3 = mossa__text_stem3(s->word_, s->wlen_, syl, (f & MOSSA__TF_OVF) != 0);
        }
        s->stats.words++;
        s->stats.letters += s->word_letters_;
        s->stats.syllables += (uint64_t)syl;
        if (syl >= 3) {
            s->stats.polysyllables++;
            if (!((f & MOSSA__TF_CAP) && !(f & MOSSA__TF_INITIAL))) s->stats.complex_words += (uint64_t)stem3;
        }
        s->sent_words_++;
        s->prev_word_ = 1;
        if (s->on_word) s->on_word(s->on_word_user, (const char *)s->word_, s->wlen_, syl);
    }
    s->tok_ = 0;
}

/* A visible character after "terminal + white space" decides the sentence. */
static void mossa__text_decide(mossa_text_scanner *s, int cls)
{
    int t = s->term_;
    s->term_ = 0;
    s->term_phase_ = 0;
    if (cls == MOSSA__C_LOWER || t == MOSSA__T_NEVER) return;
    if (t == MOSSA__T_CAPITAL && cls != MOSSA__C_UPPER) return;
    mossa__text_sentence_end(s);
}

static void mossa__text_terminal(mossa_text_scanner *s, int kind)
{
    if (s->term_phase_ == MOSSA__PH_AFTER) {        /* a run: ?!, ..., etc.. */
        s->term_ = MOSSA__T_STRONG;
        return;
    }
    if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, MOSSA__C_OTHER);
    s->term_ = (uint8_t)kind;
    s->term_phase_ = MOSSA__PH_AFTER;
}

static void mossa__text_put(mossa_text_scanner *s, unsigned char c)
{
    if (s->wlen_ < MOSSA_TEXT_WORD_MAX - 1 && !(s->tok_flags_ & MOSSA__TF_OVF)) {
        s->word_[s->wlen_++] = c;
    } else {
        int vw = mossa__syl_isvowel_byte(c);
        s->tok_flags_ |= MOSSA__TF_OVF;
        if (vw && !s->ovf_prev_vowel_) s->ovf_groups_++;
        s->ovf_prev_vowel_ = (uint8_t)vw;
    }
}

static void mossa__text_start_word(mossa_text_scanner *s, int upper)
{
    s->tok_ = 1;
    s->tok_flags_ = (uint8_t)((upper ? MOSSA__TF_CAP : 0) | (s->mid_sent_ ? 0 : MOSSA__TF_INITIAL));
    s->mid_sent_ = 1;
    memset(s->word_, 0, 16);           /* the memo key is zero padded */
    s->wlen_ = 0;
    s->word_letters_ = 0;
    s->ovf_groups_ = 0;
    s->ovf_prev_vowel_ = 0;
    s->seg_ = 0;
}

/* One code point of class cls (fold = syllable byte for letters). */
static void mossa__text_cp(mossa_text_scanner *s, int cls, unsigned char fold)
{
    if (cls == MOSSA__C_MARK) return;
    if (s->pend_) {
        int p = s->pend_;
        s->pend_ = 0;
        if (cls == MOSSA__C_LOWER || cls == MOSSA__C_UPPER) {
            if (p == MOSSA__PEND_APOS) { mossa__text_put(s, '\''); s->seg_ = 2; }
            else { s->tok_flags_ |= MOSSA__TF_ACRONYM; s->seg_ = 0; }
        } else {
            mossa__text_end_word(s);
            if (p == MOSSA__PEND_APOS) {
                s->prev_word_ = 0;
                mossa__text_cp(s, MOSSA__C_CLOSE, 0);
            } else {
                mossa__text_terminal(s, mossa__text_abbrev(s));
                s->prev_word_ = 0;
            }
        }
    }
    switch (cls) {
    case MOSSA__C_LOWER:
    case MOSSA__C_UPPER:
        s->stats.characters++;
        if (s->term_phase_ == MOSSA__PH_AFTER) { s->term_ = 0; s->term_phase_ = 0; }
        else if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->tok_ == 2) return;
        if (s->tok_ == 0) mossa__text_start_word(s, cls == MOSSA__C_UPPER);
        mossa__text_put(s, fold);
        s->word_letters_++;
        if (s->seg_ < 255) s->seg_++;
        return;
    case MOSSA__C_DIGIT:
        s->stats.characters++;
        if (s->term_phase_ == MOSSA__PH_AFTER) { s->term_ = 0; s->term_phase_ = 0; }
        else if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->tok_ == 1 && (s->tok_flags_ & MOSSA__TF_INITIAL)) s->mid_sent_ = 0;
        s->tok_ = 2;
        return;
    case MOSSA__C_APOS:
        if (s->tok_ == 1) { s->pend_ = MOSSA__PEND_APOS; return; }
        mossa__text_cp(s, MOSSA__C_CLOSE, 0);
        return;
    case MOSSA__C_PERIOD:
        if (s->tok_ == 1 && s->seg_ == 1) { s->pend_ = MOSSA__PEND_PERIOD; return; }
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        mossa__text_terminal(s, s->prev_word_ ? mossa__text_abbrev(s) : MOSSA__T_PLAIN);
        s->prev_word_ = 0;
        return;
    case MOSSA__C_STRONG:
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        mossa__text_terminal(s, MOSSA__T_STRONG);
        return;
    case MOSSA__C_SPACE:
    case MOSSA__C_NL:
    case MOSSA__C_PARA:
        if (s->tok_) mossa__text_end_word(s);
        s->prev_word_ = 0;
        if (s->term_phase_ == MOSSA__PH_AFTER) s->term_phase_ = MOSSA__PH_SPACE;
        if (cls == MOSSA__C_SPACE) return;
        if (cls == MOSSA__C_NL && s->newlines_ < 2) s->newlines_++;
        if (cls == MOSSA__C_PARA || s->newlines_ >= 2) {   /* blank line: paragraph break */
            s->term_ = 0;
            s->term_phase_ = 0;
            mossa__text_sentence_end(s);
        }
        return;
    case MOSSA__C_CLOSE:
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        return;
    default:                                    /* other symbols, hyphens, U+FFFD */
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->term_phase_ == MOSSA__PH_AFTER) { s->term_ = 0; s->term_phase_ = 0; }
        else if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        return;
    }
}

MOSSA_DEF void mossa_text_scanner_init(mossa_text_scanner *s)
{
    if (!s) return;
    memset(s, 0, sizeof(*s));           /* also clears the on_word hook */
    /* 64-byte aligned memo sets (a zero-initialised scanner uses offset 0) */
    s->memo_off_ = (uint8_t)((8u - (unsigned)(((uintptr_t)(const void *)s->memo_ / 8u) & 7u)) & 7u);
}

MOSSA_DEF void mossa_text_scanner_reset(mossa_text_scanner *s)
{
    void (*fn)(void *, const char *, size_t, int);
    void *user;
    uint8_t off;
    uint32_t tick;
    if (!s) return;
    fn = s->on_word;
    user = s->on_word_user;
    off = s->memo_off_;
    tick = s->memo_tick_;
    memset(s, 0, offsetof(mossa_text_scanner, memo_));
    s->on_word = fn;
    s->on_word_user = user;
    s->memo_off_ = off;
    s->memo_tick_ = tick;
}

/* Lowercase ASCII letter table for the fast path (0 = not a letter). */
static const unsigned char mossa__text_lower[256] = {
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,'a','b','c','d','e','f','g','h','i','j','k','l','m','n','o',
    'p','q','r','s','t','u','v','w','x','y','z',0,0,0,0,0,
    0,'a','b','c','d','e','f','g','h','i','j','k','l','m','n','o',
    'p','q','r','s','t','u','v','w','x','y','z',0,0,0,0,0
};

/* ---- the word loop --------------------------------------------------------
   Most of a text is plain ASCII words, spaces and punctuation. When no
   token is open (no word or number in progress, no pending period or
   apostrophe after a letter, no partial UTF-8 sequence), mossa__text_fast
   runs the same rules as the byte machine (mossa__text_cp, whose cases it
   mirrors line by line) on whole words and on the ASCII separators, with
   the state in locals: it finds letter runs in 64-byte letter masks (one
   vector compare per 48 bytes), builds the memo key from the text with two
   8-byte loads, and handles a word only once it sees the byte after it. It
   stops (returning where) at a byte or word it leaves to the byte machine:
   digits, non-ASCII, a word of more than 15 bytes, a one-letter word before
   a period (an initial or acronym), a word whose end, or an apostrophe
   whose next byte, lies past the chunk. So the split of the text into
   chunks cannot change a count. */
#define MOSSA__F_STOP 0
#define MOSSA__F_SPACE 1
#define MOSSA__F_NL 2
#define MOSSA__F_OTHER 3       /* OTHER, HYPHEN */
#define MOSSA__F_CLOSE 4       /* CLOSE, and an apostrophe that follows no letter */
#define MOSSA__F_PERIOD 5
#define MOSSA__F_STRONG 6
#define MOSSA__F_LETTER 7
static const unsigned char mossa__text_fast_cls[256] = {
    3,3,3,3,3,3,3,3,3,1,2,1,1,1,3,3,
    3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
    1,6,4,3,3,3,3,4,3,4,3,3,3,3,5,3,
    0,0,0,0,0,0,0,0,0,0,3,3,3,3,3,6,
    3,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,
    7,7,7,7,7,7,7,7,7,7,7,3,3,4,3,3,
    3,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,
    7,7,7,7,7,7,7,7,7,7,7,3,3,4,3,3,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
};

/* Letter mask of the n < 64 bytes left at the end of a chunk. */
static uint64_t mossa__text_mask_tail(const unsigned char *p, size_t n)
{
    uint64_t m = 0;
    size_t j;
    for (j = 0; j < n; ++j) m |= (uint64_t)(((unsigned)p[j] | 0x20u) - 'a' < 26u) << j;
    return m;
}

/* mossa__text_sentence_end, mossa__text_decide and mossa__text_terminal on
   the locals of mossa__text_fast */
#define MOSSA__F_SENT_END()                                      \
    do {                                                         \
        if (sent_words) { sents++; sent_words = 0; }             \
        mid = 0;                                                 \
    } while (0)
#define MOSSA__F_DECIDE(lower, upper)                            \
    do {                                                         \
        unsigned t_ = term;                                      \
        term = 0;                                                \
        phase = 0;                                               \
        if (!(lower) && t_ != MOSSA__T_NEVER &&                  \
            !(t_ == MOSSA__T_CAPITAL && !(upper)))               \
            MOSSA__F_SENT_END();                                 \
    } while (0)
#define MOSSA__F_TERMINAL(kind)                                  \
    do {                                                         \
        if (phase == MOSSA__PH_AFTER) {                          \
            term = MOSSA__T_STRONG;                              \
        } else {                                                 \
            if (phase == MOSSA__PH_SPACE) MOSSA__F_DECIDE(0, 0); \
            term = (kind);                                       \
            phase = MOSSA__PH_AFTER;                             \
        }                                                        \
    } while (0)

/* Words found by the word loop wait in a batch for their memo lookups: a
   run of lookups with nothing between them lets the loads of many words
   overlap instead of each waiting behind the scanning of its word. */
#define MOSSA__TEXT_BATCH 32
typedef struct mossa__text_batch {
    uint64_t k0[MOSSA__TEXT_BATCH], k1[MOSSA__TEXT_BATCH];
    unsigned char n[MOSSA__TEXT_BATCH];
    unsigned char complex_ok[MOSSA__TEXT_BATCH];   /* 1 unless a proper noun */
} mossa__text_batch;

/* Adds the counts of the batched words; returns the last word's syllables. */
static int mossa__text_flush(mossa_text_scanner *s, const mossa__text_batch *b, size_t count)
{
    uint64_t syl = 0, poly = 0, cplx = 0;
    unsigned sy = 0;
    size_t j;
    for (j = 0; j < count; ++j) {
        unsigned pay = mossa__text_memo(s, b->k0[j], b->k1[j], b->n[j]);
        sy = (pay & 0xFFFFu) - 1;
        syl += sy;
        poly += sy >= 3;
        cplx += (pay >> 16) & b->complex_ok[j];
    }
    s->stats.syllables += syl;
    s->stats.polysyllables += poly;
    s->stats.complex_words += cplx;
    return (int)sy;
}

static size_t mossa__text_fast(mossa_text_scanner *s, const unsigned char *p, size_t i, size_t len,
                               const mossa__kernels *k)
{
    const uint64_t lower = 0x2020202020202020ULL;
    mossa__text_batch batch;
    size_t nb = 0;
    uint64_t words = 0, letters = 0, sents = 0;
    uint64_t sent_words = s->sent_words_, m;
    unsigned newlines = s->newlines_, mid = s->mid_sent_, term = s->term_, phase = s->term_phase_;
    size_t start = i, wb = i;
    m = len - i >= 64 ? k->text_letter_mask(p + i) : mossa__text_mask_tail(p + i, len - i);
    while (i < len) {
        size_t off = i - wb;
        unsigned c;
        if (off >= 48) {                /* keeps a word's 16 key bytes inside the window */
            wb = i;
            off = 0;
            m = len - i >= 64 ? k->text_letter_mask(p + i) : mossa__text_mask_tail(p + i, len - i);
        }
        if ((m >> off) & 1u) {
            uint64_t run = ~(m >> off), k0, k1;
            size_t n, napos = 0;
            unsigned cap;
            if (!run) break;
            n = mossa__ctz64(run);
            /* n bytes: letter runs joined by apostrophes; c = the class after */
            for (;;) {
                if (n > 15 || n >= len - i) goto stop;
                if (p[i + n] != '\'') break;
                if (n + 1 >= len - i || p[i + n + 1] >= 0x80) goto stop;   /* a letter may follow */
                if (!((m >> (off + n + 1)) & 1u)) break;     /* off + n + 1 <= 63 */
                n += 1 + mossa__ctz64(~(m >> (off + n + 1)));
                napos++;
            }
            c = mossa__text_fast_cls[p[i + n]];
            if (c == MOSSA__F_STOP || (c == MOSSA__F_PERIOD && n == 1)) break;
            if (len - i >= 16) {
                memcpy(&k0, p + i, 8);
                memcpy(&k1, p + i + 8, 8);
            } else {
                unsigned char b[16] = {0};
                memcpy(b, p + i, n);
                memcpy(&k0, b, 8);
                memcpy(&k1, b + 8, 8);
            }
            /* ' | 0x20 = ' */
            k0 = (k0 | lower) & mossa__text_first_bytes(n);
            k1 = (k1 | lower) & mossa__text_first_bytes(n < 8 ? 0 : n - 8);
            cap = p[i] < 'a';
            /* the first letter: ends a pending terminal, or lets it decide */
            if (phase == MOSSA__PH_AFTER) { term = 0; phase = 0; }
            else if (phase == MOSSA__PH_SPACE) MOSSA__F_DECIDE(!cap, cap);
            batch.k0[nb] = k0;
            batch.k1[nb] = k1;
            batch.n[nb] = (unsigned char)n;
            /* a proper noun (capitalised, not sentence-initial) is not complex */
            batch.complex_ok[nb] = (unsigned char)(!cap | !mid);
            nb++;
            words++;
            letters += n - napos;
            mid = 1;
            sent_words++;
            if (s->on_word) {           /* the hook sees the counts up to date */
                unsigned char b[16];
                int sy = mossa__text_flush(s, &batch, nb);
                nb = 0;
                s->stats.words += words; s->stats.letters += letters; s->stats.characters += letters;
                s->stats.sentences += sents;
                words = letters = sents = 0;
                s->sent_words_ = sent_words;
                memcpy(b, &k0, 8);
                memcpy(b + 8, &k1, 8);
                s->on_word(s->on_word_user, (const char *)b, n, sy);
            } else if (nb == MOSSA__TEXT_BATCH) {
                mossa__text_flush(s, &batch, nb);
                nb = 0;
            }
            /* the byte after the word (phase is 0 here) */
            i += n + 1;
            newlines = 0;
            if (c == MOSSA__F_NL) newlines = 1;
            else if (c == MOSSA__F_PERIOD)
                MOSSA__F_TERMINAL(n > 8 || napos ? MOSSA__T_PLAIN : mossa__text_abbrev_key(k0, (int)cap));
            else if (c == MOSSA__F_STRONG)
                MOSSA__F_TERMINAL(MOSSA__T_STRONG);
            /* SPACE, OTHER, CLOSE and the apostrophe (a CLOSE here): nothing more */
            continue;
        }
        c = mossa__text_fast_cls[p[i]];
        if (c == MOSSA__F_SPACE) {
            if (phase == MOSSA__PH_AFTER) phase = MOSSA__PH_SPACE;
        } else if (c == MOSSA__F_OTHER) {
            newlines = 0;
            if (phase == MOSSA__PH_AFTER) { term = 0; phase = 0; }
            else if (phase == MOSSA__PH_SPACE) MOSSA__F_DECIDE(0, 0);
        } else if (c == MOSSA__F_CLOSE) {
            newlines = 0;
            if (phase == MOSSA__PH_SPACE) MOSSA__F_DECIDE(0, 0);
        } else if (c == MOSSA__F_NL) {
            if (phase == MOSSA__PH_AFTER) phase = MOSSA__PH_SPACE;
            if (newlines < 2) ++newlines;
            if (newlines >= 2) {        /* blank line: paragraph break */
                term = 0;
                phase = 0;
                MOSSA__F_SENT_END();
            }
        } else if (c == MOSSA__F_PERIOD) {
            newlines = 0;
            MOSSA__F_TERMINAL(MOSSA__T_PLAIN);
        } else if (c == MOSSA__F_STRONG) {
            newlines = 0;
            MOSSA__F_TERMINAL(MOSSA__T_STRONG);
        } else {
            break;
        }
        ++i;
    }
stop:
    if (nb) mossa__text_flush(s, &batch, nb);
    s->stats.words += words;
    s->stats.letters += letters;
    s->stats.characters += letters;
    s->stats.sentences += sents;
    s->sent_words_ = sent_words;
    s->newlines_ = (uint8_t)newlines;
    s->mid_sent_ = (uint8_t)mid;
    s->term_ = (uint8_t)term;
    s->term_phase_ = phase;
    if (i != start) s->prev_word_ = 0;
    return i;
}
#undef MOSSA__F_SENT_END
#undef MOSSA__F_DECIDE
#undef MOSSA__F_TERMINAL

MOSSA_DEF void mossa_text_scanner_feed(mossa_text_scanner *s, const char *chunk, size_t len)
{
    const unsigned char *p = (const unsigned char *)chunk;
    const mossa__kernels *k;
    size_t i = 0;
    if (!s || !chunk) return;
    k = mossa__k();
    MOSSA__COUNT_CALL();
    while (i < len) {
        unsigned b = p[i];
        if (mossa__text_fast_cls[b] && !(s->cp_need_ | s->pend_ | s->tok_) && !s->no_memo_) {
            i = mossa__text_fast(s, p, i, len, k);
            if (i == len) break;
            b = p[i];                   /* stopped here: one step of the byte machine */
        }
        if (s->cp_need_) {
            if (b >= s->cp_min_hi_ && b <= s->cp_max_hi_) {
                s->cp_ = (s->cp_ << 6) | (b & 0x3F);
                s->cp_min_hi_ = 0x80;
                s->cp_max_hi_ = 0xBF;
                ++i;
                if (--s->cp_need_ == 0) {
                    unsigned char fold;
                    int cls = mossa__text_class_cp(s->cp_, &fold);
                    mossa__text_cp(s, cls, fold);
                }
            } else {                            /* truncated sequence: U+FFFD, then b afresh */
                s->cp_need_ = 0;
                mossa__text_cp(s, MOSSA__C_OTHER, 0);
            }
            continue;
        }
        if (b < 0x80) {
            /* fast paths: a word starting or going on with ASCII letters, and
               the space after it; everything else goes through mossa__text_cp */
            if (mossa__text_lower[b] && !s->pend_ && (s->tok_ == 1 || (s->tok_ == 0 && !s->term_phase_))) {
                size_t n, room;
                if (s->tok_ == 0) {
                    mossa__text_start_word(s, b < 'a');
                    s->newlines_ = 0;
                    s->prev_word_ = 0;
                }
                room = (s->tok_flags_ & MOSSA__TF_OVF) ? 0 : (size_t)(MOSSA_TEXT_WORD_MAX - 1 - s->wlen_);
                n = k->text_letters(p + i, len - i, s->word_ + s->wlen_, room);
                s->stats.characters += n;
                s->word_letters_ += (uint32_t)n;
                s->seg_ = (uint8_t)((size_t)s->seg_ + n > 255 ? 255 : s->seg_ + n);
                if (n <= room) {
                    s->wlen_ = (uint8_t)(s->wlen_ + n);
                } else {
                    size_t q;
                    s->wlen_ = (uint8_t)(s->wlen_ + room);
                    for (q = room; q < n; ++q) mossa__text_put(s, mossa__text_lower[p[i + q]]);
                }
                i += n;
                continue;
            }
            if (b == ' ' && s->tok_ == 1 && !s->pend_) {
                mossa__text_end_word(s);
                s->prev_word_ = 0;
                if (s->term_phase_ == MOSSA__PH_AFTER) s->term_phase_ = MOSSA__PH_SPACE;
                ++i;
                continue;
            }
            {
                int cls = mossa__text_ascii[b];
                mossa__text_cp(s, cls, cls <= MOSSA__C_UPPER ? mossa__text_lower[b] : 0);
            }
            ++i;
            continue;
        }
        ++i;
        if (b >= 0xC2 && b <= 0xDF) { s->cp_ = b & 0x1F; s->cp_need_ = 1; s->cp_min_hi_ = 0x80; s->cp_max_hi_ = 0xBF; }
        else if (b >= 0xE0 && b <= 0xEF) {
            s->cp_ = b & 0x0F; s->cp_need_ = 2;
            s->cp_min_hi_ = (uint8_t)(b == 0xE0 ? 0xA0 : 0x80);
            s->cp_max_hi_ = (uint8_t)(b == 0xED ? 0x9F : 0xBF);
        } else if (b >= 0xF0 && b <= 0xF4) {
            s->cp_ = b & 0x07; s->cp_need_ = 3;
            s->cp_min_hi_ = (uint8_t)(b == 0xF0 ? 0x90 : 0x80);
            s->cp_max_hi_ = (uint8_t)(b == 0xF4 ? 0x8F : 0xBF);
        } else {
            mossa__text_cp(s, MOSSA__C_OTHER, 0);   /* invalid lead or stray continuation */
        }
    }
}

MOSSA_DEF void mossa_text_scanner_finish(mossa_text_scanner *s, mossa_text_stats *stats)
{
    if (!s) return;
    if (s->cp_need_) { s->cp_need_ = 0; mossa__text_cp(s, MOSSA__C_OTHER, 0); }
    if (s->pend_) {
        int p = s->pend_;
        s->pend_ = 0;
        mossa__text_end_word(s);
        (void)p;
    }
    if (s->tok_) mossa__text_end_word(s);
    s->term_ = 0;
    s->term_phase_ = 0;
    mossa__text_sentence_end(s);
    if (stats) *stats = s->stats;
}

MOSSA_DEF void mossa_readability_score(const mossa_text_stats *st, mossa_readability_scores *sc)
{
    double W, S, asl, asw;
    if (!sc) return;
    memset(sc, 0, sizeof(*sc));
    if (!st || st->words == 0 || st->sentences == 0) return;
    W = (double)st->words;
    S = (double)st->sentences;
    asl = W / S;
    asw = (double)st->syllables / W;
    sc->defined = 1;
    sc->flesch_kincaid_grade = 0.39 * asl + 11.8 * asw - 15.59;
    sc->flesch_reading_ease = 206.835 - 1.015 * asl - 84.6 * asw;
    sc->automated_readability_index = 4.71 * (double)st->characters / W + 0.5 * asl - 21.43;
    sc->coleman_liau_index = 0.0588 * (100.0 * (double)st->letters / W) - 0.296 * (100.0 * S / W) - 15.8;
    sc->gunning_fog = 0.4 * (asl + 100.0 * (double)st->complex_words / W);
    sc->smog = 1.0430 * sqrt((double)st->polysyllables * 30.0 / S) + 3.1291;
}

MOSSA_DEF int mossa_syllables(const char *word, size_t len)
{
    mossa_text_scanner s;
    if (!word || len == 0) return 0;
    memset(&s, 0, offsetof(mossa_text_scanner, memo_));   /* no memo for one word */
    s.no_memo_ = 1;
    mossa_text_scanner_feed(&s, word, len);
    mossa_text_scanner_finish(&s, NULL);
    return s.stats.syllables > (uint64_t)INT_MAX ? INT_MAX : (int)s.stats.syllables;
}

MOSSA_DEF mossa_status mossa_readability(const char *text, size_t len, mossa_text_stats *stats,
                                         mossa_readability_scores *scores)
{
    mossa_text_scanner s;
    if (!text && len) return MOSSA_ERR_INVALID_ARGUMENT;
    mossa_text_scanner_init(&s);
    if (len) mossa_text_scanner_feed(&s, text, len);
    mossa_text_scanner_finish(&s, stats);
    if (scores) mossa_readability_score(&s.stats, scores);
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_readability_lines(const char *text, size_t len, size_t max_lines,
                                               mossa_text_stats *stats,
                                               mossa_readability_scores *scores, size_t *n_lines)
{
    size_t pos = 0, line = 0;
    mossa_text_scanner s;
    if ((!text && len) || !n_lines) return MOSSA_ERR_INVALID_ARGUMENT;
    mossa_text_scanner_init(&s);
    while (pos < len) {
        const char *nl = (const char *)memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (line < max_lines) {
            mossa_text_scanner_reset(&s);
            mossa_text_scanner_feed(&s, text + pos, end - pos);
            mossa_text_scanner_finish(&s, NULL);
            if (stats) stats[line] = s.stats;
            if (scores) mossa_readability_score(&s.stats, &scores[line]);
        }
        ++line;
        pos = nl ? end + 1 : len;
    }
    *n_lines = line;
    return line > max_lines ? MOSSA_ERR_TOO_LARGE : MOSSA_OK;
}

/* ==== impl/stats.c ==== */
/* stats.c - correlation with p-values, permutation tests, layer groups.
   The equations and the reasoning behind the layer groups are in stats.h. */

/* ---- special functions ------------------------------------------------ */

/* Continued fraction of I_x(a, b) (Numerical Recipes 6.4), evaluated with
   the modified Lentz method; converges fast for x < (a + 1) / (a + b + 2). */
static double mossa__betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap, h;
    int m;
    if (fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    h = d;
    for (m = 1; m <= 2000; ++m) {
        double m2 = 2.0 * m, aa, del;
        aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps) break;
    }
    return h;
}

MOSSA_DEF double mossa_incomplete_beta(double a, double b, double x)
{
    double lbt;
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1) || !isfinite(a) || !isfinite(b)) return -1.0;
    if (x == 0) return 0.0;
    if (x == 1) return 1.0;
    lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    /* Use the fraction on the side where it converges; the other side
       follows from I_x(a, b) = 1 - I_{1-x}(b, a). */
    if (x < (a + 1.0) / (a + b + 2.0)) return exp(lbt) * mossa__betacf(a, b, x) / a;
    return 1.0 - exp(lbt) * mossa__betacf(b, a, 1.0 - x) / b;
}

MOSSA_DEF double mossa_student_t_p(double t, double df)
{
    double p;
    if (!(df > 0) || isnan(t)) return -1.0;
    if (isinf(t)) return 0.0;
    /* P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2) */
    p = mossa_incomplete_beta(0.5 * df, 0.5, df / (df + t * t));
    return p < 0 ? 0 : (p > 1 ? 1 : p);
}

/* ---- correlation --------------------------------------------------------- */

static mossa_status mossa__check_pairs(const double *x, const double *y, size_t n)
{
    size_t i;
    if (!x || !y) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 3) return MOSSA_ERR_TOO_FEW_SAMPLES;
    for (i = 0; i < n; ++i)
        if (!isfinite(x[i]) || !isfinite(y[i])) return MOSSA_ERR_NONFINITE;
    return MOSSA_OK;
}

/* Two-pass centered Pearson r; MOSSA_ERR_ZERO_VARIANCE for a constant input. */
static mossa_status mossa__pearson_r(const double *x, const double *y, size_t n, double *r)
{
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0, v;
    size_t i;
    for (i = 0; i < n; ++i) { mx += x[i]; my += y[i]; }
    mx /= (double)n;
    my /= (double)n;
    for (i = 0; i < n; ++i) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
    }
    if (!(sxx > 0) || !(syy > 0)) return MOSSA_ERR_ZERO_VARIANCE;
    /* sqrt of the product, not the product of square roots: for exactly
       proportional inputs sxy == sxx == syy and r comes out exactly 1 */
    v = sxx * syy;
    v = isfinite(v) ? sxy / sqrt(v) : sxy / (sqrt(sxx) * sqrt(syy));
    *r = v > 1 ? 1 : (v < -1 ? -1 : v);
    return MOSSA_OK;
}

static void mossa__t_from_r(double r, size_t n, mossa_correlation *out)
{
    double df = (double)n - 2.0, one_minus = 1.0 - r * r;
    out->r = r;
    out->n = n;
    out->exact = 0;
    if (one_minus <= 0) {
        out->t = r > 0 ? HUGE_VAL : -HUGE_VAL;
        out->p = 0;
        return;
    }
    out->t = r * sqrt(df / one_minus);
    /* p through 1 - r^2 directly: I_{1-r^2}(df/2, 1/2) */
    out->p = mossa_incomplete_beta(0.5 * df, 0.5, one_minus);
    if (out->p < 0) out->p = 0;
    if (out->p > 1) out->p = 1;
}

MOSSA_DEF mossa_status mossa_pearson(const double *x, const double *y, size_t n,
                                     mossa_correlation *out)
{
    double r;
    if (!out) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    MOSSA__CHECK(mossa__check_pairs(x, y, n));
    MOSSA__CHECK(mossa__pearson_r(x, y, n, &r));
    mossa__t_from_r(r, n, out);
    return MOSSA_OK;
}

/* Sorting indices by value without qsort's lack of a context pointer:
   a small merge sort on (value, index) pairs, stable and O(n log n). */
typedef struct mossa__vi { double v; size_t i; } mossa__vi;

static void mossa__sort_vi(mossa__vi *a, mossa__vi *tmp, size_t n)
{
    size_t width, i;
    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            size_t lo = i, mid = MOSSA__MIN(i + width, n), hi = MOSSA__MIN(i + 2 * width, n);
            size_t p = lo, q = mid, k = lo;
            while (p < mid && q < hi) tmp[k++] = (a[q].v < a[p].v) ? a[q++] : a[p++];
            while (p < mid) tmp[k++] = a[p++];
            while (q < hi) tmp[k++] = a[q++];
        }
        memcpy(a, tmp, n * sizeof(*a));
    }
}

static mossa_status mossa__ranks_ctx(const mossa__ctx *ctx, const double *x, size_t n, double *ranks)
{
    mossa__vi *a, *tmp;
    size_t i, j;
    a = (mossa__vi *)mossa__calloc(ctx, n, sizeof(mossa__vi));
    tmp = (mossa__vi *)mossa__calloc(ctx, n, sizeof(mossa__vi));
    if (!a || !tmp) { mossa__free(ctx, a); mossa__free(ctx, tmp); return MOSSA_ERR_OUT_OF_MEMORY; }
    for (i = 0; i < n; ++i) { a[i].v = x[i]; a[i].i = i; }
    mossa__sort_vi(a, tmp, n);
    for (i = 0; i < n; i = j) {
        double avg;
        size_t k;
        for (j = i + 1; j < n && a[j].v == a[i].v; ++j) {}
        avg = 0.5 * (double)(i + 1 + j);   /* mean of the 1-based ranks i+1 .. j */
        for (k = i; k < j; ++k) ranks[a[k].i] = avg;
    }
    mossa__free(ctx, a);
    mossa__free(ctx, tmp);
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_ranks(const double *x, size_t n, double *ranks)
{
    mossa__ctx ctx;
    size_t i;
    if (!x || !ranks || n == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    for (i = 0; i < n; ++i) if (!isfinite(x[i])) return MOSSA_ERR_NONFINITE;
    ctx.allocator = NULL; ctx.n_threads = 1; ctx.pool = NULL;
    return mossa__ranks_ctx(&ctx, x, n, ranks);
}

/* Exact two-sided permutation p of Spearman's rho for n <= 9: all n!
   orderings of the y ranks (Heap's algorithm). Doubled ranks are integers
   and their deviations from the mean n + 1 too, so the statistic
   S = sum dx_i dy_i is exact and "as extreme" needs no tolerance. */
static double mossa__spearman_exact_p(const double *rx, const double *ry, size_t n)
{
    double dx[MOSSA_SPEARMAN_EXACT_MAX], dy[MOSSA_SPEARMAN_EXACT_MAX];
    size_t c[MOSSA_SPEARMAN_EXACT_MAX], i, k;
    double s_obs = 0, count = 0, total = 0;
    for (i = 0; i < n; ++i) {
        dx[i] = 2.0 * rx[i] - (double)(n + 1);
        dy[i] = 2.0 * ry[i] - (double)(n + 1);
        s_obs += dx[i] * dy[i];
        c[i] = 0;
    }
    s_obs = fabs(s_obs);
    for (;;) {
        double s = 0;
        for (k = 0; k < n; ++k) s += dx[k] * dy[k];
        total += 1;
        if (fabs(s) >= s_obs) count += 1;
        /* next permutation of dy (Heap) */
        i = 1;
        while (i < n && c[i] >= i) { c[i] = 0; ++i; }
        if (i >= n) break;
        {
            size_t a = (i % 2 == 0) ? 0 : c[i];
            double t = dy[a]; dy[a] = dy[i]; dy[i] = t;
        }
        ++c[i];
    }
    return count / total;
}

MOSSA_DEF mossa_status mossa_spearman(const double *x, const double *y, size_t n,
                                      mossa_correlation *out)
{
    mossa__ctx ctx;
    double *rx, *ry, r;
    mossa_status st;
    if (!out) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    MOSSA__CHECK(mossa__check_pairs(x, y, n));
    ctx.allocator = NULL; ctx.n_threads = 1; ctx.pool = NULL;
    rx = (double *)mossa__calloc(&ctx, n, sizeof(double));
    ry = (double *)mossa__calloc(&ctx, n, sizeof(double));
    if (!rx || !ry) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    if ((st = mossa__ranks_ctx(&ctx, x, n, rx)) != MOSSA_OK) goto done;
    if ((st = mossa__ranks_ctx(&ctx, y, n, ry)) != MOSSA_OK) goto done;
    if ((st = mossa__pearson_r(rx, ry, n, &r)) != MOSSA_OK) goto done;
    mossa__t_from_r(r, n, out);
    if (n <= MOSSA_SPEARMAN_EXACT_MAX) {
        out->p = mossa__spearman_exact_p(rx, ry, n);
        out->exact = 1;
    }
done:
    mossa__free(&ctx, rx);
    mossa__free(&ctx, ry);
    return st;
}

MOSSA_DEF mossa_status mossa_permutation_test(const double *x, const double *y, size_t n,
                                              mossa_corr_kind kind, size_t n_permutations,
                                              uint64_t seed, double *r, double *p)
{
    mossa__ctx ctx;
    double *a = NULL, *b = NULL, robs, count = 0;
    mossa_status st;
    size_t it, i;
    uint64_t counter = 0;
    if (!r || !p || (kind != MOSSA_CORR_PEARSON && kind != MOSSA_CORR_SPEARMAN))
        return MOSSA_ERR_INVALID_ARGUMENT;
    *r = 0; *p = 1;
    MOSSA__CHECK(mossa__check_pairs(x, y, n));
    if (n_permutations == 0) n_permutations = 9999;
    ctx.allocator = NULL; ctx.n_threads = 1; ctx.pool = NULL;
    a = (double *)mossa__calloc(&ctx, n, sizeof(double));
    b = (double *)mossa__calloc(&ctx, n, sizeof(double));
    if (!a || !b) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    if (kind == MOSSA_CORR_SPEARMAN) {
        if ((st = mossa__ranks_ctx(&ctx, x, n, a)) != MOSSA_OK) goto done;
        if ((st = mossa__ranks_ctx(&ctx, y, n, b)) != MOSSA_OK) goto done;
    } else {
        memcpy(a, x, n * sizeof(double));
        memcpy(b, y, n * sizeof(double));
    }
    if ((st = mossa__pearson_r(a, b, n, &robs)) != MOSSA_OK) goto done;
    for (it = 0; it < n_permutations; ++it) {
        double rp;
        for (i = n - 1; i > 0; --i) {
            size_t j = (size_t)(mossa_rng_uniform(seed, counter++) * (double)(i + 1));
            double t;
            if (j > i) j = i;
            t = b[i]; b[i] = b[j]; b[j] = t;
        }
        (void)mossa__pearson_r(a, b, n, &rp);
        /* the relative slack counts permutations that tie with the observed
           value up to rounding (e.g. the identity) as "as extreme" */
        if (fabs(rp) >= fabs(robs) * (1.0 - 1e-12)) count += 1;
    }
    *r = robs;
    *p = (1.0 + count) / (1.0 + (double)n_permutations);
    st = MOSSA_OK;
done:
    mossa__free(&ctx, a);
    mossa__free(&ctx, b);
    return st;
}

/* ---- segmentation ------------------------------------------------------- */

/* Prefix sums over positions 0..n-1 (x = index) of the curve shifted by its
   mean, in long double: the shift keeps y^2 sums small so that the O(1)
   residual formula does not cancel away the precision of flat segments. */
typedef struct mossa__prefix {
    long double *sx, *sxx, *sy, *syy, *sxy;   /* n + 1 entries each */
} mossa__prefix;

static double mossa__segment_rss(const mossa__prefix *ps, size_t i, size_t j)
{
    long double m = (long double)(j - i);
    long double sx = ps->sx[j] - ps->sx[i], sxx = ps->sxx[j] - ps->sxx[i];
    long double sy = ps->sy[j] - ps->sy[i], syy = ps->syy[j] - ps->syy[i];
    long double sxy = ps->sxy[j] - ps->sxy[i];
    long double cxx = sxx - sx * sx / m, cyy = syy - sy * sy / m, cxy = sxy - sx * sy / m;
    long double rss = cxx > 0 ? cyy - cxy * cxy / cxx : cyy;
    return rss > 0 ? (double)rss : 0.0;
}

/* Line fit of one segment in plain two-pass double (the reported numbers). */
static void mossa__line_fit(const double *y, size_t i, size_t j, double *a, double *b, double *rss)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0, r = 0, m = (double)(j - i);
    size_t k;
    for (k = i; k < j; ++k) { mx += (double)k; my += y[k]; }
    mx /= m; my /= m;
    for (k = i; k < j; ++k) { sxx += ((double)k - mx) * ((double)k - mx); sxy += ((double)k - mx) * (y[k] - my); }
    *b = sxx > 0 ? sxy / sxx : 0;
    *a = my - *b * mx;
    for (k = i; k < j; ++k) { double e = y[k] - (*a + *b * (double)k); r += e * e; }
    *rss = r;
}

static mossa_status mossa__segment_linear(const mossa_allocator *allocator, const double *y,
                                          size_t n, size_t k, size_t min_length,
                                          size_t *starts, double *rss);

MOSSA_DEF mossa_status mossa_segment_linear(const double *y, size_t n, size_t k,
                                            size_t min_length, size_t *starts, double *rss)
{
    return mossa__segment_linear(NULL, y, n, k, min_length, starts, rss);
}

static mossa_status mossa__segment_linear(const mossa_allocator *allocator, const double *y,
                                          size_t n, size_t k, size_t min_length,
                                          size_t *starts, double *rss)
{
    mossa__ctx ctx;
    mossa__prefix ps;
    double *cost = NULL, mean = 0;
    size_t *arg = NULL, s, i, j, total;
    mossa_status st = MOSSA_OK;
    if (!y || !starts || !rss || k == 0 || min_length < 2) return MOSSA_ERR_INVALID_ARGUMENT;
    *rss = 0;
    if (mossa__mul_overflows(k, min_length, &total) || n < total) return MOSSA_ERR_TOO_FEW_SAMPLES;
    for (i = 0; i < n; ++i) { if (!isfinite(y[i])) return MOSSA_ERR_NONFINITE; mean += y[i]; }
    mean /= (double)n;
    ctx.allocator = allocator; ctx.n_threads = 1; ctx.pool = NULL;
    memset(&ps, 0, sizeof(ps));
    ps.sx = (long double *)mossa__calloc(&ctx, 5 * (n + 1), sizeof(long double));
    cost = (double *)mossa__calloc(&ctx, k * (n + 1), sizeof(double));
    arg = (size_t *)mossa__calloc(&ctx, k * (n + 1), sizeof(size_t));
    if (!ps.sx || !cost || !arg) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    ps.sxx = ps.sx + (n + 1); ps.sy = ps.sxx + (n + 1); ps.syy = ps.sy + (n + 1); ps.sxy = ps.syy + (n + 1);
    for (i = 0; i < n; ++i) {
        long double x = (long double)i, v = (long double)(y[i] - mean);
        ps.sx[i + 1] = ps.sx[i] + x;
        ps.sxx[i + 1] = ps.sxx[i] + x * x;
        ps.sy[i + 1] = ps.sy[i] + v;
        ps.syy[i + 1] = ps.syy[i] + v * v;
        ps.sxy[i + 1] = ps.sxy[i] + x * v;
    }
    /* cost[s][j]: best residual of the first j points cut into s+1 segments;
       arg[s][j]: where the last of them starts. HUGE_VAL marks "impossible". */
    for (s = 0; s < k; ++s)
        for (j = 0; j <= n; ++j) cost[s * (n + 1) + j] = HUGE_VAL;
    for (j = min_length; j <= n; ++j) { cost[j] = mossa__segment_rss(&ps, 0, j); arg[j] = 0; }
    for (s = 1; s < k; ++s) {
        for (j = (s + 1) * min_length; j <= n; ++j) {
            double best = HUGE_VAL;
            size_t best_i = 0;
            for (i = s * min_length; i + min_length <= j; ++i) {
                double prev = cost[(s - 1) * (n + 1) + i], c;
                if (prev == HUGE_VAL) continue;
                c = prev + mossa__segment_rss(&ps, i, j);
                if (c < best) { best = c; best_i = i; }
            }
            cost[s * (n + 1) + j] = best;
            arg[s * (n + 1) + j] = best_i;
        }
    }
    j = n;
    for (s = k; s-- > 0;) {
        starts[s] = s == 0 ? 0 : arg[s * (n + 1) + j];
        j = starts[s];
    }
    {
        double total_rss = 0, a, b, r;
        for (s = 0; s < k; ++s) {
            mossa__line_fit(y, starts[s], s + 1 < k ? starts[s + 1] : n, &a, &b, &r);
            total_rss += r;
        }
        *rss = total_rss;
    }
done:
    mossa__free(&ctx, ps.sx);
    mossa__free(&ctx, cost);
    mossa__free(&ctx, arg);
    return st;
}

MOSSA_DEF mossa_status mossa_layer_groups_fit(const double *curve, size_t n,
                                              const mossa_group_options *options,
                                              mossa_layer_groups *groups)
{
    size_t starts[3], min_len, g;
    double rss, mean = 0, tss = 0, a, b, line_rss;
    size_t i;
    if (!groups) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(groups, 0, sizeof(*groups));
    if (!curve) return MOSSA_ERR_INVALID_ARGUMENT;
    min_len = options && options->min_length ? options->min_length : MOSSA__MAX((size_t)2, n / 8);
    if (min_len < 2) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 3 * min_len) return MOSSA_ERR_TOO_FEW_SAMPLES;
    MOSSA__CHECK(mossa__segment_linear(options ? options->allocator : NULL, curve, n, 3, min_len, starts, &rss));
    for (i = 0; i < n; ++i) mean += curve[i];
    mean /= (double)n;
    for (i = 0; i < n; ++i) tss += (curve[i] - mean) * (curve[i] - mean);
    for (g = 0; g < 3; ++g) {
        double r;
        groups->first[g] = starts[g];
        groups->last[g] = (g < 2 ? starts[g + 1] : n) - 1;
        mossa__line_fit(curve, groups->first[g], groups->last[g] + 1, &groups->intercept[g],
                        &groups->slope[g], &r);
    }
    mossa__line_fit(curve, 0, n, &a, &b, &line_rss);
    groups->rss = rss;
    groups->r2 = tss > 0 ? 1.0 - rss / tss : 1.0;
    groups->r2_line = tss > 0 ? 1.0 - line_rss / tss : 1.0;
    groups->paper_shape = groups->slope[1] > 0 && groups->slope[1] > fabs(groups->slope[0]) &&
                          groups->slope[1] > fabs(groups->slope[2]);
    return MOSSA_OK;
}

/* ==== impl/analysis.c ==== */
/* analysis.c - the MOSSA pipeline over models x tasks x layers (see
   analysis.h). Streaming order: task by task, layer by layer, the
   control's matrix Z_t,l is loaded once and every other model's Y_t,l is
   compared with it and released before the next is loaded. */

MOSSA_DEF size_t mossa_default_map_layers(size_t n_layers, size_t *out)
{
    size_t cand[5], i, j, m = 0;
    double last;
    if (n_layers == 0 || !out) return 0;
    last = (double)(n_layers - 1);
    cand[0] = 0;
    cand[1] = (size_t)floor(last / 3.0 + 0.5);
    cand[2] = (size_t)floor(last / 2.0 + 0.5);
    cand[3] = (size_t)floor(2.0 * last / 3.0 + 0.5);
    cand[4] = n_layers - 1;
    for (i = 0; i < 5; ++i) {
        int dup = 0;
        for (j = 0; j < m; ++j) if (out[j] == cand[i]) dup = 1;
        if (!dup) out[m++] = cand[i];
    }
    return m;
}

MOSSA_DEF mossa_status mossa_task_grade(const char *text, size_t len, double *grade,
                                        size_t *n_lines, size_t *n_scored)
{
    size_t i = 0, lines = 0, scored = 0;
    double sum = 0;
    if (grade) *grade = 0;
    if (n_lines) *n_lines = 0;
    if (n_scored) *n_scored = 0;
    if (!text && len) return MOSSA_ERR_INVALID_ARGUMENT;
    while (i < len) {
        size_t start = i, end;
        mossa_readability_scores sc;
        mossa_status st;
        while (i < len && text[i] != '\n') ++i;
        end = i;
        if (i < len) ++i;               /* the newline */
        if (end > start && text[end - 1] == '\r') --end;
        ++lines;
        st = mossa_readability(text + start, end - start, NULL, &sc);
        if (st != MOSSA_OK) return st;
        if (sc.defined) { sum += sc.flesch_kincaid_grade; ++scored; }
    }
    if (n_lines) *n_lines = lines;
    if (n_scored) *n_scored = scored;
    if (scored == 0) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (grade) *grade = sum / (double)scored;
    return MOSSA_OK;
}

/* numpy's default quantile: linear interpolation at position q (n - 1)
   of the sorted values. */
static double mossa__quantile_sorted(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1), frac;
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n) return v[n - 1];
    frac = pos - (double)lo;
    return v[lo] + frac * (v[lo + 1] - v[lo]);
}

static void mossa__sort_doubles(double *v, size_t n)
{
    size_t i, j;
    for (i = 1; i < n; ++i) {          /* insertion sort: n is a task count */
        double t = v[i];
        for (j = i; j > 0 && v[j - 1] > t; --j) v[j] = v[j - 1];
        v[j] = t;
    }
}

MOSSA_DEF void mossa_analysis_free(mossa_analysis_result *r)
{
    mossa__ctx ctx;
    if (!r) return;
    ctx.allocator = r->allocator; ctx.n_threads = 1; ctx.pool = NULL;
    mossa__free(&ctx, r->cka);
    mossa__free(&ctx, r->cka_mean);
    mossa__free(&ctx, r->rank);
    mossa__free(&ctx, r->explained);
    mossa__free(&ctx, r->pearson);
    mossa__free(&ctx, r->spearman);
    mossa__free(&ctx, r->groups);
    mossa__free(&ctx, r->groups_status);
    mossa__free(&ctx, r->map_layer);
    mossa__free(&ctx, r->map_task);
    mossa__free(&ctx, r->map_row);
    mossa__free(&ctx, r->map);
    mossa__free(&ctx, r->map_kl);
    memset(r, 0, sizeof(*r));
}

typedef struct mossa__run {
    const mossa_analysis_input *in;
    const mossa_analysis_options *opt;
    mossa_analysis_result *r;
    mossa__ctx *ctx;
    size_t done, total;
    size_t map_units;               /* progress units per map: the maps fill half the bar */
} mossa__run;

static mossa_status mossa__tick(mossa__run *run, const char *stage, size_t units)
{
    run->done += units;
    if (run->opt->progress && run->opt->progress(run->opt->progress_user, run->done, run->total, stage))
        return MOSSA_ERR_CANCELLED;
    return MOSSA_OK;
}

static mossa_status mossa__load(mossa__run *run, size_t m, size_t t, size_t l,
                                const float **x, size_t *rows, size_t *cols)
{
    mossa_status st;
    *x = NULL; *rows = 0; *cols = 0;
    st = run->in->load(run->in->user, m, t, l, x, rows, cols);
    if (st == MOSSA_OK && (!*x || *rows == 0 || *cols == 0)) st = MOSSA_ERR_INVALID_ARGUMENT;
    if (st != MOSSA_OK) {
        if (*x && run->in->release) run->in->release(run->in->user, *x);
        *x = NULL;
        run->r->failed_model = m; run->r->failed_task = t; run->r->failed_layer = l;
    }
    return st;
}

static void mossa__release(mossa__run *run, const float *x)
{
    if (x && run->in->release) run->in->release(run->in->user, x);
}

static mossa_status mossa__rank_of(mossa__run *run, const float *x, size_t n, size_t d, size_t at)
{
    mossa_rank_options ro;
    mossa_rank_result rr;
    mossa_status st;
    memset(&ro, 0, sizeof(ro));
    ro.variance = run->opt->variance;
    ro.n_threads = run->ctx->n_threads;
    ro.allocator = run->ctx->allocator;
    st = mossa_variance_rank(x, n, d, &ro, &rr);
    if (st != MOSSA_OK) return st;
    run->r->rank[at] = rr.rank;
    run->r->explained[at] = rr.explained;
    return MOSSA_OK;
}

/* Pass 1: CKA and ranks, one (task, layer) at a time. */
static mossa_status mossa__pass_cka(mossa__run *run)
{
    const mossa_analysis_input *in = run->in;
    mossa_analysis_result *r = run->r;
    size_t t, l, m, L = in->n_layers, T = in->n_tasks;
    mossa_cka_options co = run->opt->cka;
    mossa_status st;
    co.n_threads = run->ctx->n_threads;
    co.allocator = run->ctx->allocator;
    for (t = 0; t < T; ++t) {
        size_t task_rows = 0;
        for (l = 0; l < L; ++l) {
            const float *z, *y;
            size_t nz, dz, ny, dy;
            MOSSA__CHECK(mossa__load(run, in->control, t, l, &z, &nz, &dz));
            if (l > 0 && nz != task_rows) {
                r->failed_model = in->control; r->failed_task = t; r->failed_layer = l;
                mossa__release(run, z);
                return MOSSA_ERR_DIMENSION_MISMATCH;
            }
            task_rows = nz;
            st = mossa__rank_of(run, z, nz, dz, (in->control * T + t) * L + l);
            r->cka[(in->control * T + t) * L + l] = 1.0;
            if (st != MOSSA_OK) {
                r->failed_model = in->control; r->failed_task = t; r->failed_layer = l;
                mossa__release(run, z);
                return st;
            }
            for (m = 0; m < in->n_models; ++m) {
                size_t at = (m * T + t) * L + l;
                if (m == in->control) continue;
                st = mossa__load(run, m, t, l, &y, &ny, &dy);
                if (st != MOSSA_OK) { mossa__release(run, z); return st; }
                if (ny != nz) st = MOSSA_ERR_DIMENSION_MISMATCH;
                if (st == MOSSA_OK) st = mossa_cka(y, ny, dy, z, dz, &co, &r->cka[at]);
                if (st == MOSSA_OK) st = mossa__rank_of(run, y, ny, dy, at);
                mossa__release(run, y);
                if (st != MOSSA_OK) {
                    r->failed_model = m; r->failed_task = t; r->failed_layer = l;
                    mossa__release(run, z);
                    return st;
                }
            }
            mossa__release(run, z);
            MOSSA__CHECK(mossa__tick(run, "cka", 1));
        }
    }
    return MOSSA_OK;
}

/* Summaries, correlations and groups from the CKA table. */
static mossa_status mossa__summaries(mossa__run *run)
{
    const mossa_analysis_input *in = run->in;
    mossa_analysis_result *r = run->r;
    size_t T = in->n_tasks, L = in->n_layers, m, t, l;
    double *col = (double *)mossa__calloc(run->ctx, T, sizeof(double));
    double *sorted = (double *)mossa__calloc(run->ctx, T, sizeof(double));
    mossa_group_options go;
    if (!col || !sorted) { mossa__free(run->ctx, col); mossa__free(run->ctx, sorted); return MOSSA_ERR_OUT_OF_MEMORY; }
    memset(&go, 0, sizeof(go));
    go.min_length = run->opt->group_min_length;
    go.allocator = run->ctx->allocator;
    for (m = 0; m < in->n_models; ++m) {
        for (l = 0; l < L; ++l) {
            size_t at = m * L + l;
            double sum = 0;
            for (t = 0; t < T; ++t) { col[t] = r->cka[(m * T + t) * L + l]; sum += col[t]; }
            memcpy(sorted, col, T * sizeof(double));
            mossa__sort_doubles(sorted, T);
            r->cka_mean[at] = sum / (double)T;
            r->cka_min[at] = sorted[0];
            r->cka_q1[at] = mossa__quantile_sorted(sorted, T, 0.25);
            r->cka_median[at] = mossa__quantile_sorted(sorted, T, 0.5);
            r->cka_q3[at] = mossa__quantile_sorted(sorted, T, 0.75);
            r->cka_max[at] = sorted[T - 1];
            if (m != in->control && in->task_grade) {
                /* undefined (constant column, < 3 tasks) stays n = 0 */
                if (mossa_pearson(col, in->task_grade, T, &r->pearson[at]) != MOSSA_OK)
                    memset(&r->pearson[at], 0, sizeof(mossa_correlation));
                if (mossa_spearman(col, in->task_grade, T, &r->spearman[at]) != MOSSA_OK)
                    memset(&r->spearman[at], 0, sizeof(mossa_correlation));
            }
        }
        if (m == in->control) r->groups_status[m] = MOSSA_ERR_INVALID_ARGUMENT;
        else r->groups_status[m] = mossa_layer_groups_fit(r->cka_mean + m * L, L, &go, &r->groups[m]);
    }
    mossa__free(run->ctx, col);
    mossa__free(run->ctx, sorted);
    return MOSSA_OK;
}

/* Centers x (n x d) and projects it on its top k principal axes
   (randomized SVD): out = U S, n x k. */
static mossa_status mossa__pca(mossa__run *run, float *x, size_t n, size_t d, size_t k, float *out)
{
    double *mean = NULL, *s = NULL;
    float *u = NULL;
    mossa_svd_options so;
    mossa_status st = MOSSA_OK;
    size_t i, j;
    mean = (double *)mossa__calloc(run->ctx, d, sizeof(double));
    s = (double *)mossa__calloc(run->ctx, k, sizeof(double));
    u = (float *)mossa__calloc(run->ctx, n * k, sizeof(float));
    if (!mean || !s || !u) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
    for (i = 0; i < n; ++i) for (j = 0; j < d; ++j) mean[j] += x[i * d + j];
    for (j = 0; j < d; ++j) mean[j] /= (double)n;
    for (i = 0; i < n; ++i) for (j = 0; j < d; ++j) x[i * d + j] = (float)(x[i * d + j] - mean[j]);
    memset(&so, 0, sizeof(so));
    so.seed = 0x4d4f535341ULL;
    so.n_threads = run->ctx->n_threads;
    so.allocator = run->ctx->allocator;
    st = mossa_svd_randomized(x, n, d, k, &so, s, u, NULL);
    if (st != MOSSA_OK) goto done;
    for (i = 0; i < n; ++i) for (j = 0; j < k; ++j) out[i * k + j] = (float)(u[i * k + j] * s[j]);
done:
    mossa__free(run->ctx, mean);
    mossa__free(run->ctx, s);
    mossa__free(run->ctx, u);
    return st;
}

/* One t-SNE job: a (model, map layer) pair whose input is already sampled
   (and PCA-reduced). Jobs run one per worker with a single-threaded t-SNE
   each: a map of a few hundred points keeps two cores busier this way than
   one threaded run at a time, and the result cannot depend on the thread
   count because every job is the same single-threaded computation. */
typedef struct mossa__map_job {
    float *input;
    size_t dim, model, map;
    mossa_status status;
    double kl;
} mossa__map_job;

typedef struct mossa__map_batch {
    mossa__run *run;
    mossa__map_job *jobs;
} mossa__map_batch;

static void mossa__map_task(void *arg, size_t task, int worker)
{
    mossa__map_batch *b = (mossa__map_batch *)arg;
    mossa__run *run = b->run;
    mossa__map_job *job = &b->jobs[task];
    mossa_analysis_result *r = run->r;
    mossa_tsne_options to = run->opt->tsne;
    mossa_tsne_result tr;
    size_t P = r->map_points;
    (void)worker;
    memset(&tr, 0, sizeof(tr));
    to.dims = 2;
    if (to.iterations == 0) to.iterations = 500;
    if (to.perplexity == 0) to.perplexity = 30;
    /* perplexity needs at least 3 perplexity + 1 points */
    if (3.0 * to.perplexity + 1 > (double)P) to.perplexity = ((double)P - 1) / 3.0;
    to.n_threads = 1;
    to.allocator = run->ctx->allocator;
    to.progress = NULL;
    job->status = mossa_tsne(job->input, P, job->dim, &to, r->map + (job->model * r->n_maps + job->map) * P * 2, &tr);
    job->kl = tr.kl;
}

/* Pass 2: the t-SNE maps. Gathering is sequential and streams (one task's
   matrix at a time); each map's input is kept only in its reduced form
   (P x min(d, pca) floats), then the maps run in parallel. */
static mossa_status mossa__pass_maps(mossa__run *run, const size_t *task_rows)
{
    const mossa_analysis_input *in = run->in;
    const mossa_analysis_options *opt = run->opt;
    mossa_analysis_result *r = run->r;
    size_t T = in->n_tasks, P = r->map_points, per_task, mi, m, t, i, n_jobs = 0, j;
    size_t width = 0, pca = opt->tsne_pca_dims ? opt->tsne_pca_dims : 50;
    float *sample = NULL;
    mossa__map_job *jobs = NULL;
    mossa__map_batch batch;
    mossa_status st = MOSSA_OK;
    per_task = opt->tsne_max_per_task ? opt->tsne_max_per_task : MOSSA__MAX((size_t)20, 600 / T);
    jobs = (mossa__map_job *)mossa__calloc(run->ctx, r->n_maps * in->n_models, sizeof(mossa__map_job));
    if (!jobs) return MOSSA_ERR_OUT_OF_MEMORY;
    for (mi = 0; mi < r->n_maps; ++mi) {
        for (m = 0; m < in->n_models; ++m) {
            size_t p = 0, d = 0, dim;
            float *keep;
            if (m == in->control) continue;
            for (t = 0; t < T; ++t) {
                const float *x;
                size_t n, cols, take = MOSSA__MIN(task_rows[t], per_task);
                st = mossa__load(run, m, t, r->map_layer[mi], &x, &n, &cols);
                if (st != MOSSA_OK) goto done;
                if (n != task_rows[t] || (d && cols != d)) {
                    r->failed_model = m; r->failed_task = t; r->failed_layer = r->map_layer[mi];
                    mossa__release(run, x);
                    st = MOSSA_ERR_DIMENSION_MISMATCH;
                    goto done;
                }
                if (!sample || cols > width) {
                    size_t count;
                    mossa__free(run->ctx, sample);
                    width = cols;
                    if (mossa__mul_overflows(P, width, &count)) { mossa__release(run, x); st = MOSSA_ERR_TOO_LARGE; goto done; }
                    sample = (float *)mossa__calloc(run->ctx, count, sizeof(float));
                    if (!sample) { mossa__release(run, x); st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
                }
                d = cols;
                for (i = 0; i < take; ++i) {
                    size_t row = i * n / take;
                    memcpy(sample + (p + i) * d, x + row * d, d * sizeof(float));
                }
                p += take;
                mossa__release(run, x);
            }
            dim = (d > pca && P > pca) ? pca : d;
            keep = (float *)mossa__calloc(run->ctx, P * dim, sizeof(float));
            if (!keep) { st = MOSSA_ERR_OUT_OF_MEMORY; goto done; }
            jobs[n_jobs].input = keep;
            jobs[n_jobs].dim = dim;
            jobs[n_jobs].model = m;
            jobs[n_jobs].map = mi;
            ++n_jobs;
            if (dim < d) {
                st = mossa__pca(run, sample, P, d, pca, keep);
                if (st != MOSSA_OK) { r->failed_model = m; r->failed_task = 0; r->failed_layer = r->map_layer[mi]; goto done; }
            } else memcpy(keep, sample, P * d * sizeof(float));
        }
    }
    mossa__free(run->ctx, sample);
    sample = NULL;
    batch.run = run;
    /* batches of one job per worker, so that progress is reported between them */
    for (j = 0; j < n_jobs; j += (size_t)run->ctx->n_threads) {
        size_t k, count = MOSSA__MIN((size_t)run->ctx->n_threads, n_jobs - j);
        batch.jobs = jobs + j;
        mossa__parallel(run->ctx, count, mossa__map_task, &batch);
        for (k = j; k < j + count; ++k) {
            if (jobs[k].status != MOSSA_OK) {
                st = jobs[k].status;
                r->failed_model = jobs[k].model; r->failed_task = 0; r->failed_layer = r->map_layer[jobs[k].map];
                goto done;
            }
            r->map_kl[jobs[k].model * r->n_maps + jobs[k].map] = jobs[k].kl;
            if ((st = mossa__tick(run, "t-SNE", run->map_units)) != MOSSA_OK) goto done;
        }
    }
done:
    for (j = 0; j < n_jobs; ++j) mossa__free(run->ctx, jobs[j].input);
    mossa__free(run->ctx, jobs);
    mossa__free(run->ctx, sample);
    return st;
}

/* Row counts per task from the control's first layer (the CKA pass checks
   every other matrix against them). */
static mossa_status mossa__task_rows(mossa__run *run, size_t *rows)
{
    size_t t;
    for (t = 0; t < run->in->n_tasks; ++t) {
        const float *x;
        size_t n, d;
        MOSSA__CHECK(mossa__load(run, run->in->control, t, 0, &x, &n, &d));
        rows[t] = n;
        mossa__release(run, x);
    }
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_analyze(const mossa_analysis_input *in,
                                     const mossa_analysis_options *options,
                                     mossa_analysis_result *r)
{
    mossa_analysis_options opt;
    mossa__ctx ctx;
    mossa__run run;
    size_t M, T, L, cells, i, *task_rows = NULL, per_task;
    mossa_status st;
    if (!r) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(r, 0, sizeof(*r));
    if (!in || !in->load || in->n_models < 2 || in->n_tasks == 0 || in->n_layers == 0 ||
        in->control >= in->n_models)
        return MOSSA_ERR_INVALID_ARGUMENT;
    if (options) opt = *options; else memset(&opt, 0, sizeof(opt));
    if (opt.variance < 0 || opt.variance > 1) return MOSSA_ERR_INVALID_ARGUMENT;
    if (in->task_grade)
        for (i = 0; i < in->n_tasks; ++i) if (!isfinite(in->task_grade[i])) return MOSSA_ERR_NONFINITE;
    if (!opt.no_tsne && opt.tsne_layers)
        for (i = 0; i < opt.n_tsne_layers; ++i) if (opt.tsne_layers[i] >= in->n_layers) return MOSSA_ERR_INVALID_ARGUMENT;
    M = in->n_models; T = in->n_tasks; L = in->n_layers;
    if (mossa__mul_overflows(M, T, &cells) || mossa__mul_overflows(cells, L, &cells))
        return MOSSA_ERR_TOO_LARGE;
    MOSSA__CHECK(mossa__ctx_begin(&ctx, opt.n_threads, opt.allocator));
    r->allocator = opt.allocator;
    r->n_models = M; r->n_tasks = T; r->n_layers = L; r->control = in->control;
    r->cka = (double *)mossa__calloc(&ctx, cells, sizeof(double));
    r->rank = (size_t *)mossa__calloc(&ctx, cells, sizeof(size_t));
    r->explained = (double *)mossa__calloc(&ctx, cells, sizeof(double));
    r->cka_mean = (double *)mossa__calloc(&ctx, 6 * M * L, sizeof(double));
    r->pearson = (mossa_correlation *)mossa__calloc(&ctx, M * L, sizeof(mossa_correlation));
    r->spearman = (mossa_correlation *)mossa__calloc(&ctx, M * L, sizeof(mossa_correlation));
    r->groups = (mossa_layer_groups *)mossa__calloc(&ctx, M, sizeof(mossa_layer_groups));
    r->groups_status = (mossa_status *)mossa__calloc(&ctx, M, sizeof(mossa_status));
    r->map_layer = (size_t *)mossa__calloc(&ctx, 8 + opt.n_tsne_layers, sizeof(size_t));
    task_rows = (size_t *)mossa__calloc(&ctx, T, sizeof(size_t));
    if (!r->cka || !r->rank || !r->explained || !r->cka_mean || !r->pearson || !r->spearman ||
        !r->groups || !r->groups_status || !r->map_layer || !task_rows) {
        st = MOSSA_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    r->cka_min = r->cka_mean + M * L;
    r->cka_q1 = r->cka_min + M * L;
    r->cka_median = r->cka_q1 + M * L;
    r->cka_q3 = r->cka_median + M * L;
    r->cka_max = r->cka_q3 + M * L;
    if (!opt.no_tsne) {
        if (opt.tsne_layers && opt.n_tsne_layers) {
            r->n_maps = opt.n_tsne_layers;
            memcpy(r->map_layer, opt.tsne_layers, r->n_maps * sizeof(size_t));
        } else r->n_maps = mossa_default_map_layers(L, r->map_layer);
    }
    run.in = in; run.opt = &opt; run.r = r; run.ctx = &ctx; run.done = 0;
    run.map_units = r->n_maps ? MOSSA__MAX((size_t)1, (T * L + r->n_maps * (M - 1) - 1) / (r->n_maps * (M - 1))) : 0;
    run.total = T * L + r->n_maps * (M - 1) * run.map_units;
    if ((st = mossa__task_rows(&run, task_rows)) != MOSSA_OK) goto fail;
    if ((st = mossa__pass_cka(&run)) != MOSSA_OK) goto fail;
    if ((st = mossa__summaries(&run)) != MOSSA_OK) goto fail;
    if (r->n_maps) {
        per_task = opt.tsne_max_per_task ? opt.tsne_max_per_task : MOSSA__MAX((size_t)20, 600 / T);
        r->map_points = 0;
        for (i = 0; i < T; ++i) r->map_points += MOSSA__MIN(task_rows[i], per_task);
        r->map_task = (size_t *)mossa__calloc(&ctx, r->map_points, sizeof(size_t));
        r->map_row = (size_t *)mossa__calloc(&ctx, r->map_points, sizeof(size_t));
        r->map = (float *)mossa__calloc(&ctx, M * r->n_maps * r->map_points * 2, sizeof(float));
        r->map_kl = (double *)mossa__calloc(&ctx, M * r->n_maps, sizeof(double));
        if (!r->map_task || !r->map_row || !r->map || !r->map_kl) { st = MOSSA_ERR_OUT_OF_MEMORY; goto fail; }
        {
            /* point -> (task, row) bookkeeping, independent of the models */
            size_t p = 0, t, k, take;
            for (t = 0; t < T; ++t) {
                take = MOSSA__MIN(task_rows[t], per_task);
                for (k = 0; k < take; ++k, ++p) { r->map_task[p] = t; r->map_row[p] = k * task_rows[t] / take; }
            }
        }
        if ((st = mossa__pass_maps(&run, task_rows)) != MOSSA_OK) goto fail;
    }
    mossa__free(&ctx, task_rows);
    mossa__ctx_end(&ctx);
    return MOSSA_OK;
fail:
    {
        size_t fm = r->failed_model, ft = r->failed_task, fl = r->failed_layer;
        mossa__free(&ctx, task_rows);
        mossa__ctx_end(&ctx);
        mossa_analysis_free(r);
        r->failed_model = fm; r->failed_task = ft; r->failed_layer = fl;
    }
    return st;
}

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
