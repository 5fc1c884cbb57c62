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
