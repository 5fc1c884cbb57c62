/* The benchmark binary's one C translation unit holding the library; the
   C++ files under bench/ see only the extern "C" declarations of mossa.h. */
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
