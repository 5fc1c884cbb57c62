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
