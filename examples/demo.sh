#!/bin/sh
# make demo: until the MOSSA pipeline lands, show what the build can do.
set -e
cli=${1:-build/mossa}
echo "== mossa info"
"$cli" info
