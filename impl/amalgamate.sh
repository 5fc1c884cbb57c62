#!/bin/sh
# Builds mossa.h from impl/: the public headers, then the implementation
# under MOSSA_IMPLEMENTATION, then the licence. Usage: impl/amalgamate.sh > mossa.h
set -eu
cd "$(dirname "$0")"
PUBLIC="api.h npy.h cka.h svd.h tsne.h text.h stats.h analysis.h"
PRIVATE="internal.h core.c dispatch.c kernels/scalar.c kernels/avx2.c kernels/avx512.c
kernels/neon.c gemm.c npy.c cka.c svd.c tsne.c text.c stats.c analysis.c"
emit() { printf '\n/* ==== impl/%s ==== */\n' "$1"; cat "$1"; }
cat api.h
for f in $PUBLIC; do [ "$f" = api.h ] || emit "$f"; done
printf '\n#endif /* MOSSA_H_INCLUDED */\n'
printf '\n#if defined(MOSSA_IMPLEMENTATION) && !defined(MOSSA_IMPLEMENTATION_DONE)\n#define MOSSA_IMPLEMENTATION_DONE\n'
for f in $PRIVATE; do emit "$f"; done
printf '\n#endif /* MOSSA_IMPLEMENTATION */\n\n/*\n'
sed 's/^/   /; s/ *$//' ../LICENSE
printf '*/\n'
