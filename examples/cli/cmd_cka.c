/* cmd_cka.c - `mossa cka X.npy Y.npy` and `mossa cka-matrix --a ... --b ...`.
   "seconds" is the computation only (file loading excluded). */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cka_args {
    mossa_cka_options opt;
    const char *kernel_name;
} cka_args;

/* Parses --kernel/--threshold/--debiased at argv[*i]; returns 1 if taken,
   0 if not an option of ours, -1 on a usage error (already reported). */
static int parse_common(int argc, char **argv, int *i, cka_args *a, int *rc)
{
    const char *s = argv[*i];
    if (strcmp(s, "--debiased") == 0) { a->opt.debiased = 1; return 1; }
    if (strcmp(s, "--kernel") == 0 || strcmp(s, "--threshold") == 0) {
        if (*i + 1 >= argc) { *rc = cli_usage("%s %s needs a value", argv[0], s); return -1; }
        ++*i;
        if (s[2] == 'k') {
            if (strcmp(argv[*i], "linear") == 0) a->opt.kernel = MOSSA_KERNEL_LINEAR;
            else if (strcmp(argv[*i], "rbf") == 0) a->opt.kernel = MOSSA_KERNEL_RBF;
            else { *rc = cli_usage("%s --kernel: '%s' is not linear or rbf", argv[0], argv[*i]); return -1; }
            a->kernel_name = argv[*i];
        } else if (!cli_parse_double(argv[*i], &a->opt.threshold)) {
            *rc = cli_usage("%s --threshold: '%s' is not a number", argv[0], argv[*i]);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* Names the file at fault for the input errors the library reports for
   the pair as a whole. */
static int file_problem(const char *path, const float *x, size_t n, size_t d)
{
    size_t i, j;
    for (i = 0; i < n * d; ++i)
        if (!isfinite(x[i])) return cli_error("%s: %s (row %zu, column %zu)", path,
                                              mossa_status_string(MOSSA_ERR_NONFINITE), i / d, i % d);
    for (i = 1; i < n; ++i)
        for (j = 0; j < d; ++j)
            if (x[i * d + j] != x[j]) return CLI_OK;
    return cli_error("%s: %s (all %zu rows are equal)", path,
                                          mossa_status_string(MOSSA_ERR_ZERO_VARIANCE), n);
}

static const char *kernel_label(const cka_args *a)
{
    return a->opt.kernel == MOSSA_KERNEL_RBF ? "rbf" : "linear";
}

int cmd_cka(int argc, char **argv, const cli_globals *g)
{
    cka_args a;
    const char *files[2] = {NULL, NULL};
    int nf = 0, i, rc = CLI_OK;
    float *x = NULL, *y = NULL;
    size_t nx, dx, ny, dy;
    double cka = 0.0, t0, secs;
    mossa_status st;
    memset(&a, 0, sizeof(a));
    a.opt.n_threads = g->threads;
    for (i = 1; i < argc; ++i) {
        int r = parse_common(argc, argv, &i, &a, &rc);
        if (r < 0) return rc;
        if (r > 0) continue;
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage("cka: unknown option '%s'", argv[i]);
        if (nf == 2) return cli_usage("cka: unexpected argument '%s'", argv[i]);
        files[nf++] = argv[i];
    }
    if (nf != 2) return cli_usage("cka: needs two .npy files: mossa cka X.npy Y.npy");
    if (cli_load_npy(files[0], &x, &nx, &dx) != CLI_OK) return CLI_ERROR;
    if (cli_load_npy(files[1], &y, &ny, &dy) != CLI_OK) { mossa_free(x, NULL); return CLI_ERROR; }
    if (nx != ny) {
        rc = cli_error("%s has %zu rows but %s has %zu: %s", files[0], nx, files[1], ny,
                       mossa_status_string(MOSSA_ERR_DIMENSION_MISMATCH));
        goto done;
    }
    t0 = cli_now();
    st = mossa_cka(x, nx, dx, y, dy, &a.opt, &cka);
    secs = cli_now() - t0;
    if (st != MOSSA_OK) {
        if (st == MOSSA_ERR_NONFINITE || st == MOSSA_ERR_ZERO_VARIANCE) {
            rc = file_problem(files[0], x, nx, dx);
            if (rc == CLI_OK) rc = file_problem(files[1], y, ny, dy);
            if (rc != CLI_OK) goto done;
        }
        if (st == MOSSA_ERR_INVALID_ARGUMENT && !(a.opt.threshold >= 0.0))
            rc = cli_error("cka --threshold %g: %s", a.opt.threshold, mossa_status_string(st));
        else
            rc = cli_error("cka %s %s: %s", files[0], files[1], mossa_status_string(st));
        goto done;
    }
    if (g->json) {
        printf("{\"cka\": ");
        cli_json_double(stdout, cka);
        printf(", \"n\": %zu, \"dx\": %zu, \"dy\": %zu, \"kernel\": \"%s\", \"debiased\": %s, \"seconds\": ",
               nx, dx, dy, kernel_label(&a), a.opt.debiased ? "true" : "false");
        cli_json_double(stdout, secs);
        printf("}\n");
    } else {
        printf("%.17g\n", cka);
    }
done:
    mossa_free(x, NULL);
    mossa_free(y, NULL);
    return rc;
}

int cmd_cka_matrix(int argc, char **argv, const cli_globals *g)
{
    cka_args a;
    char **fa, **fb;
    int na = 0, nb = 0, i, side = 0, rc = CLI_OK;
    size_t n = 0, r, c;
    mossa_cka_gram **gb = NULL, *ga = NULL;
    double *out = NULL, secs = 0.0;
    memset(&a, 0, sizeof(a));
    a.opt.n_threads = g->threads;
    fa = (char **)calloc((size_t)argc + 1, sizeof(char *));
    fb = (char **)calloc((size_t)argc + 1, sizeof(char *));
    if (!fa || !fb) { free(fa); free(fb); return cli_error("out of memory"); }
    for (i = 1; i < argc; ++i) {
        int p = parse_common(argc, argv, &i, &a, &rc);
        if (p < 0) goto done;
        if (p > 0) continue;
        if (strcmp(argv[i], "--a") == 0) { side = 1; continue; }
        if (strcmp(argv[i], "--b") == 0) { side = 2; continue; }
        if (argv[i][0] == '-' && argv[i][1]) { rc = cli_usage("cka-matrix: unknown option '%s'", argv[i]); goto done; }
        if (side == 1) fa[na++] = argv[i];
        else if (side == 2) fb[nb++] = argv[i];
        else { rc = cli_usage("cka-matrix: '%s' must follow --a or --b", argv[i]); goto done; }
    }
    if (na == 0 || nb == 0) { rc = cli_usage("cka-matrix: needs --a FILES... and --b FILES..."); goto done; }
    gb = (mossa_cka_gram **)calloc((size_t)nb, sizeof(*gb));
    out = (double *)calloc((size_t)na * (size_t)nb, sizeof(double));
    if (!gb || !out) { rc = cli_error("out of memory"); goto done; }
    /* Layers are loaded one at a time: the B side's kernels stay, each A
       layer's kernel lives while its row of the matrix is computed. */
    for (i = 0; i < na + nb; ++i) {
        const char *path = i < nb ? fb[i] : fa[i - nb];
        float *x = NULL;
        size_t rows, cols;
        mossa_status st;
        mossa_cka_gram *gr = NULL;
        double t0;
        if (cli_load_npy(path, &x, &rows, &cols) != CLI_OK) { rc = CLI_ERROR; goto done; }
        if (i == 0) n = rows;
        if (rows != n) {
            rc = cli_error("%s has %zu rows but %s has %zu: %s", path, rows, fb[0], n,
                           mossa_status_string(MOSSA_ERR_DIMENSION_MISMATCH));
            mossa_free(x, NULL);
            goto done;
        }
        t0 = cli_now();
        st = mossa_cka_gram_create(x, rows, cols, &a.opt, &gr);
        secs += cli_now() - t0;
        if (st != MOSSA_OK) {
            if (st == MOSSA_ERR_NONFINITE || st == MOSSA_ERR_ZERO_VARIANCE) rc = file_problem(path, x, rows, cols);
            if (rc == CLI_OK) rc = cli_error("%s: %s", path, mossa_status_string(st));
            mossa_free(x, NULL);
            goto done;
        }
        mossa_free(x, NULL);
        if (i < nb) { gb[i] = gr; continue; }
        ga = gr;
        t0 = cli_now();
        for (c = 0; c < (size_t)nb; ++c) {
            st = mossa_cka_gram_cka(ga, gb[c], &a.opt, &out[(size_t)(i - nb) * (size_t)nb + c]);
            if (st != MOSSA_OK) {
                rc = cli_error("%s vs %s: %s", path, fb[c], mossa_status_string(st));
                goto done;
            }
        }
        secs += cli_now() - t0;
        mossa_cka_gram_destroy(ga);
        ga = NULL;
    }
    if (g->json) {
        printf("{\"matrix\": [");
        for (r = 0; r < (size_t)na; ++r) {
            printf("%s[", r ? ", " : "");
            for (c = 0; c < (size_t)nb; ++c) {
                if (c) printf(", ");
                cli_json_double(stdout, out[r * (size_t)nb + c]);
            }
            printf("]");
        }
        printf("], \"seconds\": ");
        cli_json_double(stdout, secs);
        printf("}\n");
    } else {
        for (r = 0; r < (size_t)na; ++r) {
            for (c = 0; c < (size_t)nb; ++c) printf("%s%.17g", c ? "," : "", out[r * (size_t)nb + c]);
            printf("\n");
        }
    }
done:
    mossa_cka_gram_destroy(ga);
    if (gb) for (i = 0; i < nb; ++i) mossa_cka_gram_destroy(gb[i]);
    free(gb); free(out); free(fa); free(fb);
    return rc;
}
