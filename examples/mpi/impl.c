/* The one translation unit of mossa-mpi that holds the implementation. */
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
