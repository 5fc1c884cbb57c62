/* dataset.c - scans and validates a `mossa analyze` data directory
   (DESIGN.md section 5) before any matrix is read:
     DIR/mossa.json                 {"control": "...", "clusters": {...}}
     DIR/<model>/<task>/<layer>.npy one matrix per model, task and layer
     DIR/texts/<task>.txt           optional, one example per line
   Every model must have the control's tasks and every (model, task) the
   same layer files; a task's files must all have the same rows (read from
   the .npy headers only) and its text as many lines. The first problem is
   reported with the file it concerns. */
#define _POSIX_C_SOURCE 200809L
#include "analyze.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = (char *)malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = (char *)malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **list, size_t n)
{
    size_t i;
    if (!list) return;
    for (i = 0; i < n; ++i) free(list[i]);
    free(list);
}

/* Entries of dir (no dot files), sorted; want_dirs selects directories or
   regular files. Returns -1 if dir cannot be read. */
static long list_dir(const char *dir, int want_dirs, char ***out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **list = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        char *path;
        struct stat st;
        int ok;
        if (e->d_name[0] == '.') continue;
        path = join(dir, e->d_name);
        if (!path) break;
        ok = stat(path, &st) == 0 && (want_dirs ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
        free(path);
        if (!ok) continue;
        if (n == cap) {
            char **grown;
            cap = cap ? 2 * cap : 16;
            grown = (char **)realloc(list, cap * sizeof(char *));
            if (!grown) break;
            list = grown;
        }
        list[n] = xstrdup(e->d_name);
        if (!list[n]) break;
        ++n;
    }
    closedir(d);
    if (n) qsort(list, n, sizeof(char *), cmp_str);
    *out = list;
    return (long)n;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    *len = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            char *grown = (char *)realloc(buf, cap + 65536 + 1);
            if (!grown) { free(buf); fclose(f); return NULL; }
            buf = grown;
            cap += 65536;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) { free(buf); fclose(f); return NULL; }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* A layer file stem must be a plain non-negative decimal integer. */
static int parse_layer(const char *name, long *value)
{
    size_t n = strlen(name), i;
    if (n < 5 || strcmp(name + n - 4, ".npy") != 0) return 0;
    n -= 4;
    if (n == 0 || n > 9) return -1;
    *value = 0;
    for (i = 0; i < n; ++i) {
        if (name[i] < '0' || name[i] > '9') return -1;
        *value = *value * 10 + (name[i] - '0');
    }
    return 1;
}

/* Rows and cols from the .npy header alone (plus a size check so that a
   truncated file is caught now, not halfway through the run). */
static int npy_shape(const char *path, size_t *rows, size_t *cols)
{
    unsigned char head[4096];
    size_t got, need, data_bytes;
    mossa_npy_info info;
    mossa_status st;
    struct stat sb;
    FILE *f = fopen(path, "rb");
    if (!f) return cli_error("%s: cannot open: %s", path, strerror(errno));
    got = fread(head, 1, sizeof(head), f);
    fclose(f);
    st = mossa_npy_parse_header(head, got, &info);
    if (st == MOSSA_ERR_NPY_TRUNCATED && got == sizeof(head)) {
        /* a header longer than 4 KiB (format 2.0/3.0): read all of it */
        size_t len;
        char *all = read_file(path, &len);
        if (!all) return cli_error("%s: cannot read", path);
        st = mossa_npy_parse_header(all, len, &info);
        free(all);
    }
    if (st != MOSSA_OK) return cli_error("%s: %s", path, mossa_status_string(st));
    if (stat(path, &sb) != 0) return cli_error("%s: cannot stat", path);
    data_bytes = info.rows * info.cols * (size_t)info.dtype_bytes;
    need = info.data_offset + data_bytes;
    if ((size_t)sb.st_size < need)
        return cli_error("%s: %s", path, mossa_status_string(MOSSA_ERR_NPY_TRUNCATED));
    if (info.rows == 0 || info.cols == 0) return cli_error("%s: empty matrix (%lu x %lu)", path,
                                                           (unsigned long)info.rows, (unsigned long)info.cols);
    *rows = info.rows;
    *cols = info.cols;
    return CLI_OK;
}

void az_close(az_data *d)
{
    free(d->dir);
    free_list(d->models, d->n_models);
    free_list(d->tasks, d->n_tasks);
    free_list(d->layer_names, d->n_layers);
    free(d->layer_numbers);
    free(d->rows);
    free_list(d->cluster, d->cluster ? d->n_tasks : 0);
    free_list(d->cluster_names, d->n_clusters);
    free(d->grade);
    free(d->scored);
    memset(d, 0, sizeof(*d));
}

void az_matrix_path(const az_data *d, size_t model, size_t task, size_t layer, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s/%s/%s.npy", d->dir, d->models[model], d->tasks[task], d->layer_names[layer]);
}

static size_t find(char **list, size_t n, const char *s)
{
    size_t i;
    for (i = 0; i < n; ++i) if (strcmp(list[i], s) == 0) return i;
    return n;
}

/* mossa.json: control (string, required) and clusters (object of strings,
   optional). Other keys are allowed and ignored (room for notes). */
static int read_config(az_data *d, char **control, jv *cfg, char *path)
{
    size_t len;
    char *text, err[256];
    const jv *c;
    text = read_file(path, &len);
    if (!text) return cli_error("%s: cannot read (every data directory needs mossa.json naming the control model)", path);
    if (!jv_parse(text, len, cfg, err, sizeof(err))) { free(text); return cli_error("%s: invalid JSON: %s", path, err); }
    free(text);
    if (cfg->type != JV_OBJECT) return cli_error("%s: expected a JSON object", path);
    c = jv_get(cfg, "control");
    if (!c) return cli_error("%s: missing \"control\" (the model whose folders are the per-task controls)", path);
    if (c->type != JV_STRING || !c->string[0]) return cli_error("%s: \"control\" must be a non-empty string", path);
    c = jv_get(cfg, "clusters");
    if (c && c->type != JV_OBJECT) return cli_error("%s: \"clusters\" must be an object {\"task\": \"cluster\"}", path);
    if (c) {
        size_t i;
        for (i = 0; i < c->n; ++i)
            if (c->items[i].type != JV_STRING || !c->items[i].string[0])
                return cli_error("%s: clusters[\"%s\"] must be a non-empty string", path, c->keys[i]);
    }
    (void)d;
    *control = jv_get(cfg, "control")->string;
    return CLI_OK;
}

static int check_layers(az_data *d, const char *folder, int first)
{
    char **files = NULL;
    long n = list_dir(folder, 0, &files), i;
    size_t count = 0, k;
    if (n < 0) return cli_error("%s: cannot read directory", folder);
    for (i = 0; i < n; ++i) {
        long v;
        int p = parse_layer(files[i], &v);
        if (p == 0) continue;   /* not an .npy file: ignored */
        if (p < 0) {
            cli_error("%s/%s: layer file names must be integers (e.g. 7.npy)", folder, files[i]);
            free_list(files, (size_t)n);
            return CLI_ERROR;
        }
        ++count;
    }
    if (first) {
        if (count == 0) { free_list(files, (size_t)n); return cli_error("%s: no layer files (<layer>.npy)", folder); }
        d->layer_names = (char **)calloc(count, sizeof(char *));
        d->layer_numbers = (long *)calloc(count, sizeof(long));
        if (!d->layer_names || !d->layer_numbers) { free_list(files, (size_t)n); return cli_error("out of memory"); }
        for (i = 0; i < n; ++i) {
            long v;
            size_t j;
            if (parse_layer(files[i], &v) != 1) continue;
            /* insertion by numeric value */
            for (j = d->n_layers; j > 0 && d->layer_numbers[j - 1] > v; --j) {
                d->layer_numbers[j] = d->layer_numbers[j - 1];
                d->layer_names[j] = d->layer_names[j - 1];
            }
            if (j > 0 && d->layer_numbers[j - 1] == v) {
                /* "7.npy" and "07.npy" */
                cli_error("%s/%s: layer %ld appears twice", folder, files[i], v);
                for (; j < d->n_layers; ++j) { d->layer_numbers[j] = d->layer_numbers[j + 1]; d->layer_names[j] = d->layer_names[j + 1]; }
                free_list(files, (size_t)n);
                return CLI_ERROR;
            }
            d->layer_numbers[j] = v;
            d->layer_names[j] = xstrdup(files[i]);
            d->layer_names[j][strlen(files[i]) - 4] = 0;
            ++d->n_layers;
        }
    } else {
        for (k = 0; k < d->n_layers; ++k) {
            char want[512];
            snprintf(want, sizeof(want), "%s.npy", d->layer_names[k]);
            if (find(files, (size_t)n, want) == (size_t)n) {
                free_list(files, (size_t)n);
                return cli_error("%s/%s: missing (every model and task needs the same layers)", folder, want);
            }
        }
        if (count != d->n_layers) {
            for (i = 0; i < n; ++i) {
                long v;
                size_t k2, found = 0;
                if (parse_layer(files[i], &v) != 1) continue;
                for (k2 = 0; k2 < d->n_layers; ++k2) if (d->layer_numbers[k2] == v && strlen(files[i]) == strlen(d->layer_names[k2]) + 4) found = 1;
                if (!found) {
                    cli_error("%s/%s: layer not present for the other models and tasks", folder, files[i]);
                    free_list(files, (size_t)n);
                    return CLI_ERROR;
                }
            }
        }
    }
    free_list(files, (size_t)n);
    return CLI_OK;
}

static int count_lines_grade(az_data *d, size_t t, const char *path)
{
    size_t len, lines = 0, scored = 0;
    double grade = 0;
    mossa_status st;
    char *text = read_file(path, &len);
    if (!text) return cli_error("%s: cannot read (texts/ exists, so every task needs its text file)", path);
    st = mossa_task_grade(text, len, &grade, &lines, &scored);
    free(text);
    if (st == MOSSA_ERR_TOO_FEW_SAMPLES) return cli_error("%s: no line contains words", path);
    if (st != MOSSA_OK) return cli_error("%s: %s", path, mossa_status_string(st));
    if (lines != d->rows[t])
        return cli_error("%s: %lu lines but the task's matrices have %lu rows (one example per line, in row order)",
                         path, (unsigned long)lines, (unsigned long)d->rows[t]);
    d->grade[t] = grade;
    d->scored[t] = scored;
    return CLI_OK;
}

int az_open(const char *dir, az_data *d)
{
    jv cfg;
    char *path = NULL, *cfgpath = NULL, *control = NULL, **dirs = NULL;
    long n_dirs = 0, n;
    size_t m, t, l, i;
    int rc = CLI_ERROR;
    memset(d, 0, sizeof(*d));
    memset(&cfg, 0, sizeof(cfg));
    if (!is_dir(dir)) return cli_error("%s: not a directory", dir);
    d->dir = xstrdup(dir);
    {   /* strip trailing slashes for tidy paths */
        size_t k = strlen(d->dir);
        while (k > 1 && d->dir[k - 1] == '/') d->dir[--k] = 0;
    }
    cfgpath = join(d->dir, "mossa.json");
    if (read_config(d, &control, &cfg, cfgpath) != CLI_OK) goto done;

    n_dirs = list_dir(d->dir, 1, &dirs);
    if (n_dirs < 0) { cli_error("%s: cannot read directory", d->dir); goto done; }
    for (i = 0; i < (size_t)n_dirs; ++i) if (strcmp(dirs[i], "texts") != 0) ++d->n_models;
    d->models = (char **)calloc(d->n_models ? d->n_models : 1, sizeof(char *));
    if (!d->models) { cli_error("out of memory"); goto done; }
    m = 0;
    for (i = 0; i < (size_t)n_dirs; ++i) if (strcmp(dirs[i], "texts") != 0) d->models[m++] = xstrdup(dirs[i]);
    d->control = find(d->models, d->n_models, control);
    if (d->control == d->n_models) {
        cli_error("%s: control model \"%s\" has no folder %s/%s", cfgpath, control, d->dir, control);
        goto done;
    }
    if (d->n_models < 2) {
        cli_error("%s: only the control model is present; add at least one model folder to compare", d->dir);
        goto done;
    }

    /* tasks: the control's folders; every model must have exactly these */
    free(path);
    path = join(d->dir, d->models[d->control]);
    n = list_dir(path, 1, &d->tasks);
    if (n <= 0) { cli_error("%s: no task folders", path); goto done; }
    d->n_tasks = (size_t)n;
    for (m = 0; m < d->n_models; ++m) {
        char **mt = NULL;
        long k;
        char *mp;
        if (m == d->control) continue;
        mp = join(d->dir, d->models[m]);
        k = list_dir(mp, 1, &mt);
        for (t = 0; t < d->n_tasks; ++t)
            if (find(mt, k < 0 ? 0 : (size_t)k, d->tasks[t]) == (k < 0 ? 0 : (size_t)k)) {
                cli_error("%s/%s: missing (the control model has this task)", mp, d->tasks[t]);
                free_list(mt, k < 0 ? 0 : (size_t)k); free(mp);
                goto done;
            }
        for (i = 0; k > 0 && i < (size_t)k; ++i)
            if (find(d->tasks, d->n_tasks, mt[i]) == d->n_tasks) {
                cli_error("%s/%s: task not present for the control model %s", mp, mt[i], d->models[d->control]);
                free_list(mt, (size_t)k); free(mp);
                goto done;
            }
        free_list(mt, k < 0 ? 0 : (size_t)k);
        free(mp);
    }

    /* layers: the control's first task defines the set */
    for (m = 0; m < d->n_models; ++m) {
        size_t mm = m == 0 ? d->control : (m == d->control ? 0 : m);
        for (t = 0; t < d->n_tasks; ++t) {
            char folder[4096];
            snprintf(folder, sizeof(folder), "%s/%s/%s", d->dir, d->models[mm], d->tasks[t]);
            if (check_layers(d, folder, m == 0 && t == 0) != CLI_OK) goto done;
        }
    }

    /* rows from the headers */
    d->rows = (size_t *)calloc(d->n_tasks, sizeof(size_t));
    if (!d->rows) { cli_error("out of memory"); goto done; }
    for (t = 0; t < d->n_tasks; ++t) {
        for (m = 0; m < d->n_models; ++m) {
            size_t mm = m == 0 ? d->control : (m == d->control ? 0 : m);
            for (l = 0; l < d->n_layers; ++l) {
                char p[4096];
                size_t rows = 0, cols = 0;
                az_matrix_path(d, mm, t, l, p, sizeof(p));
                if (npy_shape(p, &rows, &cols) != CLI_OK) goto done;
                if (m == 0 && l == 0) d->rows[t] = rows;
                else if (rows != d->rows[t]) {
                    char first[4096];
                    az_matrix_path(d, d->control, t, 0, first, sizeof(first));
                    cli_error("%s: %lu rows but %s has %lu (a task's examples must be the same rows in every model and layer)",
                              p, (unsigned long)rows, first, (unsigned long)d->rows[t]);
                    goto done;
                }
            }
        }
    }

    /* clusters */
    {
        const jv *c = jv_get(&cfg, "clusters");
        if (c) {
            for (i = 0; i < c->n; ++i)
                if (find(d->tasks, d->n_tasks, c->keys[i]) == d->n_tasks) {
                    cli_error("%s: clusters names task \"%s\", which has no folder", cfgpath, c->keys[i]);
                    goto done;
                }
            d->cluster = (char **)calloc(d->n_tasks, sizeof(char *));
            d->cluster_names = (char **)calloc(d->n_tasks, sizeof(char *));
            if (!d->cluster || !d->cluster_names) { cli_error("out of memory"); goto done; }
            for (t = 0; t < d->n_tasks; ++t) {
                const jv *v = jv_get(c, d->tasks[t]);
                if (!v) {
                    cli_error("%s: clusters has no entry for task \"%s\" (give every task a cluster, or omit \"clusters\")",
                              cfgpath, d->tasks[t]);
                    goto done;
                }
                d->cluster[t] = xstrdup(v->string);
                if (find(d->cluster_names, d->n_clusters, v->string) == d->n_clusters)
                    d->cluster_names[d->n_clusters++] = xstrdup(v->string);
            }
        }
    }

    /* texts */
    free(path);
    path = join(d->dir, "texts");
    if (is_dir(path)) {
        d->grade = (double *)calloc(d->n_tasks, sizeof(double));
        d->scored = (size_t *)calloc(d->n_tasks, sizeof(size_t));
        if (!d->grade || !d->scored) { cli_error("out of memory"); goto done; }
        for (t = 0; t < d->n_tasks; ++t) {
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s.txt", path, d->tasks[t]);
            if (count_lines_grade(d, t, p) != CLI_OK) goto done;
        }
    }
    rc = CLI_OK;
done:
    free(cfgpath);
    free_list(dirs, n_dirs > 0 ? (size_t)n_dirs : 0);
    free(path);
    jv_free(&cfg);
    if (rc != CLI_OK) az_close(d);
    return rc;
}
