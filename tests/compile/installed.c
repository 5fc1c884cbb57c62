/* Built by `make test-install` against an installed mossa, with only
   `pkg-config --cflags --libs mossa` for flags: the header must be found
   through the .pc file (angle brackets: not from the source tree) and
   the libraries it names must be enough to link (threads, libm). */
#define MOSSA_IMPLEMENTATION
#include <mossa.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    float a[6] = {1, 2, 3, 4, 5, 6}, *b = NULL;
    size_t r, c;
    if (argc != 2) return 2;
    if (strcmp(mossa_version(), MOSSA_VERSION_STRING) != 0) return 1;
    if (mossa_npy_write(argv[1], a, 2, 3) != MOSSA_OK) return 1;
    if (mossa_npy_read(argv[1], NULL, &b, &r, &c) != MOSSA_OK) return 1;
    if (r != 2 || c != 3 || memcmp(a, b, sizeof(a)) != 0) return 1;
    mossa_free(b, NULL);
    if (mossa_dot_f32(a, a, 6) != 91.0) return 1;
    printf("installed mossa %s works (simd %s, %d threads)\n", mossa_version(),
           mossa_simd_name(mossa_simd_active()), mossa_default_threads());
    return 0;
}
