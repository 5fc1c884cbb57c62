/* ---------------------------------------------------------------------
   CKA and centered Gram matrices (impl/cka.c)
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef enum mossa_kernel_kind {
    MOSSA_KERNEL_LINEAR = 0,
    MOSSA_KERNEL_RBF = 1
} mossa_kernel_kind;

typedef struct mossa_cka_options {
    mossa_kernel_kind kernel;   /* default MOSSA_KERNEL_LINEAR */
    double threshold;           /* RBF: sigma^2 = threshold^2 * median(d^2); 0 = 1.0 */
    int debiased;               /* nonzero: unbiased HSIC (Song et al. 2012); needs n > 3 */
    int n_threads;              /* 0 = all online CPUs */
    const mossa_allocator *allocator;
} mossa_cka_options;

/* CKA between X (n x dx) and Y (n x dy), row-major float32. */
MOSSA_API mossa_status mossa_cka(const float *x, size_t n, size_t dx,
                                 const float *y, size_t dy,
                                 const mossa_cka_options *options, double *cka);

#ifdef __cplusplus
}
#endif
