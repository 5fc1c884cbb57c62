/* fuzz_npy.c - the .npy reader on arbitrary bytes.

   Properties checked on every input:
   - mossa_npy_parse_header and mossa_npy_decode agree (same status class,
     same shape); a header that parses describes data inside the buffer;
   - a successful decode returns rows x cols floats (ASan checks every one
     is readable) equal to an independent reference decoder written here
     (float16 / float32 / float64, C and Fortran order, NaN-aware);
   - decoding the exact prefix that holds the data gives the same array,
     one byte less is an error (never a read past the end);
   - a failed call leaves *out NULL and frees everything it took (counting
     allocator; LeakSanitizer checks the default allocator's paths);
   - the file functions on the same bytes (a memfd, so no disk I/O):
     mossa_npy_read equals mossa_npy_decode, and mossa_npy_read_rows of a
     slice chosen from the input equals those rows; out-of-range slices
     are errors. Skipped while the npy module is a placeholder. */
#define _GNU_SOURCE
#include "fuzz_util.h"
#include <sys/mman.h>
#include <unistd.h>

static float ref_half(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    float v;
    if (e == 0) v = ldexpf((float)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexpf((float)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}

static float ref_element(const unsigned char *data, int bytes, size_t idx)
{
    const unsigned char *p = data + idx * (size_t)bytes;
    if (bytes == 2) return ref_half((uint16_t)(p[0] | (p[1] << 8)));
    if (bytes == 4) { float f; memcpy(&f, p, 4); return f; }
    { double d; memcpy(&d, p, 8); return (float)d; }
}

static int same_float(float a, float b)
{
    return (a != a && b != b) || memcmp(&a, &b, sizeof(a)) == 0;
}

/* the slice checks need a path; a memfd behind /proc/self/fd keeps the
   fuzzer off the disk */
static int file_fd = -1;
static const char *as_file(const uint8_t *data, size_t size, char *path, size_t cap)
{
    if (file_fd < 0) {
        file_fd = memfd_create("fuzz_npy", 0);
        if (file_fd < 0) return NULL;
    }
    if (ftruncate(file_fd, 0) != 0) return NULL;
    if (pwrite(file_fd, data, size, 0) != (ssize_t)size) return NULL;
    snprintf(path, cap, "/proc/self/fd/%d", file_fd);
    return path;
}

/* a value in [0, m] from hash bits; m may be SIZE_MAX (a shape of
   (2^64 - 1, 0) holds no elements and is valid), where m + 1 wraps to 0 */
static size_t pick_upto(size_t h, size_t m)
{
    return m == (size_t)-1 ? h : h % (m + 1);
}

static void check_files(const uint8_t *data, size_t size, const float *want, size_t rows, size_t cols)
{
    fuzz_alloc_state st;
    mossa_allocator a = fuzz_allocator(&st);
    char pathbuf[64];
    const char *path = as_file(data, size, pathbuf, sizeof(pathbuf));
    float *out = NULL;
    size_t r = 0, c = 0, total = 0, row0, nrows;
    mossa_status s;
    uint32_t h = 2166136261u;
    size_t i;
    if (!path) return;
    s = mossa_npy_read(path, &a, &out, &r, &c);
    if (s == MOSSA_ERR_NOT_IMPLEMENTED) return;
    if (!want) {
        FUZZ_CHECK(s != MOSSA_OK, "read accepted what decode rejected");
        FUZZ_CHECK(out == NULL && st.outstanding == 0, "failed read left memory");
        return;
    }
    FUZZ_CHECK(s == MOSSA_OK, "decode accepted what read rejects: %s", mossa_status_string(s));
    FUZZ_CHECK(r == rows && c == cols, "read shape %zux%zu, decode %zux%zu", r, c, rows, cols);
    FUZZ_CHECK(st.outstanding == 1, "read: %ld blocks outstanding", st.outstanding);
    for (i = 0; i < rows * cols; ++i)
        FUZZ_CHECK(same_float(out[i], want[i]), "read != decode at %zu", i);
    mossa_free(out, &a);

    /* a slice picked by a hash of the input */
    for (i = 0; i < size && i < 64; ++i) h = (h ^ data[i]) * 16777619u;
    row0 = pick_upto(h, rows);
    nrows = pick_upto(h >> 8, rows - row0);
    out = NULL;
    s = mossa_npy_read_rows(path, row0, nrows, &a, &out, &c, &total);
    if (nrows == 0) {
        /* an empty slice may be refused or give nothing; either way, no leak */
        FUZZ_CHECK(s == MOSSA_OK || out == NULL, "empty slice: status %d with a buffer", (int)s);
        if (s == MOSSA_OK) mossa_free(out, &a);
    } else {
        FUZZ_CHECK(s == MOSSA_OK, "read_rows(%zu, %zu) of %zu rows: %s", row0, nrows, rows,
                   mossa_status_string(s));
        FUZZ_CHECK(c == cols && total == rows, "read_rows shape");
        for (i = 0; i < nrows * cols; ++i)
            FUZZ_CHECK(same_float(out[i], want[row0 * cols + i]), "read_rows(%zu, %zu) differs at %zu",
                       row0, nrows, i);
        mossa_free(out, &a);
    }
    FUZZ_CHECK(st.outstanding == 0, "read_rows leaked %ld blocks", st.outstanding);
    /* past the end: an error, nothing allocated */
    out = NULL;
    s = mossa_npy_read_rows(path, rows, 1, &a, &out, &c, &total);
    FUZZ_CHECK(s != MOSSA_OK && out == NULL && st.outstanding == 0, "slice past the end accepted");
    s = mossa_npy_read_rows(path, 1, (size_t)-1, &a, &out, &c, &total);
    FUZZ_CHECK(s != MOSSA_OK && out == NULL && st.outstanding == 0, "overflowing slice accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_alloc_state st;
    mossa_allocator a = fuzz_allocator(&st);
    mossa_npy_info info;
    mossa_status sh, sd;
    float *out = (float *)&st;   /* poison: a failed decode must reset it */
    size_t rows = 7, cols = 7, i, need = 0;
    int have_info;

    memset(&info, 0, sizeof(info));
    sh = mossa_npy_parse_header(data, size, &info);
    if (sh == MOSSA_ERR_NOT_IMPLEMENTED) return 0;
    have_info = sh == MOSSA_OK;
    if (have_info) {
        FUZZ_CHECK(info.dtype_bytes == 2 || info.dtype_bytes == 4 || info.dtype_bytes == 8,
                   "dtype_bytes %d", info.dtype_bytes);
        FUZZ_CHECK(info.version_major >= 1 && info.version_major <= 3, "version %d", info.version_major);
        FUZZ_CHECK(info.data_offset <= size, "data offset %zu beyond the %zu bytes given",
                   info.data_offset, size);
    }

    sd = mossa_npy_decode(data, size, &a, &out, &rows, &cols);
    if (sd != MOSSA_OK) {
        FUZZ_CHECK(out == NULL, "failed decode (%s) left *out set", mossa_status_string(sd));
        FUZZ_CHECK(st.outstanding == 0, "failed decode (%s) leaked %ld blocks",
                   mossa_status_string(sd), st.outstanding);
        /* the file path of a rejected input: every 8th one (by its last
           byte), as the file calls cost more than the rest together */
        if (size < (1u << 16) && (size == 0 || (data[size - 1] & 7) == 0)) check_files(data, size, NULL, 0, 0);
        return 0;
    }
    FUZZ_CHECK(have_info, "decode accepted a header parse_header rejects (%s)", mossa_status_string(sh));
    FUZZ_CHECK(rows == info.rows && cols == info.cols, "decode %zux%zu, header %zux%zu",
               rows, cols, info.rows, info.cols);
    FUZZ_CHECK(out != NULL && st.outstanding == 1, "decode: %ld blocks outstanding", st.outstanding);
    need = info.data_offset + rows * cols * (size_t)info.dtype_bytes;
    FUZZ_CHECK(need <= size, "decoded %zu bytes of data from a %zu-byte buffer", need, size);
    for (i = 0; i < rows * cols; ++i) {
        size_t r = i / cols, c = i % cols;
        size_t src = info.fortran_order ? c * rows + r : i;
        float want = ref_element(data + info.data_offset, info.dtype_bytes, src);
        FUZZ_CHECK(same_float(out[i], want), "element (%zu, %zu): got %a want %a", r, c,
                   (double)out[i], (double)want);
    }

    /* the exact prefix decodes the same; one byte less is an error */
    {
        float *o2 = NULL;
        size_t r2, c2;
        mossa_status s2 = mossa_npy_decode(data, need, &a, &o2, &r2, &c2);
        FUZZ_CHECK(s2 == MOSSA_OK && r2 == rows && c2 == cols, "exact prefix: %s", mossa_status_string(s2));
        FUZZ_CHECK(memcmp(o2, out, rows * cols * sizeof(float)) == 0 || rows * cols == 0, "exact prefix differs");
        mossa_free(o2, &a);
        if (need > info.data_offset) {
            o2 = NULL;
            s2 = mossa_npy_decode(data, need - 1, &a, &o2, &r2, &c2);
            FUZZ_CHECK(s2 != MOSSA_OK && o2 == NULL, "one byte short accepted");
        }
    }
    if (size < (1u << 16)) check_files(data, size, out, rows, cols);
    mossa_free(out, &a);
    FUZZ_CHECK(st.outstanding == 0, "leak: %ld blocks", st.outstanding);
    return 0;
}
