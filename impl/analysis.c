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
