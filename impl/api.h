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
