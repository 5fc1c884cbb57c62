/* cmd_svd.c - placeholder until its issue lands. */
#include "cli.h"

int cmd_rank(int argc, char **argv, const cli_globals *g)
{
    (void)argc; (void)g;
    return cli_error("%s: not implemented yet", argv[0]);
}

int cmd_svd(int argc, char **argv, const cli_globals *g)
{
    (void)argc; (void)g;
    return cli_error("%s: not implemented yet", argv[0]);
}

