/* test_alloc.c - allocation failures through every public entry point that
   takes an allocator.

   A test allocator fails exactly the k-th allocation. For each entry point
   the call is first made with no failure (counting its N allocations and
   recording the result), then once for every k = 1..N: each call must
   return MOSSA_ERR_OUT_OF_MEMORY (or succeed with the same result, if the
   failed allocation was optional), leave its outputs defined (pointers
   NULL, scalar results written, never NaN), and leave nothing allocated:
   the allocator counts outstanding blocks, which must be 0 after every call
   (under `make sanitize` LeakSanitizer checks the same from outside). Each
   block carries a tag, so a block freed through the wrong allocator, or
   twice, fails the test. Every case runs with 1 and 2 threads (the pool's
   own allocations are part of the sequence). Entry points still
   unimplemented (MOSSA_ERR_NOT_IMPLEMENTED) are skipped with a note. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"
#include <stdint.h>

/* ---- the failing allocator ------------------------------------------------
   The library calls the allocator from worker threads too (e.g.
   mossa_analyze with n_threads = 2 allocates inside parallel tasks), so
   the counters are atomic. With several threads the k-th allocation may
   come from either thread; each k is still failed exactly once. */
typedef struct fail_alloc {
    long calls;        /* allocations attempted in this call */
    long fail_at;      /* 1-based index of the allocation to fail; 0 = never */
    long outstanding;  /* blocks handed out and not yet freed */
    long failed;       /* allocations refused */
} fail_alloc;

#define FA_MAGIC 0x4641494cULL
static void *fa_alloc(size_t size, void *user)
{
    fail_alloc *fa = (fail_alloc *)user;
    uint64_t *p;
    long call = __atomic_add_fetch(&fa->calls, 1, __ATOMIC_SEQ_CST);
    if ((fa->fail_at && call == fa->fail_at) || size > ((size_t)1 << 36)) {
        __atomic_add_fetch(&fa->failed, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    p = (uint64_t *)malloc(size + 16);
    if (!p) return NULL;
    p[0] = FA_MAGIC;
    p[1] = (uint64_t)size;
    memset(p + 2, 0xA5, size);   /* no reliance on zeroed memory */
    __atomic_add_fetch(&fa->outstanding, 1, __ATOMIC_SEQ_CST);
    return p + 2;
}

static void fa_free(void *ptr, void *user)
{
    fail_alloc *fa = (fail_alloc *)user;
    uint64_t *p;
    if (!ptr) return;
    p = (uint64_t *)ptr - 2;
    ck_assert_msg(p[0] == FA_MAGIC, "a block freed through the test allocator was not allocated by it (or freed twice)");
    p[0] = 0;
    __atomic_sub_fetch(&fa->outstanding, 1, __ATOMIC_SEQ_CST);
    free(p);
}

/* One entry point under test: calls it with `a` and `threads`, checks the
   outputs' state on failure itself, and on success fills `sig` with a
   signature of the result (compared with the no-failure run). */
typedef mossa_status (*alloc_case_fn)(const mossa_allocator *a, int threads, double sig[8]);

/* the largest k tried; every case below stays far under it */
#define MAX_ALLOCS 20000

static int run_failure_loop(const char *name, alloc_case_fn fn, int threads)
{
    fail_alloc fa;
    mossa_allocator a;
    double sig0[8], sig[8];
    long n, k, oom = 0, ok = 0;
    mossa_status st;
    memset(&fa, 0, sizeof(fa));
    a.alloc = fa_alloc;
    a.free = fa_free;
    a.user = &fa;
    memset(sig0, 0, sizeof(sig0));
    st = fn(&a, threads, sig0);
    if (st == MOSSA_ERR_NOT_IMPLEMENTED) {
        printf("alloc: %s: not implemented yet, skipped\n", name);
        return 0;
    }
    ck_assert_msg(st == MOSSA_OK, "%s (threads %d) without failures: %s", name, threads, mossa_status_string(st));
    ck_assert_msg(fa.outstanding == 0, "%s: %ld blocks outstanding after success", name, fa.outstanding);
    n = fa.calls;
    ck_assert_msg(n <= MAX_ALLOCS, "%s makes %ld allocations", name, n);
    for (k = 1; k <= n; ++k) {
        memset(&fa, 0, sizeof(fa));
        fa.fail_at = k;
        memset(sig, 0, sizeof(sig));
        st = fn(&a, threads, sig);
        ck_assert_msg(fa.outstanding == 0, "%s (threads %d): allocation %ld of %ld failed -> %ld blocks leaked",
                      name, threads, k, n, fa.outstanding);
        if (st == MOSSA_OK) {
            ck_assert_msg(memcmp(sig, sig0, sizeof(sig)) == 0,
                          "%s (threads %d): allocation %ld failed, call succeeded with a different result",
                          name, threads, k);
            ok++;
        } else {
            ck_assert_msg(st == MOSSA_ERR_OUT_OF_MEMORY, "%s (threads %d): allocation %ld of %ld failed -> %s",
                          name, threads, k, n, mossa_status_string(st));
            oom++;
        }
    }
    if (n > 0) ck_assert_msg(oom > 0, "%s: no failed allocation was reported", name);
    printf("alloc: %s (threads %d): %ld allocations, each failed once: %ld out-of-memory, %ld tolerated\n",
           name, threads, n, oom, ok);
    return 1;
}

#define RUN_BOTH(name, fn)                     \
    do {                                       \
        run_failure_loop(name, fn, 1);         \
        run_failure_loop(name, fn, 2);         \
    } while (0)

/* ---- test data --------------------------------------------------------- */
static float *data_x(size_t n, size_t d, unsigned long long seed)
{
    return test_random_floats(n * d, seed, 1.0);
}

/* y = first columns of x plus noise, so CKA is away from 0 and 1 */
static float *data_y(const float *x, size_t n, size_t dx, size_t dy, unsigned long long seed)
{
    float *y = test_random_floats(n * dy, seed, 0.5);
    size_t i, j;
    for (i = 0; i < n; ++i)
        for (j = 0; j < dy; ++j) y[i * dy + j] += x[i * dx + j % dx];
    return y;
}

/* a float32 C-order .npy image, built here so the test does not depend on
   the writer under test */
static unsigned char *npy_image(const float *x, size_t rows, size_t cols, size_t *len)
{
    char header[160];
    int hl = snprintf(header, sizeof(header), "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }",
                      rows, cols);
    size_t pre = 10 + (size_t)hl + 1, pad = (64 - pre % 64) % 64, off = pre + pad;
    unsigned char *img = (unsigned char *)malloc(off + rows * cols * sizeof(float));
    memcpy(img, "\x93NUMPY\x01\x00", 8);
    img[8] = (unsigned char)((off - 10) & 0xff);
    img[9] = (unsigned char)((off - 10) >> 8);
    memcpy(img + 10, header, (size_t)hl);
    memset(img + 10 + hl, ' ', pad);
    img[off - 1] = '\n';
    memcpy(img + off, x, rows * cols * sizeof(float));
    *len = off + rows * cols * sizeof(float);
    return img;
}

static double sig_floats(const float *x, size_t n)
{
    /* a position-weighted sum: any changed element changes it */
    double s = 0;
    size_t i;
    for (i = 0; i < n; ++i) s += (double)x[i] * (double)(i + 1);
    return s;
}

/* ---- npy ---------------------------------------------------------------- */
static mossa_status case_npy_decode(const mossa_allocator *a, int threads, double sig[8])
{
    float *x = data_x(7, 5, 1), *out = (float *)(void *)x;
    size_t len, rows = 99, cols = 99;
    unsigned char *img = npy_image(x, 7, 5, &len);
    mossa_status st = mossa_npy_decode(img, len, a, &out, &rows, &cols);
    (void)threads;
    if (st == MOSSA_OK) {
        sig[0] = (double)rows; sig[1] = (double)cols; sig[2] = sig_floats(out, rows * cols);
        mossa_free(out, a);
    } else if (st != MOSSA_ERR_NOT_IMPLEMENTED) {
        ck_assert_msg(out == NULL, "npy_decode failed (%s) but left *out set", mossa_status_string(st));
    }
    free(img); free(x);
    return st;
}

static mossa_status case_npy_read(const mossa_allocator *a, int threads, double sig[8])
{
    static int written;
    const char *path = test_path("alloc_read.npy");
    float *out = (float *)(void *)&written;
    size_t rows = 99, cols = 99;
    mossa_status st;
    (void)threads;
    if (!written) {
        float *x = data_x(9, 4, 2);
        size_t len;
        unsigned char *img = npy_image(x, 9, 4, &len);
        ck_assert_int_eq(test_write_file(path, img, len), 0);
        free(img); free(x);
        written = 1;
    }
    st = mossa_npy_read(path, a, &out, &rows, &cols);
    if (st == MOSSA_OK) {
        sig[0] = (double)rows; sig[1] = (double)cols; sig[2] = sig_floats(out, rows * cols);
        mossa_free(out, a);
    } else if (st != MOSSA_ERR_NOT_IMPLEMENTED) {
        ck_assert_msg(out == NULL, "npy_read failed (%s) but left *out set", mossa_status_string(st));
    }
    return st;
}

static mossa_status case_npy_read_rows(const mossa_allocator *a, int threads, double sig[8])
{
    static int written;
    const char *path = test_path("alloc_rows.npy");
    float *out = (float *)(void *)&written;
    size_t total = 99, cols = 99;
    mossa_status st;
    (void)threads;
    if (!written) {
        float *x = data_x(11, 3, 3);
        size_t len;
        unsigned char *img = npy_image(x, 11, 3, &len);
        ck_assert_int_eq(test_write_file(path, img, len), 0);
        free(img); free(x);
        written = 1;
    }
    st = mossa_npy_read_rows(path, 4, 5, a, &out, &cols, &total);
    if (st == MOSSA_OK) {
        sig[0] = (double)total; sig[1] = (double)cols; sig[2] = sig_floats(out, 5 * cols);
        mossa_free(out, a);
    } else if (st != MOSSA_ERR_NOT_IMPLEMENTED) {
        ck_assert_msg(out == NULL, "npy_read_rows failed (%s) but left *out set", mossa_status_string(st));
    }
    return st;
}

START_TEST(npy_functions_survive_every_failed_allocation)
{
    RUN_BOTH("mossa_npy_decode", case_npy_decode);
    RUN_BOTH("mossa_npy_read", case_npy_read);
    RUN_BOTH("mossa_npy_read_rows", case_npy_read_rows);
}
END_TEST

/* ---- cka ---------------------------------------------------------------- */
static mossa_status cka_case(const mossa_allocator *a, int threads, double sig[8], size_t n, size_t dx,
                             size_t dy, mossa_kernel_kind kernel, int debiased)
{
    float *x = data_x(n, dx, 10 + n), *y = data_y(x, n, dx, dy, 20 + n);
    mossa_cka_options o;
    double v = NAN;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a;
    o.n_threads = threads;
    o.kernel = kernel;
    o.debiased = debiased;
    st = mossa_cka(x, n, dx, y, dy, &o, &v);
    if (st == MOSSA_OK) sig[0] = v;
    else if (st != MOSSA_ERR_NOT_IMPLEMENTED)
        ck_assert_msg(!isnan(v), "mossa_cka failed (%s) without writing its output", mossa_status_string(st));
    free(x); free(y);
    return st;
}
/* n < d takes the n x n Gram path, n >= d the feature-space path */
static mossa_status case_cka_gram(const mossa_allocator *a, int t, double s[8])
{ return cka_case(a, t, s, 12, 40, 33, MOSSA_KERNEL_LINEAR, 0); }
static mossa_status case_cka_feature(const mossa_allocator *a, int t, double s[8])
{ return cka_case(a, t, s, 60, 9, 6, MOSSA_KERNEL_LINEAR, 0); }
static mossa_status case_cka_debiased(const mossa_allocator *a, int t, double s[8])
{ return cka_case(a, t, s, 30, 8, 5, MOSSA_KERNEL_LINEAR, 1); }
static mossa_status case_cka_rbf(const mossa_allocator *a, int t, double s[8])
{ return cka_case(a, t, s, 25, 6, 7, MOSSA_KERNEL_RBF, 0); }
static mossa_status case_cka_rbf_debiased(const mossa_allocator *a, int t, double s[8])
{ return cka_case(a, t, s, 25, 6, 7, MOSSA_KERNEL_RBF, 1); }

/* the HSIC triple, the centered Gram and cross products (caller arrays) */
static mossa_status case_cka_hsic(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 20, dx = 7, dy = 5;
    float *x = data_x(n, dx, 61), *y = data_y(x, n, dx, dy, 62);
    mossa_cka_options o;
    double h[3] = {NAN, NAN, NAN};
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads; o.debiased = 1;
    st = mossa_cka_hsic(x, n, dx, y, dy, &o, h);
    if (st == MOSSA_OK) { sig[0] = h[0]; sig[1] = h[1]; sig[2] = h[2]; }
    else ck_assert_msg(!isnan(h[0]) && !isnan(h[1]) && !isnan(h[2]), "mossa_cka_hsic failed without writing its output");
    free(x); free(y);
    return st;
}

static mossa_status case_centered_gram(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 15, d = 6, i;
    float *x = data_x(n, d, 63);
    double *g = (double *)malloc(n * n * sizeof(double));
    mossa_cka_options o;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads; o.kernel = MOSSA_KERNEL_RBF;
    st = mossa_centered_gram(x, n, d, &o, g);
    if (st == MOSSA_OK) for (i = 0; i < n * n; ++i) sig[i % 8] += g[i] * (double)(i + 1);
    free(x); free(g);
    return st;
}

static mossa_status case_centered_cross(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 30, dx = 5, dy = 4, i;
    float *x = data_x(n, dx, 64), *y = data_y(x, n, dx, dy, 65);
    double *c = (double *)malloc(dx * dy * sizeof(double));
    mossa_cka_options o;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads;
    st = mossa_centered_cross(x, n, dx, y, dy, &o, c);
    if (st == MOSSA_OK) for (i = 0; i < dx * dy; ++i) sig[i % 8] += c[i] * (double)(i + 1);
    free(x); free(y); free(c);
    return st;
}

/* prepared layers: create two, compare, destroy */
static mossa_status case_cka_gram_objects(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 18, dx = 9, dy = 4;
    float *x = data_x(n, dx, 66), *y = data_y(x, n, dx, dy, 67);
    mossa_cka_options o;
    mossa_cka_gram *ga = (mossa_cka_gram *)(void *)x, *gb = (mossa_cka_gram *)(void *)x;
    double v = NAN;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads;
    st = mossa_cka_gram_create(x, n, dx, &o, &ga);
    if (st != MOSSA_OK) { ck_assert_msg(ga == NULL, "gram_create failed but left *gram set"); goto out; }
    st = mossa_cka_gram_create(y, n, dy, &o, &gb);
    if (st != MOSSA_OK) { ck_assert_msg(gb == NULL, "gram_create failed but left *gram set"); mossa_cka_gram_destroy(ga); goto out; }
    st = mossa_cka_gram_cka(ga, gb, &o, &v);
    if (st == MOSSA_OK) sig[0] = v;
    else ck_assert_msg(!isnan(v), "gram_cka failed without writing its output");
    mossa_cka_gram_destroy(ga);
    mossa_cka_gram_destroy(gb);
out:
    free(x); free(y);
    return st;
}

static mossa_status case_cka_matrix(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 16, da[2] = {5, 8}, db[3] = {3, 6, 4}, i;
    float *xa[2], *xb[3];
    double out[6];
    mossa_cka_options o;
    mossa_status st;
    for (i = 0; i < 2; ++i) xa[i] = data_x(n, da[i], 70 + i);
    for (i = 0; i < 3; ++i) xb[i] = data_y(xa[i % 2], n, da[i % 2], db[i], 80 + i);
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads;
    st = mossa_cka_matrix((const float *const *)xa, da, 2, (const float *const *)xb, db, 3, n, &o, out);
    if (st == MOSSA_OK) for (i = 0; i < 6; ++i) sig[i] = out[i];
    for (i = 0; i < 2; ++i) free(xa[i]);
    for (i = 0; i < 3; ++i) free(xb[i]);
    return st;
}

/* the streaming accumulator's whole life: create two, add batches, merge,
   export, import into a third, finish */
static mossa_status case_cka_stream(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 40, dx = 6, dy = 5, len;
    float *x = data_x(n, dx, 90), *y = data_y(x, n, dx, dy, 91);
    mossa_cka_options o;
    mossa_cka_stream *s1 = NULL, *s2 = NULL, *s3 = NULL;
    double *state = NULL, v = NAN;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads;
    if ((st = mossa_cka_stream_create(dx, dy, &o, &s1)) != MOSSA_OK) { ck_assert_ptr_null(s1); goto out; }
    if ((st = mossa_cka_stream_create(dx, dy, &o, &s2)) != MOSSA_OK) { ck_assert_ptr_null(s2); goto out; }
    if ((st = mossa_cka_stream_add(s1, x, y, 13)) != MOSSA_OK) goto out;
    if ((st = mossa_cka_stream_add(s1, x + 13 * dx, y + 13 * dy, 10)) != MOSSA_OK) goto out;
    if ((st = mossa_cka_stream_add(s2, x + 23 * dx, y + 23 * dy, n - 23)) != MOSSA_OK) goto out;
    if ((st = mossa_cka_stream_merge(s1, s2)) != MOSSA_OK) goto out;
    len = mossa_cka_stream_state_size(dx, dy);
    state = (double *)malloc(len * sizeof(double));
    if ((st = mossa_cka_stream_export(s1, state)) != MOSSA_OK) goto out;
    if ((st = mossa_cka_stream_create(dx, dy, &o, &s3)) != MOSSA_OK) { ck_assert_ptr_null(s3); goto out; }
    if ((st = mossa_cka_stream_import(s3, state)) != MOSSA_OK) goto out;
    st = mossa_cka_stream_finish(s3, &v);
    if (st == MOSSA_OK) sig[0] = v;
    else ck_assert_msg(!isnan(v), "stream_finish failed without writing its output");
out:
    mossa_cka_stream_destroy(s1);
    mossa_cka_stream_destroy(s2);
    mossa_cka_stream_destroy(s3);
    free(state); free(x); free(y);
    return st;
}

static mossa_status case_cka_minibatch(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 24, dx = 6, dy = 5;
    float *x = data_x(n, dx, 92), *y = data_y(x, n, dx, dy, 93);
    mossa_cka_options o;
    mossa_cka_minibatch mb;
    double v = NAN;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    memset(&mb, 0, sizeof(mb));
    o.allocator = a; o.n_threads = threads; o.kernel = MOSSA_KERNEL_RBF;
    st = mossa_cka_minibatch_add(&mb, x, 12, dx, y, dy, &o);
    if (st == MOSSA_OK) st = mossa_cka_minibatch_add(&mb, x + 12 * dx, 12, dx, y + 12 * dy, dy, &o);
    if (st == MOSSA_OK) st = mossa_cka_minibatch_finish(&mb, &v);
    if (st == MOSSA_OK) sig[0] = v;
    free(x); free(y);
    return st;
}

START_TEST(cka_building_blocks_survive_every_failed_allocation)
{
    RUN_BOTH("mossa_cka_hsic (debiased)", case_cka_hsic);
    RUN_BOTH("mossa_centered_gram (rbf)", case_centered_gram);
    RUN_BOTH("mossa_centered_cross", case_centered_cross);
    RUN_BOTH("mossa_cka_gram_create/_cka/_destroy", case_cka_gram_objects);
    RUN_BOTH("mossa_cka_matrix", case_cka_matrix);
    RUN_BOTH("mossa_cka_stream_* (create/add/merge/export/import/finish)", case_cka_stream);
    RUN_BOTH("mossa_cka_minibatch_add (rbf)", case_cka_minibatch);
}
END_TEST

START_TEST(cka_survives_every_failed_allocation)
{
    RUN_BOTH("mossa_cka linear (Gram)", case_cka_gram);
    RUN_BOTH("mossa_cka linear (feature space)", case_cka_feature);
    RUN_BOTH("mossa_cka linear debiased", case_cka_debiased);
    RUN_BOTH("mossa_cka rbf", case_cka_rbf);
    RUN_BOTH("mossa_cka rbf debiased", case_cka_rbf_debiased);
}
END_TEST

/* ---- svd ---------------------------------------------------------------- */
static mossa_status case_svd(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 30, d = 14, k = 4;
    float *x = data_x(n, d, 31), *u = (float *)malloc(n * k * sizeof(float)), *vt = (float *)malloc(k * d * sizeof(float));
    double s[4];
    mossa_svd_options o;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a;
    o.n_threads = threads;
    o.seed = 7;
    st = mossa_svd_randomized(x, n, d, k, &o, s, u, vt);
    if (st == MOSSA_OK) {
        sig[0] = s[0]; sig[1] = s[1]; sig[2] = s[2]; sig[3] = s[3];
        sig[4] = sig_floats(u, n * k); sig[5] = sig_floats(vt, k * d);
    }
    free(x); free(u); free(vt);
    return st;
}

static mossa_status rank_case(const mossa_allocator *a, int threads, double sig[8], size_t n, size_t d, double f)
{
    float *x = data_x(n, d, 40 + n);
    mossa_rank_options o;
    mossa_rank_result r;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    memset(&r, 0xff, sizeof(r));
    o.allocator = a;
    o.n_threads = threads;
    o.variance = f;
    st = mossa_variance_rank(x, n, d, &o, &r);
    if (st == MOSSA_OK) { sig[0] = (double)r.rank; sig[1] = r.explained; sig[2] = r.total_variance; }
    else if (st != MOSSA_ERR_NOT_IMPLEMENTED)
        ck_assert_msg(!isnan(r.explained) && !isnan(r.total_variance),
                      "mossa_variance_rank failed (%s) without writing its result", mossa_status_string(st));
    free(x);
    return st;
}
/* a low fraction stays in the randomized QB; 0.999 of a random matrix
   needs almost every dimension (the exact eigensolver path) */
static mossa_status case_rank_qb(const mossa_allocator *a, int t, double s[8]) { return rank_case(a, t, s, 40, 30, 0.3); }
static mossa_status case_rank_exact(const mossa_allocator *a, int t, double s[8]) { return rank_case(a, t, s, 40, 30, 0.999); }
static mossa_status case_rank_wide(const mossa_allocator *a, int t, double s[8]) { return rank_case(a, t, s, 60, 300, 0.5); }

static double *sym_matrix(size_t n, unsigned long long seed)
{
    float *r = data_x(n, n, seed);
    double *m = (double *)malloc(n * n * sizeof(double));
    size_t i, j;
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j) m[i * n + j] = (double)r[i * n + j] + (double)r[j * n + i];
    free(r);
    return m;
}

static mossa_status case_eigh(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 9, i;
    double *m = sym_matrix(n, 100), w[9], *v = (double *)malloc(n * n * sizeof(double));
    mossa_status st = mossa_eigh(m, n, a, w, v);
    (void)threads;
    if (st == MOSSA_OK) {
        for (i = 0; i < n; ++i) sig[i % 8] += w[i] * (double)(i + 1);
        for (i = 0; i < n * n; ++i) sig[7] += v[i] * (double)(i + 1);
    }
    free(m); free(v);
    return st;
}

static mossa_status case_svd_dense(const mossa_allocator *a, int threads, double sig[8])
{
    size_t m = 12, n = 7, i;
    float *r = data_x(m, n, 101);
    double *x = (double *)malloc(m * n * sizeof(double)), s[7];
    double *u = (double *)malloc(m * n * sizeof(double)), *vt = (double *)malloc(n * n * sizeof(double));
    mossa_status st;
    (void)threads;
    for (i = 0; i < m * n; ++i) x[i] = r[i];
    st = mossa_svd_dense(x, m, n, a, s, u, vt);
    if (st == MOSSA_OK) {
        for (i = 0; i < n; ++i) sig[i] = s[i];
        for (i = 0; i < m * n; ++i) sig[7] += u[i] * (double)(i + 1);
        for (i = 0; i < n * n; ++i) sig[7] += vt[i] * (double)(i + 3);
    }
    free(r); free(x); free(u); free(vt);
    return st;
}

START_TEST(svd_and_rank_survive_every_failed_allocation)
{
    RUN_BOTH("mossa_svd_randomized", case_svd);
    RUN_BOTH("mossa_variance_rank (partial)", case_rank_qb);
    RUN_BOTH("mossa_variance_rank (near full)", case_rank_exact);
    RUN_BOTH("mossa_variance_rank (wide, 60 x 300)", case_rank_wide);
    RUN_BOTH("mossa_eigh", case_eigh);
    RUN_BOTH("mossa_svd_dense", case_svd_dense);
}
END_TEST

/* ---- tsne --------------------------------------------------------------- */
static mossa_status tsne_case(const mossa_allocator *a, int threads, double sig[8], mossa_tsne_init init)
{
    size_t n = 40, d = 6;
    float *x = data_x(n, d, 50), *y = (float *)malloc(n * 2 * sizeof(float));
    mossa_tsne_options o;
    mossa_tsne_result r;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    o.allocator = a;
    o.n_threads = threads;
    o.perplexity = 5;
    o.iterations = 60;
    o.seed = 9;
    o.init = init;
    st = mossa_tsne(x, n, d, &o, y, &r);
    if (st == MOSSA_OK) { sig[0] = r.kl; sig[1] = (double)r.iterations; sig[2] = sig_floats(y, n * 2); }
    free(x); free(y);
    return st;
}
static mossa_status case_tsne_random(const mossa_allocator *a, int t, double s[8]) { return tsne_case(a, t, s, MOSSA_TSNE_INIT_RANDOM); }
static mossa_status case_tsne_pca(const mossa_allocator *a, int t, double s[8]) { return tsne_case(a, t, s, MOSSA_TSNE_INIT_PCA); }

/* the resumable state: begin, run, continue, read back, KL, gradient, P */
static mossa_status case_tsne_state(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 30, d = 5, nnz = 0;
    float *x = data_x(n, d, 51), y[60];
    double kl = NAN, grad[60];
    mossa_tsne_options o;
    mossa_tsne_state *state = (mossa_tsne_state *)(void *)x;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads; o.perplexity = 4; o.seed = 3; o.init = MOSSA_TSNE_INIT_PCA;
    st = mossa_tsne_begin(x, n, d, &o, &state);
    if (st != MOSSA_OK) { ck_assert_msg(state == NULL, "tsne_begin failed but left *state set"); free(x); return st; }
    if ((st = mossa_tsne_run(state, 20, NULL)) != MOSSA_OK) goto out;
    if ((st = mossa_tsne_run(state, 40, NULL)) != MOSSA_OK) goto out;
    mossa_tsne_get_embedding(state, y);
    if ((st = mossa_tsne_kl(state, -1.0, &kl)) != MOSSA_OK) goto out;
    if ((st = mossa_tsne_gradient(state, 0.5, grad)) != MOSSA_OK) goto out;
    if ((st = mossa_tsne_joint_p(state, &nnz, NULL, NULL, NULL)) != MOSSA_OK) goto out;
    sig[0] = kl; sig[1] = sig_floats(y, 60); sig[2] = (double)nnz;
    sig[3] = grad[0] + grad[17] + grad[59];
out:
    mossa_tsne_end(state);
    free(x);
    return st;
}

/* a precomputed neighbour graph and a precomputed affinity matrix */
static mossa_status case_tsne_graphs(const mossa_allocator *a, int threads, double sig[8])
{
    enum { N = 24, K = 6 };
    int32_t idx[N * K], cidx[N * K];
    float dist[N * K], val[N * K], y[N * 2];
    size_t indptr[N + 1], i, j;
    mossa_tsne_options o;
    mossa_tsne_state *state = NULL;
    mossa_tsne_result r;
    mossa_status st;
    for (i = 0; i < N; ++i) {
        indptr[i] = i * K;
        for (j = 0; j < K; ++j) {
            idx[i * K + j] = cidx[i * K + j] = (int32_t)((i + j + 1) % N);
            dist[i * K + j] = 1.0f + (float)j * 0.5f;
            val[i * K + j] = 1.0f / (1.0f + (float)j);
        }
    }
    indptr[N] = N * K;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads; o.perplexity = 3; o.iterations = 30; o.seed = 4;
    st = mossa_tsne_begin_knn(N, K, idx, dist, &o, &state);
    if (st != MOSSA_OK) { ck_assert_ptr_null(state); return st; }
    st = mossa_tsne_run(state, 30, &r);
    if (st == MOSSA_OK) { mossa_tsne_get_embedding(state, y); sig[0] = r.kl; sig[1] = sig_floats(y, N * 2); }
    mossa_tsne_end(state);
    if (st != MOSSA_OK) return st;
    state = NULL;
    st = mossa_tsne_begin_affinity(N, indptr, cidx, val, &o, &state);
    if (st != MOSSA_OK) { ck_assert_ptr_null(state); return st; }
    st = mossa_tsne_run(state, 30, &r);
    if (st == MOSSA_OK) { mossa_tsne_get_embedding(state, y); sig[2] = r.kl; sig[3] = sig_floats(y, N * 2); }
    mossa_tsne_end(state);
    return st;
}

static mossa_status case_tsne_knn(const mossa_allocator *a, int threads, double sig[8])
{
    size_t n = 50, d = 7, k = 5, i;
    float *x = data_x(n, d, 52), dist[250];
    int32_t idx[250];
    mossa_tsne_options o;
    mossa_status st;
    memset(&o, 0, sizeof(o));
    o.allocator = a; o.n_threads = threads;
    st = mossa_tsne_knn(x, n, d, k, &o, idx, dist);
    if (st == MOSSA_OK) for (i = 0; i < n * k; ++i) { sig[0] += (double)idx[i] * (double)(i + 1); sig[1] += dist[i]; }
    free(x);
    return st;
}

START_TEST(tsne_survives_every_failed_allocation)
{
    RUN_BOTH("mossa_tsne (random init)", case_tsne_random);
    RUN_BOTH("mossa_tsne (pca init)", case_tsne_pca);
    RUN_BOTH("mossa_tsne_begin/_run/_kl/_gradient/_joint_p/_end", case_tsne_state);
    RUN_BOTH("mossa_tsne_begin_knn and _begin_affinity", case_tsne_graphs);
    RUN_BOTH("mossa_tsne_knn", case_tsne_knn);
}
END_TEST

/* ---- stats and the pipeline ----------------------------------------------
   Note: mossa_layer_groups_fit takes an allocator in its options but its
   work (mossa_segment_linear) allocates with the default allocator, so the
   loop below sees 0 allocations (reported to the analysis issue). */
static mossa_status case_layer_groups(const mossa_allocator *a, int threads, double sig[8])
{
    double curve[14];
    size_t i;
    mossa_group_options o;
    mossa_layer_groups g;
    mossa_status st;
    (void)threads;
    for (i = 0; i < 14; ++i) curve[i] = i < 5 ? 0.9 : i < 9 ? 0.9 - 0.1 * (double)(i - 4) : 0.5 - 0.01 * (double)(i - 9);
    memset(&o, 0, sizeof(o));
    o.allocator = a;
    st = mossa_layer_groups_fit(curve, 14, &o, &g);
    if (st == MOSSA_OK) { sig[0] = (double)g.first[1]; sig[1] = (double)g.first[2]; sig[2] = g.rss; sig[3] = g.r2; }
    return st;
}

/* the whole pipeline over an in-memory data set: 2 models x 2 tasks x 6
   layers of 12 x 5 matrices, t-SNE maps included. Run with 2 threads only:
   the same allocation sites as with 1, plus the pool's and the workers' */
enum { AN_MODELS = 2, AN_TASKS = 2, AN_LAYERS = 6, AN_ROWS = 12, AN_COLS = 5 };
static float *an_data[AN_MODELS][AN_TASKS][AN_LAYERS];
static mossa_status an_load(void *user, size_t model, size_t task, size_t layer, const float **data,
                            size_t *rows, size_t *cols)
{
    (void)user;
    if (!an_data[model][task][layer]) {
        size_t i;
        float *m = data_x(AN_ROWS, AN_COLS, 1000 + 100 * model + 10 * task + layer);
        /* the control and the model share more as layers go deeper */
        if (model == 1 && an_data[0][task][layer])
            for (i = 0; i < AN_ROWS * AN_COLS; ++i) m[i] = 0.3f * m[i] + (float)layer * an_data[0][task][layer][i];
        an_data[model][task][layer] = m;
    }
    *data = an_data[model][task][layer];
    *rows = AN_ROWS;
    *cols = AN_COLS;
    return MOSSA_OK;
}

static mossa_status case_analyze(const mossa_allocator *a, int threads, double sig[8])
{
    mossa_analysis_input in;
    mossa_analysis_options o;
    mossa_analysis_result r;
    double grades[AN_TASKS] = {3.0, 11.0};
    size_t i, m, t, l;
    mossa_status st;
    const float *dummy;
    size_t dr, dc;
    /* the control's matrices first, so the model's are derived from them */
    for (m = 0; m < AN_MODELS; ++m)
        for (t = 0; t < AN_TASKS; ++t)
            for (l = 0; l < AN_LAYERS; ++l) an_load(NULL, m, t, l, &dummy, &dr, &dc);
    memset(&in, 0, sizeof(in));
    memset(&o, 0, sizeof(o));
    memset(&r, 0xA5, sizeof(r));   /* a failed call must reset every pointer */
    in.n_models = AN_MODELS; in.n_tasks = AN_TASKS; in.n_layers = AN_LAYERS;
    in.control = 0; in.task_grade = grades; in.load = an_load;
    o.allocator = a; o.n_threads = threads;
    o.tsne.iterations = 10; o.tsne.seed = 2;
    st = mossa_analyze(&in, &o, &r);
    if (st == MOSSA_OK) {
        for (i = 0; i < AN_MODELS * AN_TASKS * AN_LAYERS; ++i) { sig[0] += r.cka[i] * (double)(i + 1); sig[1] += (double)r.rank[i]; }
        for (i = 0; i < AN_MODELS * AN_LAYERS; ++i) sig[2] += r.cka_mean[i] + r.pearson[i].r;
        sig[3] = (double)r.n_maps; sig[4] = (double)r.map_points;
        sig[5] = r.map ? sig_floats(r.map, AN_MODELS * r.n_maps * r.map_points * 2) : 0;
        mossa_analysis_free(&r);
    } else {
        ck_assert_msg(r.cka == NULL && r.cka_mean == NULL && r.rank == NULL && r.explained == NULL &&
                      r.pearson == NULL && r.groups == NULL && r.map == NULL && r.map_kl == NULL,
                      "mossa_analyze failed (%s) but left result pointers set", mossa_status_string(st));
    }
    return st;
}

START_TEST(stats_and_pipeline_survive_every_failed_allocation)
{
    size_t m, t, l;
    RUN_BOTH("mossa_layer_groups_fit", case_layer_groups);
    run_failure_loop("mossa_analyze", case_analyze, 2);
    for (m = 0; m < AN_MODELS; ++m)
        for (t = 0; t < AN_TASKS; ++t)
            for (l = 0; l < AN_LAYERS; ++l) free(an_data[m][t][l]);
}
END_TEST

/* ---- the allocator itself ---------------------------------------------- */
START_TEST(failing_allocator_fails_exactly_the_kth_call)
{
    /* the harness's own contract, so that a pass above means something */
    fail_alloc fa;
    void *p1, *p2, *p3;
    memset(&fa, 0, sizeof(fa));
    fa.fail_at = 2;
    p1 = fa_alloc(8, &fa);
    p2 = fa_alloc(8, &fa);
    p3 = fa_alloc(8, &fa);
    ck_assert_ptr_nonnull(p1);
    ck_assert_ptr_null(p2);
    ck_assert_ptr_nonnull(p3);
    ck_assert_int_eq(fa.outstanding, 2);
    fa_free(p1, &fa);
    fa_free(p3, &fa);
    ck_assert_int_eq(fa.outstanding, 0);
    ck_assert_int_eq(fa.calls, 3);
}
END_TEST

Suite *suite_alloc(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("alloc");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, failing_allocator_fails_exactly_the_kth_call);
    tcase_add_test(tc, npy_functions_survive_every_failed_allocation);
    tcase_add_test(tc, cka_survives_every_failed_allocation);
    tcase_add_test(tc, svd_and_rank_survive_every_failed_allocation);
    tcase_add_test(tc, cka_building_blocks_survive_every_failed_allocation);
    tcase_add_test(tc, tsne_survives_every_failed_allocation);
    tcase_add_test(tc, stats_and_pipeline_survive_every_failed_allocation);
    suite_add_tcase(s, tc);
    return s;
}
