/* npy_roundtrip - the C side of tests/cross_npy.py: reads a .npy file with
   mossa (whole, a row slice, or decoded from memory) and writes what it
   got with mossa_npy_write, so numpy can compare both directions.
     npy_roundtrip IN OUT            mossa_npy_read
     npy_roundtrip IN OUT R0 N       mossa_npy_read_rows(R0, N)
     npy_roundtrip IN OUT mem        mossa_npy_decode of the file's bytes
   On failure prints "mossa: error: IN: <status>" and exits 1. */
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *path, mossa_status st)
{
    fprintf(stderr, "mossa: error: %s: %s\n", path, mossa_status_string(st));
    return 1;
}

int main(int argc, char **argv)
{
    float *x = NULL;
    size_t rows = 0, cols = 0;
    mossa_status st;
    if (argc != 3 && argc != 4 && argc != 5) {
        fprintf(stderr, "usage: npy_roundtrip IN OUT [R0 N | mem]\n");
        return 2;
    }
    if (argc == 5) {
        size_t total;
        rows = (size_t)strtoull(argv[4], NULL, 10);
        st = mossa_npy_read_rows(argv[1], (size_t)strtoull(argv[3], NULL, 10), rows, NULL, &x, &cols, &total);
    } else if (argc == 4 && strcmp(argv[3], "mem") == 0) {
        FILE *f = fopen(argv[1], "rb");
        unsigned char *buf;
        long len;
        if (!f) return fail(argv[1], MOSSA_ERR_IO);
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = (unsigned char *)malloc((size_t)len + 1);
        if (fread(buf, 1, (size_t)len, f) != (size_t)len) { fclose(f); return fail(argv[1], MOSSA_ERR_IO); }
        fclose(f);
        st = mossa_npy_decode(buf, (size_t)len, NULL, &x, &rows, &cols);
        free(buf);
    } else {
        st = mossa_npy_read(argv[1], NULL, &x, &rows, &cols);
    }
    if (st != MOSSA_OK) return fail(argv[1], st);
    st = mossa_npy_write(argv[2], x, rows, cols);
    mossa_free(x, NULL);
    if (st != MOSSA_OK) return fail(argv[2], st);
    return 0;
}
