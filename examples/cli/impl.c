/* The one translation unit of the CLI that holds the implementation. */
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
