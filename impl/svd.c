/* svd.c - randomized SVD and the variance rank. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_svd_randomized(const float *x, size_t n, size_t d, size_t k,
                                            const mossa_svd_options *options,
                                            double *s, float *u, float *vt)
{ (void)x; (void)n; (void)d; (void)k; (void)options; (void)s; (void)u; (void)vt; return MOSSA_ERR_NOT_IMPLEMENTED; }
MOSSA_DEF mossa_status mossa_variance_rank(const float *x, size_t n, size_t d,
                                           const mossa_rank_options *options, mossa_rank_result *result)
{ (void)x; (void)n; (void)d; (void)options; (void)result; return MOSSA_ERR_NOT_IMPLEMENTED; }
