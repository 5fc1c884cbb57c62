/* core.c - status strings, allocation, counter-based RNG, thread pool. */

/* ---- status ------------------------------------------------------------ */
MOSSA_DEF const char *mossa_status_string(mossa_status status)
{
    static const char *const messages[] = {
#define MOSSA__STATUS_MSG(name, msg) msg,
        MOSSA__STATUS_LIST(MOSSA__STATUS_MSG)
#undef MOSSA__STATUS_MSG
    };
    if ((int)status < 0 || (int)status >= (int)MOSSA_STATUS_COUNT)
        return "unknown status code";
    return messages[status];
}

MOSSA_DEF const char *mossa_version(void) { return MOSSA_VERSION_STRING; }

/* ---- allocation -------------------------------------------------------- */
static void *mossa__alloc(const mossa__ctx *ctx, size_t size)
{
    if (size == 0) size = 1;
    if (ctx && ctx->allocator && ctx->allocator->alloc)
        return ctx->allocator->alloc(size, ctx->allocator->user);
    return MOSSA_MALLOC(size, (void *)0);
}

static int mossa__mul_overflows(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > (size_t)-1 / a) { *out = 0; return 1; }
    *out = a * b;
    return 0;
}

static void *mossa__calloc(const mossa__ctx *ctx, size_t count, size_t size)
{
    size_t bytes;
    void *p;
    if (mossa__mul_overflows(count, size, &bytes)) return NULL;
    p = mossa__alloc(ctx, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

static void mossa__free(const mossa__ctx *ctx, void *ptr)
{
    if (!ptr) return;
    if (ctx && ctx->allocator && ctx->allocator->free) {
        ctx->allocator->free(ptr, ctx->allocator->user);
        return;
    }
    MOSSA_FREE(ptr, (void *)0);
}

static int mossa__all_finite(const float *x, size_t count)
{
    /* x - x is 0 for finite x and NaN for NaN/Inf; summing in blocks keeps
       the loop branch-free and vectorisable. */
    size_t i;
    for (i = 0; i < count; i += 1024) {
        size_t j, end = MOSSA__MIN(count, i + 1024);
        float acc = 0.0f;
        for (j = i; j < end; ++j) acc += x[j] - x[j];
        if (acc != 0.0f) return 0;
    }
    return 1;
}

/* ---- counter-based RNG --------------------------------------------------
   splitmix64's finaliser applied twice to (seed, index): a bijective mix
   with full avalanche, cheap, and independent of evaluation order. */
static uint64_t mossa__mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

MOSSA_DEF uint64_t mossa_rng_u64(uint64_t seed, uint64_t index)
{
    return mossa__mix64(mossa__mix64(seed + 0x9e3779b97f4a7c15ULL) ^
                        (index * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL));
}

MOSSA_DEF double mossa_rng_uniform(uint64_t seed, uint64_t index)
{
    return (double)(mossa_rng_u64(seed, index) >> 11) * (1.0 / 9007199254740992.0);
}

MOSSA_DEF double mossa_rng_normal(uint64_t seed, uint64_t index)
{
    /* Box-Muller from two uniforms drawn at 2*index and 2*index+1; u1 in
       (0, 1] so the log is finite. */
    double u1 = 1.0 - mossa_rng_uniform(seed, 2 * index);
    double u2 = mossa_rng_uniform(seed, 2 * index + 1);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

/* ---- threads ------------------------------------------------------------- */
MOSSA_DEF int mossa_default_threads(void)
{
#ifdef MOSSA_NO_THREADS
    return 1;
#else
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > 256) n = 256;
    return (int)n;
#endif
}

#if !defined(MOSSA_NO_THREADS) && MOSSA__GNUC
#define MOSSA__HAVE_CREWS 1
#else
#define MOSSA__HAVE_CREWS 0
#endif

#if MOSSA__HAVE_CREWS
static void mossa__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif

/* Atomic access to the fields a pool's threads read without its lock
   (plain where there are no GNU C atomics: then nobody spins) */
#if MOSSA__HAVE_CREWS
#define MOSSA__ALOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define MOSSA__ASTORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#else
#define MOSSA__ALOAD(p) (*(p))
#define MOSSA__ASTORE(p, v) (*(p) = (v))
#endif
/* pause loops a pool's thread spins before it sleeps (about 0.2-0.5 ms) */
#define MOSSA__POOL_SPINS 4000u

#ifndef MOSSA_NO_THREADS
struct mossa__pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready;   /* a new job (generation) or shutdown */
    pthread_cond_t work_done;    /* the last task of a job finished */
    pthread_t *threads;
    int n_workers;               /* threads besides the caller */
    int n_started;
    int shutdown;
    unsigned long generation;    /* both read by spinning threads without the lock */
    unsigned sleepers;           /* workers asleep on work_ready */
    int spin;                    /* no more threads than CPUs: spin before sleeping */
    /* the current job */
    mossa__task_fn fn;
    void *arg;
    size_t n_tasks, next_task, done_tasks;
};

typedef struct mossa__worker_arg { mossa__pool *pool; int id; } mossa__worker_arg;

/* Takes tasks of the current job until none is left; called with the
   lock held, returns with it held. */
static void mossa__pool_drain(mossa__pool *pool, int worker)
{
    while (pool->next_task < pool->n_tasks) {
        size_t task = pool->next_task++;
        mossa__task_fn fn = pool->fn;
        void *arg = pool->arg;
        pthread_mutex_unlock(&pool->lock);
        fn(arg, task, worker);
        pthread_mutex_lock(&pool->lock);
        MOSSA__ASTORE(&pool->done_tasks, pool->done_tasks + 1);
        if (pool->done_tasks == pool->n_tasks)
            pthread_cond_broadcast(&pool->work_done);
    }
}

static void *mossa__pool_main(void *raw)
{
    mossa__pool *pool = ((mossa__worker_arg *)raw)->pool;
    int id = ((mossa__worker_arg *)raw)->id;
    unsigned long seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
#if MOSSA__HAVE_CREWS
        /* a waking thread costs tens of microseconds: the next job of a
           caller that makes many short ones is usually this close */
        if (pool->spin) {
            unsigned spins = 0;
            pthread_mutex_unlock(&pool->lock);
            while (MOSSA__ALOAD(&pool->generation) == seen && !MOSSA__ALOAD(&pool->shutdown) &&
                   ++spins < MOSSA__POOL_SPINS)
                mossa__cpu_relax();
            pthread_mutex_lock(&pool->lock);
        }
#endif
        while (!pool->shutdown && pool->generation == seen) {
            ++pool->sleepers;
            pthread_cond_wait(&pool->work_ready, &pool->lock);
            --pool->sleepers;
        }
        if (pool->shutdown) break;
        seen = pool->generation;
        mossa__pool_drain(pool, id);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}
#endif

static mossa_status mossa__ctx_begin(mossa__ctx *ctx, int n_threads,
                                     const mossa_allocator *allocator)
{
    mossa_status st = mossa__dispatch_status();
    ctx->allocator = allocator;
    ctx->pool = NULL;
    ctx->n_threads = 1;
    if (st != MOSSA_OK) return st;
    if (n_threads < 0) return MOSSA_ERR_INVALID_ARGUMENT;
#ifdef MOSSA_NO_THREADS
    (void)n_threads;
    return MOSSA_OK;
#else
    if (n_threads == 0) n_threads = mossa_default_threads();
    if (n_threads > 1024) n_threads = 1024;
    if (n_threads == 1) return MOSSA_OK;
    {
        mossa__pool *pool;
        /* worker args live right after the pool struct's thread array */
        mossa__worker_arg *args;
        int i;
        pool = (mossa__pool *)mossa__calloc(ctx, 1, sizeof(*pool));
        if (!pool) return MOSSA_ERR_OUT_OF_MEMORY;
        pool->n_workers = n_threads - 1;
        pool->spin = n_threads <= mossa_default_threads();
        pool->threads = (pthread_t *)mossa__calloc(ctx, (size_t)pool->n_workers,
                                                   sizeof(pthread_t) + sizeof(mossa__worker_arg));
        if (!pool->threads) { mossa__free(ctx, pool); return MOSSA_ERR_OUT_OF_MEMORY; }
        args = (mossa__worker_arg *)(void *)(pool->threads + pool->n_workers);
        if (pthread_mutex_init(&pool->lock, NULL) != 0) {
            mossa__free(ctx, pool->threads); mossa__free(ctx, pool);
            return MOSSA_ERR_THREADS;
        }
        pthread_cond_init(&pool->work_ready, NULL);
        pthread_cond_init(&pool->work_done, NULL);
        ctx->pool = pool;
        ctx->n_threads = n_threads;
        for (i = 0; i < pool->n_workers; ++i) {
            args[i].pool = pool;
            args[i].id = i + 1;
            if (pthread_create(&pool->threads[i], NULL, mossa__pool_main, &args[i]) != 0) {
                mossa__ctx_end(ctx);
                return MOSSA_ERR_THREADS;
            }
            pool->n_started = i + 1;
        }
    }
    return MOSSA_OK;
#endif
}

static void mossa__ctx_end(mossa__ctx *ctx)
{
#ifndef MOSSA_NO_THREADS
    mossa__pool *pool = ctx->pool;
    int i;
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        MOSSA__ASTORE(&pool->shutdown, 1);
        pthread_cond_broadcast(&pool->work_ready);
        pthread_mutex_unlock(&pool->lock);
        for (i = 0; i < pool->n_started; ++i) pthread_join(pool->threads[i], NULL);
        pthread_cond_destroy(&pool->work_ready);
        pthread_cond_destroy(&pool->work_done);
        pthread_mutex_destroy(&pool->lock);
        mossa__free(ctx, pool->threads);
        mossa__free(ctx, pool);
    }
#endif
    ctx->pool = NULL;
    ctx->n_threads = 1;
}

static void mossa__parallel(mossa__ctx *ctx, size_t n_tasks, mossa__task_fn fn, void *arg)
{
    size_t t;
#ifndef MOSSA_NO_THREADS
    mossa__pool *pool = ctx ? ctx->pool : NULL;
    if (pool && n_tasks > 1) {
        pthread_mutex_lock(&pool->lock);
        pool->fn = fn;
        pool->arg = arg;
        pool->n_tasks = n_tasks;
        pool->next_task = 0;
        MOSSA__ASTORE(&pool->done_tasks, (size_t)0);
        MOSSA__ASTORE(&pool->generation, pool->generation + 1);
        /* a spinning worker sees the generation (and then takes the lock);
           one that counted itself asleep under the lock needs the signal */
        if (pool->sleepers) pthread_cond_broadcast(&pool->work_ready);
        mossa__pool_drain(pool, 0);
#if MOSSA__HAVE_CREWS
        if (pool->spin && pool->done_tasks < n_tasks) {
            unsigned spins = 0;
            pthread_mutex_unlock(&pool->lock);
            while (MOSSA__ALOAD(&pool->done_tasks) < n_tasks && ++spins < MOSSA__POOL_SPINS) mossa__cpu_relax();
            pthread_mutex_lock(&pool->lock);
        }
#endif
        while (pool->done_tasks < pool->n_tasks)
            pthread_cond_wait(&pool->work_done, &pool->lock);
        pthread_mutex_unlock(&pool->lock);
        return;
    }
#endif
    (void)ctx;
    for (t = 0; t < n_tasks; ++t) fn(arg, t, 0);
}

#if MOSSA__HAVE_CREWS

/* Takes and runs tasks of the phase numbered phase until none is left
   or the crew has moved on: the driver from the front of the task list
   (back = 0), helpers from its back. A task is claimed by a
   compare-and-swap of the whole word, so a helper can never take a task
   of a phase other than the one it has seen published. Taking from two
   ends keeps each thread on nearly the same tasks from one phase to the
   next (the driver on the first, a helper on the last): phases that
   sweep the same rows every step find them in that core's cache. */
static void mossa__crew_take(mossa__crew *c, uint64_t phase, int back)
{
    uint64_t w = __atomic_load_n(&c->word, __ATOMIC_ACQUIRE);
    for (;;) {
        uint64_t tasks = (w >> 24) & 0xfffu, f = (w >> 12) & 0xfffu, b = w & 0xfffu, take, t;
        if ((w >> MOSSA__CREW_PHASE_SHIFT) != phase || f + b >= tasks) return;
        /* a share of what is left (guided): each claim and each count of
           finished tasks moves the shared line between cores, which costs
           as much as a short task */
        take = (tasks - f - b) / (2u * (uint64_t)(c->helpers + 1));
        if (take < 1u) take = 1u;
        if (__atomic_compare_exchange_n(&c->word, &w, back ? w + take : w + (take << 12), 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            for (t = 0; t < take; ++t) c->fn(c->arg, (size_t)(back ? tasks - 1 - b - t : f + t));
            __atomic_add_fetch(&c->done, (unsigned)take, __ATOMIC_RELEASE);
            w = __atomic_load_n(&c->word, __ATOMIC_ACQUIRE);
        }
    }
}
#endif

#define MOSSA__CREW_SPINS 4000u
static void mossa__crew_phase(mossa__crew *c, mossa__phase_fn fn, void *arg, size_t tasks)
{
#if MOSSA__HAVE_CREWS
    uint64_t phase;
    unsigned spins = 0;
    if (c->helpers > 0 && tasks > 1 && tasks <= MOSSA__CREW_MAX_TASKS) {
        phase = ((__atomic_load_n(&c->word, __ATOMIC_RELAXED) >> MOSSA__CREW_PHASE_SHIFT) + 1u) &
                ((UINT64_C(1) << (64 - MOSSA__CREW_PHASE_SHIFT)) - 1u);   /* wraps */
        c->fn = fn; c->arg = arg;
        __atomic_store_n(&c->done, 0u, __ATOMIC_RELAXED);
        /* publishes fn, arg and everything the driver wrote before */
        __atomic_store_n(&c->word, phase << MOSSA__CREW_PHASE_SHIFT | (uint64_t)tasks << 24, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&c->sleepers, __ATOMIC_SEQ_CST) != 0u) {
            pthread_mutex_lock(&c->lock);
            pthread_cond_broadcast(&c->wake);
            pthread_mutex_unlock(&c->lock);
        }
        mossa__crew_take(c, phase, 0);
        /* only tasks already started are left: wait for them */
        while (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) != (unsigned)tasks) {
            if (++spins > MOSSA__CREW_SPINS) sched_yield();
            else mossa__cpu_relax();
        }
        return;
    }
#else
    (void)c;
#endif
    {
        size_t t;
        for (t = 0; t < tasks; ++t) fn(arg, t);
    }
}

#if MOSSA__HAVE_CREWS
/* A helper: spins on the word for the next phase with the CPU's pause
   hint for a while (the driver's serial part between phases is a few
   microseconds), then sleeps on the condition variable. The driver wakes
   sleepers only when there are any: sleepers is raised before the
   sleeper's last look at the word and read after the word is published
   (both sequentially consistent), so one of the two sees the other. */
static void mossa__crew_help(mossa__crew *c)
{
    uint64_t seen = 0;
    for (;;) {
        uint64_t w;
        unsigned spins = 0;
        while ((w = __atomic_load_n(&c->word, __ATOMIC_ACQUIRE)) >> MOSSA__CREW_PHASE_SHIFT == seen &&
               !__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE)) {
            if (++spins < MOSSA__CREW_SPINS) { mossa__cpu_relax(); continue; }
            pthread_mutex_lock(&c->lock);
            __atomic_add_fetch(&c->sleepers, 1u, __ATOMIC_SEQ_CST);
            while (__atomic_load_n(&c->word, __ATOMIC_SEQ_CST) >> MOSSA__CREW_PHASE_SHIFT == seen &&
                   !__atomic_load_n(&c->finished, __ATOMIC_SEQ_CST))
                pthread_cond_wait(&c->wake, &c->lock);
            __atomic_sub_fetch(&c->sleepers, 1u, __ATOMIC_SEQ_CST);
            pthread_mutex_unlock(&c->lock);
            spins = 0;
        }
        if (__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE)) return;
        seen = w >> MOSSA__CREW_PHASE_SHIFT;
        mossa__crew_take(c, seen, 1);
    }
}

static void mossa__crew_task(void *arg, size_t task, int worker)
{
    mossa__crew *c = (mossa__crew *)arg;
    (void)worker;
    if (task > 0) { mossa__crew_help(c); return; }
    c->drive(c, c->drive_arg);
    pthread_mutex_lock(&c->lock);
    __atomic_store_n(&c->finished, 1, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}
#endif

/* One helper per online CPU besides the driver at most: a helper without
   a core of its own would only take turns with the driver. */
static void mossa__crew_run(mossa__ctx *ctx, mossa__crew *c, void (*drive)(mossa__crew *, void *), void *arg)
{
    memset(c, 0, sizeof(*c));
    c->drive = drive;
    c->drive_arg = arg;
#if MOSSA__HAVE_CREWS
    if (ctx && ctx->pool) {
        int n = MOSSA__MIN(ctx->n_threads, mossa_default_threads());
        if (n > 1 && pthread_mutex_init(&c->lock, NULL) == 0) {
            if (pthread_cond_init(&c->wake, NULL) == 0) {
                c->helpers = n - 1;
                mossa__parallel(ctx, (size_t)n, mossa__crew_task, c);
                pthread_cond_destroy(&c->wake);
                pthread_mutex_destroy(&c->lock);
                return;
            }
            pthread_mutex_destroy(&c->lock);
        }
    }
#else
    (void)ctx;
#endif
    drive(c, arg);   /* helpers = 0: every phase runs in the driver */
}

#ifdef MOSSA_TEST_HOOKS
/* ---- test hooks: the pool seen through a deterministic reduction -------
   Sums x in tasks of MOSSA_TEST_SUM_BLOCK elements (each summed left to
   right in double), then adds the task partials in task order: out[0].
   A second job on the same pool sums x[i]^2 the same way: out[1]. */
#define MOSSA_TEST_SUM_BLOCK 64
typedef struct mossa__test_sum {
    const double *x;
    size_t n;
    double *partial;
    int square, n_threads;
    int bad_worker;
} mossa__test_sum;

static void mossa__test_sum_task(void *raw, size_t task, int worker)
{
    mossa__test_sum *a = (mossa__test_sum *)raw;
    size_t i = task * MOSSA_TEST_SUM_BLOCK, end = MOSSA__MIN(a->n, i + MOSSA_TEST_SUM_BLOCK);
    double s = 0.0;
    if (worker < 0 || worker >= a->n_threads) a->bad_worker = 1;
    for (; i < end; ++i) s += a->square ? a->x[i] * a->x[i] : a->x[i];
    a->partial[task] = s;
}

MOSSA_DEF mossa_status mossa_test_parallel_sum(const double *x, size_t n, int n_threads,
                                               const mossa_allocator *allocator, double *out);
MOSSA_DEF mossa_status mossa_test_parallel_sum(const double *x, size_t n, int n_threads,
                                               const mossa_allocator *allocator, double *out)
{
    mossa__ctx ctx;
    mossa__test_sum a;
    size_t n_tasks = (n + MOSSA_TEST_SUM_BLOCK - 1) / MOSSA_TEST_SUM_BLOCK, t;
    int pass;
    mossa_status st;
    if (!out || (!x && n)) return MOSSA_ERR_INVALID_ARGUMENT;
    out[0] = out[1] = 0.0;
    st = mossa__ctx_begin(&ctx, n_threads, allocator);
    if (st != MOSSA_OK) return st;
    a.x = x;
    a.n = n;
    a.n_threads = ctx.n_threads;
    a.bad_worker = 0;
    a.partial = (double *)mossa__calloc(&ctx, n_tasks, sizeof(double));
    if (!a.partial) { mossa__ctx_end(&ctx); return MOSSA_ERR_OUT_OF_MEMORY; }
    for (pass = 0; pass < 2; ++pass) {
        double s = 0.0;
        a.square = pass;
        for (t = 0; t < n_tasks; ++t) a.partial[t] = NAN; /* a task that never ran shows */
        mossa__parallel(&ctx, n_tasks, mossa__test_sum_task, &a);
        for (t = 0; t < n_tasks; ++t) s += a.partial[t];
        out[pass] = s;
    }
    mossa__free(&ctx, a.partial);
    mossa__ctx_end(&ctx);
    return a.bad_worker ? MOSSA_ERR_INTERNAL : MOSSA_OK;
}

/* ---- test hooks: a crew through a chain of phases ----------------------
   phases phases; phase p has (p * 37) % 101 tasks (0 and 1 among them);
   task t of phase p counts its runs and stores v[t] = carry * 3 + t + p,
   where carry is what the driver made of the previous phase (the sum of
   its v, mod 2^32): a task that missed the driver's last write, ran twice
   or not at all changes *out. Returns MOSSA_ERR_INTERNAL when a task ran
   other than once. */
typedef struct mossa__test_crew {
    size_t phases, p;
    uint64_t carry, v[101];
    unsigned runs[101];
    int bad;
} mossa__test_crew;

static void mossa__test_crew_task(void *raw, size_t task)
{
    mossa__test_crew *a = (mossa__test_crew *)raw;
    a->runs[task]++;
    a->v[task] = a->carry * 3u + task + a->p;
}

static void mossa__test_crew_drive(mossa__crew *crew, void *raw)
{
    mossa__test_crew *a = (mossa__test_crew *)raw;
    size_t t, tasks;
    for (a->p = 0; a->p < a->phases; ++a->p) {
        uint64_t s = 0;
        tasks = (a->p * 37u) % 101u;
        memset(a->runs, 0, sizeof(a->runs));
        mossa__crew_phase(crew, mossa__test_crew_task, a, tasks);
        for (t = 0; t < tasks; ++t) {
            if (a->runs[t] != 1u) a->bad = 1;
            s += a->v[t];
        }
        a->carry = s & 0xffffffffu;
    }
}

/* ---- test hooks: pool jobs after gaps ------------------------------------
   jobs jobs on one context, job j after gap[j] iterations of a busy loop
   (a gap longer than the workers' spin finds them asleep, a short one
   spinning); job j has 1 + (7 j) % 13 tasks, each storing j * 100 + its
   index. *out = the sum of all stored values; MOSSA_ERR_INTERNAL when a
   task ran other than once. */
typedef struct mossa__test_jobs {
    size_t j;
    unsigned runs[13];
    uint64_t v[13];
} mossa__test_jobs;

static void mossa__test_jobs_task(void *raw, size_t task, int worker)
{
    mossa__test_jobs *a = (mossa__test_jobs *)raw;
    (void)worker;
    a->runs[task]++;
    a->v[task] = a->j * 100u + task;
}

MOSSA_DEF mossa_status mossa_test_pool_jobs(int n_threads, size_t jobs, const unsigned long *gap, uint64_t *out);
MOSSA_DEF mossa_status mossa_test_pool_jobs(int n_threads, size_t jobs, const unsigned long *gap, uint64_t *out)
{
    mossa__ctx ctx;
    mossa__test_jobs a;
    mossa_status st;
    size_t t, tasks;
    int bad = 0;
    if (!out || (jobs && !gap)) return MOSSA_ERR_INVALID_ARGUMENT;
    *out = 0;
    st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    for (a.j = 0; a.j < jobs; ++a.j) {
        volatile unsigned long spin = 0;
        while (spin < gap[a.j]) spin = spin + 1;
        tasks = 1u + (7u * a.j) % 13u;
        memset(a.runs, 0, sizeof(a.runs));
        mossa__parallel(&ctx, tasks, mossa__test_jobs_task, &a);
        for (t = 0; t < tasks; ++t) {
            if (a.runs[t] != 1u) bad = 1;
            *out += a.v[t];
        }
    }
    mossa__ctx_end(&ctx);
    return bad ? MOSSA_ERR_INTERNAL : MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_test_crew(int n_threads, size_t phases, uint64_t *out);
MOSSA_DEF mossa_status mossa_test_crew(int n_threads, size_t phases, uint64_t *out)
{
    mossa__ctx ctx;
    mossa__crew crew;
    mossa__test_crew a;
    mossa_status st;
    if (!out) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, n_threads, NULL);
    if (st != MOSSA_OK) return st;
    memset(&a, 0, sizeof(a));
    a.phases = phases;
    mossa__crew_run(&ctx, &crew, mossa__test_crew_drive, &a);
    mossa__ctx_end(&ctx);
    *out = a.carry;
    return a.bad ? MOSSA_ERR_INTERNAL : MOSSA_OK;
}
#endif
