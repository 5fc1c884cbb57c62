/* The suite's one translation unit holding the implementation. */
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
