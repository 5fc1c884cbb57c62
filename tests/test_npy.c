/* test_npy.c - .npy reading and writing. Two independent references:
   files written by numpy itself (tests/data/npy, made by
   make_fixtures.py, with numpy's astype(float32) stored as raw floats),
   and .npy images assembled byte by byte here, with values converted by
   the test's own formulas (ldexp for float16, a nearest-float search for
   float64). */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"
#include <stdint.h>
#include <float.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIX "tests/data/npy/"

/* ---- helpers ---------------------------------------------------------------- */
static unsigned char *slurp_bin(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    ck_assert_msg(f != NULL, "cannot open %s (run the tests from the repository root)", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (unsigned char *)malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bitsf(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* index of the first bitwise difference, or n (one assertion per array:
   under Check's fork mode every passing assertion costs a syscall) */
static size_t first_diff(const float *a, const float *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i)
        if (memcmp(a + i, b + i, sizeof(float)) != 0) return i;
    return n;
}

/* bitwise equality, any NaN equal to any NaN */
static int same_float(float a, float b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return fbits(a) == fbits(b);
}

/* A .npy image: magic, version, header length field (the dict's length
   unless len_field != (size_t)-1), the dict, then data. */
static size_t build_npy_raw(unsigned char *dst, int major, int minor, const char *dict,
                            size_t len_field, const void *data, size_t data_len)
{
    size_t n = 0, dl = strlen(dict);
    if (len_field == (size_t)-1) len_field = dl;
    memcpy(dst, "\x93NUMPY", 6);
    dst[6] = (unsigned char)major;
    dst[7] = (unsigned char)minor;
    n = 8;
    dst[n++] = (unsigned char)(len_field & 0xff);
    dst[n++] = (unsigned char)((len_field >> 8) & 0xff);
    if (major != 1) {
        dst[n++] = (unsigned char)((len_field >> 16) & 0xff);
        dst[n++] = (unsigned char)((len_field >> 24) & 0xff);
    }
    memcpy(dst + n, dict, dl);
    n += dl;
    if (data_len) memcpy(dst + n, data, data_len);
    return n + data_len;
}

static size_t build_npy(unsigned char *dst, int major, const char *dict, const void *data,
                        size_t data_len)
{
    return build_npy_raw(dst, major, 0, dict, (size_t)-1, data, data_len);
}

/* decode status of an image made from a dict with 64 bytes of zero data */
static mossa_status dict_status(const char *dict)
{
    static unsigned char buf[4096];
    unsigned char zeros[64] = {0};
    float *out = NULL;
    size_t r, c, n = build_npy(buf, 1, dict, zeros, sizeof(zeros));
    mossa_status st = mossa_npy_decode(buf, n, NULL, &out, &r, &c);
    if (st == MOSSA_OK) mossa_free(out, NULL);
    else ck_assert_ptr_null(out);
    return st;
}

#define CHECK_DICT(dict, want)                                                        \
    do {                                                                              \
        mossa_status got_ = dict_status(dict);                                        \
        ck_assert_msg(got_ == (want), "%s: got %s, want %s", dict,                    \
                      mossa_status_string(got_), mossa_status_string(want));          \
    } while (0)

/* An allocator that counts live blocks and bytes, remembers the largest
   request, and fails the fail_at-th call (0-based; -1 = never). */
typedef struct counting { long calls, live, fail_at; size_t largest; } counting;
static void *counting_alloc(size_t size, void *user)
{
    counting *c = (counting *)user;
    if (c->calls++ == c->fail_at) return NULL;
    if (size > c->largest) c->largest = size;
    c->live++;
    return malloc(size);
}
static void counting_free(void *p, void *user)
{
    counting *c = (counting *)user;
    if (p) { c->live--; free(p); }
}
static mossa_allocator counting_allocator(counting *c, long fail_at)
{
    mossa_allocator a;
    c->calls = c->live = 0;
    c->largest = 0;
    c->fail_at = fail_at;
    a.alloc = counting_alloc;
    a.free = counting_free;
    a.user = c;
    return a;
}

/* float16 value by definition (IEEE 754 binary16), via ldexp */
static double half_ref(unsigned h)
{
    unsigned e = (h >> 10) & 31, m = h & 1023;
    double v, s = (h & 0x8000) ? -1.0 : 1.0;
    if (e == 31) return m ? NAN : s * INFINITY;
    v = e ? ldexp(1024.0 + m, (int)e - 25) : ldexp((double)m, -24);
    return s * v;
}

/* Is f the float32 nearest to d (ties to even, overflow to inf)? Checked
   against both neighbours in long double, where the differences are exact. */
static int is_nearest_float(double d, float f)
{
    long double dd = d, lo, hi, err;
    float up, dn;
    if (isnan(d)) return isnan(f);
    if (isinf(f)) {
        /* beyond FLT_MAX + half an ulp (2^103), ties go to inf (FLT_MAX is odd) */
        return (f > 0 ? dd : -dd) >= (long double)FLT_MAX + ldexpl(1.0L, 103) && (f > 0) == (d > 0);
    }
    up = nextafterf(f, INFINITY);
    dn = nextafterf(f, -INFINITY);
    err = fabsl(dd - (long double)f);
    /* past FLT_MAX the next value up is 2^128 (where inf starts) */
    hi = fabsl(dd - (isinf(up) ? ldexpl(1.0L, 128) : (long double)up));
    lo = fabsl(dd - (isinf(dn) ? -ldexpl(1.0L, 128) : (long double)dn));
    if (err > hi || err > lo) return 0;
    if (err == hi || err == lo) return (fbits(f) & 1) == 0; /* a tie: even mantissa */
    return 1;
}

/* little-endian encoders */
static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    int i;
    for (i = 0; i < bytes; ++i) p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes a dict in one of several spellings numpy or other writers use. */
static void make_dict(char *d, size_t cap, const char *descr, int fortran, size_t r, size_t c,
                      int style)
{
    const char *fo = fortran ? "True" : "False";
    switch (style % 6) {
    case 0: /* numpy's own, padded to 64 with '\n' */
    {
        size_t n;
        snprintf(d, cap, "{'descr': '%s', 'fortran_order': %s, 'shape': (%zu, %zu), }", descr, fo, r, c);
        n = strlen(d);
        while ((10 + n + 1) % 64) d[n++] = ' ';
        d[n++] = '\n';
        d[n] = 0;
        break;
    }
    case 1: snprintf(d, cap, "{\"shape\":(%zu,%zu),\"fortran_order\":%s,\"descr\":\"%s\"}", r, c, fo, descr); break;
    case 2: snprintf(d, cap, "  {'fortran_order' : %s ,\n\t'descr' : '%s' ,\n 'shape' : ( %zu , %zu , ) ,\n}\n\n  ", fo, descr, r, c); break;
    case 3: snprintf(d, cap, "{'shape': (%zuL, %zuL), 'descr': \"%s\", 'fortran_order': %s}", r, c, descr, fo); break;
    case 4: snprintf(d, cap, "{'descr':'%s','shape':(%zu,%zu,),'fortran_order':%s,}\r\n", descr, r, c, fo); break;
    default: snprintf(d, cap, "{'fortran_order': %s, 'shape': (%zu, %zu), 'descr': '%s'}", fo, r, c, descr); break;
    }
}

/* ---- numpy-written fixtures ------------------------------------------------------ */
START_TEST(numpy_files_of_every_dtype_order_and_version_read_as_numpy_astype_float32)
{
    static const char *const dts[3] = {"f2", "f4", "f8"};
    int di, oi, v;
    for (di = 0; di < 3; ++di) {
        char path[256];
        size_t reflen, i;
        unsigned char *ref;
        snprintf(path, sizeof(path), FIX "%s_ref.f32", dts[di]);
        ref = slurp_bin(path, &reflen);
        ck_assert_uint_eq(reflen, 15 * 4);
        for (oi = 0; oi < 2; ++oi)
            for (v = 1; v <= 3; ++v) {
                float *x = NULL;
                size_t r = 0, c = 0;
                mossa_npy_info info;
                snprintf(path, sizeof(path), FIX "%s_%c_v%d.npy", dts[di], "CF"[oi], v);
                ck_assert_int_eq(mossa_npy_read_info(path, &info), MOSSA_OK);
                ck_assert_int_eq(info.version_major, v);
                ck_assert_int_eq(info.fortran_order, oi);
                ck_assert_int_eq(info.dtype_bytes, 1 << (di + 1));
                ck_assert_uint_eq(info.rows, 5);
                ck_assert_uint_eq(info.cols, 3);
                ck_assert_uint_eq(info.data_offset % 64, 0); /* numpy aligns the data */
                ck_assert_uint_eq(info.data_bytes, 15u << (di + 1));
                ck_assert_int_eq(mossa_npy_read(path, NULL, &x, &r, &c), MOSSA_OK);
                ck_assert_uint_eq(r, 5);
                ck_assert_uint_eq(c, 3);
                for (i = 0; i < 15; ++i) {
                    float want;
                    memcpy(&want, ref + 4 * i, 4);
                    ck_assert_msg(same_float(x[i], want), "%s [%zu]: got %a want %a", path, i,
                                  (double)x[i], (double)want);
                    if (!isnan(want)) ck_assert_uint_eq(fbits(x[i]), fbits(want)); /* -0 stays -0 */
                }
                mossa_free(x, NULL);
            }
        free(ref);
    }
}
END_TEST

START_TEST(decoding_numpy_files_in_memory_equals_reading_them)
{
    static const char *const names[] = {"f2_F_v1", "f4_C_v2", "f8_F_v3", "f8_C_v1", "w_123x2", "w_0x3"};
    size_t k;
    for (k = 0; k < sizeof(names) / sizeof(names[0]); ++k) {
        char path[256];
        unsigned char *img;
        size_t len, r1, c1, r2, c2, i;
        float *a = NULL, *b = NULL;
        snprintf(path, sizeof(path), FIX "%s.npy", names[k]);
        img = slurp_bin(path, &len);
        ck_assert_int_eq(mossa_npy_decode(img, len, NULL, &a, &r1, &c1), MOSSA_OK);
        ck_assert_int_eq(mossa_npy_read(path, NULL, &b, &r2, &c2), MOSSA_OK);
        ck_assert_uint_eq(r1, r2);
        ck_assert_uint_eq(c1, c2);
        for (i = 0; i < r1 * c1; ++i) ck_assert(same_float(a[i], b[i]));
        mossa_free(a, NULL);
        mossa_free(b, NULL);
        free(img);
    }
}
END_TEST

START_TEST(written_files_are_byte_identical_to_numpy_save)
{
    /* the same data np.save wrote in make_fixtures.py: 0.25*k - 3 */
    static const size_t shapes[][2] = {{4, 5}, {123, 2}, {0, 3}, {1, 1}, {7, 0}, {2, 1000}};
    size_t k;
    for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); ++k) {
        size_t r = shapes[k][0], c = shapes[k][1], i, la, lb;
        float *w = (float *)malloc((r * c + 1) * sizeof(float));
        char want[256];
        unsigned char *a, *b;
        for (i = 0; i < r * c; ++i) w[i] = (float)(0.25 * (double)i - 3.0);
        ck_assert_int_eq(mossa_npy_write(test_path("w.npy"), w, r, c), MOSSA_OK);
        snprintf(want, sizeof(want), FIX "w_%zux%zu.npy", r, c);
        a = slurp_bin(test_path("w.npy"), &la);
        b = slurp_bin(want, &lb);
        ck_assert_uint_eq(la, lb);
        ck_assert_msg(memcmp(a, b, la) == 0, "%s differs from mossa_npy_write's bytes", want);
        free(a);
        free(b);
        free(w);
    }
}
END_TEST

START_TEST(a_file_holding_two_saved_arrays_reads_the_first)
{
    float *x = NULL, *y = NULL;
    size_t r, c, r2, c2, i;
    ck_assert_int_eq(mossa_npy_read(FIX "two_arrays.npy", NULL, &x, &r, &c), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_read(FIX "f4_C_v1.npy", NULL, &y, &r2, &c2), MOSSA_OK);
    ck_assert_uint_eq(r, 5);
    ck_assert_uint_eq(c, 3);
    for (i = 0; i < 15; ++i) ck_assert(same_float(x[i], y[i]));
    mossa_free(x, NULL);
    mossa_free(y, NULL);
}
END_TEST

START_TEST(numpy_arrays_of_other_kinds_are_refused_with_their_reason)
{
    static const struct { const char *name; mossa_status want; } cases[] = {
        {"err_1d", MOSSA_ERR_NPY_SHAPE},   {"err_0d", MOSSA_ERR_NPY_SHAPE},
        {"err_3d", MOSSA_ERR_NPY_SHAPE},   {"err_be", MOSSA_ERR_NPY_DTYPE},
        {"err_i4", MOSSA_ERR_NPY_DTYPE},   {"err_c8", MOSSA_ERR_NPY_DTYPE},
        {"err_bool", MOSSA_ERR_NPY_DTYPE}, {"err_struct", MOSSA_ERR_NPY_DTYPE},
        {"err_obj", MOSSA_ERR_NPY_DTYPE},
    };
    size_t k;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); ++k) {
        char path[256];
        float *x = (float *)&k; /* must be reset to NULL */
        size_t r = 7, c = 7;
        mossa_status st;
        snprintf(path, sizeof(path), FIX "%s.npy", cases[k].name);
        st = mossa_npy_read(path, NULL, &x, &r, &c);
        ck_assert_msg(st == cases[k].want, "%s: %s", path, mossa_status_string(st));
        ck_assert_ptr_null(x);
        ck_assert_uint_eq(r, 0);
        ck_assert_uint_eq(c, 0);
    }
}
END_TEST

/* ---- hand-built images ---------------------------------------------------------- */
START_TEST(hand_built_images_of_every_dtype_order_version_and_spelling_decode_correctly)
{
    static const char *const descr[3] = {"<f2", "<f4", "<f8"};
    const size_t R = 7, C = 5;
    test_rng rng = test_rng_make(11);
    int di, fo, v, style;
    for (di = 0; di < 3; ++di) {
        int isz = 2 << di;
        for (fo = 0; fo < 2; ++fo)
            for (v = 1; v <= 3; ++v)
                for (style = 0; style < 6; ++style) {
                    unsigned char data[7 * 5 * 8], img[1024];
                    double want[7 * 5];
                    char dict[512];
                    size_t r, c, i, j, n, rr, cc;
                    float *x = NULL;
                    for (i = 0; i < R; ++i)
                        for (j = 0; j < C; ++j) {
                            size_t at = fo ? j * R + i : i * C + j; /* file position */
                            uint64_t u = test_rng_next(&rng);
                            if (isz == 2) {
                                unsigned h = (unsigned)(u & 0xffff);
                                if (((h >> 10) & 31) == 31) h &= 0xbfff; /* finite here */
                                want[i * C + j] = half_ref(h);
                                put_le(data + at * 2, h, 2);
                            } else if (isz == 4) {
                                float f = (float)ldexp((double)(int32_t)(u >> 32), (int)(u % 40) - 50);
                                want[i * C + j] = f;
                                put_le(data + at * 4, fbits(f), 4);
                            } else {
                                double d = ldexp((double)(int64_t)u, (int)(u % 200) - 150);
                                uint64_t b;
                                want[i * C + j] = d;
                                memcpy(&b, &d, 8);
                                put_le(data + at * 8, b, 8);
                            }
                        }
                    make_dict(dict, sizeof(dict), descr[di], fo, R, C, style);
                    n = build_npy(img, v, dict, data, R * C * (size_t)isz);
                    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &rr, &cc), MOSSA_OK);
                    ck_assert_uint_eq(rr, R);
                    ck_assert_uint_eq(cc, C);
                    for (r = 0; r < R; ++r)
                        for (c = 0; c < C; ++c) {
                            double w = want[r * C + c];
                            float g = x[r * C + c];
                            if (isz == 8)
                                ck_assert_msg(is_nearest_float(w, g), "f8 %a -> %a", w, (double)g);
                            else
                                ck_assert_msg((double)g == w && !signbit(g) == !signbit(w),
                                              "%s %a -> %a", descr[di], w, (double)g);
                        }
                    mossa_free(x, NULL);
                }
    }
}
END_TEST

START_TEST(every_float16_value_converts_exactly)
{
    /* all 65536 bit patterns as a 256 x 256 array: subnormals, +-0,
       +-inf and NaNs included */
    unsigned char *img = (unsigned char *)malloc(65536 * 2 + 256);
    unsigned char *data = (unsigned char *)malloc(65536 * 2);
    float *x = NULL;
    size_t r, c, n;
    unsigned h;
    for (h = 0; h < 65536; ++h) put_le(data + 2 * h, h, 2);
    n = build_npy(img, 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (256, 256), }", data, 65536 * 2);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_OK);
    for (h = 0; h < 65536; ++h) {
        double w = half_ref(h);
        if (isnan(w)) {
            ck_assert_msg(isnan(x[h]), "half %04x", h);
            /* numpy keeps the payload: sign, and mantissa shifted by 13 */
            ck_assert_uint_eq(fbits(x[h]), ((h & 0x8000u) << 16) | 0x7f800000u | ((h & 0x3ffu) << 13));
        } else {
            ck_assert_msg((double)x[h] == w && !signbit(x[h]) == !signbit(w), "half %04x: %a vs %a", h,
                          (double)x[h], w);
        }
    }
    mossa_free(x, NULL);
    free(img);
    free(data);
}
END_TEST

START_TEST(float64_is_rounded_to_the_nearest_float32)
{
    /* random doubles over the whole float32 range and past it, plus the
       hard cases: exact ties, just above/below ties, subnormal results,
       the overflow boundary */
    static const double special[] = {
        1.0 + 0x1p-24, 1.0 + 3 * 0x1p-24, 1.0 + 0x1p-24 + 0x1p-52, 1.0 + 0x1p-24 - 0x1p-53,
        0x1p-149, 0x1p-150, 0x1.0000000000001p-150, 0x1p-151, 3 * 0x1p-150, 0x1.fffffep127,
        0x1.fffffefffffffp127, 0x1.ffffffp127, 0x1p128, -0x1.ffffffp127, 1e308, -1e-320, 0.0, -0.0,
        0.1, 1.0 / 3.0};
    const size_t ns = sizeof(special) / sizeof(special[0]), n = 4096 - 4096 % 64;
    unsigned char *data = (unsigned char *)malloc(n * 8), *img = (unsigned char *)malloc(n * 8 + 256);
    double *d = (double *)malloc(n * sizeof(double));
    test_rng rng = test_rng_make(5);
    float *x = NULL;
    size_t i, r, c, len;
    char dict[128];
    for (i = 0; i < n; ++i) {
        uint64_t b;
        if (i < ns) d[i] = special[i];
        else d[i] = ldexp(2.0 * test_uniform(&rng) - 1.0, (int)(test_rng_next(&rng) % 300) - 160);
        memcpy(&b, &d[i], 8);
        put_le(data + 8 * i, b, 8);
    }
    snprintf(dict, sizeof(dict), "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, 64), }", n / 64);
    len = build_npy(img, 1, dict, data, n * 8);
    ck_assert_int_eq(mossa_npy_decode(img, len, NULL, &x, &r, &c), MOSSA_OK);
    for (i = 0; i < n; ++i) ck_assert_msg(is_nearest_float(d[i], x[i]), "%a -> %a", d[i], (double)x[i]);
    /* FLT_MAX + half an ulp is a tie, and FLT_MAX is odd: to inf */
    ck_assert(isinf(x[11]) && x[11] > 0);
    ck_assert(isinf(x[12]) && x[12] > 0);
    ck_assert(isinf(x[13]) && x[13] < 0);
    ck_assert_float_eq(x[9], FLT_MAX);
    ck_assert_float_eq(x[10], FLT_MAX);
    mossa_free(x, NULL);
    free(data);
    free(img);
    free(d);
}
END_TEST

START_TEST(accepted_header_spellings)
{
    static const char *const ok[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8)}",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 8)}",
        "{'shape': (2, 8), 'fortran_order': False, 'descr': '<f4'}",
        "{'fortran_order': False, 'descr': '<f4', 'shape': (2, 8)}",
        "{'shape':(2,8),'descr':'<f4','fortran_order':False}",
        "\n {\t'descr' :\n'<f4' ,'fortran_order' : False , 'shape' : ( 2 , 8 , ) , } \n\r\n  \t",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 8L), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (- 0, 8), }", /* -0 == 0 rows */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (0002, 8), }",
    };
    size_t k;
    for (k = 0; k < sizeof(ok) / sizeof(ok[0]); ++k) CHECK_DICT(ok[k], MOSSA_OK);
}
END_TEST

START_TEST(parse_header_reports_shape_dtype_order_version_and_offset)
{
    unsigned char img[512];
    mossa_npy_info info;
    const char *dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 11), }";
    size_t n = build_npy(img, 2, dict, NULL, 0);
    /* a prefix holding the header is enough: no data needed */
    ck_assert_int_eq(mossa_npy_parse_header(img, n, &info), MOSSA_OK);
    ck_assert_uint_eq(info.rows, 3);
    ck_assert_uint_eq(info.cols, 11);
    ck_assert_int_eq(info.dtype_bytes, 8);
    ck_assert_int_eq(info.fortran_order, 1);
    ck_assert_int_eq(info.version_major, 2);
    ck_assert_uint_eq(info.data_offset, 12 + strlen(dict));
    ck_assert_uint_eq(info.data_bytes, 3 * 11 * 8);
    ck_assert_int_eq(mossa_npy_parse_header(img, n - 1, &info), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_uint_eq(info.rows, 0); /* cleared on failure */
}
END_TEST

/* ---- malformed images: each gets its own exact status --------------------------- */
START_TEST(bad_magic_is_npy_magic_and_a_short_prefix_of_it_is_truncated)
{
    static const struct { const char *bytes; size_t len; mossa_status want; } cases[] = {
        {"\x93NUMPZ\x01\x00\x10\x00", 10, MOSSA_ERR_NPY_MAGIC},
        {"NUMPY\x01\x00\x10\x00\x00", 10, MOSSA_ERR_NPY_MAGIC},
        {"\x89PNG\r\n\x1a\n\x00\x00", 10, MOSSA_ERR_NPY_MAGIC},
        {"PK\x03\x04 an npz is a zip", 20, MOSSA_ERR_NPY_MAGIC},
        {"\x92NUMPY\x01\x00\x10\x00", 10, MOSSA_ERR_NPY_MAGIC},
        {"x", 1, MOSSA_ERR_NPY_MAGIC},
        {"", 0, MOSSA_ERR_NPY_TRUNCATED},
        {"\x93NUM", 4, MOSSA_ERR_NPY_TRUNCATED},
        {"\x93NUMPY\x01", 7, MOSSA_ERR_NPY_TRUNCATED},
        {"\x93NUMPY\x01\x00\x10", 9, MOSSA_ERR_NPY_TRUNCATED},
        {"\x93NUMPY\x02\x00\x10\x00\x00", 11, MOSSA_ERR_NPY_TRUNCATED},
    };
    size_t k;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); ++k) {
        float *x = NULL;
        size_t r, c;
        mossa_status st = mossa_npy_decode(cases[k].bytes, cases[k].len, NULL, &x, &r, &c);
        ck_assert_msg(st == cases[k].want, "case %zu: %s", k, mossa_status_string(st));
        ck_assert_int_eq(test_write_file(test_path("m.npy"), cases[k].bytes, cases[k].len), 0);
        st = mossa_npy_read(test_path("m.npy"), NULL, &x, &r, &c);
        ck_assert_msg(st == cases[k].want, "file case %zu: %s", k, mossa_status_string(st));
    }
}
END_TEST

START_TEST(unknown_versions_are_npy_version)
{
    static const int v[][2] = {{0, 0}, {4, 0}, {1, 1}, {2, 1}, {3, 9}, {255, 0}, {0, 1}};
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }";
    size_t k;
    for (k = 0; k < sizeof(v) / sizeof(v[0]); ++k) {
        unsigned char img[256];
        float one = 1.0f, *x = NULL;
        size_t r, c, n = build_npy_raw(img, v[k][0], v[k][1], dict, (size_t)-1, &one, 4);
        ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_ERR_NPY_VERSION);
    }
}
END_TEST

START_TEST(every_truncation_of_header_or_data_is_npy_truncated)
{
    unsigned char img[512], data[6 * 4 * 8];
    size_t n, cut;
    int v;
    memset(data, 0x3f, sizeof(data));
    for (v = 1; v <= 3; ++v) {
        n = build_npy(img, v, "{'descr': '<f8', 'fortran_order': True, 'shape': (6, 4), }", data, sizeof(data));
        for (cut = 0; cut < n; ++cut) {
            float *x = NULL;
            size_t r, c;
            ck_assert_msg(mossa_npy_decode(img, cut, NULL, &x, &r, &c) == MOSSA_ERR_NPY_TRUNCATED,
                          "v%d cut at %zu", v, cut);
            ck_assert_ptr_null(x);
            if (cut % 17 == 0 || cut + 1 == n) { /* files too, at a sample of cuts */
                ck_assert_int_eq(test_write_file(test_path("t.npy"), img, cut), 0);
                ck_assert_int_eq(mossa_npy_read(test_path("t.npy"), NULL, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
            }
        }
    }
}
END_TEST

START_TEST(huge_header_lengths_are_refused_without_a_huge_allocation)
{
    unsigned char img[512];
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }";
    float *x = NULL;
    size_t r, c, n;
    counting cnt;
    mossa_allocator a = counting_allocator(&cnt, -1);
    /* above the 1 MiB cap: malformed, whatever follows */
    n = build_npy_raw(img, 2, 0, dict, 0xffffffffu, NULL, 0);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_ERR_NPY_HEADER);
    n = build_npy_raw(img, 3, 0, dict, (1u << 20) + 1, NULL, 0);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_ERR_NPY_HEADER);
    ck_assert_int_eq(test_write_file(test_path("h.npy"), img, n), 0);
    ck_assert_int_eq(mossa_npy_read(test_path("h.npy"), &a, &x, &r, &c), MOSSA_ERR_NPY_HEADER);
    ck_assert_uint_eq(cnt.calls, 0);
    /* within the cap but longer than the data present: truncated */
    n = build_npy_raw(img, 2, 0, dict, 1u << 20, NULL, 0);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
    n = build_npy_raw(img, 1, 0, dict, 0xffff, NULL, 0);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_int_eq(test_write_file(test_path("h.npy"), img, n), 0);
    ck_assert_int_eq(mossa_npy_read(test_path("h.npy"), &a, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_uint_le(cnt.largest, 0xffff + 10);
    ck_assert_int_eq(cnt.live, 0);
    /* a zero-length header has no dict */
    n = build_npy_raw(img, 1, 0, "", 0, NULL, 0);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_ERR_NPY_HEADER);
}
END_TEST

START_TEST(unsupported_dtypes_are_npy_dtype)
{
    static const char *const bad[] = {">f4", ">f8", ">f2", "=f4", "|f4", "f4", "<i4", "<i8", "<u2",
                                      "|u1", "|i1", "<c8", "<c16", "|b1", "|O", "<f16", "<f4 ",
                                      "<F4", "<d", "<e", "float32", "<M8[ns]", "<U3", "|S4", ""};
    size_t k;
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); ++k) {
        char dict[256];
        snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (2, 2), }", bad[k]);
        CHECK_DICT(dict, MOSSA_ERR_NPY_DTYPE);
    }
    CHECK_DICT("{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2, 2), }",
               MOSSA_ERR_NPY_DTYPE);
    CHECK_DICT("{'descr': [('a', '<f4', (2,))], 'fortran_order': False, 'shape': (2, 2), }", MOSSA_ERR_NPY_DTYPE);
    CHECK_DICT("{'descr': 4, 'fortran_order': False, 'shape': (2, 2), }", MOSSA_ERR_NPY_DTYPE);
}
END_TEST

START_TEST(shapes_other_than_two_non_negative_dims_are_npy_shape)
{
    static const char *const bad[] = {"()", "(8,)", "(8)", "(2, 2, 2)", "(1, 2, 2, 1)", "(-1, 4)",
                                      "(4, -1)", "(-4, -4)", "(2, 2, 2, )", "(-99999999999999999999999, 1)"};
    size_t k;
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); ++k) {
        char dict[256];
        snprintf(dict, sizeof(dict), "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", bad[k]);
        CHECK_DICT(dict, MOSSA_ERR_NPY_SHAPE);
    }
}
END_TEST

START_TEST(overflowing_shapes_are_too_large)
{
    char dict[256];
    CHECK_DICT("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 1), }", MOSSA_ERR_TOO_LARGE);
    CHECK_DICT("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 340282366920938463463374607431768211457), }",
               MOSSA_ERR_TOO_LARGE);
    /* SIZE_MAX itself parses; the products overflow */
    snprintf(dict, sizeof(dict), "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, 2), }", (size_t)-1);
    CHECK_DICT(dict, MOSSA_ERR_TOO_LARGE);
    /* rows * cols fits, * 8 bytes does not */
    snprintf(dict, sizeof(dict), "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, 2), }", (size_t)-1 / 4);
    CHECK_DICT(dict, MOSSA_ERR_TOO_LARGE);
    /* float16 data fits in size_t, the float32 output would not */
    snprintf(dict, sizeof(dict), "{'descr': '<f2', 'fortran_order': True, 'shape': (%zu, 1), }", (size_t)-1 / 3);
    CHECK_DICT(dict, MOSSA_ERR_TOO_LARGE);
    /* large but representable, with no data behind it: truncated */
    snprintf(dict, sizeof(dict), "{'descr': '<f2', 'fortran_order': True, 'shape': (%zu, 1), }", (size_t)-1 / 8);
    CHECK_DICT(dict, MOSSA_ERR_NPY_TRUNCATED);
}
END_TEST

START_TEST(garbage_in_the_header_dict_is_npy_header)
{
    static const char *const bad[] = {
        "",
        "   ",
        "{",
        "}",
        "[1, 2]",
        "{}",
        "{,}",
        "{'descr': '<f4', 'fortran_order': False}",                                 /* no shape */
        "{'fortran_order': False, 'shape': (2, 2)}",                                /* no descr */
        "{'descr': '<f4', 'shape': (2, 2)}",                                        /* no order */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}",    /* extra key */
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}", /* repeated */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'shape': (2, 2)}",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 2)}",                 /* quotes */
        "{'descr\": '<f4', 'fortran_order': False, 'shape': (2, 2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)",                  /* no } */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} x",               /* junk after */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}}",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 2)}",                  /* no comma */
        "{'descr': '<f4',, 'fortran_order': False, 'shape': (2, 2)}",
        "{'descr' '<f4', 'fortran_order': False, 'shape': (2, 2)}",                  /* no colon */
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 2)}",
        "{'descr': '<f4', 'fortran_order': 'False', 'shape': (2, 2)}",
        "{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2, 2)}",
        "{'descr': '<f4', 'fortran_order': false, 'shape': (2, 2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 2]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2 2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2.0)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0x2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': 4}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': }",
        "{'descr': , 'fortran_order': False, 'shape': (2, 2)}",
        "{'descr': [('a', '<f4'), 'fortran_order': False, 'shape': (2, 2)}",        /* unbalanced */
        "{'descr': '<f\n4', 'fortran_order': False, 'shape': (2, 2)}",              /* newline in str */
        "{descr: '<f4', 'fortran_order': False, 'shape': (2, 2)}",
        "{'DESCR': '<f4', 'fortran_order': False, 'shape': (2, 2)}",
        "{b'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}",
        "{'desc\\r': '<f4', 'fortran_order': False, 'shape': (2, 2)}",
        "{'a_very_long_key_name_that_is_not_any_of_ours': 1, 'descr': '<f4'}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} \x01",
    };
    size_t k;
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); ++k) CHECK_DICT(bad[k], MOSSA_ERR_NPY_HEADER);
    {
        /* a NUL inside the padding is not whitespace */
        unsigned char img[256], zeros[16] = {0};
        const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} ";
        size_t n = build_npy(img, 1, dict, zeros, 16);
        float *x = NULL;
        size_t r, c;
        img[10 + strlen(dict) - 1] = 0;
        ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_ERR_NPY_HEADER);
    }
}
END_TEST

/* ---- sizes, slices, files --------------------------------------------------------- */
START_TEST(zero_rows_or_zero_cols_are_readable_empty_matrices)
{
    static const size_t shapes[][2] = {{0, 3}, {7, 0}, {0, 0}};
    size_t k;
    int fo;
    for (k = 0; k < 3; ++k)
        for (fo = 0; fo < 2; ++fo) {
            char dict[256];
            unsigned char img[256];
            float *x = NULL;
            size_t r = 9, c = 9, n, tot;
            snprintf(dict, sizeof(dict), "{'descr': '<f8', 'fortran_order': %s, 'shape': (%zu, %zu), }",
                     fo ? "True" : "False", shapes[k][0], shapes[k][1]);
            n = build_npy(img, 1, dict, NULL, 0);
            ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, &c), MOSSA_OK);
            ck_assert_ptr_nonnull(x);
            ck_assert_uint_eq(r, shapes[k][0]);
            ck_assert_uint_eq(c, shapes[k][1]);
            mossa_free(x, NULL);
            ck_assert_int_eq(test_write_file(test_path("z.npy"), img, n), 0);
            ck_assert_int_eq(mossa_npy_read(test_path("z.npy"), NULL, &x, &r, &c), MOSSA_OK);
            ck_assert_ptr_nonnull(x);
            ck_assert_uint_eq(r, shapes[k][0]);
            mossa_free(x, NULL);
            ck_assert_int_eq(mossa_npy_read_rows(test_path("z.npy"), 0, shapes[k][0], NULL, &x, &c, &tot), MOSSA_OK);
            ck_assert_uint_eq(tot, shapes[k][0]);
            ck_assert_uint_eq(c, shapes[k][1]);
            mossa_free(x, NULL);
        }
}
END_TEST

/* writes a rows x cols file of dtype isz in the given order holding
   ref[i*cols+j] (values exactly representable in every dtype) */
static void write_matrix_file(const char *path, const float *ref, size_t rows, size_t cols, int isz,
                              int fortran, int major)
{
    char dict[256];
    size_t i, j, n, dl;
    unsigned char *img = (unsigned char *)malloc(rows * cols * 8 + 512);
    snprintf(dict, sizeof(dict), "{'descr': '<f%d', 'fortran_order': %s, 'shape': (%zu, %zu), }\n", isz,
             fortran ? "True" : "False", rows, cols);
    n = build_npy(img, major, dict, NULL, 0);
    dl = n;
    for (i = 0; i < rows; ++i)
        for (j = 0; j < cols; ++j) {
            size_t at = dl + (fortran ? j * rows + i : i * cols + j) * (size_t)isz;
            float f = ref[i * cols + j];
            if (isz == 4) put_le(img + at, fbits(f), 4);
            else if (isz == 8) { double d = f; uint64_t b; memcpy(&b, &d, 8); put_le(img + at, b, 8); }
            else {
                /* f is k/8 with |k| < 2048: exact in binary16 */
                int e;
                double m = frexp(fabs((double)f), &e);
                unsigned h = f < 0 ? 0x8000u : 0;
                if (f != 0) h |= (unsigned)(e - 1 + 15) << 10 | ((unsigned)ldexp(m * 2 - 1, 10) & 1023);
                put_le(img + at, h, 2);
            }
        }
    ck_assert_int_eq(test_write_file(path, img, dl + rows * cols * (size_t)isz), 0);
    free(img);
}

START_TEST(read_rows_slices_equal_the_full_read)
{
    const size_t R = 37, C = 11;
    float ref[37 * 11];
    size_t i;
    int isz, fo;
    for (i = 0; i < R * C; ++i) ref[i] = (float)((int)(i * 7919 % 4001) - 2000) / 8.0f;
    for (isz = 2; isz <= 8; isz *= 2)
        for (fo = 0; fo < 2; ++fo) {
            float *full = NULL;
            size_t r, c, row0, nrows;
            write_matrix_file(test_path("s.npy"), ref, R, C, isz, fo, 1 + fo);
            ck_assert_int_eq(mossa_npy_read(test_path("s.npy"), NULL, &full, &r, &c), MOSSA_OK);
            ck_assert_uint_eq(r, R);
            ck_assert_uint_eq(c, C);
            ck_assert_uint_eq(first_diff(full, ref, R * C), R * C);
            for (row0 = 0; row0 <= R; row0 += 4)
                for (nrows = 0; row0 + nrows <= R; nrows += (nrows < 3 ? 1 : 9)) {
                    float *part = NULL;
                    size_t tot = 0, pc = 0;
                    ck_assert_int_eq(mossa_npy_read_rows(test_path("s.npy"), row0, nrows, NULL, &part, &pc, &tot),
                                     MOSSA_OK);
                    ck_assert_uint_eq(tot, R);
                    ck_assert_uint_eq(pc, C);
                    ck_assert_ptr_nonnull(part);
                    ck_assert_uint_eq(first_diff(part, full + row0 * C, nrows * C), nrows * C);
                    mossa_free(part, NULL);
                }
            mossa_free(full, NULL);
        }
}
END_TEST

START_TEST(tall_fortran_columns_beyond_the_transpose_buffer_read_correctly)
{
    /* float64 columns of 1.6 MB and 2.4 MB: the 4 MiB group buffer holds
       two of the first and only one of the second (then the columns are
       read in chunks and written with a stride) */
    static const size_t tall[] = {200000, 300000};
    const size_t C = 3;
    size_t t, i;
    for (t = 0; t < 2; ++t) {
        size_t R = tall[t], r, c, tot;
        float *ref = (float *)malloc(R * C * sizeof(float)), *x = NULL;
        for (i = 0; i < R * C; ++i) ref[i] = (float)((int)(i * 7919 % 4001) - 2000) * 0.125f;
        write_matrix_file(test_path("tall.npy"), ref, R, C, 8, 1, 1);
        ck_assert_int_eq(mossa_npy_read(test_path("tall.npy"), NULL, &x, &r, &c), MOSSA_OK);
        ck_assert_uint_eq(r, R);
        ck_assert_uint_eq(first_diff(x, ref, R * C), R * C);
        mossa_free(x, NULL);
        ck_assert_int_eq(mossa_npy_read_rows(test_path("tall.npy"), 12345, R - 20000, NULL, &x, &c, &tot), MOSSA_OK);
        ck_assert_uint_eq(first_diff(x, ref + 12345 * C, (R - 20000) * C), (R - 20000) * C);
        mossa_free(x, NULL);
        free(ref);
    }
}
END_TEST

START_TEST(read_rows_past_the_end_is_invalid_but_reports_the_shape)
{
    float ref[6 * 4] = {0};
    float *x = (float *)ref;
    size_t c = 0, tot = 0;
    write_matrix_file(test_path("p.npy"), ref, 6, 4, 4, 0, 1);
    ck_assert_int_eq(mossa_npy_read_rows(test_path("p.npy"), 5, 2, NULL, &x, &c, &tot), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(x);
    ck_assert_uint_eq(c, 4);
    ck_assert_uint_eq(tot, 6);
    ck_assert_int_eq(mossa_npy_read_rows(test_path("p.npy"), 7, 0, NULL, &x, &c, &tot), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_read_rows(test_path("p.npy"), 1, (size_t)-1, NULL, &x, &c, &tot),
                     MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_read_rows(test_path("p.npy"), 6, 0, NULL, &x, &c, &tot), MOSSA_OK);
    mossa_free(x, NULL);
    /* other failures report no shape */
    ck_assert_int_eq(mossa_npy_read_rows(test_path("absent.npy"), 0, 1, NULL, &x, &c, &tot), MOSSA_ERR_IO);
    ck_assert_uint_eq(c, 0);
    ck_assert_uint_eq(tot, 0);
}
END_TEST

START_TEST(read_rows_needs_the_whole_declared_data_in_a_seekable_file)
{
    float ref[6 * 4] = {0};
    unsigned char *img;
    size_t len, c, tot;
    float *x = NULL;
    write_matrix_file(test_path("q.npy"), ref, 6, 4, 4, 0, 1);
    img = slurp_bin(test_path("q.npy"), &len);
    ck_assert_int_eq(test_write_file(test_path("q.npy"), img, len - 1), 0);
    ck_assert_int_eq(mossa_npy_read_rows(test_path("q.npy"), 0, 1, NULL, &x, &c, &tot), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_ptr_null(x);
    free(img);
}
END_TEST

START_TEST(a_huge_declared_shape_fails_before_allocating_the_output)
{
    char dict[128];
    unsigned char img[256];
    float *x = NULL;
    size_t r, c, n;
    counting cnt;
    mossa_allocator a = counting_allocator(&cnt, -1);
    mossa_npy_info info;
    snprintf(dict, sizeof(dict), "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }");
    n = build_npy(img, 1, dict, "abcdefgh", 8);
    ck_assert_int_eq(test_write_file(test_path("big.npy"), img, n), 0);
    ck_assert_int_eq(mossa_npy_read(test_path("big.npy"), &a, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_int_eq(mossa_npy_decode(img, n, &a, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_int_eq(mossa_npy_read_rows(test_path("big.npy"), 0, 1, &a, &x, &c, &r), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_int_eq(mossa_npy_read_info(test_path("big.npy"), &info), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_uint_lt(cnt.largest, 4096);
    ck_assert_int_eq(cnt.live, 0);
}
END_TEST

/* Feeds bytes into a FIFO from a child process, so the reader sees a
   non-seekable stream (like `mossa cka <(python make.py) ...`). */
static pid_t feed_fifo(const char *fifo, const unsigned char *bytes, size_t len)
{
    pid_t pid;
    unlink(fifo);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *f = fopen(fifo, "wb");
        if (f) {
            size_t off = 0;
            while (off < len) { /* dribble in small writes */
                size_t m = len - off < 1000 ? len - off : 1000;
                if (fwrite(bytes + off, 1, m, f) != m) break;
                fflush(f);
                off += m;
            }
            fclose(f);
        }
        _exit(0);
    }
    return pid;
}

START_TEST(pipes_are_read_like_files)
{
    const size_t R = 300, C = 70;
    float *ref = (float *)malloc(R * C * sizeof(float));
    unsigned char *img;
    size_t len, i, r, c, tot;
    int isz, fo, status;
    counting cnt;
    mossa_allocator a = counting_allocator(&cnt, -1);
    for (i = 0; i < R * C; ++i) ref[i] = (float)((int)(i * 104729 % 4001) - 2000) / 4.0f; /* exact in float16 */
    for (isz = 2; isz <= 8; isz *= 2)
        for (fo = 0; fo < 2; ++fo) {
            float *x = NULL;
            pid_t pid;
            write_matrix_file(test_path("src.npy"), ref, R, C, isz, fo, 3);
            img = slurp_bin(test_path("src.npy"), &len);
            /* the seekable file itself: 70 columns = 4 transpose groups + 6 */
            ck_assert_int_eq(mossa_npy_read(test_path("src.npy"), &a, &x, &r, &c), MOSSA_OK);
            ck_assert_uint_eq(first_diff(x, ref, R * C), R * C);
            mossa_free(x, &a);
            ck_assert_int_eq(mossa_npy_read_rows(test_path("src.npy"), 101, 57, &a, &x, &c, &tot), MOSSA_OK);
            ck_assert_uint_eq(first_diff(x, ref + 101 * C, 57 * C), 57 * C);
            mossa_free(x, &a);
            pid = feed_fifo(test_path("fifo"), img, len);
            ck_assert_int_eq(mossa_npy_read(test_path("fifo"), &a, &x, &r, &c), MOSSA_OK);
            waitpid(pid, &status, 0);
            ck_assert_uint_eq(r, R);
            ck_assert_uint_eq(c, C);
            ck_assert_uint_eq(first_diff(x, ref, R * C), R * C);
            mossa_free(x, &a);
            /* a slice from the middle: the stream skips to it */
            pid = feed_fifo(test_path("fifo"), img, len);
            ck_assert_int_eq(mossa_npy_read_rows(test_path("fifo"), 101, 57, &a, &x, &c, &tot), MOSSA_OK);
            waitpid(pid, &status, 0);
            ck_assert_uint_eq(tot, R);
            ck_assert_uint_eq(first_diff(x, ref + 101 * C, 57 * C), 57 * C);
            mossa_free(x, &a);
            /* truncated stream */
            pid = feed_fifo(test_path("fifo"), img, len - 3);
            ck_assert_int_eq(mossa_npy_read(test_path("fifo"), &a, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
            waitpid(pid, &status, 0);
            ck_assert_ptr_null(x);
            free(img);
        }
    ck_assert_int_eq(cnt.live, 0);
    {
        /* a huge declared shape over a short pipe: memory follows the data */
        unsigned char big[256];
        float *x = NULL;
        pid_t pid;
        size_t n = build_npy(big, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }",
                             "0123456789abcdef", 16);
        cnt.largest = 0;
        pid = feed_fifo(test_path("fifo"), big, n);
        ck_assert_int_eq(mossa_npy_read(test_path("fifo"), &a, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
        waitpid(pid, &status, 0);
        ck_assert_uint_le(cnt.largest, 65536);
        ck_assert_int_eq(cnt.live, 0);
    }
    free(ref);
}
END_TEST

START_TEST(write_then_read_round_trips_every_bit)
{
    static const size_t shapes[][2] = {{1, 1}, {3, 1}, {1, 5}, {17, 33}, {1000, 3}, {0, 4}};
    size_t k, i;
    for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); ++k) {
        size_t r = shapes[k][0], c = shapes[k][1], rr, cc;
        float *x = test_random_floats(r * c, 77 + k, 1e3), *y = NULL;
        test_rng rng = test_rng_make(k);
        for (i = 0; i < r * c; i += 7) x[i] = bitsf((uint32_t)test_rng_next(&rng)); /* any bits: NaN, inf, subnormal */
        ck_assert_int_eq(mossa_npy_write(test_path("rt.npy"), x, r, c), MOSSA_OK);
        ck_assert_int_eq(mossa_npy_read(test_path("rt.npy"), NULL, &y, &rr, &cc), MOSSA_OK);
        ck_assert_uint_eq(rr, r);
        ck_assert_uint_eq(cc, c);
        for (i = 0; i < r * c; ++i) ck_assert_uint_eq(fbits(y[i]), fbits(x[i]));
        mossa_free(y, NULL);
        free(x);
    }
}
END_TEST

START_TEST(invalid_arguments_and_unreadable_or_unwritable_paths)
{
    float v = 1.0f, *x = NULL;
    size_t r, c, t;
    mossa_npy_info info;
    unsigned char img[256];
    size_t n = build_npy(img, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", &v, 4);
    ck_assert_int_eq(mossa_npy_decode(NULL, 5, NULL, &x, &r, &c), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, NULL, &r, &c), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, NULL, &c), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_decode(img, n, NULL, &x, &r, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_decode(NULL, 0, NULL, &x, &r, &c), MOSSA_ERR_NPY_TRUNCATED);
    ck_assert_int_eq(mossa_npy_parse_header(img, n, NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_read(NULL, NULL, &x, &r, &c), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_read(test_path("x.npy"), NULL, NULL, &r, &c), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_read_rows(NULL, 0, 1, NULL, &x, &c, &t), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_read_info(NULL, &info), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_read_info(test_path("x.npy"), NULL), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_write(NULL, &v, 1, 1), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_write(test_path("x.npy"), NULL, 1, 1), MOSSA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(mossa_npy_write(test_path("x.npy"), NULL, 0, 5), MOSSA_OK);
    ck_assert_int_eq(mossa_npy_write(test_path("x.npy"), &v, (size_t)-1, 2), MOSSA_ERR_TOO_LARGE);
    ck_assert_int_eq(mossa_npy_write(test_path("x.npy"), &v, (size_t)-1 / 2, 2), MOSSA_ERR_TOO_LARGE);
    /* files */
    ck_assert_int_eq(mossa_npy_read(test_path("no-such-file.npy"), NULL, &x, &r, &c), MOSSA_ERR_IO);
    ck_assert_int_eq(mossa_npy_read(test_tmpdir(), NULL, &x, &r, &c), MOSSA_ERR_IO); /* a directory */
    ck_assert_int_eq(mossa_npy_write(test_path("no-such-dir/x.npy"), &v, 1, 1), MOSSA_ERR_WRITE);
    ck_assert_int_eq(mossa_npy_write(test_tmpdir(), &v, 1, 1), MOSSA_ERR_WRITE);
    if (access("/dev/full", W_OK) == 0) /* the disk fills up mid-write */
        ck_assert_int_eq(mossa_npy_write("/dev/full", &v, 1, 1), MOSSA_ERR_WRITE);
    ck_assert_ptr_null(x);
}
END_TEST

START_TEST(the_allocator_is_used_and_every_allocation_failure_is_clean)
{
    /* fail each allocation in turn: OUT_OF_MEMORY, NULL output, nothing
       leaked; then the first call that is allowed everything succeeds */
    float ref[9 * 5];
    size_t i;
    int isz, fo;
    for (i = 0; i < 45; ++i) ref[i] = (float)i - 20.0f;
    for (isz = 2; isz <= 8; isz *= 2)
        for (fo = 0; fo < 2; ++fo) {
            unsigned char *img;
            size_t len;
            long k;
            write_matrix_file(test_path("a.npy"), ref, 9, 5, isz, fo, 2);
            img = slurp_bin(test_path("a.npy"), &len);
            for (k = 0;; ++k) {
                counting cnt;
                mossa_allocator a = counting_allocator(&cnt, k);
                float *x = NULL, *y = NULL, *z = NULL;
                size_t r, c, t;
                mossa_status s1 = mossa_npy_read(test_path("a.npy"), &a, &x, &r, &c);
                mossa_status s2 = mossa_npy_decode(img, len, &a, &y, &r, &c);
                mossa_status s3 = mossa_npy_read_rows(test_path("a.npy"), 2, 5, &a, &z, &c, &t);
                long calls = cnt.calls;
                if (s1 == MOSSA_OK) { for (i = 0; i < 45; ++i) ck_assert_float_eq(x[i], ref[i]); mossa_free(x, &a); }
                else { ck_assert_int_eq(s1, MOSSA_ERR_OUT_OF_MEMORY); ck_assert_ptr_null(x); }
                if (s2 == MOSSA_OK) mossa_free(y, &a);
                else { ck_assert_int_eq(s2, MOSSA_ERR_OUT_OF_MEMORY); ck_assert_ptr_null(y); }
                if (s3 == MOSSA_OK) { for (i = 0; i < 25; ++i) ck_assert_float_eq(z[i], ref[10 + i]); mossa_free(z, &a); }
                else { ck_assert_int_eq(s3, MOSSA_ERR_OUT_OF_MEMORY); ck_assert_ptr_null(z); }
                ck_assert_int_eq(cnt.live, 0);
                if (s1 == MOSSA_OK && s2 == MOSSA_OK && s3 == MOSSA_OK) {
                    ck_assert_int_gt(calls, 0); /* the allocator really was used */
                    break;
                }
                ck_assert_int_lt(k, 20);
            }
            free(img);
        }
}
END_TEST

Suite *suite_npy(void)
{
    Suite *s = suite_create("npy");
    TCase *fx = tcase_create("numpy-files");
    TCase *hb = tcase_create("hand-built");
    TCase *bad = tcase_create("malformed");
    TCase *io = tcase_create("files");
    tcase_add_test(fx, numpy_files_of_every_dtype_order_and_version_read_as_numpy_astype_float32);
    tcase_add_test(fx, decoding_numpy_files_in_memory_equals_reading_them);
    tcase_add_test(fx, written_files_are_byte_identical_to_numpy_save);
    tcase_add_test(fx, a_file_holding_two_saved_arrays_reads_the_first);
    tcase_add_test(fx, numpy_arrays_of_other_kinds_are_refused_with_their_reason);
    tcase_add_test(hb, hand_built_images_of_every_dtype_order_version_and_spelling_decode_correctly);
    tcase_add_test(hb, every_float16_value_converts_exactly);
    tcase_add_test(hb, float64_is_rounded_to_the_nearest_float32);
    tcase_add_test(hb, accepted_header_spellings);
    tcase_add_test(hb, parse_header_reports_shape_dtype_order_version_and_offset);
    tcase_add_test(bad, bad_magic_is_npy_magic_and_a_short_prefix_of_it_is_truncated);
    tcase_add_test(bad, unknown_versions_are_npy_version);
    tcase_add_test(bad, every_truncation_of_header_or_data_is_npy_truncated);
    tcase_add_test(bad, huge_header_lengths_are_refused_without_a_huge_allocation);
    tcase_add_test(bad, unsupported_dtypes_are_npy_dtype);
    tcase_add_test(bad, shapes_other_than_two_non_negative_dims_are_npy_shape);
    tcase_add_test(bad, overflowing_shapes_are_too_large);
    tcase_add_test(bad, garbage_in_the_header_dict_is_npy_header);
    tcase_add_test(io, zero_rows_or_zero_cols_are_readable_empty_matrices);
    tcase_add_test(io, read_rows_slices_equal_the_full_read);
    tcase_add_test(io, tall_fortran_columns_beyond_the_transpose_buffer_read_correctly);
    tcase_add_test(io, read_rows_past_the_end_is_invalid_but_reports_the_shape);
    tcase_add_test(io, read_rows_needs_the_whole_declared_data_in_a_seekable_file);
    tcase_add_test(io, a_huge_declared_shape_fails_before_allocating_the_output);
    tcase_add_test(io, pipes_are_read_like_files);
    tcase_add_test(io, write_then_read_round_trips_every_bit);
    tcase_add_test(io, invalid_arguments_and_unreadable_or_unwritable_paths);
    tcase_add_test(io, the_allocator_is_used_and_every_allocation_failure_is_clean);
    tcase_set_timeout(fx, 60);
    tcase_set_timeout(hb, 120);
    tcase_set_timeout(bad, 120);
    tcase_set_timeout(io, 120);
    suite_add_tcase(s, fx);
    suite_add_tcase(s, hb);
    suite_add_tcase(s, bad);
    suite_add_tcase(s, io);
    return s;
}
