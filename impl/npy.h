/* ---------------------------------------------------------------------
   .npy I/O (impl/npy.c). The library's only file access; MOSSA_NO_STDIO
   removes the *_file functions. Reads float16/float32/float64
   little-endian, C or Fortran order, format versions 1.0, 2.0 and 3.0,
   2-D arrays only; returns row-major float32. Writes float32 version 1.0.
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct mossa_npy_info {
    size_t rows, cols;        /* shape */
    int dtype_bytes;          /* 2, 4 or 8 */
    int fortran_order;        /* 1 if column-major */
    int version_major;        /* 1, 2 or 3 */
    size_t data_offset;       /* bytes from the start of the file to the data */
} mossa_npy_info;

/* Frees memory returned by the npy functions (with the same allocator). */
MOSSA_API void mossa_free(void *ptr, const mossa_allocator *allocator);

/* Parses the header at the start of buf (len bytes may be just a prefix). */
MOSSA_API mossa_status mossa_npy_parse_header(const void *buf, size_t len, mossa_npy_info *info);
/* Decodes a whole .npy image held in memory into a new float32 array. */
MOSSA_API mossa_status mossa_npy_decode(const void *buf, size_t len, const mossa_allocator *allocator,
                                        float **out, size_t *rows, size_t *cols);

#ifndef MOSSA_NO_STDIO
MOSSA_API mossa_status mossa_npy_read(const char *path, const mossa_allocator *allocator,
                                      float **out, size_t *rows, size_t *cols);
/* Reads rows [row0, row0 + nrows) only (for sharding); *total_rows gets the
   file's row count. */
MOSSA_API mossa_status mossa_npy_read_rows(const char *path, size_t row0, size_t nrows,
                                           const mossa_allocator *allocator, float **out,
                                           size_t *cols, size_t *total_rows);
MOSSA_API mossa_status mossa_npy_write(const char *path, const float *x, size_t rows, size_t cols);
#endif

#ifdef __cplusplus
}
#endif
