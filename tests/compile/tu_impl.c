/* One translation unit with the implementation; with MOSSA_COMPILE_MAIN
   it is a whole program on its own (static / bare-metal builds). */
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
#include "mossa.h" /* a second include must be harmless */

#ifdef MOSSA_COMPILE_MAIN
int main(void)
{
    float a[3] = {1.0f, 2.0f, 3.0f}, b[3] = {4.0f, 5.0f, 6.0f};
    return mossa_dot_f32(a, b, 3) == 32.0 && mossa_status_string(MOSSA_OK)[0] ? 0 : 1;
}
#endif
