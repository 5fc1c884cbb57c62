/* tsan_test.c - thread safety under ThreadSanitizer (`make tsan`).

   A standalone program (not a Check suite: Check forks, and the point here
   is the very first call in a fresh process). THREADS threads wait on a
   barrier and then all make their first mossa call at the same instant, so
   the dispatch initialisation (pthread_once + the atomically published
   table) is raced from every kind of entry point: a kernel (mossa_dot_f32),
   a status-returning call that starts its own pool (mossa_cka with
   n_threads = 2), and the dispatch queries. Then every thread runs each
   module's entry points concurrently, each with its own small pool, and the
   main thread checks afterwards that every result is bit-identical to the
   same call made alone. Any race is a TSan report (halt_on_error=1 in
   `make tsan`); a wrong result exits 1. Entry points of modules that are
   still placeholders (MOSSA_ERR_NOT_IMPLEMENTED) are skipped and named. */
#define _POSIX_C_SOURCE 200809L
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 6
#define N 96
#define DX 24
#define DY 16
/* the variance rank of a 300 x 270 matrix: a Gram path large enough
   (order >= 256) that its tridiagonalisation runs as a crew (a driver and
   a helper claiming the tasks of each phase) */
#define NR 300
#define DR 270

static float X[N * DX], Y[N * DY], XR[NR * DR];
static const char TEXT[] =
    "The quick brown fox jumped over the lazy dog. Dr. Smith paid $3.50 for 4,000 apples "
    "at 5 p.m. in the U.S. Wait... really? Yes! Representations change layer by layer.";

typedef struct results {
    double dot;
    float ex[N];
    mossa_status cka_st;
    double cka;
    mossa_status svd_st;
    double s[4];
    mossa_status rank_st;
    mossa_rank_result rank;
    mossa_status crew_st;
    mossa_rank_result crew;
    mossa_status tsne_st;
    float emb[N * 2];
    mossa_status text_st;
    mossa_text_stats text;
    mossa_status matrix_st;
    double matrix[4];
    mossa_status stream_st;
    double stream_cka;
    mossa_status npy_st;
    size_t npy_rows, npy_cols;
    float npy_first;
    mossa_simd_level level;
} results;

static pthread_barrier_t start;
static results got[THREADS];
static unsigned char npy_image[256 + sizeof(float) * N * DX];
static size_t npy_len;

static void first_call(int id, results *r)
{
    /* the first mossa call of the process, from every thread at once */
    switch (id % 3) {
    case 0: r->dot = mossa_dot_f32(X, Y, N); break;
    case 1: {
        mossa_cka_options o;
        memset(&o, 0, sizeof(o));
        o.n_threads = 2;
        r->cka_st = mossa_cka(X, N, DX, Y, DY, &o, &r->cka);
        break;
    }
    default: r->level = mossa_simd_active(); (void)mossa_simd_available(MOSSA_SIMD_AVX2); break;
    }
}

static void work(results *r)
{
    mossa_cka_options co;
    mossa_svd_options so;
    mossa_rank_options ro;
    mossa_tsne_options to;
    mossa_tsne_result tr;
    float *npy = NULL;
    memset(&co, 0, sizeof(co));
    memset(&so, 0, sizeof(so));
    memset(&ro, 0, sizeof(ro));
    memset(&to, 0, sizeof(to));
    r->level = mossa_simd_active();
    r->dot = mossa_dot_f32(X, Y, N);
    mossa_expf_array(Y, r->ex, N);
    co.n_threads = 2;
    r->cka_st = mossa_cka(X, N, DX, Y, DY, &co, &r->cka);
    so.n_threads = 2;
    so.seed = 3;
    r->svd_st = mossa_svd_randomized(X, N, DX, 4, &so, r->s, NULL, NULL);
    ro.n_threads = 2;
    r->rank_st = mossa_variance_rank(X, N, DX, &ro, &r->rank);
    r->crew_st = mossa_variance_rank(XR, NR, DR, &ro, &r->crew);
    to.n_threads = 2;
    to.perplexity = 10;
    to.iterations = 60;
    to.seed = 5;
    to.init = MOSSA_TSNE_INIT_RANDOM;
    r->tsne_st = mossa_tsne(X, N, DX, &to, r->emb, &tr);
    {
        const float *layers_a[2], *layers_b[2];
        size_t da[2], db[2];
        layers_a[0] = X; layers_a[1] = Y; da[0] = DX; da[1] = DY;
        layers_b[0] = Y; layers_b[1] = X; db[0] = DY; db[1] = DX;
        r->matrix_st = mossa_cka_matrix(layers_a, da, 2, layers_b, db, 2, N, &co, r->matrix);
    }
    {
        mossa_cka_stream *s1 = NULL, *s2 = NULL;
        r->stream_st = mossa_cka_stream_create(DX, DY, &co, &s1);
        if (r->stream_st == MOSSA_OK) r->stream_st = mossa_cka_stream_create(DX, DY, &co, &s2);
        if (r->stream_st == MOSSA_OK) r->stream_st = mossa_cka_stream_add(s1, X, Y, N / 3);
        if (r->stream_st == MOSSA_OK) r->stream_st = mossa_cka_stream_add(s2, X + (N / 3) * DX, Y + (N / 3) * DY, N - N / 3);
        if (r->stream_st == MOSSA_OK) r->stream_st = mossa_cka_stream_merge(s1, s2);
        if (r->stream_st == MOSSA_OK) r->stream_st = mossa_cka_stream_finish(s1, &r->stream_cka);
        mossa_cka_stream_destroy(s1);
        mossa_cka_stream_destroy(s2);
    }
    r->text_st = mossa_readability(TEXT, sizeof(TEXT) - 1, &r->text, NULL);
    r->npy_st = mossa_npy_decode(npy_image, npy_len, NULL, &npy, &r->npy_rows, &r->npy_cols);
    if (r->npy_st == MOSSA_OK) { r->npy_first = npy[0]; mossa_free(npy, NULL); }
}

static void *thread_main(void *arg)
{
    int id = (int)(size_t)arg;
    pthread_barrier_wait(&start);
    first_call(id, &got[id]);
    work(&got[id]);
    return NULL;
}

/* a float32 C-order .npy image of X, written here by hand */
static void make_npy(void)
{
    char header[128];
    int hl = snprintf(header, sizeof(header), "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
                      N, DX);
    size_t total = 10 + (size_t)hl + 1, pad = (64 - total % 64) % 64;
    memcpy(npy_image, "\x93NUMPY\x01\x00", 8);
    npy_image[8] = (unsigned char)((hl + 1 + pad) & 0xff);
    npy_image[9] = (unsigned char)((hl + 1 + pad) >> 8);
    memcpy(npy_image + 10, header, (size_t)hl);
    memset(npy_image + 10 + hl, ' ', pad);
    npy_image[10 + hl + pad] = '\n';
    npy_len = total + pad;
    memcpy(npy_image + npy_len, X, sizeof(X));   /* little-endian host */
    npy_len += sizeof(X);
}

static int failures;
static void expect(int ok, const char *what, int id)
{
    if (!ok) { fprintf(stderr, "tsan_test: thread %d: %s differs from the single-threaded call\n", id, what); failures++; }
}

int main(void)
{
    pthread_t t[THREADS];
    results ref;
    unsigned long long s = 88172645463325252ULL;
    int i;
    for (i = 0; i < N * DX; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; X[i] = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5); }
    for (i = 0; i < N * DY; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; Y[i] = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5) + 0.3f * X[(i / DY) * DX + i % DY]; }
    for (i = 0; i < NR * DR; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; XR[i] = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5) * (float)(1.0 + (i % DR) * 0.01); }
    make_npy();
    pthread_barrier_init(&start, NULL, THREADS);
    for (i = 0; i < THREADS; ++i) pthread_create(&t[i], NULL, thread_main, (void *)(size_t)i);
    for (i = 0; i < THREADS; ++i) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);

    memset(&ref, 0, sizeof(ref));
    work(&ref);
    for (i = 0; i < THREADS; ++i) {
        results *r = &got[i];
        expect(r->level == ref.level, "active SIMD level", i);
        expect(r->dot == ref.dot, "mossa_dot_f32", i);
        expect(memcmp(r->ex, ref.ex, sizeof(ref.ex)) == 0, "mossa_expf_array", i);
        expect(r->cka_st == ref.cka_st && (ref.cka_st != MOSSA_OK || r->cka == ref.cka), "mossa_cka", i);
        expect(r->svd_st == ref.svd_st && (ref.svd_st != MOSSA_OK || memcmp(r->s, ref.s, sizeof(ref.s)) == 0),
               "mossa_svd_randomized", i);
        expect(r->rank_st == ref.rank_st && (ref.rank_st != MOSSA_OK || (r->rank.rank == ref.rank.rank &&
               r->rank.explained == ref.rank.explained)), "mossa_variance_rank", i);
        expect(r->crew_st == ref.crew_st && ref.crew_st == MOSSA_OK && r->crew.rank == ref.crew.rank &&
               r->crew.explained == ref.crew.explained, "mossa_variance_rank (crew)", i);
        expect(r->tsne_st == ref.tsne_st && (ref.tsne_st != MOSSA_OK || memcmp(r->emb, ref.emb, sizeof(ref.emb)) == 0),
               "mossa_tsne", i);
        expect(r->matrix_st == ref.matrix_st && (ref.matrix_st != MOSSA_OK || memcmp(r->matrix, ref.matrix, sizeof(ref.matrix)) == 0),
               "mossa_cka_matrix", i);
        expect(r->stream_st == ref.stream_st && (ref.stream_st != MOSSA_OK || r->stream_cka == ref.stream_cka),
               "mossa_cka_stream_*", i);
        expect(r->text_st == ref.text_st && (ref.text_st != MOSSA_OK || memcmp(&r->text, &ref.text, sizeof(ref.text)) == 0),
               "mossa_readability", i);
        expect(r->npy_st == ref.npy_st && (ref.npy_st != MOSSA_OK || (r->npy_rows == N && r->npy_cols == DX &&
               r->npy_first == X[0])), "mossa_npy_decode", i);
    }
    {
        const char *names[] = {"cka", "svd_randomized", "variance_rank", "tsne", "readability", "npy_decode",
                               "cka_matrix", "cka_stream_*"};
        mossa_status st[8];
        int k, skipped = 0;
        st[0] = ref.cka_st; st[1] = ref.svd_st; st[2] = ref.rank_st; st[3] = ref.tsne_st;
        st[4] = ref.text_st; st[5] = ref.npy_st; st[6] = ref.matrix_st; st[7] = ref.stream_st;
        for (k = 0; k < 8; ++k) {
            if (st[k] == MOSSA_ERR_NOT_IMPLEMENTED) { printf("tsan_test: mossa_%s not implemented yet: skipped\n", names[k]); skipped++; }
            else if (st[k] != MOSSA_OK) { fprintf(stderr, "tsan_test: mossa_%s: %s\n", names[k], mossa_status_string(st[k])); failures++; }
        }
        printf("tsan_test: %d threads, first calls raced, %d entry points checked, %d skipped, %d failures\n",
               THREADS, 10 - skipped, skipped, failures);
    }
    return failures ? 1 : 0;
}
