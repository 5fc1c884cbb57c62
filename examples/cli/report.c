/* report.c - what `mossa analyze` writes: OUTDIR/report.json, the SVG
   figures, index.html, t-SNE coordinates as CSV, and the text summary. */
#define _POSIX_C_SOURCE 200809L
#include "analyze.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int az_mkdir_p(const char *path)
{
    char buf[4096];
    size_t i, n = strlen(path);
    if (n == 0 || n >= sizeof(buf)) return -1;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; ++i) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    return 0;
}

static void json_key(FILE *f, const char *k)
{
    cli_json_string(f, k);
    fputs(": ", f);
}

static void json_layers_array(FILE *f, const az_data *d, const mossa_analysis_result *r, size_t model,
                              const double *base)
{
    size_t l;
    (void)r;
    fputc('[', f);
    for (l = 0; l < d->n_layers; ++l) {
        if (l) fputs(", ", f);
        cli_json_double(f, base[model * d->n_layers + l]);
    }
    fputc(']', f);
}

static void json_group(FILE *f, const az_data *d, const mossa_layer_groups *g, int k)
{
    fprintf(f, "[%ld, %ld]", d->layer_numbers[g->first[k]], d->layer_numbers[g->last[k]]);
}

static void json_corr(FILE *f, const az_data *d, const mossa_correlation *c, size_t model, int p)
{
    size_t l;
    fputc('[', f);
    for (l = 0; l < d->n_layers; ++l) {
        const mossa_correlation *x = &c[model * d->n_layers + l];
        if (l) fputs(", ", f);
        if (x->n == 0) fputs("null", f);
        else cli_json_double(f, p ? x->p : x->r);
    }
    fputc(']', f);
}

static void map_file(char *buf, size_t size, const az_data *d, size_t model, long layer, const char *ext)
{
    snprintf(buf, size, "tsne_%s_L%ld.%s", d->models[model], layer, ext);
}

void az_write_report_json(FILE *f, const az_data *d, const az_settings *s,
                          const mossa_analysis_result *r)
{
    size_t t, l, m, k;
    static const char *const gname[3] = {"shared", "transition", "refinement"};
    double variance = s->options.variance > 0 ? s->options.variance : 0.99;
    fputs("{\n  ", f);
    json_key(f, "mossa_version"); cli_json_string(f, mossa_version());
    fputs(",\n  ", f); json_key(f, "data"); cli_json_string(f, d->dir);
    fputs(",\n  ", f); json_key(f, "control"); cli_json_string(f, d->models[d->control]);
    fputs(",\n  ", f); json_key(f, "kernel"); cli_json_string(f, s->kernel_name);
    fprintf(f, ",\n  \"debiased\": %s", s->options.cka.debiased ? "true" : "false");
    fputs(",\n  ", f); json_key(f, "variance"); cli_json_double(f, variance);
    fputs(",\n  \"tasks\": [", f);
    for (t = 0; t < d->n_tasks; ++t) { if (t) fputs(", ", f); cli_json_string(f, d->tasks[t]); }
    fputs("],\n  \"layers\": [", f);
    for (l = 0; l < d->n_layers; ++l) fprintf(f, "%s%ld", l ? ", " : "", d->layer_numbers[l]);
    fputs("],\n  \"rows\": {", f);
    for (t = 0; t < d->n_tasks; ++t) {
        if (t) fputs(", ", f);
        json_key(f, d->tasks[t]);
        fprintf(f, "%lu", (unsigned long)d->rows[t]);
    }
    fputs("},\n  \"clusters\": {", f);
    for (t = 0; d->cluster && t < d->n_tasks; ++t) {
        if (t) fputs(", ", f);
        json_key(f, d->tasks[t]);
        cli_json_string(f, d->cluster[t]);
    }
    fputs("},\n  \"task_grade\": {", f);
    for (t = 0; d->grade && t < d->n_tasks; ++t) {
        if (t) fputs(", ", f);
        json_key(f, d->tasks[t]);
        cli_json_double(f, d->grade[t]);
    }
    fputs("},\n  \"models\": {", f);
    for (m = 0; m < d->n_models; ++m) {
        int is_control = m == d->control;
        fputs(m ? ",\n    " : "\n    ", f);
        json_key(f, d->models[m]);
        fprintf(f, "{\n      \"role\": \"%s\"", is_control ? "control" : "compared");
        if (!is_control) {
            fputs(",\n      \"cka\": {", f);
            for (t = 0; t < d->n_tasks; ++t) {
                fputs(t ? ",\n        " : "\n        ", f);
                json_key(f, d->tasks[t]);
                fputc('[', f);
                for (l = 0; l < d->n_layers; ++l) {
                    if (l) fputs(", ", f);
                    cli_json_double(f, r->cka[(m * d->n_tasks + t) * d->n_layers + l]);
                }
                fputc(']', f);
            }
            fputs("},\n      \"cka_mean\": ", f); json_layers_array(f, d, r, m, r->cka_mean);
            fputs(",\n      \"cka_min\": ", f); json_layers_array(f, d, r, m, r->cka_min);
            fputs(",\n      \"cka_q1\": ", f); json_layers_array(f, d, r, m, r->cka_q1);
            fputs(",\n      \"cka_median\": ", f); json_layers_array(f, d, r, m, r->cka_median);
            fputs(",\n      \"cka_q3\": ", f); json_layers_array(f, d, r, m, r->cka_q3);
            fputs(",\n      \"cka_max\": ", f); json_layers_array(f, d, r, m, r->cka_max);
        }
        fputs(",\n      \"rank99\": {", f);
        for (t = 0; t < d->n_tasks; ++t) {
            fputs(t ? ",\n        " : "\n        ", f);
            json_key(f, d->tasks[t]);
            fputc('[', f);
            for (l = 0; l < d->n_layers; ++l)
                fprintf(f, "%s%lu", l ? ", " : "", (unsigned long)r->rank[(m * d->n_tasks + t) * d->n_layers + l]);
            fputc(']', f);
        }
        fputs("},\n      \"rank99_mean\": [", f);
        for (l = 0; l < d->n_layers; ++l) {
            double sum = 0;
            for (t = 0; t < d->n_tasks; ++t) sum += (double)r->rank[(m * d->n_tasks + t) * d->n_layers + l];
            if (l) fputs(", ", f);
            cli_json_double(f, sum / (double)d->n_tasks);
        }
        fputc(']', f);
        if (!is_control) {
            if (r->groups_status[m] == MOSSA_OK) {
                const mossa_layer_groups *g = &r->groups[m];
                fputs(",\n      \"groups\": {", f);
                for (k = 0; k < 3; ++k) {
                    fprintf(f, "%s\"%s\": ", k ? ", " : "", gname[k]);
                    json_group(f, d, g, (int)k);
                }
                fputs(",\n        \"fit\": {\"method\": \"optimal 3-segment piecewise-linear least squares (dynamic programming)\", \"r2\": ", f);
                cli_json_double(f, g->r2);
                fputs(", \"rss\": ", f); cli_json_double(f, g->rss);
                fputs(", \"r2_one_line\": ", f); cli_json_double(f, g->r2_line);
                fputs(", \"slopes_per_layer\": [", f);
                for (k = 0; k < 3; ++k) { if (k) fputs(", ", f); cli_json_double(f, g->slope[k]); }
                fprintf(f, "], \"paper_shape\": %s}}", g->paper_shape ? "true" : "false");
            } else {
                fputs(",\n      \"groups\": null", f);
            }
            fputs(",\n      \"readability_correlation\": {\"pearson\": ", f);
            json_corr(f, d, r->pearson, m, 0);
            fputs(", \"p_pearson\": ", f); json_corr(f, d, r->pearson, m, 1);
            fputs(", \"spearman\": ", f); json_corr(f, d, r->spearman, m, 0);
            fputs(", \"p_spearman\": ", f); json_corr(f, d, r->spearman, m, 1);
            fputc('}', f);
            fputs(",\n      \"tsne\": [", f);
            for (k = 0; k < r->n_maps; ++k) {
                char svg[512], csv[512];
                long layer = d->layer_numbers[r->map_layer[k]];
                map_file(svg, sizeof(svg), d, m, layer, "svg");
                map_file(csv, sizeof(csv), d, m, layer, "csv");
                fprintf(f, "%s{\"layer\": %ld, \"points\": %lu, \"kl\": ", k ? ", " : "", layer,
                        (unsigned long)r->map_points);
                cli_json_double(f, r->map_kl[m * r->n_maps + k]);
                fputs(", \"svg\": ", f); cli_json_string(f, svg);
                fputs(", \"csv\": ", f); cli_json_string(f, csv);
                fputc('}', f);
            }
            fputc(']', f);
        }
        fputs("\n    }", f);
    }
    fputs("\n  },\n  ", f);
    json_key(f, "seconds"); cli_json_double(f, s->seconds);
    fputs("\n}\n", f);
}

/* ---- index.html ---------------------------------------------------------------- */
typedef struct az_figure { char file[512]; char caption[1024]; } az_figure;

static void html_escape(FILE *f, const char *s)
{
    for (; *s; ++s) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static int write_index(const char *path, const az_data *d, const az_settings *s,
                       const mossa_analysis_result *r, const az_figure *figs, size_t n_figs)
{
    FILE *f = fopen(path, "w");
    size_t i, m;
    if (!f) return -1;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mossa report</title>\n"
          "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
          "figure{margin:2em 0;border-top:1px solid #ddd;padding-top:1em}figcaption{color:#444;font-size:0.95em;margin-top:0.5em}"
          "img{max-width:100%;height:auto}table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}"
          "code{background:#f4f4f4;padding:0 3px}</style></head><body>\n", f);
    fputs("<h1>MOSSA report</h1>\n<p>Data: <code>", f);
    html_escape(f, d->dir);
    fprintf(f, "</code>; %lu tasks, %lu layers, %s CKA (%s) of every model against the per-task control <code>",
            (unsigned long)d->n_tasks, (unsigned long)d->n_layers, s->kernel_name,
            s->options.cka.debiased ? "debiased HSIC" : "biased HSIC");
    html_escape(f, d->models[d->control]);
    fputs("</code>. Numbers: <a href=\"report.json\">report.json</a>.</p>\n", f);
    fputs("<h2>Layer groups</h2>\n<table><tr><th>model</th><th>shared</th><th>transition</th><th>refinement</th><th>fit R&sup2;</th><th>one line R&sup2;</th></tr>\n", f);
    for (m = 0; m < d->n_models; ++m) {
        const mossa_layer_groups *g = &r->groups[m];
        if (m == d->control || r->groups_status[m] != MOSSA_OK) continue;
        fputs("<tr><td>", f);
        html_escape(f, d->models[m]);
        fprintf(f, "</td><td>%ld&ndash;%ld</td><td>%ld&ndash;%ld</td><td>%ld&ndash;%ld</td><td>%.4f</td><td>%.4f</td></tr>\n",
                d->layer_numbers[g->first[0]], d->layer_numbers[g->last[0]],
                d->layer_numbers[g->first[1]], d->layer_numbers[g->last[1]],
                d->layer_numbers[g->first[2]], d->layer_numbers[g->last[2]], g->r2, g->r2_line);
    }
    fputs("</table>\n<p>Groups: the optimal split of the mean-CKA curve into three straight segments "
          "(least squares, dynamic programming over both breakpoints), named in depth order: shared "
          "(general representations, CKA low and flat), transition (task-specific information forms, CKA "
          "climbs), refinement (CKA plateaus).</p>\n", f);
    for (i = 0; i < n_figs; ++i) {
        fputs("<figure><img src=\"", f);
        html_escape(f, figs[i].file);
        fputs("\" alt=\"", f);
        html_escape(f, figs[i].file);
        fputs("\"><figcaption>", f);
        html_escape(f, figs[i].caption);
        fputs("</figcaption></figure>\n", f);
    }
    fputs("</body></html>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

static int write_map_csv(const char *path, const az_data *d, const mossa_analysis_result *r, size_t m, size_t k)
{
    FILE *f = fopen(path, "w");
    size_t p;
    const float *y = r->map + (m * r->n_maps + k) * r->map_points * 2;
    if (!f) return -1;
    fputs("task,cluster,row,x,y\n", f);
    for (p = 0; p < r->map_points; ++p)
        fprintf(f, "%s,%s,%lu,%.6g,%.6g\n", d->tasks[r->map_task[p]],
                d->cluster ? d->cluster[r->map_task[p]] : "", (unsigned long)r->map_row[p],
                (double)y[2 * p], (double)y[2 * p + 1]);
    return fclose(f) == 0 ? 0 : -1;
}

int az_write_outputs(const az_data *d, const az_settings *s, const mossa_analysis_result *r)
{
    char path[4096];
    az_figure *figs;
    size_t n_figs = 0, m, k, cap, *models, n_compared = 0;
    FILE *f;
    int rc = CLI_ERROR;
    const char *ck = s->options.cka.debiased ? "debiased" : "biased";
    if (az_mkdir_p(s->outdir) != 0) return cli_error("%s: cannot create directory: %s", s->outdir, strerror(errno));
    cap = 8 + d->n_models * (3 + r->n_maps);
    figs = (az_figure *)calloc(cap, sizeof(az_figure));
    models = (size_t *)calloc(d->n_models, sizeof(size_t));
    if (!figs || !models) { free(figs); free(models); return cli_error("out of memory"); }
    for (m = 0; m < d->n_models; ++m) if (m != d->control) models[n_compared++] = m;

    snprintf(path, sizeof(path), "%s/report.json", s->outdir);
    f = fopen(path, "w");
    if (!f) { cli_error("%s: cannot write: %s", path, strerror(errno)); goto done; }
    az_write_report_json(f, d, s, r);
    if (fclose(f) != 0) { cli_error("%s: write failed", path); goto done; }

#define AZ_FIG(...) snprintf(figs[n_figs].caption, sizeof(figs[n_figs].caption), __VA_ARGS__)
    /* both models on one plot first: it is the paper's headline figure */
    if (n_compared > 1) {
        snprintf(figs[n_figs].file, sizeof(figs[n_figs].file), "cka_mean_all.svg");
        AZ_FIG("Mean CKA (%s, %s HSIC) of each model against the per-task controls, per layer, with the "
               "interquartile range over tasks. Shaded: the layer groups of %s (shared / transition / "
               "refinement); dashed ticks: the other models' group boundaries.", s->kernel_name, ck,
               d->models[models[0]]);
        snprintf(path, sizeof(path), "%s/%s", s->outdir, figs[n_figs].file);
        if (svg_cka_curve(path, d, r, models, n_compared) != 0) { cli_error("%s: cannot write", path); goto done; }
        ++n_figs;
    }
    for (k = 0; k < n_compared; ++k) {
        m = models[k];
        snprintf(figs[n_figs].file, sizeof(figs[n_figs].file), "cka_mean_%s.svg", d->models[m]);
        if (r->groups_status[m] == MOSSA_OK)
            AZ_FIG("%s: mean CKA against the controls per layer (band: quartiles over tasks), the "
                   "3-segment piecewise-linear fit (dashed) and the layer groups it defines: shared "
                   "%ld-%ld, transition %ld-%ld, refinement %ld-%ld (fit R^2 %.3f; one straight line: %.3f).",
                   d->models[m], d->layer_numbers[r->groups[m].first[0]], d->layer_numbers[r->groups[m].last[0]],
                   d->layer_numbers[r->groups[m].first[1]], d->layer_numbers[r->groups[m].last[1]],
                   d->layer_numbers[r->groups[m].first[2]], d->layer_numbers[r->groups[m].last[2]],
                   r->groups[m].r2, r->groups[m].r2_line);
        else AZ_FIG("%s: mean CKA against the controls per layer (too few layers for groups).", d->models[m]);
        snprintf(path, sizeof(path), "%s/%s", s->outdir, figs[n_figs].file);
        if (svg_cka_curve(path, d, r, &m, 1) != 0) { cli_error("%s: cannot write", path); goto done; }
        ++n_figs;
        snprintf(figs[n_figs].file, sizeof(figs[n_figs].file), "cka_heatmap_%s.svg", d->models[m]);
        AZ_FIG("%s: CKA (%s, %s HSIC) between the model and each task's control, task x layer.",
               d->models[m], s->kernel_name, ck);
        snprintf(path, sizeof(path), "%s/%s", s->outdir, figs[n_figs].file);
        if (svg_heatmap(path, d, r, m) != 0) { cli_error("%s: cannot write", path); goto done; }
        ++n_figs;
    }
    snprintf(figs[n_figs].file, sizeof(figs[n_figs].file), "rank.svg");
    AZ_FIG("Dimensions needed to explain %.0f%% of the centered variance of each layer's representations "
           "(mean over tasks, band: min to max), for every model including the control.",
           100.0 * (s->options.variance > 0 ? s->options.variance : 0.99));
    snprintf(path, sizeof(path), "%s/%s", s->outdir, figs[n_figs].file);
    if (svg_rank_curves(path, d, r, s->options.variance > 0 ? s->options.variance : 0.99) != 0) { cli_error("%s: cannot write", path); goto done; }
    ++n_figs;
    if (d->grade && d->n_tasks >= 3) {
        snprintf(figs[n_figs].file, sizeof(figs[n_figs].file), "readability.svg");
        AZ_FIG("Correlation across tasks between each layer's CKA and the task's readability grade "
               "(mean Flesch-Kincaid grade of texts/<task>.txt): Pearson (solid) and Spearman (dashed); "
               "filled markers: Pearson p < 0.05.");
        snprintf(path, sizeof(path), "%s/%s", s->outdir, figs[n_figs].file);
        if (svg_correlation(path, d, r) != 0) { cli_error("%s: cannot write", path); goto done; }
        ++n_figs;
    }
    for (k = 0; k < r->n_maps; ++k) {
        size_t j;
        for (j = 0; j < n_compared; ++j) {
            long layer = d->layer_numbers[r->map_layer[k]];
            m = models[j];
            map_file(figs[n_figs].file, sizeof(figs[n_figs].file), d, m, layer, "svg");
            snprintf(figs[n_figs].caption, sizeof(figs[n_figs].caption),
                     "%s, layer %ld: t-SNE of %lu examples from all tasks, coloured by %s (final KL %.3f; "
                     "coordinates in tsne_%s_L%ld.csv).", d->models[m], layer, (unsigned long)r->map_points,
                     d->cluster ? "task cluster (mossa.json)" : "task", r->map_kl[m * r->n_maps + k],
                     d->models[m], layer);
            snprintf(path, sizeof(path), "%s/%s", s->outdir, figs[n_figs].file);
            if (svg_tsne(path, d, r, m, k) != 0) { cli_error("%s: cannot write", path); goto done; }
            {
                char name[512];
                map_file(name, sizeof(name), d, m, layer, "csv");
                snprintf(path, sizeof(path), "%s/%s", s->outdir, name);
                if (write_map_csv(path, d, r, m, k) != 0) { cli_error("%s: cannot write", path); goto done; }
            }
            ++n_figs;
        }
    }
#undef AZ_FIG
    snprintf(path, sizeof(path), "%s/index.html", s->outdir);
    if (write_index(path, d, s, r, figs, n_figs) != 0) { cli_error("%s: cannot write", path); goto done; }
    rc = CLI_OK;
done:
    free(figs);
    free(models);
    return rc;
}

/* ---- the text summary ------------------------------------------------------------- */
static void print_layer_rows(FILE *f, const az_data *d, const mossa_analysis_result *r, int ranks)
{
    size_t block, l, m, t;
    for (block = 0; block < d->n_layers; block += 16) {
        size_t end = block + 16 < d->n_layers ? block + 16 : d->n_layers;
        fprintf(f, "  %-10s", "layer");
        for (l = block; l < end; ++l) fprintf(f, " %5ld", d->layer_numbers[l]);
        fputc('\n', f);
        for (m = 0; m < d->n_models; ++m) {
            if (!ranks && m == d->control) continue;
            fprintf(f, "  %-10.10s", d->models[m]);
            for (l = block; l < end; ++l) {
                if (ranks) {
                    double sum = 0;
                    for (t = 0; t < d->n_tasks; ++t) sum += (double)r->rank[(m * d->n_tasks + t) * d->n_layers + l];
                    fprintf(f, " %5.1f", sum / (double)d->n_tasks);
                } else fprintf(f, " %5.3f", r->cka_mean[m * d->n_layers + l]);
            }
            fputc('\n', f);
        }
    }
}

void az_print_summary(FILE *f, const az_data *d, const az_settings *s, const mossa_analysis_result *r)
{
    size_t m, t, maxrows = 0;
    double variance = s->options.variance > 0 ? s->options.variance : 0.99;
    for (t = 0; t < d->n_tasks; ++t) if (d->rows[t] > maxrows) maxrows = d->rows[t];
    fprintf(f, "mossa analyze %s: %lu models (control: %s), %lu tasks, %lu layers (%ld..%ld), up to %lu examples per task\n",
            d->dir, (unsigned long)d->n_models, d->models[d->control], (unsigned long)d->n_tasks,
            (unsigned long)d->n_layers, d->layer_numbers[0], d->layer_numbers[d->n_layers - 1],
            (unsigned long)maxrows);
    fprintf(f, "%s CKA (%s HSIC) against the control, mean over tasks:\n", s->kernel_name,
            s->options.cka.debiased ? "debiased" : "biased");
    print_layer_rows(f, d, r, 0);
    fprintf(f, "dimensions for %.0f%% of the variance, mean over tasks:\n", 100.0 * variance);
    print_layer_rows(f, d, r, 1);
    fprintf(f, "layer groups (optimal 3-segment piecewise-linear fit of the mean CKA curve):\n");
    for (m = 0; m < d->n_models; ++m) {
        const mossa_layer_groups *g = &r->groups[m];
        if (m == d->control) continue;
        if (r->groups_status[m] != MOSSA_OK) {
            fprintf(f, "  %-10.10s %s\n", d->models[m], mossa_status_string(r->groups_status[m]));
            continue;
        }
        fprintf(f, "  %-10.10s shared %ld-%ld, transition %ld-%ld, refinement %ld-%ld   R^2 %.4f (one line %.4f)%s\n",
                d->models[m], d->layer_numbers[g->first[0]], d->layer_numbers[g->last[0]],
                d->layer_numbers[g->first[1]], d->layer_numbers[g->last[1]],
                d->layer_numbers[g->first[2]], d->layer_numbers[g->last[2]], g->r2, g->r2_line,
                g->paper_shape ? "" : "   (transition is not the steepest rise)");
    }
    if (d->grade) {
        size_t lo = 0, hi = 0;
        for (t = 1; t < d->n_tasks; ++t) {
            if (d->grade[t] < d->grade[lo]) lo = t;
            if (d->grade[t] > d->grade[hi]) hi = t;
        }
        fprintf(f, "readability: Flesch-Kincaid grade from %.1f (%s) to %.1f (%s); correlation of CKA with grade across tasks:\n",
                d->grade[lo], d->tasks[lo], d->grade[hi], d->tasks[hi]);
        for (m = 0; m < d->n_models; ++m) {
            size_t l, best = d->n_layers;
            if (m == d->control) continue;
            for (l = 0; l < d->n_layers; ++l) {
                const mossa_correlation *c = &r->pearson[m * d->n_layers + l];
                if (c->n && (best == d->n_layers || c->r > r->pearson[m * d->n_layers + best].r)) best = l;
            }
            if (best == d->n_layers) { fprintf(f, "  %-10.10s undefined (fewer than 3 tasks or constant values)\n", d->models[m]); continue; }
            fprintf(f, "  %-10.10s highest Pearson r %.3f at layer %ld (p %.2g; Spearman %.3f, p %.2g)\n",
                    d->models[m], r->pearson[m * d->n_layers + best].r, d->layer_numbers[best],
                    r->pearson[m * d->n_layers + best].p, r->spearman[m * d->n_layers + best].r,
                    r->spearman[m * d->n_layers + best].p);
        }
    }
    fprintf(f, "report: %s/index.html (report.json and SVG figures beside it); %.2f s\n", s->outdir, s->seconds);
}
