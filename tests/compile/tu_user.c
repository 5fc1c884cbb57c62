/* A second translation unit that only uses the declarations. */
#include "mossa.h"
#include <string.h>

int main(void)
{
    float a[3] = {1.0f, 2.0f, 3.0f}, b[3] = {4.0f, 5.0f, 6.0f};
    if (mossa_dot_f32(a, b, 3) != 32.0) return 1;
    if (strcmp(mossa_version(), MOSSA_VERSION_STRING) != 0) return 1;
    return mossa_simd_init() == MOSSA_OK ? 0 : 1;
}
