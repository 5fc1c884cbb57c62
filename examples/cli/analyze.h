/* analyze.h - shared pieces of `mossa analyze` and `mossa demo`: the data
   directory (DESIGN.md section 5), the strict JSON reader for mossa.json,
   the report writers (report.json, SVG figures, index.html, stdout
   summary) and the demo data generator. */
#ifndef MOSSA_CLI_ANALYZE_H
#define MOSSA_CLI_ANALYZE_H

#include "cli.h"

/* ---- a small strict JSON reader (RFC 8259; UTF-8 input) ---------------- */
typedef enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } jv_type;
typedef struct jv {
    jv_type type;
    double number;
    int boolean;
    char *string;               /* JV_STRING: decoded UTF-8 */
    size_t n;                   /* JV_ARRAY / JV_OBJECT: number of items */
    char **keys;                /* JV_OBJECT: n keys */
    struct jv *items;           /* n values */
} jv;
/* Parses text; on failure returns 0 and writes "line L, column C: what"
   into err. Duplicate object keys are an error. */
int jv_parse(const char *text, size_t len, jv *out, char *err, size_t err_size);
void jv_free(jv *v);
const jv *jv_get(const jv *object, const char *key);

/* ---- the data set --------------------------------------------------------- */
typedef struct az_data {
    char *dir;
    size_t n_models, n_tasks, n_layers, control;
    char **models, **tasks;
    char **layer_names;         /* file stems as found, e.g. "7" */
    long *layer_numbers;        /* their integer values, ascending */
    size_t *rows;               /* per task */
    char **cluster;             /* per task, or NULL when mossa.json has no clusters */
    char **cluster_names;       /* distinct clusters in order of first appearance */
    size_t n_clusters;
    double *grade;              /* per task, or NULL without texts/ */
    size_t *scored;             /* per task: lines with words */
} az_data;

/* Scans and validates DIR; on failure prints "mossa: error: <file>: ..."
   and returns CLI_ERROR. */
int az_open(const char *dir, az_data *data);
void az_close(az_data *data);
/* "DIR/model/task/layer.npy" into buf */
void az_matrix_path(const az_data *data, size_t model, size_t task, size_t layer,
                    char *buf, size_t size);

/* ---- the run --------------------------------------------------------------- */
typedef struct az_settings {
    const char *outdir;
    mossa_analysis_options options;
    int quiet;
    int json;
    double seconds;
    const char *kernel_name;
} az_settings;

/* Runs the pipeline on an opened data set and writes everything. */
int az_run(az_data *data, az_settings *settings, mossa_analysis_result *result);

/* Progress bar on stderr (only when it is a terminal and not quiet). */
typedef struct az_progress {
    int enabled;
    const char *label;
    double start;
    int last_percent;
} az_progress;
void az_progress_init(az_progress *p, const char *label, int quiet);
int az_progress_cb(void *user, size_t done, size_t total, const char *stage);
void az_progress_done(az_progress *p);

/* ---- outputs (report.c, svg.c) -------------------------------------------------- */
int az_mkdir_p(const char *path);
void az_write_report_json(FILE *f, const az_data *d, const az_settings *s,
                          const mossa_analysis_result *r);
int az_write_outputs(const az_data *d, const az_settings *s, const mossa_analysis_result *r);
void az_print_summary(FILE *f, const az_data *d, const az_settings *s,
                      const mossa_analysis_result *r);
/* The figures; each returns 0 on success. `file` is inside OUTDIR. */
int svg_heatmap(const char *path, const az_data *d, const mossa_analysis_result *r, size_t model);
int svg_cka_curve(const char *path, const az_data *d, const mossa_analysis_result *r,
                  const size_t *models, size_t n_models);
int svg_rank_curves(const char *path, const az_data *d, const mossa_analysis_result *r, double variance);
int svg_correlation(const char *path, const az_data *d, const mossa_analysis_result *r);
int svg_tsne(const char *path, const az_data *d, const mossa_analysis_result *r,
             size_t model, size_t map);

/* ---- the demo ---------------------------------------------------------------------- */
/* Writes the synthetic data set into dir (created); prints nothing. */
int demo_write(const char *dir, az_progress *progress);
/* The planted groups of a demo model as layer numbers [first, last] x 3
   (returns 0 if the model is not planted). */
int demo_planted(const char *model, long groups[3][2]);

#endif
