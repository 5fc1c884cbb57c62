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
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
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
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
/* ---- text ------------------------------------------------------------------ */
/* One 64-byte compare straight into a mask register. */
MOSSA__TARGET_AVX512 static uint64_t mossa__text_letter_mask_avx512(const unsigned char *p)
{
    __m512i x = _mm512_sub_epi8(_mm512_or_si512(_mm512_loadu_si512((const void *)p), _mm512_set1_epi8(0x20)),
                                _mm512_set1_epi8('a'));
    return (uint64_t)_mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(26));
}

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
/* ---- svd ------------------------------------------------------------------- */
/* ---- tsne ------------------------------------------------------------------ */
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
    t->text_letters = mossa__text_letters_neon;
    t->text_letter_mask = mossa__text_letter_mask_neon;
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
/* tsne.c - Barnes-Hut t-SNE. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_tsne(const float *x, size_t n, size_t d, const mossa_tsne_options *options,
                                  float *y, mossa_tsne_result *result)
{ (void)x; (void)n; (void)d; (void)options; (void)y; (void)result; return MOSSA_ERR_NOT_IMPLEMENTED; }

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
