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
