/* cmd_svd.c - `mossa rank` (dimensions for a fraction of the variance) and
   `mossa svd` (randomized truncated SVD). */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

int cmd_rank(int argc, char **argv, const cli_globals *g)
{
    const char *path = NULL;
    mossa_rank_options o;
    mossa_rank_result r;
    float *x = NULL;
    size_t n = 0, d = 0;
    double t0, secs;
    int i, rc;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.n_threads = g->threads;
    o.variance = 0.99;
    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--variance") == 0) {
            if (i + 1 >= argc) return cli_usage("rank: --variance needs a value");
            if (!cli_parse_double(argv[++i], &o.variance))
                return cli_usage("rank: --variance: '%s' is not a number", argv[i]);
            if (!(o.variance > 0.0 && o.variance <= 1.0))
                return cli_error("rank: --variance %s: must be in (0, 1]", argv[i]);
        } else if (strcmp(argv[i], "--no-center") == 0) o.no_center = 1;
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage("rank: unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else return cli_usage("rank: unexpected argument '%s'", argv[i]);
    }
    if (!path) return cli_usage("rank: missing input X.npy");
    if ((rc = cli_load_npy(path, &x, &n, &d)) != CLI_OK) return rc;
    t0 = cli_now();
    st = mossa_variance_rank(x, n, d, &o, &r);
    secs = cli_now() - t0;
    mossa_free(x, NULL);
    if (st != MOSSA_OK) return cli_status_error(path, st);
    if (g->json) {
        printf("{\"rank\": %lu, \"explained\": ", (unsigned long)r.rank);
        cli_json_double(stdout, r.explained);
        printf(", \"total_variance\": ");
        cli_json_double(stdout, r.total_variance);
        printf(", \"seconds\": ");
        cli_json_double(stdout, secs);
        printf("}\n");
    } else {
        printf("%lu dimensions explain %.6f of the %s variance (target %g) of %s (%lu x %lu)\n",
               (unsigned long)r.rank, r.explained, o.no_center ? "uncentered" : "centered", o.variance,
               path, (unsigned long)n, (unsigned long)d);
        printf("total variance ||X%s||_F^2 = %.10g; %.3f s\n", o.no_center ? "" : "c", r.total_variance, secs);
    }
    return CLI_OK;
}

static int write_out(const char *path, const float *a, size_t rows, size_t cols)
{
    mossa_status st = mossa_npy_write(path, a, rows, cols);
    if (st != MOSSA_OK) return cli_error("%s: %s", path, mossa_status_string(st));
    return CLI_OK;
}

int cmd_svd(int argc, char **argv, const cli_globals *g)
{
    const char *path = NULL, *out_s = NULL, *out_u = NULL, *out_vt = NULL;
    mossa_svd_options o;
    float *x = NULL, *u = NULL, *vt = NULL, *sf = NULL;
    double *s = NULL;
    size_t n = 0, d = 0, i;
    long k = 0, v;
    unsigned long long seed;
    double t0, secs;
    int a, rc = CLI_OK;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.n_threads = g->threads;
    for (a = 1; a < argc; ++a) {
        const char *opt = argv[a];
        int has = a + 1 < argc;
        if (strcmp(opt, "-k") == 0 || strcmp(opt, "--k") == 0) {
            if (!has || !cli_parse_int(argv[++a], 1, 0x7fffffffL, &k))
                return cli_usage("svd: -k needs a positive integer");
        } else if (strcmp(opt, "--oversample") == 0) {
            if (!has || !cli_parse_int(argv[++a], 1, 0x7fffffffL, &v))
                return cli_usage("svd: --oversample needs a positive integer");
            o.oversample = (size_t)v;
        } else if (strcmp(opt, "--power-iters") == 0) {
            if (!has || !cli_parse_int(argv[++a], 0, 1000, &v))
                return cli_usage("svd: --power-iters needs an integer from 0 to 1000");
            o.power_iters = v == 0 ? -1 : (int)v;   /* 0 on the command line means none */
        } else if (strcmp(opt, "--seed") == 0) {
            if (!has || !cli_parse_u64(argv[++a], &seed)) return cli_usage("svd: --seed needs an unsigned integer");
            o.seed = (uint64_t)seed;
        } else if (strcmp(opt, "--krylov") == 0) {
            o.block_krylov = 1;
        } else if (strcmp(opt, "--no-bf16") == 0) {
            o.no_bf16 = 1;
        } else if (strcmp(opt, "--block") == 0) {
            if (!has || !cli_parse_int(argv[++a], 1, 0x7fffffffL, &v))
                return cli_usage("svd: --block needs a positive integer");
            o.krylov_block = (size_t)v;
            o.block_krylov = 1;
        } else if (strcmp(opt, "--out-s") == 0) {
            if (!has) return cli_usage("svd: --out-s needs a file");
            out_s = argv[++a];
        } else if (strcmp(opt, "--out-u") == 0) {
            if (!has) return cli_usage("svd: --out-u needs a file");
            out_u = argv[++a];
        } else if (strcmp(opt, "--out-vt") == 0) {
            if (!has) return cli_usage("svd: --out-vt needs a file");
            out_vt = argv[++a];
        } else if (opt[0] == '-' && opt[1]) return cli_usage("svd: unknown option '%s'", opt);
        else if (!path) path = opt;
        else return cli_usage("svd: unexpected argument '%s'", opt);
    }
    if (!path) return cli_usage("svd: missing input X.npy");
    if (k <= 0) return cli_usage("svd: -k K is required");
    if ((rc = cli_load_npy(path, &x, &n, &d)) != CLI_OK) return rc;
    if ((size_t)k > (n < d ? n : d)) {
        mossa_free(x, NULL);
        return cli_error("svd: -k %ld exceeds min(rows, cols) = %lu of %s", k, (unsigned long)(n < d ? n : d), path);
    }
    s = (double *)malloc((size_t)k * sizeof(double));
    if (out_u) u = (float *)malloc(n * (size_t)k * sizeof(float));
    if (out_vt) vt = (float *)malloc((size_t)k * d * sizeof(float));
    if (!s || (out_u && !u) || (out_vt && !vt)) { rc = cli_error("svd: out of memory"); goto done; }
    t0 = cli_now();
    st = mossa_svd_randomized(x, n, d, (size_t)k, &o, s, u, vt);
    secs = cli_now() - t0;
    if (st != MOSSA_OK) { rc = cli_status_error(path, st); goto done; }
    if (out_s) {
        sf = (float *)malloc((size_t)k * sizeof(float));
        if (!sf) { rc = cli_error("svd: out of memory"); goto done; }
        for (i = 0; i < (size_t)k; ++i) sf[i] = (float)s[i];
        if ((rc = write_out(out_s, sf, (size_t)k, 1)) != CLI_OK) goto done;
    }
    if (out_u && (rc = write_out(out_u, u, n, (size_t)k)) != CLI_OK) goto done;
    if (out_vt && (rc = write_out(out_vt, vt, (size_t)k, d)) != CLI_OK) goto done;
    if (g->json) {
        printf("{\"singular_values\": [");
        for (i = 0; i < (size_t)k; ++i) {
            if (i) printf(", ");
            cli_json_double(stdout, s[i]);
        }
        printf("], \"seconds\": ");
        cli_json_double(stdout, secs);
        printf("}\n");
    } else {
        printf("top %ld singular values of %s (%lu x %lu), %.3f s:\n", k, path, (unsigned long)n,
               (unsigned long)d, secs);
        for (i = 0; i < (size_t)k; ++i) printf("%4lu  %.9g\n", (unsigned long)(i + 1), s[i]);
    }
done:
    free(s); free(u); free(vt); free(sf);
    mossa_free(x, NULL);
    return rc;
}
