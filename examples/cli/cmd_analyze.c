/* cmd_analyze.c - `mossa analyze DIR` and `mossa demo`: validate the data
   directory, stream its matrices through mossa_analyze (one (task, layer)
   at a time: peak memory is a few matrices, not the directory), write
   report.json, the SVG figures and index.html, and print a summary. */
#define _POSIX_C_SOURCE 200809L
#include "analyze.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- progress bar ------------------------------------------------------------ */
void az_progress_init(az_progress *p, const char *label, int quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->label = label;
    p->start = cli_now();
    p->last_percent = -1;
}

int az_progress_cb(void *user, size_t done, size_t total, const char *stage)
{
    az_progress *p = (az_progress *)user;
    int percent, filled, i;
    char bar[41];
    if (!p || !p->enabled || total == 0) return 0;
    percent = (int)(100.0 * (double)done / (double)total);
    if (percent == p->last_percent && done != total) return 0;
    p->last_percent = percent;
    filled = percent * 40 / 100;
    for (i = 0; i < 40; ++i) bar[i] = i < filled ? '#' : '.';
    bar[40] = 0;
    fprintf(stderr, "\r%s [%s] %3d%% %-12s %5.1fs", p->label, bar, percent, stage, cli_now() - p->start);
    fflush(stderr);
    return 0;
}

void az_progress_done(az_progress *p)
{
    if (!p->enabled) return;
    fprintf(stderr, "\r%*s\r", 90, "");
    fflush(stderr);
}

/* ---- the loader: one .npy file per call ---------------------------------------- */
typedef struct az_loader {
    const az_data *data;
} az_loader;

static mossa_status az_load(void *user, size_t model, size_t task, size_t layer,
                            const float **x, size_t *rows, size_t *cols)
{
    az_loader *ld = (az_loader *)user;
    char path[4096];
    float *data = NULL;
    mossa_status st;
    az_matrix_path(ld->data, model, task, layer, path, sizeof(path));
    st = mossa_npy_read(path, NULL, &data, rows, cols);
    *x = data;
    return st;
}

static void az_release(void *user, const float *x)
{
    (void)user;
    mossa_free((void *)x, NULL);
}

int az_run(az_data *d, az_settings *s, mossa_analysis_result *r)
{
    mossa_analysis_input in;
    az_loader ld;
    az_progress prog;
    mossa_status st;
    double t0 = cli_now();
    memset(&in, 0, sizeof(in));
    ld.data = d;
    in.n_models = d->n_models;
    in.n_tasks = d->n_tasks;
    in.n_layers = d->n_layers;
    in.control = d->control;
    in.task_grade = d->grade;
    in.load = az_load;
    in.release = az_release;
    in.user = &ld;
    az_progress_init(&prog, "mossa analyze", s->quiet);
    s->options.progress = az_progress_cb;
    s->options.progress_user = &prog;
    st = mossa_analyze(&in, &s->options, r);
    az_progress_done(&prog);
    s->seconds = cli_now() - t0;
    if (st != MOSSA_OK) {
        char path[4096];
        if (st == MOSSA_ERR_INVALID_ARGUMENT || st == MOSSA_ERR_OUT_OF_MEMORY || st == MOSSA_ERR_THREADS)
            return cli_error("analyze %s: %s", d->dir, mossa_status_string(st));
        az_matrix_path(d, r->failed_model, r->failed_task, r->failed_layer, path, sizeof(path));
        if (st == MOSSA_ERR_DIMENSION_MISMATCH)
            return cli_error("%s: rows differ from the control's matrix of the same task", path);
        return cli_error("%s: %s", path, mossa_status_string(st));
    }
    if (az_write_outputs(d, s, r) != CLI_OK) { mossa_analysis_free(r); return CLI_ERROR; }
    return CLI_OK;
}

/* ---- arguments ------------------------------------------------------------------ */
typedef struct az_args {
    const char *dir, *outdir, *tsne_layers;
    int no_tsne;
} az_args;

static int parse_common(int argc, char **argv, int need_dir, az_args *a, az_settings *s,
                        const cli_globals *g)
{
    int i;
    memset(a, 0, sizeof(*a));
    memset(s, 0, sizeof(*s));
    s->kernel_name = "linear";
    s->json = g->json;
    s->options.n_threads = g->threads;
    for (i = 1; i < argc; ++i) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "-o") == 0 || strcmp(o, "--out") == 0) {
            if (!v) return cli_usage("%s needs a directory", o);
            a->outdir = v; ++i;
        } else if (strcmp(o, "--kernel") == 0) {
            if (!v) return cli_usage("--kernel needs linear or rbf");
            if (strcmp(v, "linear") == 0) s->options.cka.kernel = MOSSA_KERNEL_LINEAR;
            else if (strcmp(v, "rbf") == 0) s->options.cka.kernel = MOSSA_KERNEL_RBF;
            else return cli_usage("--kernel: '%s' is not linear or rbf", v);
            s->kernel_name = v; ++i;
        } else if (strcmp(o, "--threshold") == 0) {
            if (!v || !cli_parse_double(v, &s->options.cka.threshold) || !(s->options.cka.threshold > 0))
                return cli_usage("--threshold needs a positive number");
            ++i;
        } else if (strcmp(o, "--debiased") == 0) {
            s->options.cka.debiased = 1;
        } else if (strcmp(o, "--variance") == 0) {
            if (!v || !cli_parse_double(v, &s->options.variance) || !(s->options.variance > 0) ||
                s->options.variance > 1)
                return cli_usage("--variance needs a fraction in (0, 1]");
            ++i;
        } else if (strcmp(o, "--tsne-layers") == 0) {
            if (!v) return cli_usage("--tsne-layers needs layer numbers, e.g. 0,8,16");
            a->tsne_layers = v; ++i;
        } else if (strcmp(o, "--no-tsne") == 0) {
            a->no_tsne = 1;
        } else if (strcmp(o, "--tsne-iters") == 0) {
            long n;
            if (!v || !cli_parse_int(v, 50, 100000, &n)) return cli_usage("--tsne-iters needs 50..100000");
            s->options.tsne.iterations = (int)n; ++i;
        } else if (strcmp(o, "--tsne-per-task") == 0) {
            long n;
            if (!v || !cli_parse_int(v, 2, 100000000L, &n)) return cli_usage("--tsne-per-task needs a count >= 2");
            s->options.tsne_max_per_task = (size_t)n; ++i;
        } else if (strcmp(o, "--seed") == 0) {
            unsigned long long sd;
            if (!v || !cli_parse_u64(v, &sd)) return cli_usage("--seed needs a non-negative integer");
            s->options.tsne.seed = (uint64_t)sd; ++i;
        } else if (strcmp(o, "--min-group") == 0) {
            long n;
            if (!v || !cli_parse_int(v, 2, 100000, &n)) return cli_usage("--min-group needs a count >= 2");
            s->options.group_min_length = (size_t)n; ++i;
        } else if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
            s->quiet = 1;
        } else if (o[0] == '-' && o[1]) {
            return cli_usage("%s: unknown option %s", argv[0], o);
        } else if (need_dir && !a->dir) {
            a->dir = o;
        } else {
            return cli_usage("%s: unexpected argument '%s'", argv[0], o);
        }
    }
    if (need_dir && !a->dir) return cli_usage("%s needs a data directory", argv[0]);
    if (s->options.cka.threshold > 0 && s->options.cka.kernel != MOSSA_KERNEL_RBF)
        return cli_usage("--threshold applies to --kernel rbf only");
    return CLI_OK;
}

/* --tsne-layers takes layer numbers as in the file names. */
static int resolve_tsne_layers(const az_data *d, const az_args *a, az_settings *s, size_t **out)
{
    const char *p = a->tsne_layers;
    size_t n = 0, cap = 8;
    size_t *list;
    *out = NULL;
    if (a->no_tsne) { s->options.no_tsne = 1; return CLI_OK; }
    if (!p) return CLI_OK;
    list = (size_t *)malloc(cap * sizeof(size_t));
    if (!list) return cli_error("out of memory");
    while (*p) {
        char buf[32];
        size_t k = 0, l;
        long v;
        while (*p && *p != ',' && k + 1 < sizeof(buf)) buf[k++] = *p++;
        buf[k] = 0;
        if (*p == ',') ++p;
        if (!cli_parse_int(buf, 0, 1000000000L, &v)) { free(list); return cli_usage("--tsne-layers: '%s' is not a layer number", buf); }
        for (l = 0; l < d->n_layers; ++l) if (d->layer_numbers[l] == v) break;
        if (l == d->n_layers) { free(list); return cli_error("--tsne-layers: layer %ld is not among the data's layers", v); }
        if (n == cap) {
            size_t *g2 = (size_t *)realloc(list, 2 * cap * sizeof(size_t));
            if (!g2) { free(list); return cli_error("out of memory"); }
            list = g2; cap *= 2;
        }
        list[n++] = l;
    }
    if (n == 0) { free(list); return cli_usage("--tsne-layers needs at least one layer"); }
    s->options.tsne_layers = list;
    s->options.n_tsne_layers = n;
    *out = list;
    return CLI_OK;
}

int cmd_analyze(int argc, char **argv, const cli_globals *g)
{
    az_args a;
    az_settings s;
    az_data d;
    mossa_analysis_result r;
    size_t *layers = NULL;
    int rc;
    if ((rc = parse_common(argc, argv, 1, &a, &s, g)) != CLI_OK) return rc;
    s.outdir = a.outdir ? a.outdir : "mossa-report";
    if ((rc = az_open(a.dir, &d)) != CLI_OK) return rc;
    if ((rc = resolve_tsne_layers(&d, &a, &s, &layers)) != CLI_OK) { az_close(&d); return rc; }
    rc = az_run(&d, &s, &r);
    if (rc == CLI_OK) {
        if (s.json) az_write_report_json(stdout, &d, &s, &r);
        else az_print_summary(stdout, &d, &s, &r);
        mossa_analysis_free(&r);
    }
    free(layers);
    az_close(&d);
    return rc;
}

/* ---- demo ------------------------------------------------------------------------ */
int cmd_demo(int argc, char **argv, const cli_globals *g)
{
    az_args a;
    az_settings s;
    az_data d;
    mossa_analysis_result r;
    az_progress prog;
    char data_dir[4096], report_dir[4096];
    size_t *layers = NULL, m;
    int rc;
    double t0 = cli_now();
    if ((rc = parse_common(argc, argv, 0, &a, &s, g)) != CLI_OK) return rc;
    snprintf(data_dir, sizeof(data_dir), "%s/data", a.outdir ? a.outdir : "mossa-demo");
    snprintf(report_dir, sizeof(report_dir), "%s/report", a.outdir ? a.outdir : "mossa-demo");
    s.outdir = report_dir;
    az_progress_init(&prog, "mossa demo: writing data", s.quiet);
    if ((rc = demo_write(data_dir, &prog)) != CLI_OK) return rc;
    az_progress_done(&prog);
    if (!s.quiet && !s.json)
        printf("mossa demo: wrote the synthetic data set to %s (%.1f s)\n\n", data_dir, cli_now() - t0);
    if ((rc = az_open(data_dir, &d)) != CLI_OK) return rc;
    if ((rc = resolve_tsne_layers(&d, &a, &s, &layers)) != CLI_OK) { az_close(&d); return rc; }
    rc = az_run(&d, &s, &r);
    if (rc == CLI_OK) {
        if (s.json) az_write_report_json(stdout, &d, &s, &r);
        else {
            int all_equal = 1;
            az_print_summary(stdout, &d, &s, &r);
            printf("\nplanted vs found layer groups (layer numbers; shared / transition / refinement):\n");
            for (m = 0; m < d.n_models; ++m) {
                long pg[3][2];
                const mossa_layer_groups *gr = &r.groups[m];
                int k, eq = 1;
                if (m == d.control || !demo_planted(d.models[m], pg) || r.groups_status[m] != MOSSA_OK) continue;
                for (k = 0; k < 3; ++k)
                    if (pg[k][0] != d.layer_numbers[gr->first[k]] || pg[k][1] != d.layer_numbers[gr->last[k]]) eq = 0;
                all_equal &= eq;
                printf("  %-6s planted %ld-%ld / %ld-%ld / %ld-%ld   found %ld-%ld / %ld-%ld / %ld-%ld   %s\n",
                       d.models[m], pg[0][0], pg[0][1], pg[1][0], pg[1][1], pg[2][0], pg[2][1],
                       d.layer_numbers[gr->first[0]], d.layer_numbers[gr->last[0]],
                       d.layer_numbers[gr->first[1]], d.layer_numbers[gr->last[1]],
                       d.layer_numbers[gr->first[2]], d.layer_numbers[gr->last[2]],
                       eq ? "match" : "DIFFER");
            }
            printf("%s\n", all_equal ? "all found groups equal the planted ones" : "some found groups differ from the planted ones");
        }
        mossa_analysis_free(&r);
    }
    free(layers);
    az_close(&d);
    return rc;
}
