/* tsne.c - Barnes-Hut t-SNE. Placeholder until its issue lands. */
MOSSA_DEF mossa_status mossa_tsne(const float *x, size_t n, size_t d, const mossa_tsne_options *options,
                                  float *y, mossa_tsne_result *result)
{ (void)x; (void)n; (void)d; (void)options; (void)y; (void)result; return MOSSA_ERR_NOT_IMPLEMENTED; }
