/* cmd_analyze.c - placeholder until its issue lands. */
#include "cli.h"

int cmd_analyze(int argc, char **argv, const cli_globals *g)
{
    (void)argc; (void)g;
    return cli_error("%s: not implemented yet", argv[0]);
}

int cmd_demo(int argc, char **argv, const cli_globals *g)
{
    (void)argc; (void)g;
    return cli_error("%s: not implemented yet", argv[0]);
}

