/* cli.h - helpers shared by the mossa command-line tool's commands.
   Exit codes: 0 success, 1 bad input (with "mossa: error: ..." on stderr),
   2 usage. */
#ifndef MOSSA_CLI_H
#define MOSSA_CLI_H

#include "mossa.h"
#include <stdio.h>

#define CLI_OK 0
#define CLI_ERROR 1
#define CLI_USAGE 2

typedef struct cli_globals {
    int json;                   /* --json */
    int threads;                /* --threads N (0 = all CPUs) */
    const char *simd;           /* --simd LEVEL, or NULL */
} cli_globals;

typedef int (*cli_command_fn)(int argc, char **argv, const cli_globals *g);

/* Prints "mossa: error: <message>" and returns CLI_ERROR. */
int cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints "mossa: <message>" plus a hint and returns CLI_USAGE. */
int cli_usage(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* "mossa: error: <what>: <status message>", returns CLI_ERROR. */
int cli_status_error(const char *what, mossa_status status);

/* Strict number parsing: the whole string must be a number in range. */
int cli_parse_double(const char *s, double *out);
int cli_parse_int(const char *s, long lo, long hi, long *out);
int cli_parse_u64(const char *s, unsigned long long *out);

/* Reads a 2-D .npy file; on failure prints the error naming the file and
   returns CLI_ERROR. Free *data with mossa_free(*data, NULL). */
int cli_load_npy(const char *path, float **data, size_t *rows, size_t *cols);

/* Monotonic seconds. */
double cli_now(void);

/* JSON output helpers. */
void cli_json_string(FILE *f, const char *s);
void cli_json_double(FILE *f, double v);   /* null for NaN/Inf */
/* Text escaped for SVG/HTML (< > & "). */
void cli_xml_escape(FILE *f, const char *s);

/* Commands (one file each under examples/cli/). */
int cmd_info(int argc, char **argv, const cli_globals *g);
int cmd_cka(int argc, char **argv, const cli_globals *g);
int cmd_cka_matrix(int argc, char **argv, const cli_globals *g);
int cmd_rank(int argc, char **argv, const cli_globals *g);
int cmd_svd(int argc, char **argv, const cli_globals *g);
int cmd_tsne(int argc, char **argv, const cli_globals *g);
int cmd_readability(int argc, char **argv, const cli_globals *g);
int cmd_syllables(int argc, char **argv, const cli_globals *g);
int cmd_analyze(int argc, char **argv, const cli_globals *g);
int cmd_demo(int argc, char **argv, const cli_globals *g);

#endif
