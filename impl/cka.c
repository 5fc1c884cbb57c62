/* cka.c - CKA and centered Gram matrices. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_cka(const float *x, size_t n, size_t dx, const float *y, size_t dy,
                                 const mossa_cka_options *options, double *cka)
{ (void)x; (void)n; (void)dx; (void)y; (void)dy; (void)options; (void)cka; return MOSSA_ERR_NOT_IMPLEMENTED; }
