/* cmd_text.c - placeholder until its issue lands. */
#include "cli.h"

int cmd_readability(int argc, char **argv, const cli_globals *g)
{
    (void)argc; (void)g;
    return cli_error("%s: not implemented yet", argv[0]);
}

int cmd_syllables(int argc, char **argv, const cli_globals *g)
{
    (void)argc; (void)g;
    return cli_error("%s: not implemented yet", argv[0]);
}

