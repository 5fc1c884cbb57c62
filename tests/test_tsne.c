/* test_tsne.c - Barnes-Hut t-SNE. References are independent: brute-force
   kNN and gradients in long double, the exact KL and its finite-difference
   gradient in long double, entropies recomputed from the returned P, the
   10-NN accuracy of the digits embedding. */
#include "test_util.h"
#include <stdint.h>

static int emulated(void) { return getenv("MOSSA_TEST_EMULATED") != NULL; }
#define MOSSA__MIN_T(a, b) ((a) < (b) ? (a) : (b))

/* clustered test data: c clusters of unit spread around N(0, 5^2) centres */
static float *clusters(size_t n, size_t d, int c, unsigned long long seed, int *label)
{
    float *x = (float *)malloc(n * d * sizeof(float));
    float *cen = test_random_floats((size_t)c * d, seed + 1, 5.0);
    test_rng r = test_rng_make(seed);
    size_t i, k;
    for (i = 0; i < n; ++i) {
        int l = (int)(i % (size_t)c);
        if (label) label[i] = l;
        for (k = 0; k < d; ++k) x[i * d + k] = cen[(size_t)l * d + k] + (float)test_normal(&r);
    }
    free(cen);
    return x;
}

/* digits (tests/data, CC BY 4.0 UCI) as float32, labels as int */
static float *load_digits(size_t *n, int **labels)
{
    float *x = NULL, *l = NULL;
    size_t rows, cols, lr, lc, i;
    ck_assert_int_eq(mossa_npy_read("tests/data/digits.npy", NULL, &x, &rows, &cols), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_read("tests/data/digits_labels.npy", NULL, &l, &lr, &lc), MOSSA_OK);
    ck_assert(rows == 1797 && cols == 64 && lr == 1797 && lc == 1);
    *labels = (int *)malloc(rows * sizeof(int));
    for (i = 0; i < rows; ++i) (*labels)[i] = (int)l[i];
    mossa_free(l, NULL);
    *n = rows;
    return x;
}

/* leave-one-out 10-NN majority vote accuracy in the embedding (brute force) */
static double knn_accuracy(const float *y, size_t n, int dims, const int *lab)
{
    size_t i, j, good = 0;
    double *bd = (double *)malloc(10 * sizeof(double));
    size_t *bi = (size_t *)malloc(10 * sizeof(size_t));
    for (i = 0; i < n; ++i) {
        int votes[64] = {0}, best = 0, m, cnt = 0;
        for (j = 0; j < n; ++j) {
            double d2 = 0;
            int c, pos;
            if (j == i) continue;
            for (c = 0; c < dims; ++c) { double t = (double)y[i * dims + c] - y[j * dims + c]; d2 += t * t; }
            if (cnt == 10 && d2 >= bd[9]) continue;
            pos = cnt < 10 ? cnt++ : 9;
            while (pos > 0 && bd[pos - 1] > d2) { bd[pos] = bd[pos - 1]; bi[pos] = bi[pos - 1]; --pos; }
            bd[pos] = d2; bi[pos] = j;
        }
        for (m = 0; m < 10; ++m) votes[lab[bi[m]]]++;
        for (m = 1; m < 64; ++m) if (votes[m] > votes[best]) best = m;
        good += best == lab[i];
    }
    free(bd); free(bi);
    return (double)good / (double)n;
}

/* joint P as a dense long double matrix (from the CSR export) */
static long double *dense_p(mossa_tsne_state *s, size_t n)
{
    size_t nnz = 0, i, e;
    size_t *ip = (size_t *)malloc((n + 1) * sizeof(size_t));
    int32_t *ix;
    double *v;
    long double *P = (long double *)calloc(n * n, sizeof(long double));
    ck_assert_int_eq(mossa_tsne_joint_p(s, &nnz, NULL, NULL, NULL), MOSSA_OK);
    ix = (int32_t *)malloc(nnz * sizeof(int32_t));
    v = (double *)malloc(nnz * sizeof(double));
    ck_assert_int_eq(mossa_tsne_joint_p(s, &nnz, ip, ix, v), MOSSA_OK);
    for (i = 0; i < n; ++i)
        for (e = ip[i]; e < ip[i + 1]; ++e) P[i * n + (size_t)ix[e]] = v[e];
    free(ip); free(ix); free(v);
    return P;
}

/* exact KL(P || Q) in long double */
static long double exact_kl(const long double *P, const double *y, size_t n, int dims)
{
    size_t i, j;
    long double Z = 0, kl = 0;
    int c;
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) {
            long double d2 = 0;
            if (i == j) continue;
            for (c = 0; c < dims; ++c) { long double t = (long double)y[i * dims + c] - y[j * dims + c]; d2 += t * t; }
            Z += 1.0L / (1.0L + d2);
        }
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) {
            long double d2 = 0, p = P[i * n + j];
            if (i == j || p == 0) continue;
            for (c = 0; c < dims; ++c) { long double t = (long double)y[i * dims + c] - y[j * dims + c]; d2 += t * t; }
            kl += p * logl(p / (1.0L / (1.0L + d2) / Z));
        }
    return kl;
}

/* exact gradient 4 sum_j (p_ij - q_ij) (y_i - y_j) / (1 + d_ij^2), long double */
static void exact_grad(const long double *P, const float *y, size_t n, int dims, long double *g)
{
    size_t i, j;
    long double Z = 0;
    int c;
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) {
            long double d2 = 0;
            if (i == j) continue;
            for (c = 0; c < dims; ++c) { long double t = (long double)y[i * dims + c] - y[j * dims + c]; d2 += t * t; }
            Z += 1.0L / (1.0L + d2);
        }
    for (i = 0; i < n * (size_t)dims; ++i) g[i] = 0;
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) {
            long double d2 = 0, w;
            if (i == j) continue;
            for (c = 0; c < dims; ++c) { long double t = (long double)y[i * dims + c] - y[j * dims + c]; d2 += t * t; }
            w = 1.0L / (1.0L + d2);
            for (c = 0; c < dims; ++c)
                g[i * dims + c] += 4.0L * (P[i * n + j] - w / Z) * w * ((long double)y[i * dims + c] - y[j * dims + c]);
        }
}

/* relative error ||a - b|| / ||b|| */
static double rel_err(const double *a, const long double *b, size_t m)
{
    long double num = 0, den = 0;
    size_t i;
    for (i = 0; i < m; ++i) { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i]; }
    return (double)sqrtl(num / den);
}

static mossa_tsne_options opts(int threads)
{
    mossa_tsne_options o;
    memset(&o, 0, sizeof(o));
    o.n_threads = threads;
    return o;
}

/* ---- affinities -------------------------------------------------------------- */
START_TEST(test_knn_exact_against_brute_force)
{
    size_t n = 403, d = 7, k = 12, i, j;
    float *x = test_random_floats(n * d, 11, 1.0);
    int32_t *idx = (int32_t *)malloc(n * k * sizeof(int32_t));
    float *dist = (float *)malloc(n * k * sizeof(float));
    mossa_tsne_options o = opts(2);
    memcpy(x + 5 * d, x + 9 * d, d * sizeof(float));     /* a duplicate pair: distance 0 */
    memcpy(x + 77 * d, x + 9 * d, d * sizeof(float));
    ck_assert_int_eq(mossa_tsne_knn(x, n, d, k, &o, idx, dist), MOSSA_OK);
    for (i = 0; i < n; ++i) {
        /* reference: the k-th smallest long double distance; every returned
           neighbour must be within it and the list ascending */
        long double *all = (long double *)malloc(n * sizeof(long double)), kth;
        size_t a, b;
        for (j = 0; j < n; ++j) {
            long double s = 0;
            size_t c;
            for (c = 0; c < d; ++c) { long double t = (long double)x[i * d + c] - x[j * d + c]; s += t * t; }
            all[j] = j == i ? INFINITY : s;
        }
        for (a = 0; a < k; ++a) {
            ck_assert(idx[i * k + a] != (int32_t)i);
            ck_assert_msg(fabsl(sqrtl(all[idx[i * k + a]]) - dist[i * k + a]) <= 1e-5L * (1 + dist[i * k + a]),
                          "row %zu: distance %g vs %Lg", i, dist[i * k + a], sqrtl(all[idx[i * k + a]]));
            if (a) ck_assert(dist[i * k + a] >= dist[i * k + a - 1]);
        }
        /* k-th smallest reference distance by selection */
        for (a = 0; a < k; ++a) {
            size_t m = a;
            for (b = a + 1; b < n; ++b) if (all[b] < all[m]) m = b;
            kth = all[m]; all[m] = all[a]; all[a] = kth;
        }
        ck_assert_msg(fabsl(sqrtl(kth) - dist[i * k + k - 1]) <= 1e-5L * (1 + sqrtl(kth)), "row %zu kth", i);
        free(all);
    }
    ck_assert(dist[9 * k] == 0.0f && dist[5 * k] == 0.0f);     /* duplicates found at distance 0 */
    free(x); free(idx); free(dist);
}
END_TEST

/* The VP-tree must return exactly the brute force's neighbours and float
   distances (same kernel arithmetic, same (distance, index) order) on data
   that stresses pruning: Gaussian, clustered, all rows identical, integer
   grids (many exactly equal distances), squares that underflow or
   overflow in float32, k = n - 1, n below one leaf, d above one kernel
   chunk; for 1 and 2 threads and at every SIMD level. */
typedef struct vp_case { size_t n, d, k; int kind; double scale; } vp_case;

static float *vp_data(const vp_case *c, unsigned long long seed)
{
    size_t i, m = c->n * c->d;
    float *x;
    test_rng r = test_rng_make(seed);
    if (c->kind == 1) return clusters(c->n, c->d, 7, seed, NULL);
    x = test_random_floats(m, seed, c->scale);
    if (c->kind == 2) for (i = 0; i < m; ++i) x[i] = 3.25f;                           /* identical */
    if (c->kind == 3) for (i = 0; i < m; ++i) x[i] = (float)(test_rng_next(&r) % 4);  /* grid */
    if (c->kind == 4) for (i = c->n / 2 * c->d; i < m; ++i) x[i] = x[i - c->n / 2 * c->d];  /* half copies */
    return x;
}

START_TEST(test_vptree_equals_brute_force)
{
    static const vp_case cases[] = {
        {1000, 2, 30, 0, 1.0}, {777, 5, 45, 0, 1.0}, {600, 17, 20, 0, 1.0}, {900, 10, 30, 1, 1.0},
        {200, 3, 50, 2, 1.0}, {500, 6, 40, 3, 1.0}, {400, 4, 25, 4, 1.0}, {150, 4, 149, 0, 1.0},
        {20, 3, 19, 0, 1.0}, {33, 2, 5, 0, 1.0}, {300, 3, 20, 0, 1e-22}, {300, 3, 20, 0, 1e-24},
        {300, 3, 20, 0, 3e19},
        {120, 700, 10, 0, 1.0}
    };
    size_t ci, nc = sizeof(cases) / sizeof(cases[0]);
    mossa_simd_level lvl;
    for (ci = 0; ci < nc; ++ci) {
        vp_case c = cases[ci];
        float *x, *db, *dv;
        int32_t *ib, *iv;
        mossa_tsne_options o = opts(1);
        size_t i;
        if (emulated() && c.n > 300) { c.n = 300; c.k = MOSSA__MIN_T(c.k, 40); }
        x = vp_data(&c, 500 + ci);
        db = (float *)malloc(c.n * c.k * sizeof(float)); dv = (float *)malloc(c.n * c.k * sizeof(float));
        ib = (int32_t *)malloc(c.n * c.k * sizeof(int32_t)); iv = (int32_t *)malloc(c.n * c.k * sizeof(int32_t));
        FOR_EACH_SIMD_LEVEL(lvl) {
            int t;
            o.n_threads = 1; o.knn = MOSSA_TSNE_KNN_BRUTE;
            ck_assert_int_eq(mossa_tsne_knn(x, c.n, c.d, c.k, &o, ib, db), MOSSA_OK);
            for (t = 1; t <= 2; ++t) {
                o.n_threads = t; o.knn = MOSSA_TSNE_KNN_VPTREE;
                memset(iv, 0xff, c.n * c.k * sizeof(int32_t));
                ck_assert_int_eq(mossa_tsne_knn(x, c.n, c.d, c.k, &o, iv, dv), MOSSA_OK);
                for (i = 0; i < c.n * c.k; ++i)
                    ck_assert_msg(iv[i] == ib[i] && memcmp(&dv[i], &db[i], sizeof(float)) == 0,
                                  "case %zu (n %zu d %zu k %zu) level %d threads %d: row %zu slot %zu: "
                                  "vptree %d %.9g brute %d %.9g", ci, c.n, c.d, c.k, (int)lvl, t,
                                  i / c.k, i % c.k, iv[i], dv[i], ib[i], db[i]);
            }
        }
        /* all rows identical: every point's neighbours are the lowest other indices */
        if (c.kind == 2) for (i = 0; i < c.k; ++i) ck_assert_int_eq(ib[i], (int32_t)(i + 1));
        free(x); free(db); free(dv); free(ib); free(iv);
    }
}
END_TEST

START_TEST(test_knn_method_does_not_change_the_embedding)
{
    size_t n = emulated() ? 150 : 400, d = 4, i;
    float *x = clusters(n, d, 3, 77, NULL);
    float *y1 = (float *)malloc(n * 2 * sizeof(float)), *y2 = (float *)malloc(n * 2 * sizeof(float));
    int32_t idx[4];
    float dist[4];
    mossa_tsne_options o = opts(2);
    mossa_tsne_result r1, r2;
    o.iterations = 100;
    o.knn = MOSSA_TSNE_KNN_BRUTE;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y1, &r1), MOSSA_OK);
    o.knn = MOSSA_TSNE_KNN_VPTREE;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y2, &r2), MOSSA_OK);
    for (i = 0; i < n * 2; ++i) ck_assert(memcmp(&y1[i], &y2[i], sizeof(float)) == 0);
    ck_assert(r1.kl == r2.kl);
    o.knn = (mossa_tsne_knn_method)3;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y1, &r1), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_tsne_knn(x, 5, d, 4, &o, idx, dist), MOSSA_ERR_INVALID_ARGUMENT);
    free(x); free(y1); free(y2);
}
END_TEST

/* PCA initialisation: the start embedding is the projection on the top
   principal axes (reference: long double covariance, power iteration with
   deflation), the first column scaled to standard deviation 1e-4, signs
   independent of the seed; for a narrow input (through mossa_pca) and a
   wide one (the subspace iteration). */
START_TEST(test_pca_init_is_principal_components)
{
    size_t n = emulated() ? 200 : 500, dd[2] = {20, 200}, di;
    for (di = 0; di < 2; ++di) {
        size_t d = dd[di], i, j, c, l, it;
        float *x = test_random_floats(n * d, 900 + di, 0.1), *y0 = (float *)malloc(n * 2 * sizeof(float));
        float *y1 = (float *)malloc(n * 2 * sizeof(float));
        float *a = test_random_floats(2 * d, 950 + di, 1.0);
        test_rng r = test_rng_make(960 + di);
        long double *mean = (long double *)calloc(d, sizeof(long double));
        long double *C = (long double *)calloc(d * d, sizeof(long double)), *v = (long double *)malloc(2 * d * sizeof(long double));
        mossa_tsne_options o = opts(2);
        mossa_tsne_state *s = NULL;
        double mu = 0, sd = 0;
        /* rank-2 signal with variances 25 and 4 on random axes, plus noise */
        for (i = 0; i < n; ++i) {
            double z1 = 5.0 * test_normal(&r), z2 = 2.0 * test_normal(&r);
            for (c = 0; c < d; ++c) x[i * d + c] += (float)(z1 * a[c] + z2 * a[d + c] + 100.0);
        }
        for (i = 0; i < n; ++i) for (c = 0; c < d; ++c) mean[c] += x[i * d + c];
        for (c = 0; c < d; ++c) mean[c] /= n;
        for (i = 0; i < n; ++i)
            for (c = 0; c < d; ++c)
                for (j = 0; j < d; ++j) C[c * d + j] += (x[i * d + c] - mean[c]) * (x[i * d + j] - mean[j]);
        for (l = 0; l < 2; ++l) {
            long double *w = v + l * d, nrm;
            for (c = 0; c < d; ++c) w[c] = 1.0L + c % 3;
            for (it = 0; it < 500; ++it) {
                long double *t = (long double *)calloc(d, sizeof(long double));
                for (c = 0; c < d; ++c) for (j = 0; j < d; ++j) t[c] += C[c * d + j] * w[j];
                if (l == 1) {  /* deflate the first axis */
                    long double dot = 0;
                    for (c = 0; c < d; ++c) dot += t[c] * v[c];
                    for (c = 0; c < d; ++c) t[c] -= dot * v[c];
                }
                nrm = 0;
                for (c = 0; c < d; ++c) nrm += t[c] * t[c];
                nrm = sqrtl(nrm);
                for (c = 0; c < d; ++c) w[c] = t[c] / nrm;
                free(t);
            }
        }
        o.seed = 1;
        ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &s), MOSSA_OK);
        mossa_tsne_get_embedding(s, y0);
        mossa_tsne_end(s);
        o.seed = 2;
        ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &s), MOSSA_OK);
        mossa_tsne_get_embedding(s, y1);
        mossa_tsne_end(s);
        for (i = 0; i < n; ++i) mu += y0[2 * i];
        mu /= n;
        for (i = 0; i < n; ++i) sd += (y0[2 * i] - mu) * (y0[2 * i] - mu);
        sd = sqrt(sd / n);
        ck_assert_msg(fabs(sd - 1e-4) < 1e-9, "d %zu: sd %g", d, sd);
        for (l = 0; l < 2; ++l) {
            long double sxy = 0, sxx = 0, syy = 0, s01 = 0, s11 = 0;
            for (i = 0; i < n; ++i) {
                long double p = 0;
                for (c = 0; c < d; ++c) p += (x[i * d + c] - mean[c]) * v[l * d + c];
                sxy += p * y0[2 * i + l]; sxx += p * p; syy += (long double)y0[2 * i + l] * y0[2 * i + l];
                s01 += (long double)y0[2 * i + l] * y1[2 * i + l]; s11 += (long double)y1[2 * i + l] * y1[2 * i + l];
            }
            ck_assert_msg(fabsl(sxy) / sqrtl(sxx * syy) > 0.99999L, "d %zu axis %zu: |corr| %Lg", d, l,
                          fabsl(sxy) / sqrtl(sxx * syy));
            /* the same signs for another seed */
            ck_assert_msg(s01 / sqrtl(syy * s11) > 0.99999L, "d %zu axis %zu: seeds disagree", d, l);
        }
        free(x); free(y0); free(y1); free(a); free(mean); free(C); free(v);
    }
}
END_TEST

START_TEST(test_calibration_entropy_matches_perplexity)
{
    const double perps[] = {2.0, 5.0, 30.0, 50.0};
    size_t t, j;
    for (t = 0; t < 4; ++t) {
        size_t k = (size_t)(3 * perps[t]);
        float *d2 = test_random_floats(k, 100 + t, 1.0), *p = (float *)malloc(k * sizeof(float));
        long double H = 0, S = 0;
        for (j = 0; j < k; ++j) d2[j] = d2[j] * d2[j] * (t == 3 ? 1e6f : 1.0f);   /* large scale too */
        ck_assert(mossa_tsne_calibrate(d2, k, perps[t], p) > 0);
        for (j = 0; j < k; ++j) { S += p[j]; if (p[j] > 0) H -= (long double)p[j] * logl(p[j]); }
        ck_assert_msg(fabsl(S - 1) < 1e-6L, "sum %Lg", S);
        ck_assert_msg(fabsl(H - logl(perps[t])) < 1e-5L, "perplexity %g: entropy %Lg vs %g", perps[t], H, log(perps[t]));
        free(d2); free(p);
    }
    {   /* equidistant neighbours: uniform (the target is unreachable) */
        float d2[6] = {4, 4, 4, 4, 4, 4}, p[6];
        mossa_tsne_calibrate(d2, 6, 3.0, p);
        for (j = 0; j < 6; ++j) ck_assert(fabsf(p[j] - 1.0f / 6.0f) < 1e-7f);
    }
}
END_TEST

START_TEST(test_joint_p_sums_to_one_and_is_symmetric)
{
    size_t n = 300, d = 10, i, j;
    float *x = clusters(n, d, 4, 21, NULL);
    mossa_tsne_options o = opts(2);
    mossa_tsne_state *s;
    long double *P, sum = 0;
    o.perplexity = 15;
    ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &s), MOSSA_OK);
    P = dense_p(s, n);
    for (i = 0; i < n; ++i) {
        long double row = 0;
        ck_assert(P[i * n + i] == 0);
        for (j = 0; j < n; ++j) {
            ck_assert_msg(P[i * n + j] == P[j * n + i], "P not symmetric at %zu,%zu", i, j);
            ck_assert(P[i * n + j] >= 0);
            row += P[i * n + j];
            sum += P[i * n + j];
        }
        ck_assert(row > 0);
    }
    ck_assert_msg(fabsl(sum - 1) < 1e-5L, "sum P = %Lg", sum);
    free(P); mossa_tsne_end(s); free(x);
}
END_TEST

START_TEST(test_precomputed_knn_and_affinity_give_the_same_p)
{
    size_t n = 250, d = 6, k = 45, nnz = 0, i;
    float *x = clusters(n, d, 3, 31, NULL), *dist = (float *)malloc(n * k * sizeof(float)), *vf;
    int32_t *idx = (int32_t *)malloc(n * k * sizeof(int32_t)), *ix;
    size_t *ip = (size_t *)malloc((n + 1) * sizeof(size_t));
    double *v;
    mossa_tsne_options o = opts(1);
    mossa_tsne_state *a, *b, *c;
    long double *Pa, *Pb, *Pc;
    o.perplexity = 15;
    ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &a), MOSSA_OK);
    ck_assert_int_eq(mossa_tsne_knn(x, n, d, k, &o, idx, dist), MOSSA_OK);
    ck_assert_int_eq(mossa_tsne_begin_knn(n, k, idx, dist, &o, &b), MOSSA_OK);
    Pa = dense_p(a, n); Pb = dense_p(b, n);
    /* distances went through sqrt and back: p moves by ~beta d^2 * 1e-7 */
    for (i = 0; i < n * n; ++i) ck_assert(fabsl(Pa[i] - Pb[i]) <= 1e-4L * Pa[i] + 1e-12L);
    /* the joint P fed back as an affinity matrix is the same P */
    ck_assert_int_eq(mossa_tsne_joint_p(a, &nnz, NULL, NULL, NULL), MOSSA_OK);
    ix = (int32_t *)malloc(nnz * sizeof(int32_t)); v = (double *)malloc(nnz * sizeof(double));
    vf = (float *)malloc(nnz * sizeof(float));
    ck_assert_int_eq(mossa_tsne_joint_p(a, &nnz, ip, ix, v), MOSSA_OK);
    for (i = 0; i < nnz; ++i) vf[i] = (float)v[i];
    ck_assert_int_eq(mossa_tsne_begin_affinity(n, ip, ix, vf, &o, &c), MOSSA_OK);
    Pc = dense_p(c, n);
    for (i = 0; i < n * n; ++i) ck_assert(fabsl(Pa[i] - Pc[i]) <= 1e-6L * Pa[i] + 1e-12L);
    mossa_tsne_end(b); mossa_tsne_end(c); b = c = NULL;   /* the failing calls below overwrite them */
    /* bad graphs */
    {
        int32_t keep = idx[3];
        idx[3] = (int32_t)n;
        ck_assert_int_eq(mossa_tsne_begin_knn(n, k, idx, dist, &o, &b), MOSSA_ERR_INVALID_ARGUMENT);
        idx[3] = 0;     /* row 0 naming itself */
        ck_assert_int_eq(mossa_tsne_begin_knn(n, k, idx, dist, &o, &b), MOSSA_ERR_INVALID_ARGUMENT);
        idx[3] = keep;
    }
    dist[3] = NAN;
    ck_assert_int_eq(mossa_tsne_begin_knn(n, k, idx, dist, &o, &b), MOSSA_ERR_NONFINITE);
    ck_assert_int_eq(mossa_tsne_begin_knn(n, 10, idx, dist, &o, &b), MOSSA_ERR_PERPLEXITY);
    vf[0] = -1;
    ck_assert_int_eq(mossa_tsne_begin_affinity(n, ip, ix, vf, &o, &c), MOSSA_ERR_INVALID_ARGUMENT);
    free(Pa); free(Pb); free(Pc); free(x); free(dist); free(idx); free(ip); free(ix); free(v); free(vf);
    mossa_tsne_end(a); mossa_tsne_end(b);
}
END_TEST

/* ---- gradients ------------------------------------------------------------------- */
/* a spread-out embedding to evaluate gradients at (not the tiny init) */
static float *spread_embedding(size_t n, int dims, unsigned long long seed)
{
    return test_random_floats(n * (size_t)dims, seed, 4.0);
}

START_TEST(test_tree_forces_at_theta_zero_equal_brute_force)
{
    int dims;
    for (dims = 2; dims <= 3; ++dims) {
        size_t n = 700, d = 5;
        float *x = clusters(n, d, 5, 41, NULL), *y = spread_embedding(n, dims, 42);
        double *g = (double *)malloc(n * dims * sizeof(double));
        long double *ref = (long double *)malloc(n * dims * sizeof(long double)), *P;
        mossa_tsne_options o = opts(2);
        mossa_tsne_state *s;
        mossa_simd_level lvl;
        o.dims = dims; o.perplexity = 10;
        ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &s), MOSSA_OK);
        mossa_tsne_set_embedding(s, y);
        P = dense_p(s, n);
        exact_grad(P, y, n, dims, ref);
        FOR_EACH_SIMD_LEVEL(lvl) {
            double e;
            ck_assert_int_eq(mossa_tsne_gradient(s, MOSSA_TSNE_THETA_EXACT, g), MOSSA_OK);
            e = rel_err(g, ref, n * dims);
            ck_assert_msg(e < 1e-5, "dims %d level %s: exact tree forces off by %g", dims, mossa_simd_name(lvl), e);
            ck_assert_int_eq(mossa_tsne_gradient(s, 1e-7, g), MOSSA_OK);  /* opening every cell */
            ck_assert_msg(rel_err(g, ref, n * dims) < 1e-5, "dims %d theta 1e-7", dims);
            ck_assert_int_eq(mossa_tsne_gradient(s, 0.5, g), MOSSA_OK);
            e = rel_err(g, ref, n * dims);
            ck_assert_msg(e < 2e-2, "dims %d level %s: theta 0.5 off by %g", dims, mossa_simd_name(lvl), e);
        }
        mossa_simd_force(MOSSA_SIMD_AUTO);
        free(P); free(ref); free(g); free(x); free(y); mossa_tsne_end(s);
    }
}
END_TEST

START_TEST(test_gradient_matches_finite_differences_of_exact_kl)
{
    size_t n = 60, d = 4, i;
    int dims = 2;
    float *x = clusters(n, d, 3, 51, NULL), *y = spread_embedding(n, dims, 52);
    double *g = (double *)malloc(n * dims * sizeof(double)), *yd = (double *)malloc(n * dims * sizeof(double));
    long double *fd = (long double *)malloc(n * dims * sizeof(long double)), *P;
    mossa_tsne_options o = opts(1);
    mossa_tsne_state *s;
    double kl_lib;
    o.perplexity = 10;
    ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &s), MOSSA_OK);
    mossa_tsne_set_embedding(s, y);
    P = dense_p(s, n);
    for (i = 0; i < n * dims; ++i) yd[i] = y[i];
    for (i = 0; i < n * dims; ++i) {
        const double h = 1e-4;
        long double up, dn;
        yd[i] = (double)y[i] + h; up = exact_kl(P, yd, n, dims);
        yd[i] = (double)y[i] - h; dn = exact_kl(P, yd, n, dims);
        yd[i] = y[i];
        fd[i] = (up - dn) / (2 * h);
    }
    ck_assert_int_eq(mossa_tsne_gradient(s, MOSSA_TSNE_THETA_EXACT, g), MOSSA_OK);
    ck_assert_msg(rel_err(g, fd, n * dims) < 1e-4, "exact gradient vs FD: %g", rel_err(g, fd, n * dims));
    ck_assert_int_eq(mossa_tsne_gradient(s, 0.5, g), MOSSA_OK);
    ck_assert_msg(rel_err(g, fd, n * dims) < 2e-2, "BH gradient vs FD: %g", rel_err(g, fd, n * dims));
    /* and the library's KL is the exact one */
    ck_assert_int_eq(mossa_tsne_kl(s, MOSSA_TSNE_THETA_EXACT, &kl_lib), MOSSA_OK);
    ck_assert_msg(fabsl(kl_lib - exact_kl(P, yd, n, dims)) < 1e-5L, "KL %g vs %Lg", kl_lib, exact_kl(P, yd, n, dims));
    free(P); free(fd); free(g); free(yd); free(x); free(y); mossa_tsne_end(s);
}
END_TEST

/* ---- optimisation --------------------------------------------------------------- */
typedef struct kl_log { int n; int it[64]; double kl[64]; int stop_at; } kl_log;
static int log_progress(int iteration, double kl, void *user)
{
    kl_log *l = (kl_log *)user;
    if (l->n < 64) { l->it[l->n] = iteration; l->kl[l->n] = kl; l->n++; }
    return l->stop_at && iteration >= l->stop_at;
}

START_TEST(test_kl_decreases)
{
    size_t n = emulated() ? 300 : 800, d = 10;
    float *x = clusters(n, d, 6, 61, NULL), *y = (float *)malloc(n * 2 * sizeof(float));
    mossa_tsne_options o = opts(2);
    mossa_tsne_result r;
    kl_log l;
    int a;
    memset(&l, 0, sizeof(l));
    o.iterations = emulated() ? 500 : 1000;
    o.progress = log_progress; o.progress_user = &l;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_OK);
    ck_assert_int_eq(l.n, o.iterations / 50);
    ck_assert_int_eq(l.it[0], 50);
    for (a = 0; a < l.n; ++a) ck_assert(isfinite(l.kl[a]) && l.kl[a] >= 0);
    /* after the exaggeration phase every report is lower than the one before */
    for (a = 6; a < l.n; ++a) ck_assert_msg(l.kl[a] < l.kl[a - 1] + 1e-4, "KL rose at %d: %g -> %g", l.it[a], l.kl[a - 1], l.kl[a]);
    ck_assert(r.kl < l.kl[5]);
    ck_assert(fabs(r.kl - l.kl[l.n - 1]) < 0.05);   /* final exact KL near the last Barnes-Hut one */
    free(x); free(y);
}
END_TEST

START_TEST(test_digits_10nn_accuracy_above_0_9)
{
    size_t n, m;
    int *lab, dims;
    float *x = load_digits(&n, &lab), *y;
    mossa_tsne_options o = opts(2);
    mossa_tsne_result r;
    m = emulated() ? 600 : n;
    o.iterations = emulated() ? 500 : 1000;
    for (dims = 2; dims <= (emulated() ? 2 : 3); ++dims) {
        double acc;
        o.dims = dims;
        y = (float *)malloc(m * dims * sizeof(float));
        ck_assert_int_eq(mossa_tsne(x, m, 64, &o, y, &r), MOSSA_OK);
        acc = knn_accuracy(y, m, dims, lab);
        ck_assert_msg(acc > 0.9, "dims %d: 10-NN accuracy %g", dims, acc);
        ck_assert_msg(r.kl > 0 && r.kl < (emulated() ? 1.5 : 1.0), "dims %d: KL %g", dims, r.kl);
        ck_assert_int_eq(r.iterations, o.iterations);
        ck_assert_int_eq(r.neighbors, 90);
        free(y);
    }
    mossa_free(x, NULL); free(lab);
}
END_TEST

START_TEST(test_threads_bit_identical)
{
    size_t n = emulated() ? 300 : 1500, d = 12;
    float *x = clusters(n, d, 7, 71, NULL);
    float *y1 = (float *)malloc(n * 2 * sizeof(float)), *y2 = (float *)malloc(n * 2 * sizeof(float));
    float *y3 = (float *)malloc(n * 2 * sizeof(float));
    mossa_tsne_options o = opts(1);
    mossa_tsne_result r1, r2, r3;
    o.iterations = emulated() ? 150 : 400;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y1, &r1), MOSSA_OK);
    o.n_threads = 2;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y2, &r2), MOSSA_OK);
    o.n_threads = 3;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y3, &r3), MOSSA_OK);
    ck_assert(memcmp(y1, y2, n * 2 * sizeof(float)) == 0);
    ck_assert(memcmp(y1, y3, n * 2 * sizeof(float)) == 0);
    ck_assert(r1.kl == r2.kl && r1.kl == r3.kl);
    free(x); free(y1); free(y2); free(y3);
}
END_TEST

START_TEST(test_every_simd_level_embeds_digits)
{
    size_t n, m;
    int *lab;
    float *x = load_digits(&n, &lab), *y;
    mossa_tsne_options o = opts(2);
    mossa_tsne_result r;
    mossa_simd_level lvl;
    double kl_first = -1;
    m = emulated() ? 400 : 1000;
    o.iterations = emulated() ? 400 : 700;
    y = (float *)malloc(m * 2 * sizeof(float));
    FOR_EACH_SIMD_LEVEL(lvl) {
        unsigned long before = mossa_test_kernel_calls(lvl);
        double acc;
        ck_assert_int_eq(mossa_tsne(x, m, 64, &o, y, &r), MOSSA_OK);
        acc = knn_accuracy(y, m, 2, lab);
        ck_assert_msg(acc > 0.9, "%s: accuracy %g", mossa_simd_name(lvl), acc);
        if (kl_first < 0) kl_first = r.kl;
        ck_assert_msg(fabs(r.kl - kl_first) < 0.05, "%s: KL %g vs %g", mossa_simd_name(lvl), r.kl, kl_first);
        (void)before;
    }
    mossa_simd_force(MOSSA_SIMD_AUTO);
    free(y); mossa_free(x, NULL); free(lab);
}
END_TEST

START_TEST(test_resume_equals_one_run)
{
    size_t n = emulated() ? 250 : 900, d = 8;
    float *x = clusters(n, d, 5, 81, NULL);
    float *ya = (float *)malloc(n * 2 * sizeof(float)), *yb = (float *)malloc(n * 2 * sizeof(float));
    mossa_tsne_options o = opts(2);
    mossa_tsne_state *a, *b;
    mossa_tsne_result ra, rb;
    kl_log l;
    int total = emulated() ? 350 : 600;
    ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &a), MOSSA_OK);
    ck_assert_int_eq(mossa_tsne_run(a, total, &ra), MOSSA_OK);
    ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &b), MOSSA_OK);
    ck_assert_int_eq(mossa_tsne_run(b, 200, NULL), MOSSA_OK);   /* inside the exaggeration phase */
    ck_assert_int_eq(mossa_tsne_iteration(b), 200);
    ck_assert_int_eq(mossa_tsne_run(b, 300, NULL), MOSSA_OK);   /* across the switch */
    ck_assert_int_eq(mossa_tsne_run(b, total, &rb), MOSSA_OK);
    mossa_tsne_get_embedding(a, ya); mossa_tsne_get_embedding(b, yb);
    ck_assert(memcmp(ya, yb, n * 2 * sizeof(float)) == 0);
    ck_assert(ra.kl == rb.kl);
    mossa_tsne_end(b);
    /* a run stopped by the callback continues to the same result */
    memset(&l, 0, sizeof(l));
    l.stop_at = 150;
    o.progress = log_progress; o.progress_user = &l;
    ck_assert_int_eq(mossa_tsne_begin(x, n, d, &o, &b), MOSSA_OK);
    ck_assert_int_eq(mossa_tsne_run(b, total, NULL), MOSSA_ERR_CANCELLED);
    ck_assert_int_eq(mossa_tsne_iteration(b), 150);
    l.stop_at = 0;
    ck_assert_int_eq(mossa_tsne_run(b, total, &rb), MOSSA_OK);
    mossa_tsne_get_embedding(b, yb);
    ck_assert(memcmp(ya, yb, n * 2 * sizeof(float)) == 0);
    /* mossa_tsne itself returns the partial embedding with CANCELLED */
    l.stop_at = 100;
    o.iterations = total;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, yb, &rb), MOSSA_ERR_CANCELLED);
    ck_assert_int_eq(rb.iterations, 100);
    ck_assert(isfinite(yb[0]) && isfinite(rb.kl));
    mossa_tsne_end(a); mossa_tsne_end(b);
    free(x); free(ya); free(yb);
}
END_TEST

/* ---- robustness ------------------------------------------------------------------ */
START_TEST(test_errors)
{
    size_t n = 50, d = 3;
    float *x = test_random_floats(n * d, 91, 1.0), y[200];
    mossa_tsne_options o = opts(1);
    mossa_tsne_result r;
    ck_assert_int_eq(mossa_tsne(NULL, n, d, &o, y, &r), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_tsne(x, 1, d, &o, y, &r), MOSSA_ERR_TOO_FEW_SAMPLES);
    ck_assert_int_eq(mossa_tsne(x, n, 0, &o, y, &r), MOSSA_ERR_INVALID_ARGUMENT);
    o.perplexity = 49.5;    /* needs n - 1 >= perplexity */
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_ERR_PERPLEXITY);
    o.perplexity = -1;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_ERR_INVALID_ARGUMENT);
    o.perplexity = 0; o.dims = 4;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_ERR_INVALID_ARGUMENT);
    o.dims = 0; o.iterations = -5;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_ERR_INVALID_ARGUMENT);
    o.iterations = 0;
    x[17] = NAN;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_ERR_NONFINITE);
    x[17] = INFINITY;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_ERR_NONFINITE);
    free(x);
}
END_TEST

START_TEST(test_small_n_and_duplicates)
{
    size_t n = 40, d = 5, i;
    float *x = test_random_floats(n * d, 101, 1.0), *y = (float *)malloc(n * 3 * sizeof(float));
    mossa_tsne_options o = opts(2);
    mossa_tsne_result r;
    /* 3 * perplexity > n - 1: k is reduced to n - 1 */
    o.perplexity = 20; o.iterations = 300;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_OK);
    ck_assert_int_eq(r.neighbors, 39);
    for (i = 0; i < n * 2; ++i) ck_assert(isfinite(y[i]));
    /* every row identical: P uniform, PCA has no variance -> random init */
    for (i = 0; i < n * d; ++i) x[i] = 3.25f;
    o.perplexity = 5;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_OK);
    for (i = 0; i < n * 2; ++i) ck_assert(isfinite(y[i]));
    ck_assert(isfinite(r.kl) && r.kl >= -1e-9);
    o.dims = 3;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_OK);
    for (i = 0; i < n * 3; ++i) ck_assert(isfinite(y[i]));
    /* half the rows duplicated */
    free(x);
    x = clusters(n, d, 2, 102, NULL);
    for (i = 0; i < n / 2; ++i) memcpy(x + (n / 2 + i) * d, x + i * d, d * sizeof(float));
    o.dims = 2;
    ck_assert_int_eq(mossa_tsne(x, n, d, &o, y, &r), MOSSA_OK);
    for (i = 0; i < n * 2; ++i) ck_assert(isfinite(y[i]));
    /* n = 2, perplexity 1 */
    o.perplexity = 1;
    ck_assert_int_eq(mossa_tsne(x, 2, d, &o, y, &r), MOSSA_OK);
    ck_assert(isfinite(y[0]) && isfinite(y[3]));
    free(x); free(y);
}
END_TEST

/* allocator: counts live bytes and their peak, fails the fail_at-th call */
typedef struct track { long calls, fail_at; size_t live, peak; } track;
static void *track_alloc(size_t size, void *user)
{
    track *t = (track *)user;
    size_t *p;
    if (t->calls++ == t->fail_at) return NULL;
    p = (size_t *)malloc(size + 16);
    if (!p) return NULL;
    p[0] = size;
    t->live += size;
    if (t->live > t->peak) t->peak = t->live;
    return (char *)p + 16;
}
static void track_free(void *ptr, void *user)
{
    track *t = (track *)user;
    if (!ptr) return;
    ptr = (char *)ptr - 16;
    t->live -= *(size_t *)ptr;
    free(ptr);
}

START_TEST(test_memory_peak_and_allocation_failures)
{
    size_t n, i;
    int *lab;
    float *x = load_digits(&n, &lab), *y = (float *)malloc(n * 2 * sizeof(float));
    mossa_tsne_options o = opts(2);
    mossa_tsne_result r;
    mossa_allocator a;
    track t;
    long calls;
    memset(&t, 0, sizeof(t));
    t.fail_at = -1;
    a.alloc = track_alloc; a.free = track_free; a.user = &t;
    o.allocator = &a;
    o.iterations = 60;
    ck_assert_int_eq(mossa_tsne(x, n, 64, &o, y, &r), MOSSA_OK);
    ck_assert_int_eq((long)t.live, 0);
    /* the budget: <= 1 KB of working memory per point at perplexity 30 */
    ck_assert_msg(t.peak <= 1024 * n, "peak %zu bytes = %.0f per point", t.peak, (double)t.peak / n);
    calls = t.calls;
    for (i = 0; i < (size_t)calls; ++i) {
        memset(&t, 0, sizeof(t));
        t.fail_at = (long)i;
        ck_assert_int_eq(mossa_tsne(x, 300, 64, &o, y, &r), MOSSA_ERR_OUT_OF_MEMORY);
        ck_assert_msg(t.live == 0, "leak after failing allocation %zu", i);
    }
    free(y); mossa_free(x, NULL); free(lab);
}
END_TEST

START_TEST(test_vptree_allocation_failures)
{
    size_t n = 3000, d = 3, k = 10, i;
    float *x = test_random_floats(n * d, 71, 1.0), *dist = (float *)malloc(n * k * sizeof(float));
    int32_t *idx = (int32_t *)malloc(n * k * sizeof(int32_t));
    mossa_tsne_options o = opts(2);
    mossa_allocator a;
    track t;
    long calls;
    memset(&t, 0, sizeof(t));
    t.fail_at = -1;
    a.alloc = track_alloc; a.free = track_free; a.user = &t;
    o.allocator = &a;
    o.knn = MOSSA_TSNE_KNN_AUTO;    /* n >= 2000, d <= 5: the tree */
    ck_assert_int_eq(mossa_tsne_knn(x, n, d, k, &o, idx, dist), MOSSA_OK);
    ck_assert_int_eq((long)t.live, 0);
    /* the tree's one block: under 100 bytes per point here */
    ck_assert_msg(t.peak < 100 * n, "peak %zu", t.peak);
    calls = t.calls;
    for (i = 0; i < (size_t)calls; ++i) {
        memset(&t, 0, sizeof(t));
        t.fail_at = (long)i;
        ck_assert_int_eq(mossa_tsne_knn(x, n, d, k, &o, idx, dist), MOSSA_ERR_OUT_OF_MEMORY);
        ck_assert(t.live == 0);
    }
    free(x); free(dist); free(idx);
}
END_TEST

/* ---- CLI -------------------------------------------------------------------------- */
START_TEST(test_cli_tsne)
{
    char *out = NULL, *err = NULL, cmd[1024];
    const char *yp = test_path("y.npy"), *svg = test_path("p.svg");
    float *y = NULL;
    size_t rows, cols;
    FILE *f;
    char buf[4096];
    size_t got;
    snprintf(cmd, sizeof(cmd), "--json --threads 2 tsne tests/data/digits.npy -o %s --iters %d --labels tests/data/digits_labels.npy --svg %s",
             yp, emulated() ? 60 : 300, svg);
    ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"kl\"") && strstr(out, "\"iterations\"") && strstr(out, "\"seconds\""), "json: %s", out);
    ck_assert(strstr(out, emulated() ? "\"iterations\": 60" : "\"iterations\": 300"));
    ck_assert(err[0] == 0);   /* no progress bar when stderr is not a terminal */
    ck_assert_int_eq(mossa_npy_read(yp, NULL, &y, &rows, &cols), MOSSA_OK);
    ck_assert(rows == 1797 && cols == 2);
    mossa_free(y, NULL);
    f = fopen(svg, "r");
    ck_assert(f != NULL);
    got = fread(buf, 1, sizeof(buf) - 1, f);
    buf[got] = 0;
    fclose(f);
    ck_assert(strstr(buf, "<svg") != NULL);
    free(out); free(err);
    /* errors: exit 1 with a message; usage: exit 2 */
    ck_assert_int_eq(test_cli("tsne /nonexistent.npy -o /tmp/x.npy", &out, &err), 1);
    ck_assert(strstr(err, "mossa: error:") != NULL);
    free(out); free(err);
    ck_assert_int_eq(test_cli("tsne tests/data/digits.npy -o /tmp/x.npy --perplexity 2000", &out, &err), 1);
    ck_assert(strstr(err, "perplexity") != NULL);
    free(out); free(err);
    ck_assert_int_eq(test_cli("tsne tests/data/digits.npy", &out, &err), 2);
    free(out); free(err);
    ck_assert_int_eq(test_cli("tsne tests/data/digits.npy -o /tmp/x.npy --dims 4", &out, &err), 2);
    free(out); free(err);
    ck_assert_int_eq(test_cli("tsne tests/data/digits.npy -o /tmp/x.npy --init spectral", &out, &err), 2);
    free(out); free(err);
    snprintf(cmd, sizeof(cmd), "tsne tests/data/digits.npy -o %s --iters 10 --labels tests/data/digits.npy", yp);
    ck_assert_int_eq(test_cli(cmd, &out, &err), 1);
    ck_assert(strstr(err, "labels") != NULL);
    free(out); free(err);
    ck_assert_int_eq(test_cli("tsne tests/data/digits.npy -o /tmp/x.npy --knn kdtree", &out, &err), 2);
    ck_assert(strstr(err, "--knn") != NULL);
    free(out); free(err);
}
END_TEST

/* --knn brute and --knn vptree give the same embedding bit for bit (both
   exact, ties broken alike), on low-dimensional data where the tree is used */
START_TEST(test_cli_knn_methods_agree)
{
    size_t n = 400, d = 3, i, rows, cols;
    float *x = test_random_floats(n * d, 91, 1.0), *a = NULL, *b = NULL;
    const char *xp = test_path("low.npy"), *ya = test_path("ya.npy"), *yb = test_path("yb.npy");
    char *out = NULL, *err = NULL, cmd[1024];
    ck_assert_int_eq(mossa_npy_write(xp, x, n, d), MOSSA_OK);
    snprintf(cmd, sizeof(cmd), "--threads 2 tsne %s -o %s --iters 100 --perplexity 10 --knn brute", xp, ya);
    ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
    free(out); free(err);
    snprintf(cmd, sizeof(cmd), "--threads 2 tsne %s -o %s --iters 100 --perplexity 10 --knn vptree", xp, yb);
    ck_assert_int_eq(test_cli(cmd, &out, &err), 0);
    free(out); free(err);
    ck_assert_int_eq(mossa_npy_read(ya, NULL, &a, &rows, &cols), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_read(yb, NULL, &b, &rows, &cols), MOSSA_OK);
    ck_assert(rows == n && cols == 2);
    for (i = 0; i < n * 2; ++i) ck_assert_msg(a[i] == b[i], "entry %zu: %g vs %g", i, a[i], b[i]);
    mossa_free(a, NULL); mossa_free(b, NULL); free(x);
}
END_TEST

Suite *suite_tsne(void)
{
    Suite *s = suite_create("tsne");
    TCase *a = tcase_create("affinities"), *g = tcase_create("gradients"), *o = tcase_create("optimiser");
    TCase *r = tcase_create("robustness");
    tcase_add_test(a, test_knn_exact_against_brute_force);
    tcase_add_test(a, test_vptree_equals_brute_force);
    tcase_add_test(a, test_knn_method_does_not_change_the_embedding);
    tcase_add_test(a, test_pca_init_is_principal_components);
    tcase_add_test(a, test_calibration_entropy_matches_perplexity);
    tcase_add_test(a, test_joint_p_sums_to_one_and_is_symmetric);
    tcase_add_test(a, test_precomputed_knn_and_affinity_give_the_same_p);
    tcase_add_test(g, test_tree_forces_at_theta_zero_equal_brute_force);
    tcase_add_test(g, test_gradient_matches_finite_differences_of_exact_kl);
    tcase_add_test(o, test_kl_decreases);
    tcase_add_test(o, test_digits_10nn_accuracy_above_0_9);
    tcase_add_test(o, test_threads_bit_identical);
    tcase_add_test(o, test_every_simd_level_embeds_digits);
    tcase_add_test(o, test_resume_equals_one_run);
    tcase_add_test(r, test_errors);
    tcase_add_test(r, test_small_n_and_duplicates);
    tcase_add_test(r, test_memory_peak_and_allocation_failures);
    tcase_add_test(r, test_cli_knn_methods_agree);
    tcase_add_test(r, test_vptree_allocation_failures);
    tcase_add_test(r, test_cli_tsne);
    tcase_set_timeout(a, 120); tcase_set_timeout(g, 240);
    tcase_set_timeout(o, 600); tcase_set_timeout(r, 600);
    suite_add_tcase(s, a); suite_add_tcase(s, g); suite_add_tcase(s, o); suite_add_tcase(s, r);
    return s;
}
