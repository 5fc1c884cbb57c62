/* demo.c - the built-in synthetic data set of `mossa demo`.

   SYNTHETIC DATA, NOT MODEL OUTPUTS. It mimics the setting of Zhao, Ziser
   & Cohen (EMNLP 2024) at small scale so that every part of the report has
   something to show and the layer groups have a known right answer:
     models   "sft" (instruction-tuned multi-task E), "base" (pre-trained E),
              "control" (one specialised model C_t per task)
     tasks    12 FLAN-like tasks in 4 clusters (nli, sentiment,
              reading_comprehension, summarization), 150 examples each
     layers   24 (files 1.npy .. 24.npy), 96 dimensions
     texts    texts/<task>.txt, one generated sentence pair per example; the
              tasks differ in difficulty (sentence length, share of long words),
              so their Flesch-Kincaid grades span about 3 to 15
   PLANTED LAYER GROUPS (both E models): shared 1-7, transition 8-11,
   refinement 12-24 (the paper's 1-9 / 10-15 / 16-32 scaled to 24 layers).

   Construction. Example i of task t has two latent vectors, s_i (12-d,
   task-specific information) and g_i (12-d, general information),
   independent standard normal. The control's layer-l representation is
   Z = s A_c' + noise; model m's is
       Y = sqrt(p) s A_m' + sqrt(1 - p) g B_m' + noise + offset_m,l(cluster, task)
   with [A_m B_m] orthonormal columns in R^96. For isotropic latents the
   population linear CKA(Y, Z) is c = p / sqrt(p^2 + (1 - p)^2), so p is
   chosen per layer by inverting this for a planted CKA profile c(l) that
   is piecewise linear with breaks after layers 7 and 11:
       sft   0.30 + 0.01 (l-1) | 0.45 + 0.13 (l-8) | 0.88 - 0.008 (l-12)
       base  0.36 + 0.01 (l-1) | 0.48 + 0.06 (l-8) | 0.64 - 0.012 (l-12)
   (lower CKA for sft than base in the shared layers, much higher from the
   transition on, as on the paper's poster). Readability: p is shifted per
   task by gamma(l) z_t, z_t the task's standardised difficulty, gamma = 0 in
   the shared layers, rising through the transition layers and constant
   after: CKA correlates with the grade from the transition on. t-SNE: a
   per-cluster and per-task mean offset grows with depth (strongly for sft,
   weakly for base); it moves whole tasks, so it changes neither CKA nor the
   variance rank (both center each task's matrix). Everything is drawn from
   the counter-based RNG with fixed seeds: the data set is identical on every
   machine and run. */
#define _POSIX_C_SOURCE 200809L
#include "analyze.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_N 150
#define DEMO_D 96
#define DEMO_K 12
#define DEMO_LAYERS 24
#define DEMO_TASKS 12
#define DEMO_SEED 0x6d6f737361ULL   /* "mossa" */

static const char *const demo_tasks[DEMO_TASKS] = {
    "anli", "rte", "snli", "imdb", "sst2", "yelp", "boolq", "squad", "drop", "xsum", "cnn_dm", "gigaword"};
static const char *const demo_cluster[DEMO_TASKS] = {
    "nli", "nli", "nli", "sentiment", "sentiment", "sentiment",
    "reading_comprehension", "reading_comprehension", "reading_comprehension",
    "summarization", "summarization", "summarization"};
/* difficulty in [0, 1]: not the same order as the clusters, so that the
   readability signal is not a cluster signal in disguise */
static const double demo_difficulty[DEMO_TASKS] = {
    0.80, 0.55, 0.20, 0.35, 0.05, 0.25, 0.50, 0.65, 0.95, 0.70, 0.85, 0.40};
static const char *const demo_models[3] = {"base", "control", "sft"};

int demo_planted(const char *model, long groups[3][2])
{
    if (strcmp(model, "sft") != 0 && strcmp(model, "base") != 0) return 0;
    groups[0][0] = 1; groups[0][1] = 7;
    groups[1][0] = 8; groups[1][1] = 11;
    groups[2][0] = 12; groups[2][1] = 24;
    return 1;
}

static double planted_cka(int sft, int l)
{
    if (sft) {
        if (l <= 7) return 0.30 + 0.01 * (l - 1);
        if (l <= 11) return 0.45 + 0.13 * (l - 8);
        return 0.88 - 0.008 * (l - 12);
    }
    if (l <= 7) return 0.36 + 0.01 * (l - 1);
    if (l <= 11) return 0.48 + 0.06 * (l - 8);
    return 0.64 - 0.012 * (l - 12);
}

/* p in (0, 1) with p / sqrt(p^2 + (1-p)^2) = c: (2c^2 - 1) p^2 - 2c^2 p + c^2 = 0 */
static double mixing_for(double c)
{
    double a = 2 * c * c - 1, b = -2 * c * c, q = c * c, disc, r1, r2;
    if (fabs(a) < 1e-12) return q / -b;
    disc = sqrt(b * b - 4 * a * q);
    r1 = (-b - disc) / (2 * a);
    r2 = (-b + disc) / (2 * a);
    return (r1 >= 0 && r1 <= 1) ? r1 : r2;
}

/* readability coupling in p-space, and the t-SNE offset strength */
static double gamma_of(int sft, int l)
{
    double g = l <= 7 ? 0 : (l <= 11 ? 0.08 * (l - 7) / 4.0 : 0.08);
    return sft ? g : 0.5 * g;
}

static double offset_of(int sft, int l)
{
    double w = l <= 7 ? 0 : (l <= 11 ? 5.0 * (l - 7) / 4.0 : 5.0 + 2.0 * (l - 11) / 13.0);
    return sft ? w : 0.35 * w;
}

/* Columns of an orthonormal d x k basis (Gram-Schmidt on Gaussian vectors,
   stored column-major in q: q[j * d + i]). */
static void orthonormal(uint64_t seed, size_t d, size_t k, double *q)
{
    size_t i, j, p;
    for (j = 0; j < k; ++j) {
        double norm = 0;
        for (i = 0; i < d; ++i) q[j * d + i] = mossa_rng_normal(seed, j * d + i);
        for (p = 0; p < j; ++p) {
            double dot = 0;
            for (i = 0; i < d; ++i) dot += q[p * d + i] * q[j * d + i];
            for (i = 0; i < d; ++i) q[j * d + i] -= dot * q[p * d + i];
        }
        for (i = 0; i < d; ++i) norm += q[j * d + i] * q[j * d + i];
        norm = sqrt(norm);
        for (i = 0; i < d; ++i) q[j * d + i] /= norm;
    }
}

static void unit_vector(uint64_t seed, size_t d, double *v)
{
    double norm = 0;
    size_t i;
    for (i = 0; i < d; ++i) { v[i] = mossa_rng_normal(seed, i); norm += v[i] * v[i]; }
    norm = sqrt(norm);
    for (i = 0; i < d; ++i) v[i] /= norm;
}

/* ---- texts ------------------------------------------------------------------ */
static const char *const easy_words[] = {
    "the", "cat", "dog", "sat", "ran", "big", "red", "sun", "day", "map", "box", "run", "hat", "cup",
    "tree", "book", "road", "home", "ball", "fish", "bird", "rain", "milk", "bed", "car", "pen", "hand",
    "good", "new", "old", "small", "fast", "sees", "likes", "has", "gets", "takes", "makes", "town", "food"};
static const char *const medium_words[] = {
    "water", "table", "happy", "garden", "window", "paper", "yellow", "teacher", "river", "morning",
    "simple", "little", "better", "open", "market", "doctor", "answer", "number", "people", "question"};
static const char *const hard_words[] = {
    "information", "development", "international", "organization", "particular", "environmental",
    "responsibility", "communication", "individual", "significantly", "approximately", "considerable",
    "administration", "university", "understanding", "interpretation", "comprehensive", "fundamental",
    "characteristic", "consequently", "governmental", "infrastructure", "representative",
    "sophisticated", "theoretical", "experimental", "philosophical", "biological", "economically",
    "collaboration"};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static size_t sentence(char *out, size_t cap, double difficulty, uint64_t seed, uint64_t *ctr)
{
    size_t o = 0, w, n_words;
    double jitter = mossa_rng_uniform(seed, (*ctr)++);
    n_words = (size_t)(6.0 + 9.0 * difficulty + 3.0 * jitter);
    for (w = 0; w < n_words; ++w) {
        double u = mossa_rng_uniform(seed, (*ctr)++);
        uint64_t pick = mossa_rng_u64(seed, (*ctr)++);
        const char *word;
        size_t len;
        if (u < 0.02 + 0.15 * difficulty) word = hard_words[pick % N_OF(hard_words)];
        else if (u < 0.27 + 0.35 * difficulty) word = medium_words[pick % N_OF(medium_words)];
        else word = easy_words[pick % N_OF(easy_words)];
        len = strlen(word);
        if (o + len + 3 >= cap) break;
        if (w) out[o++] = ' ';
        memcpy(out + o, word, len);
        if (w == 0) out[o] = (char)(out[o] - 'a' + 'A');
        o += len;
    }
    out[o++] = '.';
    out[o] = 0;
    return o;
}

static int write_texts(const char *dir)
{
    char path[4096], line[2048];
    size_t t, i;
    for (t = 0; t < DEMO_TASKS; ++t) {
        FILE *f;
        uint64_t ctr = 0, seed = DEMO_SEED + 7000 + t;
        snprintf(path, sizeof(path), "%s/texts/%s.txt", dir, demo_tasks[t]);
        f = fopen(path, "w");
        if (!f) return cli_error("%s: cannot write", path);
        for (i = 0; i < DEMO_N; ++i) {
            size_t o = sentence(line, sizeof(line) / 2, demo_difficulty[t], seed, &ctr);
            line[o++] = ' ';
            sentence(line + o, sizeof(line) - o, demo_difficulty[t], seed, &ctr);
            fprintf(f, "%s\n", line);
        }
        if (fclose(f) != 0) return cli_error("%s: write failed", path);
    }
    return CLI_OK;
}

static int write_config(const char *dir)
{
    char path[4096];
    size_t t;
    FILE *f;
    snprintf(path, sizeof(path), "%s/mossa.json", dir);
    f = fopen(path, "w");
    if (!f) return cli_error("%s: cannot write", path);
    fputs("{\n  \"control\": \"control\",\n  \"description\": \"mossa demo: SYNTHETIC representations "
          "(not model outputs) with planted layer groups shared 1-7, transition 8-11, refinement 12-24; "
          "see README.txt\",\n  \"clusters\": {", f);
    for (t = 0; t < DEMO_TASKS; ++t)
        fprintf(f, "%s\n    \"%s\": \"%s\"", t ? "," : "", demo_tasks[t], demo_cluster[t]);
    fputs("\n  }\n}\n", f);
    if (fclose(f) != 0) return cli_error("%s: write failed", path);
    snprintf(path, sizeof(path), "%s/README.txt", dir);
    f = fopen(path, "w");
    if (!f) return cli_error("%s: cannot write", path);
    fputs("mossa demo data set - SYNTHETIC, generated by `mossa demo` (examples/cli/demo.c).\n\n"
          "Layout: <model>/<task>/<layer>.npy (150 x 96 float32), texts/<task>.txt, mossa.json.\n"
          "Models: sft (instruction-tuned E), base (pre-trained E), control (per-task C_t).\n"
          "12 tasks in 4 clusters; 24 layers numbered 1..24.\n\n"
          "Planted layer groups (both sft and base): shared 1-7, transition 8-11, refinement 12-24.\n"
          "Planted linear CKA against the controls (before sampling noise):\n"
          "  sft   0.30 + 0.01 (l-1) | 0.45 + 0.13 (l-8) | 0.88 - 0.008 (l-12)\n"
          "  base  0.36 + 0.01 (l-1) | 0.48 + 0.06 (l-8) | 0.64 - 0.012 (l-12)\n"
          "CKA correlates with the task's readability grade from layer 8 on; task clusters\n"
          "separate in t-SNE from layer 8 on, strongly for sft and weakly for base.\n", f);
    if (fclose(f) != 0) return cli_error("%s: write failed", path);
    return CLI_OK;
}

int demo_write(const char *dir, az_progress *progress)
{
    double *latent = NULL, *basis = NULL, *offsets = NULL, z[DEMO_TASKS], zmean = 0, zsd = 0;
    float *x = NULL;
    char path[4096];
    size_t m, t, l, i, j, k, done = 0, total = 3 * DEMO_TASKS * DEMO_LAYERS;
    int rc = CLI_ERROR;
    for (t = 0; t < DEMO_TASKS; ++t) zmean += demo_difficulty[t];
    zmean /= DEMO_TASKS;
    for (t = 0; t < DEMO_TASKS; ++t) zsd += (demo_difficulty[t] - zmean) * (demo_difficulty[t] - zmean);
    zsd = sqrt(zsd / DEMO_TASKS);
    for (t = 0; t < DEMO_TASKS; ++t) z[t] = (demo_difficulty[t] - zmean) / zsd;

    for (m = 0; m < 3; ++m)
        for (t = 0; t < DEMO_TASKS; ++t) {
            snprintf(path, sizeof(path), "%s/%s/%s", dir, demo_models[m], demo_tasks[t]);
            if (az_mkdir_p(path) != 0) return cli_error("%s: cannot create directory", path);
        }
    snprintf(path, sizeof(path), "%s/texts", dir);
    if (az_mkdir_p(path) != 0) return cli_error("%s: cannot create directory", path);
    if (write_config(dir) != CLI_OK || write_texts(dir) != CLI_OK) return CLI_ERROR;

    latent = (double *)malloc(2 * DEMO_N * DEMO_K * sizeof(double));
    basis = (double *)malloc(3 * 2 * DEMO_K * DEMO_D * sizeof(double));
    offsets = (double *)malloc((4 + DEMO_TASKS) * DEMO_D * sizeof(double));
    x = (float *)malloc(DEMO_N * DEMO_D * sizeof(float));
    if (!latent || !basis || !offsets || !x) { cli_error("out of memory"); goto done; }
    /* bases per model: sft/base [A B] (24 orthonormal columns), control A_c */
    for (m = 0; m < 3; ++m) orthonormal(DEMO_SEED + 100 + m, DEMO_D, 2 * DEMO_K, basis + m * 2 * DEMO_K * DEMO_D);
    for (k = 0; k < 4 + DEMO_TASKS; ++k) unit_vector(DEMO_SEED + 200 + k, DEMO_D, offsets + k * DEMO_D);

    for (t = 0; t < DEMO_TASKS; ++t) {
        size_t cluster = t / 3;
        double *s = latent, *g = latent + DEMO_N * DEMO_K;
        for (i = 0; i < DEMO_N * DEMO_K; ++i) {
            s[i] = mossa_rng_normal(DEMO_SEED + 1000 + t, i);
            g[i] = mossa_rng_normal(DEMO_SEED + 2000 + t, i);
        }
        for (m = 0; m < 3; ++m) {
            const double *A = basis + m * 2 * DEMO_K * DEMO_D, *B = A + DEMO_K * DEMO_D;
            int is_control = m == 1, sft = m == 2;
            for (l = 1; l <= DEMO_LAYERS; ++l) {
                double p = 1, w = 0, a, b;
                uint64_t noise_seed = DEMO_SEED + 10000 + (m * DEMO_TASKS + t) * 100 + l;
                if (!is_control) {
                    p = mixing_for(planted_cka(sft, (int)l)) + gamma_of(sft, (int)l) * z[t] / 1.8;
                    if (p < 0.02) p = 0.02;
                    if (p > 0.98) p = 0.98;
                    w = offset_of(sft, (int)l);
                }
                a = sqrt(p);
                b = sqrt(1 - p);
                for (i = 0; i < DEMO_N; ++i) {
                    for (j = 0; j < DEMO_D; ++j) {
                        double v = 0;
                        for (k = 0; k < DEMO_K; ++k) {
                            v += a * s[i * DEMO_K + k] * A[k * DEMO_D + j];
                            if (!is_control) v += b * g[i * DEMO_K + k] * B[k * DEMO_D + j];
                        }
                        v += 0.02 * mossa_rng_normal(noise_seed, i * DEMO_D + j);
                        v += w * offsets[cluster * DEMO_D + j] + 0.5 * w * offsets[(4 + t) * DEMO_D + j];
                        x[i * DEMO_D + j] = (float)v;
                    }
                }
                snprintf(path, sizeof(path), "%s/%s/%s/%lu.npy", dir, demo_models[m], demo_tasks[t], (unsigned long)l);
                {
                    mossa_status st = mossa_npy_write(path, x, DEMO_N, DEMO_D);
                    if (st != MOSSA_OK) { cli_error("%s: %s", path, mossa_status_string(st)); goto done; }
                }
                az_progress_cb(progress, ++done, total, "data");
            }
        }
    }
    rc = CLI_OK;
done:
    free(latent);
    free(basis);
    free(offsets);
    free(x);
    return rc;
}
