/* fuzz_util.h - shared by the libFuzzer targets in tests/fuzz/.

   Each target is one translation unit holding the implementation, built
   by `make fuzz` with clang -fsanitize=fuzzer,address,undefined: a crash,
   a sanitizer report, a leak or a failed FUZZ_CHECK stops the fuzzer and
   leaves the input in build/fuzz/crash_<target>-*. */
#ifndef MOSSA_FUZZ_UTIL_H
#define MOSSA_FUZZ_UTIL_H

#define MOSSA_IMPLEMENTATION
#include "mossa.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A failed property is a crash for libFuzzer: print what and where, abort. */
#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__,     \
                    __LINE__, #cond);                                           \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* An allocator that counts what is outstanding, and tags each block so a
   block freed through the wrong allocator (or twice) is caught. */
typedef struct fuzz_alloc_state {
    long outstanding;
    long calls;
} fuzz_alloc_state;

#define FUZZ_ALLOC_MAGIC 0x6d6f737361ULL
static __attribute__((unused)) void *fuzz_alloc(size_t size, void *user)
{
    fuzz_alloc_state *st = (fuzz_alloc_state *)user;
    uint64_t *p;
    st->calls++;
    if (size > ((size_t)1 << 40)) return NULL;   /* hostile sizes: fail like a real malloc */
    p = (uint64_t *)malloc(size + 16);
    if (!p) return NULL;
    p[0] = FUZZ_ALLOC_MAGIC;
    p[1] = (uint64_t)size;
    st->outstanding++;
    return p + 2;
}
static __attribute__((unused)) void fuzz_free(void *ptr, void *user)
{
    fuzz_alloc_state *st = (fuzz_alloc_state *)user;
    uint64_t *p;
    if (!ptr) return;
    p = (uint64_t *)ptr - 2;
    FUZZ_CHECK(p[0] == FUZZ_ALLOC_MAGIC, "freed a block this allocator did not hand out");
    p[0] = 0;
    st->outstanding--;
    free(p);
}
static __attribute__((unused)) mossa_allocator fuzz_allocator(fuzz_alloc_state *st)
{
    mossa_allocator a;
    st->outstanding = 0;
    st->calls = 0;
    a.alloc = fuzz_alloc;
    a.free = fuzz_free;
    a.user = st;
    return a;
}

/* Distance in representable floats between a and b (0 if both NaN);
   through the ordered-integer mapping, so it is exact across the
   subnormal range and across zero (+0 and -0 are 0 apart). */
static __attribute__((unused, no_sanitize("coverage"))) double fuzz_ulp_distance(float a, float b)
{
    union { float f; uint32_t u; } ua, ub;
    int64_t ia, ib;
    if (a != a && b != b) return 0;
    if (a != a || b != b) return INFINITY;
    ua.f = a; ub.f = b;
    ia = (ua.u & 0x80000000u) ? -(int64_t)(ua.u & 0x7fffffffu) : (int64_t)ua.u;
    ib = (ub.u & 0x80000000u) ? -(int64_t)(ub.u & 0x7fffffffu) : (int64_t)ub.u;
    return (double)(ia > ib ? ia - ib : ib - ia);
}

#endif
