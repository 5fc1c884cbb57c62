/* cmd_tsne.c - mossa tsne X.npy -o Y.npy [options]: Barnes-Hut t-SNE, an
   optional SVG scatter coloured by integer labels, a progress bar on a
   terminal. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct tsne_progress {
    int total;
    int tty;
} tsne_progress;

static int tsne_progress_cb(int iteration, double kl, void *user)
{
    const tsne_progress *p = (const tsne_progress *)user;
    int width = 30, fill = p->total > 0 ? (int)((long)width * iteration / p->total) : width, i;
    if (!p->tty) return 0;
    fputs("\rtsne [", stderr);
    for (i = 0; i < width; ++i) fputc(i < fill ? '#' : ' ', stderr);
    fprintf(stderr, "] %d/%d  KL %.4f", iteration, p->total, kl);
    fflush(stderr);
    return 0;
}

/* ---- labels: a small .npy reader for 1-D or n x 1 integer/float arrays --- */
static int tsne_read_labels(const char *path, size_t n, long *labels)
{
    FILE *f = fopen(path, "rb");
    unsigned char pre[10];
    char *hdr = NULL, *p;
    size_t hlen, count = 1, i, item = 0;
    char kind = 0;
    int ok = 0, fortran = 0, dims = 0;
    if (!f) return cli_error("%s: cannot open", path);
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) goto bad;
    if (pre[6] == 1) hlen = (size_t)pre[8] | ((size_t)pre[9] << 8);
    else {
        unsigned char more[2];
        if (fread(more, 1, 2, f) != 2) goto bad;
        hlen = (size_t)pre[8] | ((size_t)pre[9] << 8) | ((size_t)more[0] << 16) | ((size_t)more[1] << 24);
    }
    if (hlen > 65536) goto bad;
    hdr = (char *)malloc(hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen) goto bad;
    hdr[hlen] = 0;
    p = strstr(hdr, "'descr'");
    if (!p || !(p = strchr(p + 7, '\''))) goto bad;
    if (p[1] != '<' && p[1] != '|' && p[1] != '=') goto bad;
    kind = p[2];
    item = (size_t)strtoul(p + 3, NULL, 10);
    fortran = strstr(hdr, "'fortran_order': True") != NULL;
    (void)fortran;                      /* a vector is the same in either order */
    p = strstr(hdr, "'shape'");
    if (!p || !(p = strchr(p, '('))) goto bad;
    ++p;
    while (*p && *p != ')') {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p) { ++p; continue; }
        count *= v; ++dims; p = end;
    }
    if (dims < 1 || dims > 2 || count != n) {
        free(hdr); fclose(f);
        return cli_error("%s: expected %lu labels (a 1-D or n x 1 array), found %lu", path,
                         (unsigned long)n, (unsigned long)count);
    }
    for (i = 0; i < n; ++i) {
        unsigned char b[8];
        if (item < 1 || item > 8 || fread(b, 1, item, f) != item) goto bad;
        if (kind == 'i' || kind == 'u') {
            unsigned long long u = 0;
            size_t k;
            for (k = 0; k < item; ++k) u |= (unsigned long long)b[k] << (8 * k);
            if (kind == 'i' && item < 8 && (u >> (8 * item - 1)) & 1) u |= ~0ull << (8 * item);
            labels[i] = (long)(long long)u;
        } else if (kind == 'f' && (item == 4 || item == 8)) {
            double v;
            if (item == 4) { float fv; memcpy(&fv, b, 4); v = fv; } else memcpy(&v, b, 8);
            if (!isfinite(v) || v != floor(v)) {
                free(hdr); fclose(f);
                return cli_error("%s: label %lu is not an integer", path, (unsigned long)i);
            }
            labels[i] = (long)v;
        } else if (kind == 'f' && item == 2) {
            unsigned h = (unsigned)b[0] | ((unsigned)b[1] << 8), e = (h >> 10) & 31, m = h & 1023;
            double v = e == 0 ? ldexp((double)m, -24) : ldexp((double)(m | 1024), (int)e - 25);
            if (e == 31 || v != floor(v)) { free(hdr); fclose(f); return cli_error("%s: label %lu is not an integer", path, (unsigned long)i); }
            labels[i] = (long)((h & 0x8000) ? -v : v);
        } else goto bad;
    }
    ok = 1;
bad:
    free(hdr);
    fclose(f);
    if (!ok) return cli_error("%s: not a readable integer label .npy (1-D or n x 1; int, uint or float)", path);
    return CLI_OK;
}

/* ---- SVG scatter --------------------------------------------------------- */
static const char *const tsne_palette[20] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"};

static int tsne_cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int tsne_write_svg(const char *path, const float *y, size_t n, int dims, const long *labels)
{
    FILE *f = fopen(path, "w");
    double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL}, span;
    const double size = 720.0, margin = 20.0, legend = 150.0;
    long *uniq = NULL;
    size_t nu = 0, i, c;
    double r = n > 20000 ? 1.2 : n > 3000 ? 1.8 : 2.6;
    if (!f) return cli_error("%s: cannot write", path);
    for (i = 0; i < n; ++i)
        for (c = 0; c < 2; ++c) {
            double v = y[i * (size_t)dims + c];
            if (v < lo[c]) lo[c] = v;
            if (v > hi[c]) hi[c] = v;
        }
    span = hi[0] - lo[0] > hi[1] - lo[1] ? hi[0] - lo[0] : hi[1] - lo[1];
    if (!(span > 0)) span = 1.0;
    if (labels) {
        uniq = (long *)malloc((n ? n : 1) * sizeof(long));
        if (!uniq) { fclose(f); return cli_error("out of memory"); }
        memcpy(uniq, labels, n * sizeof(long));
        qsort(uniq, n, sizeof(long), tsne_cmp_long);
        for (i = 0; i < n; ++i) if (nu == 0 || uniq[nu - 1] != uniq[i]) uniq[nu++] = uniq[i];
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n"
               "<title>t-SNE embedding (%lu points)</title>\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            size + (labels ? legend : 0.0), size, size + (labels ? legend : 0.0), size, (unsigned long)n);
    if (dims == 3) fprintf(f, "<!-- 3-D embedding: the first two coordinates are drawn -->\n");
    fprintf(f, "<g fill-opacity=\"0.75\">\n");
    for (i = 0; i < n; ++i) {
        double px = margin + (y[i * (size_t)dims] - lo[0]) / span * (size - 2 * margin);
        double py = size - margin - (y[i * (size_t)dims + 1] - lo[1]) / span * (size - 2 * margin);
        const char *col = "#1f77b4";
        if (labels) {
            size_t a = 0, b = nu;
            while (a + 1 < b) { size_t m = (a + b) / 2; if (uniq[m] <= labels[i]) a = m; else b = m; }
            col = tsne_palette[a % 20];
        }
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", px, py, r, col);
    }
    fprintf(f, "</g>\n");
    if (labels) {
        fprintf(f, "<g font-family=\"sans-serif\" font-size=\"13\">\n");
        for (i = 0; i < nu && i < 40; ++i) {
            double ly = margin + 18.0 * (double)i;
            fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"5\" fill=\"%s\"/><text x=\"%.0f\" y=\"%.0f\">%ld</text>\n",
                    size + 12.0, ly + 6.0, tsne_palette[i % 20], size + 24.0, ly + 10.5, uniq[i]);
        }
        if (nu > 40) fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">... %lu labels</text>\n", size + 12.0,
                             margin + 18.0 * 40 + 10.5, (unsigned long)nu);
        fprintf(f, "</g>\n");
    }
    fprintf(f, "</svg>\n");
    free(uniq);
    if (fclose(f) != 0) return cli_error("%s: write failed", path);
    return CLI_OK;
}

int cmd_tsne(int argc, char **argv, const cli_globals *g)
{
    const char *in = NULL, *out = NULL, *labels_path = NULL, *svg = NULL;
    mossa_tsne_options o;
    mossa_tsne_result r;
    tsne_progress prog;
    float *x = NULL, *y = NULL;
    long *labels = NULL;
    size_t n = 0, d = 0;
    double t0, secs;
    mossa_status st;
    int i, rc;
    memset(&o, 0, sizeof(o));
    for (i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = strcmp(a, "-o") == 0 || strcmp(a, "--dims") == 0 || strcmp(a, "--perplexity") == 0 ||
                    strcmp(a, "--theta") == 0 || strcmp(a, "--iters") == 0 || strcmp(a, "--seed") == 0 ||
                    strcmp(a, "--init") == 0 || strcmp(a, "--labels") == 0 || strcmp(a, "--svg") == 0 ||
                    strcmp(a, "--knn") == 0;
        if (takes && !v) return cli_usage("tsne: %s needs a value", a);
        if (strcmp(a, "-o") == 0) out = v;
        else if (strcmp(a, "--dims") == 0) {
            long t;
            if (!cli_parse_int(v, 2, 3, &t)) return cli_usage("tsne: --dims must be 2 or 3, not '%s'", v);
            o.dims = (int)t;
        } else if (strcmp(a, "--perplexity") == 0) {
            if (!cli_parse_double(v, &o.perplexity) || !(o.perplexity > 0))
                return cli_usage("tsne: --perplexity must be a positive number, not '%s'", v);
        } else if (strcmp(a, "--theta") == 0) {
            if (!cli_parse_double(v, &o.theta) || o.theta < 0 || o.theta > 10)
                return cli_usage("tsne: --theta must be a number in [0, 10] (0 = exact), not '%s'", v);
            if (o.theta == 0) o.theta = MOSSA_TSNE_THETA_EXACT;
        } else if (strcmp(a, "--iters") == 0) {
            long t;
            if (!cli_parse_int(v, 1, 100000000, &t)) return cli_usage("tsne: --iters must be a positive integer, not '%s'", v);
            o.iterations = (int)t;
        } else if (strcmp(a, "--seed") == 0) {
            unsigned long long s;
            if (!cli_parse_u64(v, &s)) return cli_usage("tsne: --seed must be a non-negative integer, not '%s'", v);
            o.seed = (uint64_t)s;
        } else if (strcmp(a, "--init") == 0) {
            if (strcmp(v, "pca") == 0) o.init = MOSSA_TSNE_INIT_PCA;
            else if (strcmp(v, "random") == 0) o.init = MOSSA_TSNE_INIT_RANDOM;
            else return cli_usage("tsne: --init must be pca or random, not '%s'", v);
        } else if (strcmp(a, "--knn") == 0) {
            if (strcmp(v, "auto") == 0) o.knn = MOSSA_TSNE_KNN_AUTO;
            else if (strcmp(v, "brute") == 0) o.knn = MOSSA_TSNE_KNN_BRUTE;
            else if (strcmp(v, "vptree") == 0) o.knn = MOSSA_TSNE_KNN_VPTREE;
            else return cli_usage("tsne: --knn must be auto, brute or vptree, not '%s'", v);
        } else if (strcmp(a, "--labels") == 0) labels_path = v;
        else if (strcmp(a, "--svg") == 0) svg = v;
        else if (a[0] == '-' && a[1] != 0) return cli_usage("tsne: unknown option '%s'", a);
        else if (!in) { in = a; continue; }
        else return cli_usage("tsne: unexpected argument '%s'", a);
        ++i;
    }
    if (!in) return cli_usage("tsne: missing input X.npy");
    if (!out) return cli_usage("tsne: missing -o Y.npy");
    if ((rc = cli_load_npy(in, &x, &n, &d)) != CLI_OK) return rc;
    if (labels_path) {
        labels = (long *)malloc((n ? n : 1) * sizeof(long));
        if (!labels) { mossa_free(x, NULL); return cli_error("out of memory"); }
        if ((rc = tsne_read_labels(labels_path, n, labels)) != CLI_OK) { free(labels); mossa_free(x, NULL); return rc; }
    }
    o.n_threads = g->threads;
    prog.total = o.iterations ? o.iterations : 1000;
    prog.tty = isatty(2);
    if (prog.tty) { o.progress = tsne_progress_cb; o.progress_user = &prog; }
    y = (float *)malloc((n ? n : 1) * (size_t)(o.dims ? o.dims : 2) * sizeof(float));
    if (!y) { free(labels); mossa_free(x, NULL); return cli_error("out of memory"); }
    t0 = cli_now();
    st = mossa_tsne(x, n, d, &o, y, &r);
    secs = cli_now() - t0;
    if (prog.tty) fputc('\n', stderr);
    mossa_free(x, NULL);
    if (st != MOSSA_OK) {
        free(y); free(labels);
        if (st == MOSSA_ERR_PERPLEXITY)
            return cli_error("%s: perplexity %g needs more than %lu points (n - 1 >= perplexity): %s", in,
                             o.perplexity ? o.perplexity : 30.0, (unsigned long)n, mossa_status_string(st));
        return cli_status_error(in, st);
    }
    st = mossa_npy_write(out, y, n, (size_t)(o.dims ? o.dims : 2));
    if (st != MOSSA_OK) { free(y); free(labels); return cli_status_error(out, st); }
    rc = CLI_OK;
    if (svg) rc = tsne_write_svg(svg, y, n, o.dims ? o.dims : 2, labels);
    free(y); free(labels);
    if (rc != CLI_OK) return rc;
    if (g->json) {
        printf("{\"kl\": ");
        cli_json_double(stdout, r.kl);
        printf(", \"iterations\": %d, \"seconds\": ", r.iterations);
        cli_json_double(stdout, secs);
        printf("}\n");
    } else {
        printf("KL divergence: %.6f\niterations:    %d\nneighbours:    %d\nseconds:       %.3f\n",
               r.kl, r.iterations, r.neighbors, secs);
    }
    return CLI_OK;
}
