/* test_pool.c - the thread pool's contract, seen through the test hook
   mossa_test_parallel_sum (impl/core.c, MOSSA_TEST_HOOKS): fixed task
   boundaries and an in-order reduction make every thread count give the
   same bits; bad arguments and allocation failures give a status. The
   reference is the test's own blocked sum, written out here. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"
#include <pthread.h>

mossa_status mossa_test_parallel_sum(const double *x, size_t n, int n_threads,
                                     const mossa_allocator *allocator, double *out);
mossa_status mossa_test_crew(int n_threads, size_t phases, uint64_t *out);
mossa_status mossa_test_pool_jobs(int n_threads, size_t jobs, const unsigned long *gap, uint64_t *out);
static int emulated(void) { return getenv("MOSSA_TEST_EMULATED") != NULL; }
#define BLOCK 64 /* MOSSA_TEST_SUM_BLOCK in impl/core.c */

/* the documented order: each block of 64 left to right, then the block
   sums in block order */
static double blocked_sum(const double *x, size_t n, int square)
{
    double total = 0.0;
    size_t b, i;
    for (b = 0; b < n; b += BLOCK) {
        double s = 0.0;
        for (i = b; i < n && i < b + BLOCK; ++i) s += square ? x[i] * x[i] : x[i];
        total += s;
    }
    return total;
}

static double naive_sum(const double *x, size_t n)
{
    double s = 0.0;
    size_t i;
    for (i = 0; i < n; ++i) s += x[i];
    return s;
}

/* values spread over many magnitudes, so that the order of additions
   shows in the last bits */
static double *spread_values(size_t n, unsigned long long seed)
{
    double *x = (double *)malloc((n ? n : 1) * sizeof(double));
    test_rng r = test_rng_make(seed);
    size_t i;
    for (i = 0; i < n; ++i) x[i] = ldexp(test_normal(&r), (int)(test_rng_next(&r) % 60) - 30);
    return x;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof(a)) == 0; }

START_TEST(every_thread_count_gives_the_bits_of_the_fixed_order_reduction)
{
    static const int threads[] = {1, 2, 3, 4, 8, 0};
    static const size_t sizes[] = {0, 1, 63, 64, 65, 1000, 100003};
    size_t si, ti;
    for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); ++si) {
        size_t n = sizes[si];
        double *x = spread_values(n, 3 + si);
        double want = blocked_sum(x, n, 0), want2 = blocked_sum(x, n, 1);
        for (ti = 0; ti < sizeof(threads) / sizeof(threads[0]); ++ti) {
            double out[2];
            int rep;
            for (rep = 0; rep < 3; ++rep) { /* dynamic scheduling differs run to run */
                ck_assert_int_eq(mossa_test_parallel_sum(x, n, threads[ti], NULL, out), MOSSA_OK);
                ck_assert_msg(same_bits(out[0], want), "n=%zu threads=%d: %a vs %a", n, threads[ti], out[0], want);
                ck_assert_msg(same_bits(out[1], want2), "n=%zu threads=%d (second job)", n, threads[ti]);
            }
        }
        free(x);
    }
}
END_TEST

START_TEST(the_fixed_order_is_not_the_naive_order)
{
    /* 1e16 + 1 + 1 + ... - 1e16: left to right every 1 is lost; within
       64-element blocks the ones are added before meeting 1e16, so the
       blocked sum keeps them. This shows the reduction really is blocked
       (and so that determinism above is not a coincidence of one order). */
    const size_t n = 64 * 50;
    double *x = (double *)malloc(n * sizeof(double)), out[2];
    size_t i;
    for (i = 0; i < n; ++i) x[i] = 1.0;
    x[0] = 1e16;
    x[n - 1] = -1e16;
    ck_assert(naive_sum(x, n) != blocked_sum(x, n, 0));
    ck_assert_int_eq(mossa_test_parallel_sum(x, n, 4, NULL, out), MOSSA_OK);
    ck_assert(same_bits(out[0], blocked_sum(x, n, 0)));
    ck_assert(!same_bits(out[0], naive_sum(x, n)));
    free(x);
}
END_TEST

START_TEST(negative_thread_counts_are_invalid_and_more_threads_than_tasks_is_fine)
{
    double x[200], out[2];
    int i;
    for (i = 0; i < 200; ++i) x[i] = i;
    ck_assert_int_eq(mossa_test_parallel_sum(x, 200, -1, NULL, out), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_test_parallel_sum(x, 200, -1000, NULL, out), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_test_parallel_sum(x, 200, 64, NULL, out), MOSSA_OK); /* more threads than tasks */
    ck_assert(out[0] == 19900.0);
}
END_TEST

typedef struct caller { const double *x; size_t n; double want; int ok; int threads; } caller;
static void *call_many_times(void *raw)
{
    caller *c = (caller *)raw;
    int k;
    c->ok = 1;
    for (k = 0; k < 20; ++k) {
        double out[2];
        if (mossa_test_parallel_sum(c->x, c->n, c->threads, NULL, out) != MOSSA_OK || !same_bits(out[0], c->want))
            c->ok = 0;
    }
    return NULL;
}

START_TEST(concurrent_calls_from_several_threads_each_get_their_own_pool)
{
    const size_t n = 20000;
    double *x = spread_values(n, 99);
    pthread_t th[6];
    caller c[6];
    int i;
    for (i = 0; i < 6; ++i) {
        c[i].x = x;
        c[i].n = n - (size_t)i * 7; /* different problems at once */
        c[i].want = blocked_sum(x, c[i].n, 0);
        c[i].threads = 1 + i % 4;
        ck_assert_int_eq(pthread_create(&th[i], NULL, call_many_times, &c[i]), 0);
    }
    for (i = 0; i < 6; ++i) {
        pthread_join(th[i], NULL);
        ck_assert_msg(c[i].ok, "caller %d saw a wrong sum or status", i);
    }
    free(x);
}
END_TEST

typedef struct counting { long calls, live, fail_at; } counting;
static void *counting_alloc(size_t size, void *user)
{
    counting *c = (counting *)user;
    if (c->calls++ == c->fail_at) return NULL;
    c->live++;
    return malloc(size);
}
static void counting_free(void *p, void *user)
{
    counting *c = (counting *)user;
    if (p) { c->live--; free(p); }
}

START_TEST(allocation_failures_anywhere_give_out_of_memory_and_free_everything)
{
    /* the pool, its thread array and the partials are allocated through
       the caller's allocator; failing each in turn must be clean */
    double *x = spread_values(5000, 4), out[2];
    const double want = blocked_sum(x, 5000, 0);
    int threads;
    for (threads = 1; threads <= 3; ++threads) {
        long k;
        for (k = 0;; ++k) {
            counting cnt;
            mossa_allocator a;
            mossa_status st;
            cnt.calls = cnt.live = 0;
            cnt.fail_at = k;
            a.alloc = counting_alloc;
            a.free = counting_free;
            a.user = &cnt;
            st = mossa_test_parallel_sum(x, 5000, threads, &a, out);
            ck_assert_int_eq(cnt.live, 0);
            if (st == MOSSA_OK) {
                ck_assert(same_bits(out[0], want));
                ck_assert_int_eq(k, threads == 1 ? 1 : 3); /* partials (+ pool + threads) */
                break;
            }
            ck_assert_int_eq(st, MOSSA_ERR_OUT_OF_MEMORY);
        }
    }
    free(x);
}
END_TEST

START_TEST(zero_threads_means_all_online_cpus_and_gives_the_same_bits)
{
    const size_t n = 4096;
    double *x = spread_values(n, 8), a[2], b[2];
    ck_assert_int_eq(mossa_test_parallel_sum(x, n, 0, NULL, a), MOSSA_OK);
    ck_assert_int_eq(mossa_test_parallel_sum(x, n, mossa_default_threads(), NULL, b), MOSSA_OK);
    ck_assert(same_bits(a[0], b[0]));
    ck_assert(same_bits(a[0], blocked_sum(x, n, 0)));
    free(x);
}
END_TEST

/* A crew (impl/core.c: a driver publishing phases, helpers claiming their
   tasks) through 3000 chained phases of 0 to 100 tasks: every task runs
   once per phase and sees the driver's writes from before the phase, for
   every thread count, including more threads than cores; the chain's end
   value is the test's own serial computation of it. */
START_TEST(a_crew_runs_every_task_of_every_phase_once_for_any_thread_count)
{
    const size_t phases = 3000;
    int threads[] = {1, 2, 3, 8}, ti;
    uint64_t carry = 0, got;
    size_t p, t;
    for (p = 0; p < phases; ++p) {
        uint64_t sum = 0;
        size_t tasks = (p * 37u) % 101u;
        for (t = 0; t < tasks; ++t) sum += carry * 3u + t + p;
        carry = sum & 0xffffffffu;
    }
    for (ti = 0; ti < 4; ++ti) {
        ck_assert_int_eq(mossa_test_crew(threads[ti], phases, &got), MOSSA_OK);
        ck_assert_msg(got == carry, "%d threads: %llu vs %llu", threads[ti], (unsigned long long)got,
                      (unsigned long long)carry);
    }
}
END_TEST

/* Workers spin a little after a job before they sleep: jobs that follow
   at once (found spinning), after a long gap (found asleep) and after gaps
   around the spin's length run every task exactly once and see the
   caller's writes, for 2, 3 and 8 threads (8: more than the cores, where
   the workers do not spin). The sum of what the tasks stored is the
   test's own computation of it. */
START_TEST(pool_jobs_after_short_and_long_gaps_run_every_task_once)
{
    const size_t jobs = 24;
    unsigned long gap[24];
    int threads[] = {2, 3, 8}, ti;
    uint64_t want = 0, got;
    size_t j, t;
    for (j = 0; j < jobs; ++j) {
        size_t tasks = 1u + (7u * j) % 13u;
        /* 0, a few thousand (about the spin) and millions (well past it) */
        gap[j] = j % 3 == 0 ? 0ul : j % 3 == 1 ? 3000ul * (unsigned long)(j % 5) : (emulated() ? 400000ul : 4000000ul);
        for (t = 0; t < tasks; ++t) want += (uint64_t)(j * 100u + t);
    }
    for (ti = 0; ti < 3; ++ti) {
        ck_assert_int_eq(mossa_test_pool_jobs(threads[ti], jobs, gap, &got), MOSSA_OK);
        ck_assert_msg(got == want, "%d threads: %llu vs %llu", threads[ti], (unsigned long long)got,
                      (unsigned long long)want);
    }
}
END_TEST

Suite *suite_pool(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, every_thread_count_gives_the_bits_of_the_fixed_order_reduction);
    tcase_add_test(tc, the_fixed_order_is_not_the_naive_order);
    tcase_add_test(tc, negative_thread_counts_are_invalid_and_more_threads_than_tasks_is_fine);
    tcase_add_test(tc, concurrent_calls_from_several_threads_each_get_their_own_pool);
    tcase_add_test(tc, allocation_failures_anywhere_give_out_of_memory_and_free_everything);
    tcase_add_test(tc, zero_threads_means_all_online_cpus_and_gives_the_same_bits);
    tcase_add_test(tc, a_crew_runs_every_task_of_every_phase_once_for_any_thread_count);
    tcase_add_test(tc, pool_jobs_after_short_and_long_gaps_run_every_task_once);
    tcase_set_timeout(tc, 240);
    suite_add_tcase(s, tc);
    return s;
}
