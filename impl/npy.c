/* npy.c - .npy reading and writing. */

MOSSA_DEF void mossa_free(void *ptr, const mossa_allocator *allocator)
{
    mossa__ctx ctx;
    ctx.allocator = allocator;
    ctx.n_threads = 1;
    ctx.pool = NULL;
    mossa__free(&ctx, ptr);
}

#ifndef MOSSA_NO_STDIO
MOSSA_DEF mossa_status mossa_npy_read(const char *path, const mossa_allocator *allocator,
                                      float **out, size_t *rows, size_t *cols)
{
    (void)path; (void)allocator; (void)out; (void)rows; (void)cols;
    return MOSSA_ERR_NOT_IMPLEMENTED;
}
#endif

/* placeholders: the foundation issue's npy work replaces these */
MOSSA_DEF mossa_status mossa_npy_parse_header(const void *buf, size_t len, mossa_npy_info *info)
{ (void)buf; (void)len; (void)info; return MOSSA_ERR_NOT_IMPLEMENTED; }
MOSSA_DEF mossa_status mossa_npy_decode(const void *buf, size_t len, const mossa_allocator *allocator,
                                        float **out, size_t *rows, size_t *cols)
{ (void)buf; (void)len; (void)allocator; (void)out; (void)rows; (void)cols; return MOSSA_ERR_NOT_IMPLEMENTED; }
#ifndef MOSSA_NO_STDIO
MOSSA_DEF mossa_status mossa_npy_read_rows(const char *path, size_t row0, size_t nrows,
                                           const mossa_allocator *allocator, float **out,
                                           size_t *cols, size_t *total_rows)
{ (void)path; (void)row0; (void)nrows; (void)allocator; (void)out; (void)cols; (void)total_rows; return MOSSA_ERR_NOT_IMPLEMENTED; }
MOSSA_DEF mossa_status mossa_npy_write(const char *path, const float *x, size_t rows, size_t cols)
{ (void)path; (void)x; (void)rows; (void)cols; return MOSSA_ERR_NOT_IMPLEMENTED; }
#endif
