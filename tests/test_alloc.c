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

/* ---- the failing allocator ------------------------------------------------ */
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
    fa->calls++;
    if (fa->fail_at && fa->calls == fa->fail_at) { fa->failed++; return NULL; }
    if (size > ((size_t)1 << 36)) { fa->failed++; return NULL; }
    p = (uint64_t *)malloc(size + 16);
    if (!p) return NULL;
    p[0] = FA_MAGIC;
    p[1] = (uint64_t)size;
    memset(p + 2, 0xA5, size);   /* no reliance on zeroed memory */
    fa->outstanding++;
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
    fa->outstanding--;
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

START_TEST(svd_and_rank_survive_every_failed_allocation)
{
    RUN_BOTH("mossa_svd_randomized", case_svd);
    RUN_BOTH("mossa_variance_rank (partial)", case_rank_qb);
    RUN_BOTH("mossa_variance_rank (near full)", case_rank_exact);
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

START_TEST(tsne_survives_every_failed_allocation)
{
    RUN_BOTH("mossa_tsne (random init)", case_tsne_random);
    RUN_BOTH("mossa_tsne (pca init)", case_tsne_pca);
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
    tcase_add_test(tc, tsne_survives_every_failed_allocation);
    suite_add_tcase(s, tc);
    return s;
}
