/* mossa_mpi.c - CKA for data larger than one machine: `mossa cka` and
   `mossa cka-matrix` spread over MPI ranks (build: `make mpi`).

     mpirun -np K build/mossa-mpi [--json] [--threads N] [--simd LEVEL] cka X.npy Y.npy [--batch-rows B]
     mpirun -np K build/mossa-mpi [--json] ... cka-matrix --a A0.npy ... --b B0.npy ...
                                  [--kernel linear|rbf] [--threshold T] [--debiased]

   cka: the n rows are cut into K contiguous slices; rank r reads only rows
   [n r / K, n (r + 1) / K) of each file (mossa_npy_read_rows, B rows at a
   time) and folds them into the library's streaming accumulator
   (mossa_cka_stream_*: row count, column means and centered co-moment
   matrices, merged with the pairwise update of Chan, Golub & LeVeque).
   The states are combined with MPI_Reduce and a user operation calling
   mossa_cka_stream_merge_state: the co-moments are NOT additive (merging
   needs the means), so a plain MPI_SUM would be wrong. The state travels
   as ONE element of a contiguous derived datatype, so MPI can never cut it
   into segments that the merge would see separately. Rank 0 prints what
   `mossa cka` prints: exact biased linear CKA. It agrees with the
   one-process value within 1e-7 (test-mpi checks it): on 1003 rows with
   column means of 1e4, `mossa cka` and mossa-mpi with 1, 2 or 3 ranks are
   all within 2e-8 of a float64 reference; the batch boundaries (which
   depend on K) move the float32 block rounding in the last ~8 digits. Per rank, memory is the state
   (dx^2 + dy^2 + dx dy doubles) plus one batch of rows; no rank ever holds
   all the rows. RBF and debiased CKA need all pairs of rows and are not
   row-shardable: use `mossa cka` (or cka-matrix here) for them.

   cka-matrix: the LA x LB layer pairs are cut into a grid of Ka x Kb
   rectangular blocks (Ka Kb <= K, near-square in layers so that each rank
   prepares few kernels); a rank loads only its layers, prepares each
   layer's centered kernel once (mossa_cka_gram_create) and fills its
   block. Rank 0 collects the matrix (MPI_Reduce, MPI_SUM over blocks that
   do not overlap: every entry has exactly one non-zero contributor) and
   prints it like `mossa cka-matrix`. Each entry is bit-identical to the
   one-process result.

   Errors follow the CLI's contract: exit 1 with "mossa: error: ..." on
   stderr (printed once, by the lowest rank that failed; every rank exits),
   exit 2 for usage errors. */
#include "mossa.h"
#include <mpi.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_INPUT 1
#define EXIT_USAGE 2

typedef struct globals {
    int json, threads;
    const char *simd;
    int rank, size;
} globals;

/* ---- errors agreed across ranks ---------------------------------------------
   Each rank records its first error; agree() finds the lowest failing rank,
   which prints its message, and returns the same exit code on every rank. */
static char err_msg[1024];
static int err_code;

static int fail(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    if (err_code) return err_code;   /* keep the first */
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
    va_end(ap);
    err_code = code;
    return code;
}

static int agree(const globals *g)
{
    int mine = err_code ? g->rank : g->size, first, code = err_code;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == g->size) return 0;
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    if (g->rank == first) {
        if (code == EXIT_USAGE) fprintf(stderr, "mossa-mpi: %s\nTry 'mossa-mpi help' for usage.\n", err_msg);
        else fprintf(stderr, "mossa: error: %s\n", err_msg);
        fflush(stderr);
    }
    return code;
}

static void usage(FILE *f)
{
    fputs("usage: mpirun -np K mossa-mpi [--json] [--threads N] [--simd LEVEL] COMMAND ...\n\n"
          "commands:\n"
          "  mossa-mpi cka X.npy Y.npy [--batch-rows B]\n"
          "      exact linear CKA; rank r reads only its slice of the rows\n"
          "  mossa-mpi cka-matrix --a A0.npy A1.npy ... --b B0.npy ... [--kernel linear|rbf]\n"
          "                       [--threshold T] [--debiased]\n"
          "      LA x LB CKA matrix; the layer pairs are split across ranks\n\n"
          "Output as `mossa cka` / `mossa cka-matrix`. Exit status: 0 success, 1 bad input, 2 usage.\n", f);
}

static double now(void) { return MPI_Wtime(); }

static void print_json_double(double v)
{
    if (isfinite(v)) printf("%.17g", v);
    else printf("null");
}

/* ---- cka: rows sharded, streaming statistics reduced --------------------------- */
static void merge_states(void *in, void *inout, int *len, MPI_Datatype *type)
{
    /* MPI gives inout = in (lower ranks) op inout; with one element of the
       contiguous state type, len is 1 per state. A merge cannot fail here
       for states of the same shape; a failure marks the row count NaN so
       rank 0 reports it instead of printing a wrong value. */
    size_t one;
    int i, count = 0;
    double *a = (double *)in, *b = (double *)inout;
    MPI_Type_size(*type, &count);
    one = (size_t)count / sizeof(double);
    for (i = 0; i < *len; ++i)
        if (mossa_cka_stream_merge_state(b + (size_t)i * one, a + (size_t)i * one) != MOSSA_OK)
            b[(size_t)i * one] = NAN;
}

/* names the file and the first non-finite value of a batch */
static int check_finite(const char *path, const float *x, size_t rows, size_t cols, size_t row0)
{
    size_t i;
    for (i = 0; i < rows * cols; ++i)
        if (!isfinite(x[i]))
            return fail(EXIT_INPUT, "%s: %s (row %zu, column %zu)", path, mossa_status_string(MOSSA_ERR_NONFINITE),
                        row0 + i / cols, i % cols);
    return 0;
}

static int cmd_cka(int argc, char **argv, const globals *g)
{
    const char *files[2] = {NULL, NULL};
    int nf = 0, i, rc;
    unsigned long long batch_arg = 0;
    unsigned long long meta[3] = {0, 0, 0};   /* n, dx, dy */
    size_t n, dx, dy, lo, hi, batch, row, state_len = 0;
    mossa_cka_options opt;
    mossa_cka_stream *stream = NULL;
    double *state = NULL, *total = NULL, cka = 0.0, t_compute = 0.0, t_all, t0;
    MPI_Datatype state_type = MPI_DATATYPE_NULL;
    MPI_Op op = MPI_OP_NULL;

    memset(&opt, 0, sizeof(opt));
    opt.n_threads = g->threads;
    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--batch-rows") == 0 && i + 1 < argc) {
            char *end;
            batch_arg = strtoull(argv[++i], &end, 10);
            if (*end || batch_arg == 0 || argv[i][0] == '-') fail(EXIT_USAGE, "cka --batch-rows: '%s' is not a positive integer", argv[i]);
        } else if (strcmp(argv[i], "--kernel") == 0 || strcmp(argv[i], "--debiased") == 0 ||
                   strcmp(argv[i], "--threshold") == 0) {
            if (!(strcmp(argv[i], "--kernel") == 0 && i + 1 < argc && strcmp(argv[i + 1], "linear") == 0))
                fail(EXIT_INPUT, "cka %s: the row-sharded CKA is exact for biased linear CKA only (RBF and "
                     "debiased CKA need every pair of rows); run `mossa cka` on one machine", argv[i]);
            if (strcmp(argv[i], "--debiased") != 0) ++i;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fail(EXIT_USAGE, "cka: unknown option '%s'", argv[i]);
        } else if (nf < 2) {
            files[nf++] = argv[i];
        } else {
            fail(EXIT_USAGE, "cka: unexpected argument '%s'", argv[i]);
        }
    }
    if (nf != 2) fail(EXIT_USAGE, "cka: needs two .npy files: mossa-mpi cka X.npy Y.npy");
    if ((rc = agree(g)) != 0) return rc;

    t_all = now();
    /* rank 0 reads the headers; everyone learns the shape */
    if (g->rank == 0) {
        mossa_npy_info ix, iy;
        mossa_status st = mossa_npy_read_info(files[0], &ix);
        if (st != MOSSA_OK) fail(EXIT_INPUT, "%s: %s", files[0], mossa_status_string(st));
        else if ((st = mossa_npy_read_info(files[1], &iy)) != MOSSA_OK)
            fail(EXIT_INPUT, "%s: %s", files[1], mossa_status_string(st));
        else if (ix.rows != iy.rows)
            fail(EXIT_INPUT, "%s has %zu rows but %s has %zu: %s", files[0], ix.rows, files[1], iy.rows,
                 mossa_status_string(MOSSA_ERR_DIMENSION_MISMATCH));
        else if (ix.rows == 0 || ix.cols == 0 || iy.cols == 0)
            fail(EXIT_INPUT, "cka %s %s: %s", files[0], files[1], mossa_status_string(MOSSA_ERR_INVALID_ARGUMENT));
        else { meta[0] = ix.rows; meta[1] = ix.cols; meta[2] = iy.cols; }
    }
    if ((rc = agree(g)) != 0) return rc;
    MPI_Bcast(meta, 3, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    n = (size_t)meta[0]; dx = (size_t)meta[1]; dy = (size_t)meta[2];
    lo = (size_t)((unsigned long long)n * (unsigned long long)g->rank / (unsigned long long)g->size);
    hi = (size_t)((unsigned long long)n * (unsigned long long)(g->rank + 1) / (unsigned long long)g->size);
    /* default batch: about 32 MB of float32 rows of both files */
    batch = batch_arg ? (size_t)batch_arg : (size_t)(8u << 20) / (dx + dy);
    if (batch == 0) batch = 1;

    {
        mossa_status st = mossa_cka_stream_create(dx, dy, &opt, &stream);
        if (st != MOSSA_OK) fail(EXIT_INPUT, "cka: %s", mossa_status_string(st));
    }
    for (row = lo; !err_code && row < hi; row += batch) {
        size_t take = hi - row < batch ? hi - row : batch, cx = 0, cy = 0, tx = 0, ty = 0;
        float *x = NULL, *y = NULL;
        mossa_status st = mossa_npy_read_rows(files[0], row, take, NULL, &x, &cx, &tx);
        if (st != MOSSA_OK) fail(EXIT_INPUT, "%s: rows %zu-%zu: %s", files[0], row, row + take - 1, mossa_status_string(st));
        else if ((st = mossa_npy_read_rows(files[1], row, take, NULL, &y, &cy, &ty)) != MOSSA_OK)
            fail(EXIT_INPUT, "%s: rows %zu-%zu: %s", files[1], row, row + take - 1, mossa_status_string(st));
        else if (tx != n || ty != n || cx != dx || cy != dy)
            fail(EXIT_INPUT, "%s, %s: the files changed while being read", files[0], files[1]);
        else if (!check_finite(files[0], x, take, dx, row) && !check_finite(files[1], y, take, dy, row)) {
            t0 = now();
            st = mossa_cka_stream_add(stream, x, y, take);
            t_compute += now() - t0;
            if (st != MOSSA_OK) fail(EXIT_INPUT, "cka %s %s: %s", files[0], files[1], mossa_status_string(st));
        }
        mossa_free(x, NULL);
        mossa_free(y, NULL);
    }
    if (!err_code) {
        state_len = mossa_cka_stream_state_size(dx, dy);
        state = (double *)malloc(state_len * sizeof(double));
        total = g->rank == 0 ? (double *)malloc(state_len * sizeof(double)) : NULL;
        if (!state || (g->rank == 0 && !total) || state_len > (size_t)2147483647) fail(EXIT_INPUT, "cka: out of memory for the %zu-double state", state_len);
        else {
            mossa_status st = mossa_cka_stream_export(stream, state);
            if (st != MOSSA_OK) fail(EXIT_INPUT, "cka: %s", mossa_status_string(st));
        }
    }
    mossa_cka_stream_destroy(stream);
    if ((rc = agree(g)) != 0) { free(state); free(total); return rc; }

    t0 = now();
    MPI_Type_contiguous((int)state_len, MPI_DOUBLE, &state_type);
    MPI_Type_commit(&state_type);
    /* not commutative: MPI then combines in rank order, so the rounding of
       the result is the same on every run with the same K */
    MPI_Op_create(merge_states, 0, &op);
    MPI_Reduce(state, total, 1, state_type, op, 0, MPI_COMM_WORLD);
    MPI_Op_free(&op);
    MPI_Type_free(&state_type);
    t_compute += now() - t0;

    if (g->rank == 0) {
        mossa_status st = total[0] == (double)n ? mossa_cka_stream_state_cka(total, &cka) : MOSSA_ERR_INTERNAL;
        if (st == MOSSA_ERR_ZERO_VARIANCE) {
            /* name the matrix: its co-moment trace is zero */
            const double *cxx = total + 3 + dx + dy, *cyy = cxx + dx * dx;
            double tx = 0, ty = 0;
            size_t k;
            for (k = 0; k < dx; ++k) tx += cxx[k * dx + k];
            for (k = 0; k < dy; ++k) ty += cyy[k * dy + k];
            fail(EXIT_INPUT, "%s: %s", tx == 0 ? files[0] : ty == 0 ? files[1] : files[0], mossa_status_string(st));
        } else if (st != MOSSA_OK) {
            fail(EXIT_INPUT, "cka %s %s: %s", files[0], files[1], mossa_status_string(st));
        } else if (g->json) {
            double secs_all = now() - t_all;
            printf("{\"cka\": ");
            print_json_double(cka);
            printf(", \"n\": %zu, \"dx\": %zu, \"dy\": %zu, \"kernel\": \"linear\", \"debiased\": false, \"seconds\": ", n, dx, dy);
            print_json_double(t_compute);
            printf(", \"seconds_total\": ");
            print_json_double(secs_all);
            printf(", \"ranks\": %d}\n", g->size);
        } else {
            printf("%.17g\n", cka);
        }
        fflush(stdout);
    }
    free(state);
    free(total);
    return agree(g);
}

/* ---- cka-matrix: layer pairs sharded ------------------------------------------- */
/* Ka x Kb grid with Ka Kb <= K that minimises the layers a rank prepares,
   ceil(LA / Ka) + ceil(LB / Kb) (ties: more ranks used). */
static void choose_grid(int k, size_t la, size_t lb, int *ka, int *kb)
{
    int a, best_a = 1, best_b = 1;
    size_t best = (size_t)-1;
    for (a = 1; a <= k && (size_t)a <= la; ++a) {
        int b = k / a;
        size_t cost;
        if ((size_t)b > lb) b = (int)lb;
        cost = (la + (size_t)a - 1) / (size_t)a + (lb + (size_t)b - 1) / (size_t)b;
        if (cost < best || (cost == best && a * b > best_a * best_b)) { best = cost; best_a = a; best_b = b; }
    }
    *ka = best_a;
    *kb = best_b;
}

static int load_gram(const char *path, size_t n_expect, const mossa_cka_options *opt, mossa_cka_gram **gram,
                     double *secs)
{
    float *x = NULL;
    size_t rows = 0, cols = 0, i;
    double t0;
    mossa_status st = mossa_npy_read(path, NULL, &x, &rows, &cols);
    *gram = NULL;
    if (st != MOSSA_OK) return fail(EXIT_INPUT, "%s: %s", path, mossa_status_string(st));
    if (rows != n_expect) {
        mossa_free(x, NULL);
        return fail(EXIT_INPUT, "%s has %zu rows but the first layer has %zu: %s", path, rows, n_expect,
                    mossa_status_string(MOSSA_ERR_DIMENSION_MISMATCH));
    }
    for (i = 0; i < rows * cols; ++i)
        if (!isfinite(x[i])) {
            mossa_free(x, NULL);
            return fail(EXIT_INPUT, "%s: %s (row %zu, column %zu)", path, mossa_status_string(MOSSA_ERR_NONFINITE),
                        i / cols, i % cols);
        }
    t0 = now();
    st = mossa_cka_gram_create(x, rows, cols, opt, gram);
    *secs += now() - t0;
    mossa_free(x, NULL);
    if (st != MOSSA_OK) return fail(EXIT_INPUT, "%s: %s", path, mossa_status_string(st));
    return 0;
}

static int cmd_cka_matrix(int argc, char **argv, const globals *g)
{
    mossa_cka_options opt;
    char **fa, **fb;
    int na = 0, nb = 0, i, side = 0, rc, ka, kb, gi, gj;
    size_t n = 0, a0, a1, b0, b1, r, c;
    double *mine = NULL, *all = NULL, secs = 0.0, secs_max = 0.0;
    mossa_cka_gram **gb = NULL, *ga = NULL;

    memset(&opt, 0, sizeof(opt));
    opt.n_threads = g->threads;
    fa = (char **)calloc((size_t)argc + 1, sizeof(char *));
    fb = (char **)calloc((size_t)argc + 1, sizeof(char *));
    if (!fa || !fb) fail(EXIT_INPUT, "out of memory");
    for (i = 1; !err_code && i < argc; ++i) {
        if (strcmp(argv[i], "--debiased") == 0) opt.debiased = 1;
        else if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc) {
            ++i;
            if (strcmp(argv[i], "linear") == 0) opt.kernel = MOSSA_KERNEL_LINEAR;
            else if (strcmp(argv[i], "rbf") == 0) opt.kernel = MOSSA_KERNEL_RBF;
            else fail(EXIT_USAGE, "cka-matrix --kernel: '%s' is not linear or rbf", argv[i]);
        } else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
            char *end;
            opt.threshold = strtod(argv[++i], &end);
            if (*end || !argv[i][0] || !isfinite(opt.threshold)) fail(EXIT_USAGE, "cka-matrix --threshold: '%s' is not a number", argv[i]);
        } else if (strcmp(argv[i], "--a") == 0) side = 1;
        else if (strcmp(argv[i], "--b") == 0) side = 2;
        else if (argv[i][0] == '-' && argv[i][1]) fail(EXIT_USAGE, "cka-matrix: unknown option '%s'", argv[i]);
        else if (side == 1) fa[na++] = argv[i];
        else if (side == 2) fb[nb++] = argv[i];
        else fail(EXIT_USAGE, "cka-matrix: '%s' must follow --a or --b", argv[i]);
    }
    if (!err_code && (na == 0 || nb == 0)) fail(EXIT_USAGE, "cka-matrix: needs --a FILES... and --b FILES...");
    if (!err_code && opt.threshold < 0) fail(EXIT_INPUT, "cka --threshold %g: %s", opt.threshold, mossa_status_string(MOSSA_ERR_INVALID_ARGUMENT));
    if ((rc = agree(g)) != 0) { free(fa); free(fb); return rc; }

    /* rank 0 checks every header first, so shape errors come before work */
    if (g->rank == 0) {
        for (i = 0; i < na + nb && !err_code; ++i) {
            const char *path = i < na ? fa[i] : fb[i - na];
            mossa_npy_info info;
            mossa_status st = mossa_npy_read_info(path, &info);
            if (st != MOSSA_OK) fail(EXIT_INPUT, "%s: %s", path, mossa_status_string(st));
            else if (i == 0) n = info.rows;
            else if (info.rows != n)
                fail(EXIT_INPUT, "%s has %zu rows but %s has %zu: %s", path, info.rows, fa[0], n,
                     mossa_status_string(MOSSA_ERR_DIMENSION_MISMATCH));
        }
    }
    if ((rc = agree(g)) != 0) { free(fa); free(fb); return rc; }
    {
        unsigned long nn = (unsigned long)n;
        MPI_Bcast(&nn, 1, MPI_UNSIGNED_LONG, 0, MPI_COMM_WORLD);
        n = (size_t)nn;
    }

    choose_grid(g->size, (size_t)na, (size_t)nb, &ka, &kb);
    mine = (double *)calloc((size_t)na * (size_t)nb, sizeof(double));
    all = g->rank == 0 ? (double *)calloc((size_t)na * (size_t)nb, sizeof(double)) : NULL;
    if (!mine || (g->rank == 0 && !all)) fail(EXIT_INPUT, "out of memory");
    if (!err_code && g->rank < ka * kb) {
        gi = g->rank / kb;
        gj = g->rank % kb;
        a0 = (size_t)na * (size_t)gi / (size_t)ka;
        a1 = (size_t)na * (size_t)(gi + 1) / (size_t)ka;
        b0 = (size_t)nb * (size_t)gj / (size_t)kb;
        b1 = (size_t)nb * (size_t)(gj + 1) / (size_t)kb;
        gb = (mossa_cka_gram **)calloc(b1 - b0 + 1, sizeof(*gb));
        if (!gb) fail(EXIT_INPUT, "out of memory");
        for (c = b0; !err_code && c < b1; ++c) load_gram(fb[c], n, &opt, &gb[c - b0], &secs);
        for (r = a0; !err_code && r < a1; ++r) {
            if (load_gram(fa[r], n, &opt, &ga, &secs)) break;
            for (c = b0; c < b1; ++c) {
                double t0 = now();
                mossa_status st = mossa_cka_gram_cka(ga, gb[c - b0], &opt, &mine[r * (size_t)nb + c]);
                secs += now() - t0;
                if (st != MOSSA_OK) { fail(EXIT_INPUT, "%s vs %s: %s", fa[r], fb[c], mossa_status_string(st)); break; }
            }
            mossa_cka_gram_destroy(ga);
            ga = NULL;
        }
        mossa_cka_gram_destroy(ga);
        if (gb) for (c = b0; c < b1; ++c) mossa_cka_gram_destroy(gb[c - b0]);
        free(gb);
    }
    if ((rc = agree(g)) != 0) { free(mine); free(all); free(fa); free(fb); return rc; }
    MPI_Reduce(mine, all, na * nb, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&secs, &secs_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (g->rank == 0) {
        if (g->json) {
            printf("{\"matrix\": [");
            for (r = 0; r < (size_t)na; ++r) {
                printf("%s[", r ? ", " : "");
                for (c = 0; c < (size_t)nb; ++c) {
                    if (c) printf(", ");
                    print_json_double(all[r * (size_t)nb + c]);
                }
                printf("]");
            }
            printf("], \"seconds\": ");
            print_json_double(secs_max);
            printf(", \"ranks\": %d, \"grid\": [%d, %d]}\n", g->size, ka, kb);
        } else {
            for (r = 0; r < (size_t)na; ++r) {
                for (c = 0; c < (size_t)nb; ++c) printf("%s%.17g", c ? "," : "", all[r * (size_t)nb + c]);
                printf("\n");
            }
        }
        fflush(stdout);
    }
    free(mine); free(all); free(fa); free(fb);
    return 0;
}

int main(int argc, char **argv)
{
    globals g;
    char **rest;
    int i, n = 0, rc = 0;
    MPI_Init(&argc, &argv);
    memset(&g, 0, sizeof(g));
    MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g.size);
    rest = (char **)calloc((size_t)argc + 1, sizeof(char *));
    if (!rest) { fprintf(stderr, "mossa: error: out of memory\n"); MPI_Abort(MPI_COMM_WORLD, 1); }
    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--json") == 0) g.json = 1;
        else if (strcmp(argv[i], "--threads") == 0 || strcmp(argv[i], "--simd") == 0) {
            if (i + 1 >= argc) { fail(EXIT_USAGE, "%s needs a value", argv[i]); break; }
            if (argv[i][2] == 't') {
                char *end;
                long t = strtol(argv[i + 1], &end, 10);
                if (*end || !argv[i + 1][0] || t < 0 || t > 1024) fail(EXIT_USAGE, "--threads: '%s' is not a number from 0 to 1024", argv[i + 1]);
                g.threads = (int)t;
            } else g.simd = argv[i + 1];
            ++i;
        } else rest[n++] = argv[i];
    }
    if (!err_code && g.simd) {
        mossa_simd_level lvl;
        mossa_status st = mossa_simd_parse(g.simd, &lvl);
        if (st == MOSSA_OK) st = mossa_simd_force(lvl);
        if (st != MOSSA_OK) fail(EXIT_INPUT, "--simd %s: %s", g.simd, mossa_status_string(st));
    } else if (!err_code) {
        mossa_status st = mossa_simd_init();
        if (st != MOSSA_OK) fail(EXIT_INPUT, "MOSSA_SIMD=%s: %s", getenv("MOSSA_SIMD") ? getenv("MOSSA_SIMD") : "", mossa_status_string(st));
    }
    if (!err_code && n == 0) { if (g.rank == 0) usage(stderr); rc = EXIT_USAGE; }
    else if (!err_code && (strcmp(rest[0], "help") == 0 || strcmp(rest[0], "--help") == 0)) { if (g.rank == 0) usage(stdout); }
    else if (err_code) rc = agree(&g);
    else if (strcmp(rest[0], "cka") == 0) rc = cmd_cka(n, rest, &g);
    else if (strcmp(rest[0], "cka-matrix") == 0) rc = cmd_cka_matrix(n, rest, &g);
    else { fail(EXIT_USAGE, "unknown command '%s'", rest[0]); rc = agree(&g); }
    free(rest);
    MPI_Finalize();
    return rc;
}
