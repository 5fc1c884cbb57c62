/* dispatch.c - CPU feature detection and the kernel table.

   x86: AVX2 needs CPUID.7.EBX[5] (AVX2), CPUID.1.ECX[12] (FMA), [27]
   (OSXSAVE) and XGETBV showing the OS saves XMM+YMM (bits 1,2). AVX-512
   additionally needs F, DQ, BW, VL (CPUID.7.EBX bits 16, 17, 30, 31) and
   the OS saving opmask and ZMM state (XCR0 bits 5, 6, 7); AMX, see
   mossa__detect_x86. aarch64 always
   has NEON. The tables are filled once (pthread_once), the active table
   is published with an atomic store, so concurrent first calls are safe. */

static mossa__kernels mossa__tables[MOSSA_SIMD_LEVEL_COUNT];
static int mossa__level_ok[MOSSA_SIMD_LEVEL_COUNT];
static mossa_simd_level mossa__best_level;
static mossa_status mossa__env_status;
static const mossa__kernels *mossa__active_table;

static void mossa__fill_scalar(mossa__kernels *t);
#if MOSSA__X86
static void mossa__fill_avx2(mossa__kernels *t);
static void mossa__fill_avx512(mossa__kernels *t);
#endif
#if MOSSA__NEON
static void mossa__fill_neon(mossa__kernels *t);
#endif

/* The active table and the environment's status may be changed by
   mossa_simd_force while other threads read them: atomic on gcc/clang. */
#if MOSSA__GNUC
#define MOSSA__LOAD_PTR(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define MOSSA__STORE_PTR(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#else
#define MOSSA__LOAD_PTR(p) (p)
#define MOSSA__STORE_PTR(p, v) ((p) = (v))
#endif

#if MOSSA__X86
static void mossa__cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    unsigned a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(sub));
    r[0] = a; r[1] = b; r[2] = c; r[3] = d;
}

static uint64_t mossa__xgetbv(void)
{
    unsigned lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

#if MOSSA__AMX
/* Linux's arch_prctl (syscall 158 on x86-64) as the instruction itself,
   so that no libc declaration (absent under strict -std=c99) is needed.
   ARCH_REQ_XCOMP_PERM (0x1023) for XFEATURE_XTILEDATA (18) asks the kernel
   for the tile state, once per process; 0 = granted, else -errno. */
static long mossa__arch_prctl(long code, long arg)
{
    long ret;
    __asm__ __volatile__("syscall" : "=a"(ret) : "0"(158L), "D"(code), "S"(arg) : "rcx", "r11", "memory");
    return ret;
}
#endif

static void mossa__detect_x86(void)
{
    unsigned r1[4], r7[4], r0[4];
    uint64_t xcr0 = 0;
    int osxsave, avx2, avx512, amx = 0;
    mossa__cpuid(0, 0, r0);
    if (r0[0] < 7) return;
    mossa__cpuid(1, 0, r1);
    mossa__cpuid(7, 0, r7);
    osxsave = (r1[2] >> 27) & 1;
    if (osxsave) xcr0 = mossa__xgetbv();
    avx2 = osxsave && (xcr0 & 0x6) == 0x6 && ((r1[2] >> 12) & 1) /* FMA */
           && ((r1[2] >> 28) & 1) /* AVX */ && ((r7[1] >> 5) & 1) /* AVX2 */;
    avx512 = avx2 && (xcr0 & 0xe6) == 0xe6 && ((r7[1] >> 16) & 1) /* F */
             && ((r7[1] >> 17) & 1) /* DQ */ && ((r7[1] >> 30) & 1) /* BW */
             && ((r7[1] >> 31) & 1) /* VL */;
#if MOSSA__AMX
    /* AMX: TILE and BF16 (CPUID.7.0.EDX bits 24, 22), AVX512_BF16
       (CPUID.7.1.EAX bit 5) for the conversions, XCR0 bits 17 and 18 (the
       OS saves the tile configuration and data), and the kernel's grant */
    if (avx512 && ((r7[3] >> 24) & 1) && ((r7[3] >> 22) & 1) && r7[0] >= 1 && (xcr0 & 0x60000) == 0x60000) {
        unsigned r71[4];
        mossa__cpuid(7, 1, r71);
        amx = ((r71[0] >> 5) & 1) && mossa__arch_prctl(0x1023, 18) == 0;
    }
#endif
    mossa__level_ok[MOSSA_SIMD_AVX2] = avx2;
    mossa__level_ok[MOSSA_SIMD_AVX512] = avx512;
    mossa__level_ok[MOSSA_SIMD_AMX] = amx;
}
#endif

static void mossa__dispatch_once(void)
{
    const char *env;
    mossa_simd_level lvl = MOSSA_SIMD_SCALAR, forced;
    int i;
    mossa__fill_scalar(&mossa__tables[MOSSA_SIMD_SCALAR]);
    mossa__level_ok[MOSSA_SIMD_SCALAR] = 1;
#if MOSSA__X86
    mossa__detect_x86();
    mossa__fill_avx2(&mossa__tables[MOSSA_SIMD_AVX2]);
    mossa__fill_avx512(&mossa__tables[MOSSA_SIMD_AVX512]);
    mossa__fill_avx512(&mossa__tables[MOSSA_SIMD_AMX]); /* the same kernels; svd.c adds the tiles */
#endif
#if MOSSA__NEON
    mossa__level_ok[MOSSA_SIMD_NEON] = 1;
    mossa__fill_neon(&mossa__tables[MOSSA_SIMD_NEON]);
#endif
    for (i = MOSSA_SIMD_SCALAR; i < MOSSA_SIMD_LEVEL_COUNT; ++i) {
        mossa__tables[i].level = (mossa_simd_level)i;
        if (mossa__level_ok[i]) lvl = (mossa_simd_level)i;
    }
    mossa__best_level = lvl;
    env = getenv("MOSSA_SIMD");
    if (env && env[0]) {
        mossa_status st = mossa_simd_parse(env, &forced);
        if (st == MOSSA_OK && forced != MOSSA_SIMD_AUTO) {
            if (mossa__level_ok[forced]) lvl = forced;
            else st = MOSSA_ERR_SIMD_UNAVAILABLE;
        }
        MOSSA__STORE_PTR(mossa__env_status, st);
    }
    MOSSA__STORE_PTR(mossa__active_table, (const mossa__kernels *)&mossa__tables[lvl]);
}

#ifndef MOSSA_NO_THREADS
static pthread_once_t mossa__dispatch_flag = PTHREAD_ONCE_INIT;
static void mossa__dispatch_init(void) { pthread_once(&mossa__dispatch_flag, mossa__dispatch_once); }
#else
static void mossa__dispatch_init(void)
{
    if (!mossa__active_table) mossa__dispatch_once();
}
#endif

static const mossa__kernels *mossa__k(void)
{
    const mossa__kernels *t = MOSSA__LOAD_PTR(mossa__active_table);
    if (MOSSA__LIKELY(t != NULL)) return t;
    mossa__dispatch_init();
    return MOSSA__LOAD_PTR(mossa__active_table);
}

static mossa_status mossa__dispatch_status(void)
{
    mossa__dispatch_init();
    return MOSSA__LOAD_PTR(mossa__env_status);
}

MOSSA_DEF mossa_status mossa_simd_init(void) { return mossa__dispatch_status(); }

MOSSA_DEF int mossa_simd_available(mossa_simd_level level)
{
    mossa__dispatch_init();
    if (level == MOSSA_SIMD_AUTO) return 1;
    if ((int)level <= 0 || (int)level >= (int)MOSSA_SIMD_LEVEL_COUNT) return 0;
    return mossa__level_ok[level];
}

MOSSA_DEF mossa_status mossa_simd_force(mossa_simd_level level)
{
    mossa__dispatch_init();
    if ((int)level < 0 || (int)level >= (int)MOSSA_SIMD_LEVEL_COUNT) return MOSSA_ERR_SIMD_UNKNOWN;
    if (level == MOSSA_SIMD_AUTO) level = mossa__best_level;
    if (!mossa__level_ok[level]) return MOSSA_ERR_SIMD_UNAVAILABLE;
    MOSSA__STORE_PTR(mossa__active_table, (const mossa__kernels *)&mossa__tables[level]);
    /* an explicit, valid choice supersedes a bad MOSSA_SIMD */
    MOSSA__STORE_PTR(mossa__env_status, MOSSA_OK);
    return MOSSA_OK;
}

MOSSA_DEF mossa_simd_level mossa_simd_active(void) { return mossa__k()->level; }

MOSSA_DEF const char *mossa_simd_name(mossa_simd_level level)
{
    switch (level) {
    case MOSSA_SIMD_AUTO: return "auto";
    case MOSSA_SIMD_SCALAR: return "scalar";
    case MOSSA_SIMD_AVX2: return "avx2";
    case MOSSA_SIMD_AVX512: return "avx512";
    case MOSSA_SIMD_NEON: return "neon";
    case MOSSA_SIMD_AMX: return "amx";
    default: return "unknown";
    }
}

MOSSA_DEF mossa_status mossa_simd_parse(const char *name, mossa_simd_level *level)
{
    int i;
    if (!name || !level) return MOSSA_ERR_INVALID_ARGUMENT;
    for (i = 0; i < (int)MOSSA_SIMD_LEVEL_COUNT; ++i) {
        if (strcmp(name, mossa_simd_name((mossa_simd_level)i)) == 0) {
            *level = (mossa_simd_level)i;
            return MOSSA_OK;
        }
    }
    return MOSSA_ERR_SIMD_UNKNOWN;
}

#ifdef MOSSA_TEST_HOOKS
#define MOSSA__COUNT_CALL() __atomic_fetch_add(&mossa__test_calls[mossa__k()->level], 1UL, __ATOMIC_RELAXED)
MOSSA_DEF unsigned long mossa_test_kernel_calls(mossa_simd_level level)
{
    if ((int)level < 0 || (int)level >= (int)MOSSA_SIMD_LEVEL_COUNT) return 0;
    return __atomic_load_n(&mossa__test_calls[level], __ATOMIC_RELAXED);
}
#else
#define MOSSA__COUNT_CALL() ((void)0)
#endif

/* ---- public kernel entry points -------------------------------------- */
MOSSA_DEF double mossa_dot_f32(const float *a, const float *b, size_t n)
{
    MOSSA__COUNT_CALL();
    return mossa__k()->dot(a, b, n);
}

MOSSA_DEF void mossa_axpy_f32(size_t n, float alpha, const float *x, float *y)
{
    MOSSA__COUNT_CALL();
    mossa__k()->axpy(n, alpha, x, y);
}

MOSSA_DEF void mossa_sqdist_f32(const float *x, const float *Y, size_t m, size_t d,
                                size_t ldy, float *out)
{
    MOSSA__COUNT_CALL();
    mossa__k()->sqdist(x, Y, m, d, ldy, out);
}

MOSSA_DEF void mossa_expf_array(const float *x, float *y, size_t n)
{
    MOSSA__COUNT_CALL();
    mossa__k()->expf_array(x, y, n);
}

MOSSA_DEF void mossa_logf_array(const float *x, float *y, size_t n)
{
    MOSSA__COUNT_CALL();
    mossa__k()->logf_array(x, y, n);
}

#ifdef MOSSA_TEST_HOOKS
/* Test builds: the active level's column sums and RBF distances with the
   median's counting (impl/internal.h), for tests/test_kernels.c.
   counts = {below, inside, k}. */
MOSSA_DEF float mossa_test_colsum(const float *x, size_t n, size_t ldx, size_t cols, double *s);
MOSSA_DEF float mossa_test_colsum(const float *x, size_t n, size_t ldx, size_t cols, double *s)
{
    return mossa__k()->colsum(x, n, ldx, cols, s);
}

/* the active level's pack_shift16 and svd_colstat */
MOSSA_DEF void mossa_test_pack_shift16(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride);
MOSSA_DEF void mossa_test_pack_shift16(const float *x, const double *sh, double scale, float *out, size_t runs,
                                       size_t ostride)
{
    mossa__k()->pack_shift16(x, sh, scale, out, runs, ostride);
}
MOSSA_DEF void mossa_test_colstat(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                  size_t d);
MOSSA_DEF void mossa_test_colstat(const float *x, size_t ldx, size_t rows, const double *sh, double *s, double *q,
                                  size_t d)
{
    mossa__k()->svd_colstat(x, ldx, rows, sh, s, q, d);
}

MOSSA_DEF void mossa_test_rbf_dist_keep(const double *g, size_t n, double dr, const double *dc, float *dst,
                                        uint32_t lo, uint32_t width, float *keep, size_t cap, size_t counts[3]);
MOSSA_DEF void mossa_test_rbf_dist_keep(const double *g, size_t n, double dr, const double *dc, float *dst,
                                        uint32_t lo, uint32_t width, float *keep, size_t cap, size_t counts[3])
{
    mossa__keep kp;
    kp.lo = lo; kp.width = width; kp.keep = keep; kp.cap = cap;
    kp.k = kp.below = kp.inside = 0;
    mossa__k()->rbf_dist(g, n, dr, dc, dst, keep ? &kp : NULL);
    counts[0] = kp.below; counts[1] = kp.inside; counts[2] = kp.k;
}
#endif
