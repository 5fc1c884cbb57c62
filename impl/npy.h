/* ---------------------------------------------------------------------
   .npy I/O (impl/npy.c). The library's only file access; MOSSA_NO_STDIO
   removes the path-based functions (the in-memory ones stay).

   READING accepts exactly what a 2-D float matrix saved by numpy looks
   like, in any of the three format versions:
   - magic "\x93NUMPY", version 1.0 (2-byte little-endian header length),
     2.0 or 3.0 (4-byte); any other version -> MOSSA_ERR_NPY_VERSION,
     any other magic -> MOSSA_ERR_NPY_MAGIC.
   - a header of at most 1 MiB (numpy writes ~128 bytes; a larger declared
     length is refused with MOSSA_ERR_NPY_HEADER before anything is
     allocated). A header longer than the file -> MOSSA_ERR_NPY_TRUNCATED.
   - the header dict: keys 'descr', 'fortran_order' and 'shape' in any
     order, each exactly once and nothing else; single or double quotes;
     any spaces, tabs or newlines between tokens; an optional trailing
     comma; Python-2 style integers ("3L"); trailing padding of any
     whitespace (the final '\n' numpy writes is not required). Anything
     else (missing or duplicate keys, unterminated strings, fortran_order
     not True/False, junk after the '}') -> MOSSA_ERR_NPY_HEADER.
   - descr '<f2', '<f4' or '<f8' (little-endian IEEE binary16/32/64).
     Big-endian ('>f4'), native/unspecified ('=f4', '|f4', 'f4'),
     integers, complex, structured or object dtypes -> MOSSA_ERR_NPY_DTYPE.
   - shape a tuple of exactly two non-negative integers (rows, cols).
     1-D (n,) arrays are NOT taken as n x 1 (ambiguous: a row or a column
     vector?) and are refused like 0-D and 3-D ones, and negative
     dimensions, with MOSSA_ERR_NPY_SHAPE; a dimension, rows*cols, or the
     byte count that overflows size_t -> MOSSA_ERR_TOO_LARGE.
   - zero rows or zero columns are valid files: they are read (rows/cols
     reported, *out a valid 1-byte allocation to free with mossa_free);
     the analyses reject empty matrices themselves.
   - data shorter than rows*cols*itemsize -> MOSSA_ERR_NPY_TRUNCATED;
     bytes after the data are ignored (several arrays np.save'd one after
     another into one file are valid; the first one is read).
   Values: float32 as stored; float16 converted exactly (subnormals, +-0,
   +-inf and NaN payloads preserved); float64 rounded to nearest float32
   (beyond +-FLT_MAX this gives +-inf, which the analyses then refuse
   with MOSSA_ERR_NONFINITE). Fortran-order data is transposed, so the
   output is always row-major rows x cols float32.

   Safety: no read outside the buffer/file, whatever the header says; a
   huge declared shape fails with MOSSA_ERR_NPY_TRUNCATED (or
   MOSSA_ERR_TOO_LARGE) before the output is allocated, because the file
   size is checked first (non-seekable files such as pipes are read in
   growing chunks instead, so memory follows the data actually present).

   Speed: C-order float32 is read straight into the output; Fortran order
   is transposed 16 columns at a time through a staging buffer of at
   most 4 MiB. On Linux, outputs of 4 MiB or more from the default
   allocator get madvise(MADV_HUGEPAGE) before they are filled, as numpy
   does (page faults dominate large reads on virtual machines); define
   MOSSA_NO_HUGEPAGES to leave that out.

   Outputs: on success *out is a new rows x cols array from `allocator`
   (NULL = MOSSA_MALLOC); free it with mossa_free(*out, allocator). On
   any failure *out is NULL and the sizes are 0 (except as noted).

   WRITING (mossa_npy_write): float32, little-endian, C order, format 1.0,
   byte-for-byte what numpy >= 1.24 writes for the same array (header
   padded with spaces and '\n' so the data starts at a multiple of 64).
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct mossa_npy_info {
    size_t rows, cols;        /* shape */
    int dtype_bytes;          /* 2, 4 or 8 (float16, float32, float64) */
    int fortran_order;        /* 1 if column-major */
    int version_major;        /* 1, 2 or 3 */
    size_t data_offset;       /* bytes from the start of the file to the data */
    size_t data_bytes;        /* rows * cols * dtype_bytes */
} mossa_npy_info;

/* Frees memory returned by the npy functions (with the same allocator). */
MOSSA_API void mossa_free(void *ptr, const mossa_allocator *allocator);

/* Parses the header at the start of buf (len bytes may be just a prefix
   holding the header; the data is not looked at). MOSSA_ERR_NPY_TRUNCATED
   if buf ends before the header does. */
MOSSA_API mossa_status mossa_npy_parse_header(const void *buf, size_t len, mossa_npy_info *info);
/* Decodes a whole .npy image held in memory into a new float32 array. */
MOSSA_API mossa_status mossa_npy_decode(const void *buf, size_t len, const mossa_allocator *allocator,
                                        float **out, size_t *rows, size_t *cols);

#ifndef MOSSA_NO_STDIO
/* Reads a 2-D .npy file into a new row-major float32 array. MOSSA_ERR_IO
   when the file cannot be opened or read. */
MOSSA_API mossa_status mossa_npy_read(const char *path, const mossa_allocator *allocator,
                                      float **out, size_t *rows, size_t *cols);
/* Reads the header only (and checks that the file holds the declared
   data when its size can be known). */
MOSSA_API mossa_status mossa_npy_read_info(const char *path, mossa_npy_info *info);
/* Reads rows [row0, row0 + nrows) only (for sharding): C-order files are
   read from the slice's offset, Fortran-order ones piece by piece (one
   contiguous run per column), so a process touches only its share.
   *total_rows gets the file's row count. A slice past the end returns
   MOSSA_ERR_INVALID_ARGUMENT with *cols and *total_rows still set (so
   nrows = 0 probes the shape); nrows = 0 inside the file succeeds with a
   1-byte *out. The whole declared data must be present in a seekable
   file (MOSSA_ERR_NPY_TRUNCATED otherwise), even outside the slice. */
MOSSA_API mossa_status mossa_npy_read_rows(const char *path, size_t row0, size_t nrows,
                                           const mossa_allocator *allocator, float **out,
                                           size_t *cols, size_t *total_rows);
/* Writes x (rows x cols, row-major) as float32 .npy version 1.0.
   MOSSA_ERR_WRITE when the file cannot be created or fully written (it
   may then be left partially written). */
MOSSA_API mossa_status mossa_npy_write(const char *path, const float *x, size_t rows, size_t cols);
#endif

#ifdef __cplusplus
}
#endif
