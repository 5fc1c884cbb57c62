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
