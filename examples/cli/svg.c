/* svg.c - standalone SVG figures of the MOSSA report: no scripts, no
   external fonts or styles, readable in any browser and in print. */
#include "analyze.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct plot {
    double x0, y0, w, h;            /* plotting area in pixels */
    double xmin, xmax, ymin, ymax;  /* data range */
} plot;

static double px(const plot *p, double x) { return p->x0 + (x - p->xmin) / (p->xmax - p->xmin) * p->w; }
static double py(const plot *p, double y) { return p->y0 + p->h - (y - p->ymin) / (p->ymax - p->ymin) * p->h; }

static void esc(FILE *f, const char *s)
{
    for (; *s; ++s) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static FILE *svg_begin(const char *path, double w, double h, const char *title)
{
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n", w, h, w, h);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", w, h);
    fputs("<text x=\"", f);
    fprintf(f, "%.1f\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">", w / 2);
    esc(f, title);
    fputs("</text>\n", f);
    return f;
}

static int svg_end(FILE *f)
{
    fputs("</svg>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

/* Tick step of 1, 2 or 5 times a power of ten giving about n ticks. */
static double nice_step(double range, int n)
{
    double raw = range / n, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

static void axes(FILE *f, const plot *p, const char *xlabel, const char *ylabel,
                 const long *xlabels, size_t n_x)
{
    double step = nice_step(p->ymax - p->ymin, 5), v;
    size_t i, every;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n",
            p->x0, p->y0, p->w, p->h);
    for (v = ceil(p->ymin / step) * step; v <= p->ymax + 1e-9 * step; v += step) {
        double y = py(p, v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", p->x0, y, p->x0 + p->w, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%g</text>\n",
                p->x0 - 5, y, fabs(v) < 1e-12 ? 0.0 : v);
    }
    every = n_x > 24 ? (n_x + 15) / 16 : 1;
    for (i = 0; i < n_x; i += every) {
        double x = px(p, (double)i);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n", x, p->y0 + p->h, x, p->y0 + p->h + 4);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%ld</text>\n", x, p->y0 + p->h + 17,
                xlabels ? xlabels[i] : (long)i);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", p->x0 + p->w / 2, p->y0 + p->h + 36);
    esc(f, xlabel);
    fprintf(f, "</text>\n<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">",
            p->x0 - 48, p->y0 + p->h / 2);
    esc(f, ylabel);
    fputs("</text>\n", f);
}

/* viridis, 9 stops (perceptually uniform, readable in grey) */
static void viridis(double t, int rgb[3])
{
    static const int stops[9][3] = {{68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
                                    {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};
    double s;
    int i, k;
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    s = t * 8;
    i = (int)s;
    if (i >= 8) i = 7;
    s -= i;
    for (k = 0; k < 3; ++k) rgb[k] = (int)floor(stops[i][k] + s * (stops[i + 1][k] - stops[i][k]) + 0.5);
}

/* Categorical colours: tab10, then golden-angle hues. */
static void category_colour(size_t i, char *buf, size_t size)
{
    static const char *const tab10[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    if (i < 10) { snprintf(buf, size, "%s", tab10[i]); return; }
    snprintf(buf, size, "hsl(%.0f, %d%%, %d%%)", fmod((double)i * 137.508, 360.0), 55 + (int)(i % 3) * 12,
             38 + (int)(i % 4) * 8);
}

static const char *const group_fill[3] = {"#e3edf9", "#fde6c8", "#e2f2df"};
static const char *const group_name[3] = {"shared", "transition", "refinement"};

int svg_heatmap(const char *path, const az_data *d, const mossa_analysis_result *r, size_t model)
{
    size_t t, l, T = d->n_tasks, L = d->n_layers, maxname = 4;
    double cw, ch, left, top = 40, vmin = HUGE_VAL, vmax = -HUGE_VAL, w, h;
    char title[512];
    FILE *f;
    int k;
    for (t = 0; t < T; ++t) if (strlen(d->tasks[t]) > maxname) maxname = strlen(d->tasks[t]);
    if (maxname > 28) maxname = 28;
    left = 14 + 7.0 * (double)maxname;
    cw = L > 40 ? 14 : 22;
    ch = T > 30 ? 12 : 18;
    for (t = 0; t < T * L; ++t) {
        double v = r->cka[model * T * L + t];
        if (v < vmin) vmin = v;
        if (v > vmax) vmax = v;
    }
    if (!(vmax > vmin)) { vmin -= 0.05; vmax += 0.05; }
    w = left + cw * (double)L + 110;
    h = top + ch * (double)T + 60;
    snprintf(title, sizeof(title), "CKA of %s vs the per-task control", d->models[model]);
    f = svg_begin(path, w, h, title);
    if (!f) return -1;
    for (t = 0; t < T; ++t) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\" font-size=\"11\">",
                left - 6, top + ch * ((double)t + 0.5));
        esc(f, d->tasks[t]);
        fputs("</text>\n", f);
        for (l = 0; l < L; ++l) {
            double v = r->cka[(model * T + t) * L + l];
            int rgb[3];
            viridis((v - vmin) / (vmax - vmin), rgb);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"rgb(%d,%d,%d)\"><title>",
                    left + cw * (double)l, top + ch * (double)t, cw + 0.3, ch + 0.3, rgb[0], rgb[1], rgb[2]);
            esc(f, d->tasks[t]);
            fprintf(f, ", layer %ld: %.4f</title></rect>\n", d->layer_numbers[l], v);
        }
    }
    for (l = 0; l < L; l += (L > 24 ? 2 : 1))
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%ld</text>\n",
                left + cw * ((double)l + 0.5), top + ch * (double)T + 15, d->layer_numbers[l]);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">layer</text>\n",
            left + cw * (double)L / 2, top + ch * (double)T + 34);
    /* colour bar */
    {
        double bx = left + cw * (double)L + 24, bh = ch * (double)T, step;
        double v;
        for (k = 0; k < 64; ++k) {
            int rgb[3];
            viridis((k + 0.5) / 64.0, rgb);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.2f\" width=\"16\" height=\"%.2f\" fill=\"rgb(%d,%d,%d)\"/>\n",
                    bx, top + bh * (1.0 - (k + 1) / 64.0), bh / 64.0 + 0.3, rgb[0], rgb[1], rgb[2]);
        }
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", bx, top, bh);
        step = nice_step(vmax - vmin, 5);
        for (v = ceil(vmin / step) * step; v <= vmax + 1e-9; v += step) {
            double y = top + bh * (1.0 - (v - vmin) / (vmax - vmin));
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n", bx + 16, y, bx + 20, y);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"middle\" font-size=\"11\">%g</text>\n",
                    bx + 23, y, fabs(v) < 1e-12 ? 0.0 : v);
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">CKA</text>\n", bx + 8, top - 6);
    }
    return svg_end(f);
}

static void shade_groups(FILE *f, const plot *p, const mossa_layer_groups *g)
{
    int k;
    for (k = 0; k < 3; ++k) {
        double x1 = px(p, (double)g->first[k] - 0.5), x2 = px(p, (double)g->last[k] + 0.5);
        if (x1 < p->x0) x1 = p->x0;
        if (x2 > p->x0 + p->w) x2 = p->x0 + p->w;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x1, p->y0, x2 - x1,
                p->h, group_fill[k]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">%s</text>\n",
                (x1 + x2) / 2, p->y0 + 14, group_name[k]);
    }
}

static void legend_entry(FILE *f, double x, double y, const char *colour, const char *name, int dashed)
{
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"%s/>\n",
            x, y, x + 22, y, colour, dashed ? " stroke-dasharray=\"5 3\"" : "");
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"middle\">", x + 28, y);
    esc(f, name);
    fputs("</text>\n", f);
}

int svg_cka_curve(const char *path, const az_data *d, const mossa_analysis_result *r,
                  const size_t *models, size_t n_models)
{
    plot p;
    size_t L = d->n_layers, i, l;
    double lo = HUGE_VAL, hi = -HUGE_VAL, pad;
    char title[512], colour[32];
    FILE *f;
    for (i = 0; i < n_models; ++i)
        for (l = 0; l < L; ++l) {
            size_t at = models[i] * L + l;
            if (r->cka_q1[at] < lo) lo = r->cka_q1[at];
            if (r->cka_q3[at] > hi) hi = r->cka_q3[at];
            if (r->cka_mean[at] < lo) lo = r->cka_mean[at];
            if (r->cka_mean[at] > hi) hi = r->cka_mean[at];
        }
    pad = 0.08 * (hi - lo) + 1e-3;
    p.x0 = 70; p.y0 = 40; p.w = 640; p.h = 340;
    p.xmin = -0.5; p.xmax = (double)L - 0.5;
    p.ymin = lo - pad; p.ymax = hi + 2.5 * pad;
    if (n_models == 1) snprintf(title, sizeof(title), "%s: mean CKA vs control, with layer groups", d->models[models[0]]);
    else snprintf(title, sizeof(title), "Mean CKA vs control per layer");
    f = svg_begin(path, 880, 440, title);
    if (!f) return -1;
    if (r->groups_status[models[0]] == MOSSA_OK) shade_groups(f, &p, &r->groups[models[0]]);
    axes(f, &p, "layer", "CKA (mean over tasks)", d->layer_numbers, L);
    for (i = 0; i < n_models; ++i) {
        size_t m = models[i];
        category_colour(i, colour, sizeof(colour));
        /* interquartile band */
        fprintf(f, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" points=\"", colour);
        for (l = 0; l < L; ++l) fprintf(f, "%.1f,%.1f ", px(&p, (double)l), py(&p, r->cka_q3[m * L + l]));
        for (l = L; l-- > 0;) fprintf(f, "%.1f,%.1f ", px(&p, (double)l), py(&p, r->cka_q1[m * L + l]));
        fputs("\"/>\n", f);
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.2\" points=\"", colour);
        for (l = 0; l < L; ++l) fprintf(f, "%.1f,%.1f ", px(&p, (double)l), py(&p, r->cka_mean[m * L + l]));
        fputs("\"/>\n", f);
        for (l = 0; l < L; ++l)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"><title>layer %ld: %.4f</title></circle>\n",
                    px(&p, (double)l), py(&p, r->cka_mean[m * L + l]), colour, d->layer_numbers[l], r->cka_mean[m * L + l]);
        if (r->groups_status[m] == MOSSA_OK) {
            const mossa_layer_groups *g = &r->groups[m];
            int k;
            if (n_models == 1) {
                for (k = 0; k < 3; ++k) {
                    double a = (double)g->first[k], b = (double)g->last[k];
                    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" stroke-width=\"1.3\" stroke-dasharray=\"5 3\"/>\n",
                            px(&p, a), py(&p, g->intercept[k] + g->slope[k] * a),
                            px(&p, b), py(&p, g->intercept[k] + g->slope[k] * b));
                }
            } else if (i > 0) {
                for (k = 1; k < 3; ++k) {
                    double x = px(&p, (double)g->first[k] - 0.5);
                    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\n",
                            x, p.y0 + p.h, x, p.y0 + p.h - 40, colour);
                }
            }
        }
    }
    for (i = 0; i < n_models; ++i) {
        category_colour(i, colour, sizeof(colour));
        legend_entry(f, p.x0 + p.w + 16, p.y0 + 20 + 22.0 * (double)i, colour, d->models[models[i]], 0);
    }
    if (n_models == 1) legend_entry(f, p.x0 + p.w + 16, p.y0 + 20 + 22.0, "#222", "3-segment fit", 1);
    return svg_end(f);
}

int svg_rank_curves(const char *path, const az_data *d, const mossa_analysis_result *r, double variance)
{
    char title[128];
    plot p;
    size_t L = d->n_layers, T = d->n_tasks, m, l, t, i = 0;
    double hi = 1, *mean, *mn, *mx;
    char colour[32];
    FILE *f;
    mean = (double *)calloc(3 * d->n_models * L, sizeof(double));
    if (!mean) return -1;
    mn = mean + d->n_models * L;
    mx = mn + d->n_models * L;
    for (m = 0; m < d->n_models; ++m)
        for (l = 0; l < L; ++l) {
            double s = 0, lo_v = HUGE_VAL, hi_v = 0;
            for (t = 0; t < T; ++t) {
                double v = (double)r->rank[(m * T + t) * L + l];
                s += v;
                if (v < lo_v) lo_v = v;
                if (v > hi_v) hi_v = v;
            }
            mean[m * L + l] = s / (double)T;
            mn[m * L + l] = lo_v;
            mx[m * L + l] = hi_v;
            if (hi_v > hi) hi = hi_v;
        }
    p.x0 = 70; p.y0 = 40; p.w = 640; p.h = 340;
    p.xmin = -0.5; p.xmax = (double)L - 0.5;
    p.ymin = 0; p.ymax = hi * 1.1;
    snprintf(title, sizeof(title), "Dimensions for %g%% of the variance per layer", 100.0 * variance);
    f = svg_begin(path, 880, 440, title);
    if (!f) { free(mean); return -1; }
    axes(f, &p, "layer", "dimensions (mean over tasks)", d->layer_numbers, L);
    /* compared models first (palette order as in the CKA plots), control last in grey */
    for (i = 0; i <= d->n_models; ++i) {
        size_t k;
        int dashed;
        if (i < d->n_models) {
            size_t idx = 0;
            m = i;
            if (m == d->control) continue;
            for (k = 0; k < m; ++k) if (k != d->control) ++idx;
            category_colour(idx, colour, sizeof(colour));
            dashed = 0;
        } else {
            m = d->control;
            snprintf(colour, sizeof(colour), "#555");
            dashed = 1;
        }
        fprintf(f, "<polygon fill=\"%s\" fill-opacity=\"0.13\" stroke=\"none\" points=\"", colour);
        for (l = 0; l < L; ++l) fprintf(f, "%.1f,%.1f ", px(&p, (double)l), py(&p, mx[m * L + l]));
        for (l = L; l-- > 0;) fprintf(f, "%.1f,%.1f ", px(&p, (double)l), py(&p, mn[m * L + l]));
        fputs("\"/>\n", f);
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.2\"%s points=\"", colour,
                dashed ? " stroke-dasharray=\"6 3\"" : "");
        for (l = 0; l < L; ++l) fprintf(f, "%.1f,%.1f ", px(&p, (double)l), py(&p, mean[m * L + l]));
        fputs("\"/>\n", f);
    }
    for (i = 0, m = 0; m < d->n_models; ++m) {
        if (m == d->control) continue;
        category_colour(i, colour, sizeof(colour));
        legend_entry(f, p.x0 + p.w + 16, p.y0 + 20 + 22.0 * (double)i, colour, d->models[m], 0);
        ++i;
    }
    {
        char name[300];
        snprintf(name, sizeof(name), "%s (control)", d->models[d->control]);
        legend_entry(f, p.x0 + p.w + 16, p.y0 + 20 + 22.0 * (double)i, "#555", name, 1);
    }
    free(mean);
    return svg_end(f);
}

int svg_correlation(const char *path, const az_data *d, const mossa_analysis_result *r)
{
    plot p;
    size_t L = d->n_layers, m, l, i = 0;
    char colour[32];
    FILE *f;
    p.x0 = 70; p.y0 = 40; p.w = 640; p.h = 340;
    p.xmin = -0.5; p.xmax = (double)L - 0.5;
    p.ymin = -1.05; p.ymax = 1.05;
    f = svg_begin(path, 880, 440, "Correlation of CKA with readability grade across tasks");
    if (!f) return -1;
    axes(f, &p, "layer", "correlation coefficient", d->layer_numbers, L);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n", p.x0, py(&p, 0), p.x0 + p.w, py(&p, 0));
    for (m = 0; m < d->n_models; ++m) {
        int kind;
        if (m == d->control) continue;
        category_colour(i, colour, sizeof(colour));
        for (kind = 0; kind < 2; ++kind) {
            const mossa_correlation *c = kind == 0 ? r->pearson : r->spearman;
            int open = 0;
            for (l = 0; l < L; ++l) {
                const mossa_correlation *x = &c[m * L + l];
                if (!x->n) { if (open) { fputs("\"/>\n", f); open = 0; } continue; }
                if (!open) {
                    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", colour,
                            kind ? " stroke-dasharray=\"5 3\"" : "");
                    open = 1;
                }
                fprintf(f, "%.1f,%.1f ", px(&p, (double)l), py(&p, x->r));
            }
            if (open) fputs("\"/>\n", f);
        }
        for (l = 0; l < L; ++l) {
            const mossa_correlation *x = &r->pearson[m * L + l];
            if (!x->n) continue;
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\" fill=\"%s\" stroke=\"%s\"><title>layer %ld: r %.3f, p %.3g</title></circle>\n",
                    px(&p, (double)l), py(&p, x->r), x->p < 0.05 ? colour : "white", colour, d->layer_numbers[l], x->r, x->p);
        }
        legend_entry(f, p.x0 + p.w + 16, p.y0 + 20 + 22.0 * (double)i, colour, d->models[m], 0);
        ++i;
    }
    legend_entry(f, p.x0 + p.w + 16, p.y0 + 20 + 22.0 * (double)i + 10, "#444", "Pearson", 0);
    legend_entry(f, p.x0 + p.w + 16, p.y0 + 20 + 22.0 * (double)i + 32, "#444", "Spearman", 1);
    return svg_end(f);
}

int svg_tsne(const char *path, const az_data *d, const mossa_analysis_result *r, size_t model, size_t map)
{
    plot p;
    const float *y = r->map + (model * r->n_maps + map) * r->map_points * 2;
    size_t i, n_cat = d->cluster ? d->n_clusters : d->n_tasks, legend_rows;
    double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = HUGE_VAL, ymax = -HUGE_VAL, span, cx, cy, legend_h;
    char title[512], colour[32];
    FILE *f;
    for (i = 0; i < r->map_points; ++i) {
        double a = y[2 * i], b = y[2 * i + 1];
        if (a < xmin) xmin = a;
        if (a > xmax) xmax = a;
        if (b < ymin) ymin = b;
        if (b > ymax) ymax = b;
    }
    span = (xmax - xmin > ymax - ymin ? xmax - xmin : ymax - ymin) * 1.06 + 1e-9;
    cx = (xmin + xmax) / 2;
    cy = (ymin + ymax) / 2;
    p.x0 = 30; p.y0 = 40; p.w = 480; p.h = 480;
    p.xmin = cx - span / 2; p.xmax = cx + span / 2;
    p.ymin = cy - span / 2; p.ymax = cy + span / 2;
    legend_rows = n_cat;
    legend_h = 40 + 17.0 * (double)legend_rows;
    snprintf(title, sizeof(title), "%s, layer %ld: t-SNE by %s", d->models[model],
             d->layer_numbers[r->map_layer[map]], d->cluster ? "task cluster" : "task");
    f = svg_begin(path, 760, legend_h > 560 ? legend_h : 560, title);
    if (!f) return -1;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#bbb\"/>\n",
            p.x0, p.y0, p.w, p.h);
    for (i = 0; i < r->map_points; ++i) {
        size_t t = r->map_task[i], c = t;
        if (d->cluster) {
            size_t k;
            for (k = 0; k < d->n_clusters; ++k) if (strcmp(d->cluster_names[k], d->cluster[t]) == 0) c = k;
        }
        category_colour(c, colour, sizeof(colour));
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.4\" fill=\"%s\" fill-opacity=\"0.8\"/>\n",
                px(&p, y[2 * i]), py(&p, y[2 * i + 1]), colour);
    }
    for (i = 0; i < n_cat; ++i) {
        double ly = p.y0 + 10 + 17.0 * (double)i;
        category_colour(i, colour, sizeof(colour));
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", p.x0 + p.w + 24, ly, colour);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"middle\" font-size=\"11\">", p.x0 + p.w + 34, ly);
        esc(f, d->cluster ? d->cluster_names[i] : d->tasks[i]);
        fputs("</text>\n", f);
    }
    return svg_end(f);
}
