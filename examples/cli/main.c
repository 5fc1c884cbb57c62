/* main.c - the mossa command: global flags, then one subcommand. */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

typedef struct cli_command {
    const char *name;
    cli_command_fn fn;
    const char *synopsis;
} cli_command;

static const cli_command commands[] = {
    {"info", cmd_info, "info                          version, SIMD levels, threads"},
    {"cka", cmd_cka, "cka X.npy Y.npy [--kernel linear|rbf] [--threshold T] [--debiased]"},
    {"cka-matrix", cmd_cka_matrix, "cka-matrix --a A0.npy ... --b B0.npy ... [--kernel K] [--debiased]"},
    {"rank", cmd_rank, "rank X.npy [--variance F] [--no-center]"},
    {"svd", cmd_svd, "svd X.npy -k K [--oversample P] [--power-iters Q] [--seed S] [--krylov [--block B]]\n"
                     "                               [--no-bf16] [--out-s F] [--out-u F] [--out-vt F]"},
    {"tsne", cmd_tsne, "tsne X.npy -o Y.npy [--dims 2|3] [--perplexity P] [--theta T] [--iters N] [--seed S]\n"
                       "                               [--init pca|random] [--knn auto|brute|vptree] [--labels L.npy]\n"
                       "                               [--svg PLOT.svg]"},
    {"readability", cmd_readability, "readability [FILE|-] [--per-line]"},
    {"syllables", cmd_syllables, "syllables WORD..."},
    {"analyze", cmd_analyze, "analyze DIR [-o OUTDIR] [--kernel linear|rbf] [--threshold T] [--debiased]\n"
                             "                               [--variance F] [--tsne-layers L,L,..] [--no-tsne] [--tsne-per-task N]\n"
                             "                               [--tsne-iters N] [--seed S] [--min-group N] [--quiet]"},
    {"demo", cmd_demo, "demo [-o OUTDIR] [--quiet]"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *f)
{
    size_t i;
    fputs("usage: mossa [--json] [--threads N] [--simd scalar|avx2|avx512|neon|auto] COMMAND ...\n\n"
          "commands:\n", f);
    for (i = 0; i < N_COMMANDS; ++i) fprintf(f, "  mossa %s\n", commands[i].synopsis);
    fputs("\nExit status: 0 success, 1 bad input, 2 usage error.\n", f);
}

int main(int argc, char **argv)
{
    cli_globals g;
    char **rest;
    int i, n = 0;
    size_t c;
    mossa_status st;
    memset(&g, 0, sizeof(g));
    rest = (char **)calloc((size_t)argc + 1, sizeof(char *));
    if (!rest) return cli_error("out of memory");
    /* Global flags may stand anywhere; everything else goes to the command. */
    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--json") == 0) g.json = 1;
        else if (strcmp(argv[i], "--threads") == 0 || strcmp(argv[i], "--simd") == 0) {
            if (i + 1 >= argc) { free(rest); return cli_usage("%s needs a value", argv[i]); }
            if (argv[i][2] == 't') {
                long t;
                if (!cli_parse_int(argv[i + 1], 0, 1024, &t)) {
                    free(rest);
                    return cli_usage("--threads: '%s' is not a number from 0 to 1024", argv[i + 1]);
                }
                g.threads = (int)t;
            } else g.simd = argv[i + 1];
            ++i;
        } else rest[n++] = argv[i];
    }
    rest[n] = NULL;
    if (n == 0) { print_help(stderr); free(rest); return CLI_USAGE; }
    if (strcmp(rest[0], "help") == 0 || strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0) {
        print_help(stdout); free(rest); return CLI_OK;
    }
    if (strcmp(rest[0], "--version") == 0) { printf("mossa %s\n", mossa_version()); free(rest); return CLI_OK; }

    /* The SIMD level: --simd beats MOSSA_SIMD; either, when invalid, is an error. */
    if (g.simd) {
        mossa_simd_level lvl;
        st = mossa_simd_parse(g.simd, &lvl);
        if (st == MOSSA_OK) st = mossa_simd_force(lvl);
        if (st != MOSSA_OK) { free(rest); return cli_error("--simd %s: %s", g.simd, mossa_status_string(st)); }
    } else if ((st = mossa_simd_init()) != MOSSA_OK) {
        const char *env = getenv("MOSSA_SIMD");
        free(rest);
        return cli_error("MOSSA_SIMD=%s: %s", env ? env : "", mossa_status_string(st));
    }

    for (c = 0; c < N_COMMANDS; ++c) {
        if (strcmp(rest[0], commands[c].name) == 0) {
            int rc = commands[c].fn(n, rest, &g);
            free(rest);
            return rc;
        }
    }
    i = cli_usage("unknown command '%s'", rest[0]);
    free(rest);
    return i;
}
