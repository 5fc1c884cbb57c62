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
