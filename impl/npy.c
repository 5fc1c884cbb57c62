/* npy.c - .npy reading and writing: the library's only file access.
   Format reference: numpy/lib/format.py (NEP 1). Every length that comes
   from the file is checked against the bytes actually present before it
   is used, and every size product goes through mossa__mul_overflows. */

#define MOSSA__NPY_MAGIC_LEN 6
/* numpy writes ~128-byte headers for a 2-D array; anything near this cap
   is hostile or broken, and refusing it bounds the header allocation. */
#define MOSSA__NPY_MAX_HEADER ((size_t)1 << 20)
/* numpy's GROWTH_AXIS_MAX_DIGITS and ARRAY_ALIGN (format.py) */
#define MOSSA__NPY_GROWTH_DIGITS 21
#define MOSSA__NPY_ALIGN 64

#if defined(__linux__) && !defined(MOSSA_NO_HUGEPAGES)
#include <sys/mman.h>
#define MOSSA__NPY_HUGEPAGES 1
#ifdef MADV_HUGEPAGE
#define MOSSA__MADV_HUGEPAGE MADV_HUGEPAGE
#else
/* Strict -std=c99 hides the Linux-only part of <sys/mman.h>; the call and
   the constant are the same on every Linux ABI (uapi mman-common.h). */
#define MOSSA__MADV_HUGEPAGE 14
#ifdef __cplusplus
extern "C"
#endif
int madvise(void *addr, size_t length, int advice);
#endif
#endif

/* Asks Linux for transparent huge pages on a large output before it is
   first touched, as numpy does for arrays of 4 MiB and more: on virtual
   machines 4 KiB page faults and TLB misses can cost several times the
   read itself (measured: 10x for a 160 MB float32 file). Only for the
   default allocator, whose memory mossa knows the nature of. Advice
   only; failure changes nothing. */
static void mossa__npy_advise(const mossa_allocator *allocator, void *p, size_t bytes)
{
#ifdef MOSSA__NPY_HUGEPAGES
    if (p && bytes >= ((size_t)4 << 20) && (!allocator || !allocator->alloc)) {
        /* 64 KiB alignment suits both 4 KiB and 64 KiB page kernels */
        size_t skip = (size_t)(65536 - (uintptr_t)p % 65536) % 65536;
        (void)madvise((char *)p + skip, bytes - skip, MOSSA__MADV_HUGEPAGE);
    }
#else
    (void)allocator; (void)p; (void)bytes;
#endif
}

MOSSA_DEF void mossa_free(void *ptr, const mossa_allocator *allocator)
{
    mossa__ctx ctx;
    ctx.allocator = allocator;
    ctx.n_threads = 1;
    ctx.pool = NULL;
    mossa__free(&ctx, ptr);
}

static int mossa__npy_host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- header ---------------------------------------------------------------
   Magic, version and header length. *prefix gets 10 (v1) or 12 (v2/3). */
static mossa_status mossa__npy_prefix(const unsigned char *b, size_t len, int *major,
                                      size_t *prefix, size_t *header_len)
{
    static const unsigned char magic[MOSSA__NPY_MAGIC_LEN] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    size_t n = MOSSA__MIN(len, (size_t)MOSSA__NPY_MAGIC_LEN);
    /* A short buffer that agrees with the magic so far is a truncated
       .npy file; one that disagrees is not a .npy file at all. */
    if (memcmp(b, magic, n) != 0) return MOSSA_ERR_NPY_MAGIC;
    if (len < 8) return MOSSA_ERR_NPY_TRUNCATED;
    if ((b[6] != 1 && b[6] != 2 && b[6] != 3) || b[7] != 0) return MOSSA_ERR_NPY_VERSION;
    *major = b[6];
    *prefix = b[6] == 1 ? 10 : 12;
    if (len < *prefix) return MOSSA_ERR_NPY_TRUNCATED;
    if (b[6] == 1)
        *header_len = (size_t)b[8] | (size_t)b[9] << 8;
    else {
        uint32_t h = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
        if (h > MOSSA__NPY_MAX_HEADER) return MOSSA_ERR_NPY_HEADER;
        *header_len = (size_t)h;
    }
    return MOSSA_OK;
}

/* A tiny scanner for the Python literal numpy writes. It never looks
   past `end`; it is a recogniser for the one shape of dict we accept,
   not a Python parser. */
typedef struct mossa__npy_scan {
    const unsigned char *p, *end;
} mossa__npy_scan;

static void mossa__npy_ws(mossa__npy_scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
                             *s->p == '\r' || *s->p == '\f'))
        ++s->p;
}

/* A quoted string; its first cap-1 characters go to buf (NUL-ended) and
   *fits says whether all of it did. No escapes: a backslash makes the
   string unusable (it can match nothing we accept). */
static int mossa__npy_string(mossa__npy_scan *s, char *buf, size_t cap, int *fits)
{
    unsigned char q;
    size_t n = 0;
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"')) return 0;
    q = *s->p++;
    *fits = 1;
    while (s->p < s->end && *s->p != q) {
        unsigned char c = *s->p++;
        if (c == '\n' || c == '\r' || c == 0) return 0; /* Python strings cannot span lines */
        if (c == '\\') *fits = 0;
        if (n + 1 < cap) buf[n++] = (char)c;
        else *fits = 0;
    }
    if (s->p >= s->end) return 0; /* unterminated */
    ++s->p;
    buf[n] = 0;
    return 1;
}

static int mossa__npy_word(mossa__npy_scan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0) return 0;
    /* "Falsey" is not False */
    if ((size_t)(s->end - s->p) > n) {
        unsigned char c = s->p[n];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
            return 0;
    }
    s->p += n;
    return 1;
}

/* Skips one value we do not interpret (a structured descr such as
   [('a', '<f4')]): balanced brackets and strings up to a ',' or '}' at
   depth 0. Returns 0 on unbalanced input. */
static int mossa__npy_skip_value(mossa__npy_scan *s)
{
    int depth = 0;
    char tmp[2];
    int fits;
    while (s->p < s->end) {
        unsigned char c = *s->p;
        if (c == '\'' || c == '"') {
            if (!mossa__npy_string(s, tmp, sizeof(tmp), &fits)) return 0;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0) return c == '}';
            --depth;
        } else if (c == ',' && depth == 0) return 1;
        ++s->p;
    }
    return 0;
}

typedef struct mossa__npy_shape {
    int ndim;        /* -1: not a tuple */
    size_t dim[2];
    int negative, overflow;
} mossa__npy_shape;

/* '(' [int (',' int)* [',']] ')' where a lone int needs its comma, as
   in Python. Integers: optional '-', digits, optional L (Python 2). */
static int mossa__npy_shape_tuple(mossa__npy_scan *s, mossa__npy_shape *sh)
{
    int commas_after_last = 0, n = 0;
    sh->ndim = 0;
    sh->negative = sh->overflow = 0;
    sh->dim[0] = sh->dim[1] = 0;
    if (s->p >= s->end || *s->p != '(') return 0;
    ++s->p;
    for (;;) {
        size_t v = 0;
        int neg = 0, digits = 0;
        mossa__npy_ws(s);
        if (s->p < s->end && *s->p == ')') break;
        if (n > 0 && !commas_after_last) return 0; /* "(3 4)" */
        if (s->p < s->end && *s->p == '-') { neg = 1; ++s->p; mossa__npy_ws(s); }
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            size_t d = (size_t)(*s->p - '0');
            if (v > ((size_t)-1 - d) / 10) sh->overflow = 1;
            else v = v * 10 + d;
            ++digits;
            ++s->p;
        }
        if (!digits) return 0;
        if (s->p < s->end && (*s->p == 'L' || *s->p == 'l')) ++s->p;
        if (neg && v != 0) sh->negative = 1;
        if (n < 2) sh->dim[n] = v;
        ++n;
        mossa__npy_ws(s);
        commas_after_last = 0;
        if (s->p < s->end && *s->p == ',') { ++s->p; commas_after_last = 1; }
    }
    ++s->p; /* ')' */
    /* "(3)" is the int 3, not a tuple */
    sh->ndim = (n == 1 && !commas_after_last) ? -1 : n;
    return 1;
}

MOSSA_DEF mossa_status mossa_npy_parse_header(const void *buf, size_t len, mossa_npy_info *info)
{
    const unsigned char *b = (const unsigned char *)buf;
    mossa__npy_scan s;
    mossa__npy_shape shape;
    size_t prefix = 0, header_len = 0, elems, bytes, out_bytes;
    int major = 0, have_descr = 0, have_fortran = 0, have_shape = 0;
    int fortran = 0, dtype_bytes = 0;
    mossa_status st;

    if (!info) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(info, 0, sizeof(*info));
    if (!buf && len) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!buf) return MOSSA_ERR_NPY_TRUNCATED;
    st = mossa__npy_prefix(b, len, &major, &prefix, &header_len);
    if (st != MOSSA_OK) return st;
    if (len - prefix < header_len) return MOSSA_ERR_NPY_TRUNCATED;

    shape.ndim = 0;
    s.p = b + prefix;
    s.end = b + prefix + header_len;
    mossa__npy_ws(&s);
    if (s.p >= s.end || *s.p != '{') return MOSSA_ERR_NPY_HEADER;
    ++s.p;
    for (;;) {
        char key[16], val[8];
        int fits;
        mossa__npy_ws(&s);
        if (s.p < s.end && *s.p == '}') break;
        if (!mossa__npy_string(&s, key, sizeof(key), &fits)) return MOSSA_ERR_NPY_HEADER;
        mossa__npy_ws(&s);
        if (s.p >= s.end || *s.p != ':') return MOSSA_ERR_NPY_HEADER;
        ++s.p;
        mossa__npy_ws(&s);
        if (fits && strcmp(key, "descr") == 0 && !have_descr) {
            have_descr = 1;
            if (s.p < s.end && (*s.p == '\'' || *s.p == '"')) {
                if (!mossa__npy_string(&s, val, sizeof(val), &fits)) return MOSSA_ERR_NPY_HEADER;
                if (fits && strcmp(val, "<f2") == 0) dtype_bytes = 2;
                else if (fits && strcmp(val, "<f4") == 0) dtype_bytes = 4;
                else if (fits && strcmp(val, "<f8") == 0) dtype_bytes = 8;
            } else {
                /* a structured dtype (a list) or a number: parse past it */
                const unsigned char *start = s.p;
                if (!mossa__npy_skip_value(&s) || s.p == start) return MOSSA_ERR_NPY_HEADER;
            }
        } else if (fits && strcmp(key, "fortran_order") == 0 && !have_fortran) {
            have_fortran = 1;
            if (mossa__npy_word(&s, "True")) fortran = 1;
            else if (mossa__npy_word(&s, "False")) fortran = 0;
            else return MOSSA_ERR_NPY_HEADER;
        } else if (fits && strcmp(key, "shape") == 0 && !have_shape) {
            have_shape = 1;
            if (!mossa__npy_shape_tuple(&s, &shape)) return MOSSA_ERR_NPY_HEADER;
        } else {
            return MOSSA_ERR_NPY_HEADER; /* unknown or repeated key */
        }
        mossa__npy_ws(&s);
        if (s.p < s.end && *s.p == ',') { ++s.p; continue; }
        if (s.p < s.end && *s.p == '}') break;
        return MOSSA_ERR_NPY_HEADER;
    }
    ++s.p; /* '}' */
    mossa__npy_ws(&s);
    if (s.p != s.end) return MOSSA_ERR_NPY_HEADER;
    if (!have_descr || !have_fortran || !have_shape) return MOSSA_ERR_NPY_HEADER;
    if (!dtype_bytes) return MOSSA_ERR_NPY_DTYPE;
    if (shape.ndim != 2 || shape.negative) return MOSSA_ERR_NPY_SHAPE;
    if (shape.overflow) return MOSSA_ERR_TOO_LARGE;
    /* The float32 output may be larger than the data (float16 input). */
    if (mossa__mul_overflows(shape.dim[0], shape.dim[1], &elems) ||
        mossa__mul_overflows(elems, (size_t)dtype_bytes, &bytes) ||
        mossa__mul_overflows(elems, sizeof(float), &out_bytes) ||
        bytes > (size_t)-1 - (prefix + header_len))
        return MOSSA_ERR_TOO_LARGE;

    info->rows = shape.dim[0];
    info->cols = shape.dim[1];
    info->dtype_bytes = dtype_bytes;
    info->fortran_order = fortran;
    info->version_major = major;
    info->data_offset = prefix + header_len;
    info->data_bytes = bytes;
    return MOSSA_OK;
}

/* ---- conversion ------------------------------------------------------------ */
/* binary16 -> binary32 is exact: every half is a float. Bit-level, so
   it does not depend on the host's half support; NaN payloads are kept
   (shifted), as numpy's npy_halfbits_to_floatbits does. */
static float mossa__npy_half(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (uint32_t)(h >> 10) & 0x1fu, m = (uint32_t)h & 0x3ffu, bits;
    float f;
    if (e == 0x1f) {
        bits = sign | 0x7f800000u | (m << 13);
    } else if (e != 0) {
        bits = sign | ((e + 112u) << 23) | (m << 13); /* rebias 15 -> 127 */
    } else if (m == 0) {
        bits = sign;
    } else {
        /* subnormal m * 2^-24: shift the leading one into the implicit
           bit; 2^-14 (the smallest normal half) is float exponent 113 */
        uint32_t fe = 113;
        while (!(m & 0x400u)) { m <<= 1; --fe; }
        bits = sign | (fe << 23) | ((m & 0x3ffu) << 13);
    }
    memcpy(&f, &bits, sizeof(f));
    return f;
}

/* One little-endian element of isz bytes as float32. The float64 ->
   float32 cast rounds to nearest (IEEE 754 / C Annex F; out-of-range
   values become +-inf). The byte assembly compiles to plain loads. */
static float mossa__npy_load1(const unsigned char *q, int isz)
{
    float v;
    if (isz == 2) {
        v = mossa__npy_half((uint16_t)(q[0] | q[1] << 8));
    } else if (isz == 4) {
        uint32_t u = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        memcpy(&v, &u, 4);
    } else {
        uint64_t u = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24 |
                     (uint64_t)q[4] << 32 | (uint64_t)q[5] << 40 | (uint64_t)q[6] << 48 | (uint64_t)q[7] << 56;
        double d;
        memcpy(&d, &u, 8);
        v = (float)d;
    }
    return v;
}

/* count elements from src into dst[i*stride] */
static void mossa__npy_convert(const unsigned char *src, size_t count, int isz, int host_le,
                               float *dst, size_t stride)
{
    size_t i;
    if (isz == 4 && stride == 1 && host_le) {
        memcpy(dst, src, count * 4);
        return;
    }
    if (isz == 8 && stride == 1 && host_le) {
        /* separate loop so that the compiler vectorises the conversion */
        for (i = 0; i < count; ++i) {
            double d;
            memcpy(&d, src + 8 * i, 8);
            dst[i] = (float)d;
        }
        return;
    }
    for (i = 0; i < count; ++i) dst[i * stride] = mossa__npy_load1(src + i * (size_t)isz, isz);
}

/* Fortran order is transposed a group of columns at a time: writing one
   column straight into a row-major output touches a new cache line (and,
   for wide matrices, a new page) per element; walking k columns side by
   side writes each output row segment once, contiguously. Column j of
   the group has nrows elements at src + j*col_bytes. */
#define MOSSA__NPY_GROUP 16
static void mossa__npy_convert_cols(const unsigned char *src, size_t col_bytes, size_t k,
                                    size_t nrows, int isz, float *out, size_t cols)
{
    size_t r, j;
    for (r = 0; r < nrows; ++r) {
        const unsigned char *q = src + r * (size_t)isz;
        float *o = out + r * cols;
        for (j = 0; j < k; ++j) o[j] = mossa__npy_load1(q + j * col_bytes, isz);
    }
}

/* Converts rows [row0, row0 + nrows) from data, which holds the file's
   data bytes from offset `base` (relative to the data start) on. */
static void mossa__npy_convert_slice(const mossa_npy_info *info, const unsigned char *data,
                                     size_t base, size_t row0, size_t nrows, float *out)
{
    size_t isz = (size_t)info->dtype_bytes, c0;
    /* no overflow: every offset is inside rows*cols*isz, checked by the
       header parser */
    if (nrows == 0 || info->cols == 0) return;
    if (!info->fortran_order) {
        mossa__npy_convert(data + (row0 * info->cols * isz - base), nrows * info->cols,
                           info->dtype_bytes, mossa__npy_host_is_le(), out, 1);
        return;
    }
    for (c0 = 0; c0 < info->cols; c0 += MOSSA__NPY_GROUP) {
        size_t k = MOSSA__MIN((size_t)MOSSA__NPY_GROUP, info->cols - c0);
        mossa__npy_convert_cols(data + ((c0 * info->rows + row0) * isz - base), info->rows * isz, k,
                                nrows, info->dtype_bytes, out + c0, info->cols);
    }
}

MOSSA_DEF mossa_status mossa_npy_decode(const void *buf, size_t len, const mossa_allocator *allocator,
                                        float **out, size_t *rows, size_t *cols)
{
    mossa_npy_info info;
    mossa__ctx ctx;
    mossa_status st;
    float *x;
    if (out) *out = NULL;
    if (rows) *rows = 0;
    if (cols) *cols = 0;
    if (!out || !rows || !cols || (!buf && len)) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa_npy_parse_header(buf, len, &info);
    if (st != MOSSA_OK) return st;
    if (len - info.data_offset < info.data_bytes) return MOSSA_ERR_NPY_TRUNCATED;
    st = mossa__ctx_begin(&ctx, 1, allocator);
    if (st != MOSSA_OK) return st;
    x = (float *)mossa__alloc(&ctx, info.rows * info.cols * sizeof(float));
    if (!x) { mossa__ctx_end(&ctx); return MOSSA_ERR_OUT_OF_MEMORY; }
    mossa__npy_advise(allocator, x, info.rows * info.cols * sizeof(float));
    mossa__npy_convert_slice(&info, (const unsigned char *)buf + info.data_offset, 0, 0,
                             info.rows, x);
    mossa__ctx_end(&ctx);
    *out = x;
    *rows = info.rows;
    *cols = info.cols;
    return MOSSA_OK;
}

#ifndef MOSSA_NO_STDIO
/* ---- files ----------------------------------------------------------------- */
/* Reads up to n bytes; MOSSA_ERR_IO on a read error, NPY_TRUNCATED at EOF. */
static mossa_status mossa__npy_fread(FILE *f, void *dst, size_t n)
{
    size_t got = n ? fread(dst, 1, n, f) : 0;
    if (got == n) return MOSSA_OK;
    return ferror(f) ? MOSSA_ERR_IO : MOSSA_ERR_NPY_TRUNCATED;
}

/* Opens path and parses its header. Leaves the stream just after the
   header; *size is the file size, or -1 when it cannot be known (pipes),
   in which case the stream is still positioned right after the header. */
static mossa_status mossa__npy_open(const char *path, mossa__ctx *ctx, FILE **fp,
                                    mossa_npy_info *info, long *size)
{
    unsigned char pre[12];
    unsigned char *hdr;
    size_t got, prefix = 0, header_len = 0, total;
    int major = 0;
    mossa_status st;
    FILE *f;

    *fp = NULL;
    *size = -1;
    if (!path) return MOSSA_ERR_INVALID_ARGUMENT;
    f = fopen(path, "rb");
    if (!f) return MOSSA_ERR_IO;
    /* The file size, so that a huge declared shape is refused before the
       output is allocated. Asked before reading anything: fseek fails on
       pipes, which are then read as a stream from where they are. */
    if (fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        /* end < 0: a file beyond LONG_MAX on a platform with a 32-bit long */
        if (end < 0) { fclose(f); return MOSSA_ERR_TOO_LARGE; }
        if (fseek(f, 0, SEEK_SET) != 0) { fclose(f); return MOSSA_ERR_IO; }
        *size = end;
    } else {
        clearerr(f);
    }
    got = fread(pre, 1, 8, f);
    if (got < 8 && ferror(f)) { fclose(f); return MOSSA_ERR_IO; }
    st = mossa__npy_prefix(pre, got, &major, &prefix, &header_len);
    if (st == MOSSA_ERR_NPY_TRUNCATED && got == 8) {
        got += fread(pre + 8, 1, major == 1 ? 2 : 4, f);
        if (ferror(f)) { fclose(f); return MOSSA_ERR_IO; }
        st = mossa__npy_prefix(pre, got, &major, &prefix, &header_len);
    }
    if (st != MOSSA_OK) { fclose(f); return st; }
    /* header_len <= 1 MiB here (v1 is at most 65535 by construction) */
    total = prefix + header_len;
    hdr = (unsigned char *)mossa__alloc(ctx, total);
    if (!hdr) { fclose(f); return MOSSA_ERR_OUT_OF_MEMORY; }
    memcpy(hdr, pre, prefix);
    st = mossa__npy_fread(f, hdr + prefix, header_len);
    if (st == MOSSA_OK) st = mossa_npy_parse_header(hdr, total, info);
    mossa__free(ctx, hdr);
    if (st != MOSSA_OK) { fclose(f); return st; }

    if (*size >= 0 && ((unsigned long)*size < info->data_offset ||
                       (size_t)((unsigned long)*size - info->data_offset) < info->data_bytes)) {
        fclose(f);
        return MOSSA_ERR_NPY_TRUNCATED;
    }
    *fp = f;
    return MOSSA_OK;
}

/* Seekable file: C order is read from the slice's offset through a small
   staging buffer (or straight into the output when no conversion is
   needed). Fortran order is read a group of columns at a time into a
   staging buffer of at most 4 MiB (one fread when the slice is all rows,
   one per column otherwise) and transposed from there; a column too
   tall for the group buffer is read in chunks and written with a stride. */
static mossa_status mossa__npy_read_seekable(FILE *f, mossa__ctx *ctx, const mossa_npy_info *info,
                                             size_t row0, size_t nrows, float *out)
{
    unsigned char small[16384];
    unsigned char *stage;
    size_t isz = (size_t)info->dtype_bytes, col_bytes = nrows * isz, group, c0, j;
    int le = mossa__npy_host_is_le();
    mossa_status st = MOSSA_OK;
    if (nrows == 0 || info->cols == 0) return MOSSA_OK;
    /* offsets fit in long: the file size (a long) covers the data */
    if (!info->fortran_order) {
        size_t count = nrows * info->cols, done = 0;
        if (fseek(f, (long)(info->data_offset + row0 * info->cols * isz), SEEK_SET) != 0) return MOSSA_ERR_IO;
        if (isz == 4 && le) return mossa__npy_fread(f, out, count * 4); /* bytes as they are */
        while (done < count) {
            size_t m = MOSSA__MIN(sizeof(small) / isz, count - done);
            MOSSA__CHECK(mossa__npy_fread(f, small, m * isz));
            mossa__npy_convert(small, m, info->dtype_bytes, le, out + done, 1);
            done += m;
        }
        return MOSSA_OK;
    }
    group = MOSSA__MIN((size_t)MOSSA__NPY_GROUP, info->cols);
    if (group * col_bytes > ((size_t)4 << 20)) group = ((size_t)4 << 20) / col_bytes;
    if (group <= 1) {
        for (c0 = 0; c0 < info->cols; ++c0) {
            size_t done = 0;
            if (fseek(f, (long)(info->data_offset + (c0 * info->rows + row0) * isz), SEEK_SET) != 0)
                return MOSSA_ERR_IO;
            while (done < nrows) {
                size_t m = MOSSA__MIN(sizeof(small) / isz, nrows - done);
                MOSSA__CHECK(mossa__npy_fread(f, small, m * isz));
                mossa__npy_convert(small, m, info->dtype_bytes, le, out + done * info->cols + c0, info->cols);
                done += m;
            }
        }
        return MOSSA_OK;
    }
    stage = (unsigned char *)mossa__alloc(ctx, group * col_bytes);
    if (!stage) return MOSSA_ERR_OUT_OF_MEMORY;
    for (c0 = 0; c0 < info->cols && st == MOSSA_OK; c0 += group) {
        size_t k = MOSSA__MIN(group, info->cols - c0);
        for (j = 0; j < k && st == MOSSA_OK; ++j) {
            /* all rows: the k columns are one contiguous run */
            if (j > 0 && nrows == info->rows) break;
            if (fseek(f, (long)(info->data_offset + ((c0 + j) * info->rows + row0) * isz), SEEK_SET) != 0)
                st = MOSSA_ERR_IO;
            else
                st = mossa__npy_fread(f, stage + j * col_bytes, nrows == info->rows ? k * col_bytes : col_bytes);
        }
        if (st == MOSSA_OK)
            mossa__npy_convert_cols(stage, col_bytes, k, nrows, info->dtype_bytes, out + c0, info->cols);
    }
    mossa__free(ctx, stage);
    return st;
}

/* Non-seekable stream (a pipe): read the bytes from the data start to the
   slice's end into a buffer that doubles as data arrives, so a header
   declaring terabytes over a short pipe ends in NPY_TRUNCATED, not in a
   terabyte allocation. *raw gets the buffer, *base the byte offset (from
   the data start) of its first byte. */
static mossa_status mossa__npy_read_stream(FILE *f, mossa__ctx *ctx, const mossa_npy_info *info,
                                           size_t row0, size_t nrows, unsigned char **raw,
                                           size_t *base)
{
    size_t isz = (size_t)info->dtype_bytes, first, last, need, have = 0, cap = 0;
    unsigned char *buf = NULL;
    *raw = NULL;
    *base = 0;
    if (nrows == 0 || info->cols == 0) return MOSSA_OK;
    if (info->fortran_order) {
        first = row0 * isz;
        last = ((info->cols - 1) * info->rows + row0 + nrows) * isz;
    } else {
        first = row0 * info->cols * isz;
        last = (row0 + nrows) * info->cols * isz;
    }
    /* skip to the slice */
    while (have < first) {
        unsigned char skip[4096];
        size_t m = MOSSA__MIN(sizeof(skip), first - have);
        MOSSA__CHECK(mossa__npy_fread(f, skip, m));
        have += m;
    }
    need = last - first;
    have = 0;
    while (have < need) {
        size_t m;
        mossa_status st;
        if (have == cap) {
            size_t ncap = cap ? (cap > need / 2 ? need : cap * 2) : MOSSA__MIN(need, (size_t)65536);
            unsigned char *nb = (unsigned char *)mossa__alloc(ctx, ncap);
            if (!nb) { mossa__free(ctx, buf); return MOSSA_ERR_OUT_OF_MEMORY; }
            if (have) memcpy(nb, buf, have);
            mossa__free(ctx, buf);
            buf = nb;
            cap = ncap;
        }
        m = cap - have;
        st = mossa__npy_fread(f, buf + have, m);
        if (st != MOSSA_OK) { mossa__free(ctx, buf); return st; }
        have += m;
    }
    *raw = buf;
    *base = first;
    return MOSSA_OK;
}

static mossa_status mossa__npy_read_slice(const char *path, size_t row0, size_t nrows, int whole,
                                          const mossa_allocator *allocator, float **out,
                                          mossa_npy_info *info)
{
    mossa__ctx ctx;
    FILE *f = NULL;
    long size;
    float *x = NULL;
    unsigned char *raw = NULL;
    size_t base = 0;
    mossa_status st;

    st = mossa__ctx_begin(&ctx, 1, allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__npy_open(path, &ctx, &f, info, &size);
    if (st != MOSSA_OK) { mossa__ctx_end(&ctx); return st; }
    if (whole) nrows = info->rows;
    if (row0 > info->rows || nrows > info->rows - row0) {
        fclose(f);
        mossa__ctx_end(&ctx);
        return MOSSA_ERR_INVALID_ARGUMENT;
    }
    if (size < 0) st = mossa__npy_read_stream(f, &ctx, info, row0, nrows, &raw, &base);
    if (st == MOSSA_OK) {
        /* nrows * cols * 4 <= rows * cols * 4, checked by the parser */
        x = (float *)mossa__alloc(&ctx, nrows * info->cols * sizeof(float));
        if (!x) st = MOSSA_ERR_OUT_OF_MEMORY;
        else mossa__npy_advise(allocator, x, nrows * info->cols * sizeof(float));
    }
    if (st == MOSSA_OK) {
        if (size < 0) mossa__npy_convert_slice(info, raw, base, row0, nrows, x);
        else st = mossa__npy_read_seekable(f, &ctx, info, row0, nrows, x);
    }
    mossa__free(&ctx, raw);
    fclose(f);
    if (st != MOSSA_OK) { mossa__free(&ctx, x); x = NULL; }
    mossa__ctx_end(&ctx);
    *out = x;
    return st;
}

MOSSA_DEF mossa_status mossa_npy_read(const char *path, const mossa_allocator *allocator,
                                      float **out, size_t *rows, size_t *cols)
{
    mossa_npy_info info;
    mossa_status st;
    if (out) *out = NULL;
    if (rows) *rows = 0;
    if (cols) *cols = 0;
    if (!path || !out || !rows || !cols) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__npy_read_slice(path, 0, 0, 1, allocator, out, &info);
    if (st != MOSSA_OK) return st;
    *rows = info.rows;
    *cols = info.cols;
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_npy_read_info(const char *path, mossa_npy_info *info)
{
    mossa__ctx ctx;
    FILE *f;
    long size;
    mossa_status st;
    if (!info) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(info, 0, sizeof(*info));
    if (!path) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, 1, NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__npy_open(path, &ctx, &f, info, &size);
    if (st == MOSSA_OK) fclose(f);
    else memset(info, 0, sizeof(*info));
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_npy_read_rows(const char *path, size_t row0, size_t nrows,
                                           const mossa_allocator *allocator, float **out,
                                           size_t *cols, size_t *total_rows)
{
    mossa_npy_info info;
    mossa_status st;
    if (out) *out = NULL;
    if (cols) *cols = 0;
    if (total_rows) *total_rows = 0;
    if (!path || !out || !cols || !total_rows) return MOSSA_ERR_INVALID_ARGUMENT;
    memset(&info, 0, sizeof(info));
    st = mossa__npy_read_slice(path, row0, nrows, 0, allocator, out, &info);
    if (st == MOSSA_OK || st == MOSSA_ERR_INVALID_ARGUMENT) {
        /* also for a slice past the end: the caller learns the shape */
        *cols = info.cols;
        *total_rows = info.rows;
    }
    return st;
}

/* Decimal digits of v into p (no NUL); returns the count. */
static size_t mossa__npy_utoa(size_t v, char *p)
{
    char tmp[24];
    size_t n = 0, i;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (i = 0; i < n; ++i) p[i] = tmp[n - 1 - i];
    return n;
}

MOSSA_DEF mossa_status mossa_npy_write(const char *path, const float *x, size_t rows, size_t cols)
{
    /* numpy's _write_array_header: the dict with sorted keys, spare spaces
       so the row count can grow in place (GROWTH_AXIS_MAX_DIGITS), then
       spaces and '\n' up to a multiple of ARRAY_ALIGN. Even when already
       aligned numpy adds a full 64 bytes; so do we, to match its bytes. */
    static const char head[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    char h[256];
    size_t n = 0, d, hlen, pad, elems, bytes, i;
    mossa__ctx ctx;
    mossa_status st;
    FILE *f;
    int ok;

    if (!path || (!x && (rows && cols))) return MOSSA_ERR_INVALID_ARGUMENT;
    if (mossa__mul_overflows(rows, cols, &elems) || mossa__mul_overflows(elems, 4, &bytes))
        return MOSSA_ERR_TOO_LARGE;
    st = mossa__ctx_begin(&ctx, 1, NULL); /* reports a bad MOSSA_SIMD like every entry point */
    mossa__ctx_end(&ctx);
    if (st != MOSSA_OK) return st;

    memcpy(h, "\x93NUMPY\x01\x00", 8);
    n = 10;
    memcpy(h + n, head, sizeof(head) - 1);
    n += sizeof(head) - 1;
    d = mossa__npy_utoa(rows, h + n);
    n += d;
    h[n++] = ',';
    h[n++] = ' ';
    n += mossa__npy_utoa(cols, h + n);
    memcpy(h + n, "), }", 4);
    n += 4;
    for (i = d; i < MOSSA__NPY_GROWTH_DIGITS; ++i) h[n++] = ' ';
    hlen = n - 10 + 1;
    pad = MOSSA__NPY_ALIGN - (10 + hlen) % MOSSA__NPY_ALIGN;
    for (i = 0; i < pad; ++i) h[n++] = ' ';
    h[n++] = '\n';
    h[8] = (char)((n - 10) & 0xff);
    h[9] = (char)((n - 10) >> 8);

    f = fopen(path, "wb");
    if (!f) return MOSSA_ERR_WRITE;
    ok = fwrite(h, 1, n, f) == n;
    if (ok && bytes) {
        if (mossa__npy_host_is_le()) {
            ok = fwrite(x, 1, bytes, f) == bytes;
        } else {
            unsigned char stage[4096];
            size_t done = 0;
            while (ok && done < elems) {
                size_t m = MOSSA__MIN(elems - done, sizeof(stage) / 4), j;
                for (j = 0; j < m; ++j) {
                    uint32_t u;
                    memcpy(&u, x + done + j, 4);
                    stage[4 * j] = (unsigned char)u;
                    stage[4 * j + 1] = (unsigned char)(u >> 8);
                    stage[4 * j + 2] = (unsigned char)(u >> 16);
                    stage[4 * j + 3] = (unsigned char)(u >> 24);
                }
                ok = fwrite(stage, 1, 4 * m, f) == 4 * m;
                done += m;
            }
        }
    }
    if (fclose(f) != 0) ok = 0;
    return ok ? MOSSA_OK : MOSSA_ERR_WRITE;
}
#endif
