/* mossa info: version, the active and the available SIMD levels, threads. */
#include "cli.h"
#include <string.h>

int cmd_info(int argc, char **argv, const cli_globals *g)
{
    int lvl, first = 1;
    int threads = g->threads > 0 ? g->threads : mossa_default_threads();
    const char *active = mossa_simd_name(mossa_simd_active());
    if (argc > 1) return cli_usage("info: unexpected argument '%s'", argv[1]);
    if (g->json) {
        printf("{\"version\": ");
        cli_json_string(stdout, mossa_version());
        printf(", \"simd\": ");
        cli_json_string(stdout, active);
        printf(", \"simd_available\": [");
        for (lvl = MOSSA_SIMD_SCALAR; lvl < MOSSA_SIMD_LEVEL_COUNT; ++lvl) {
            if (!mossa_simd_available((mossa_simd_level)lvl)) continue;
            printf("%s", first ? "" : ", ");
            cli_json_string(stdout, mossa_simd_name((mossa_simd_level)lvl));
            first = 0;
        }
        printf("], \"threads\": %d}\n", threads);
        return CLI_OK;
    }
    printf("mossa %s\n", mossa_version());
    printf("simd:           %s\n", active);
    printf("simd available:");
    for (lvl = MOSSA_SIMD_SCALAR; lvl < MOSSA_SIMD_LEVEL_COUNT; ++lvl)
        if (mossa_simd_available((mossa_simd_level)lvl)) printf(" %s", mossa_simd_name((mossa_simd_level)lvl));
    printf("\nthreads:        %d\n", threads);
    return CLI_OK;
}
