#!/bin/sh
# make demo: writes mossa's built-in SYNTHETIC data set (3 models x 12 tasks x
# 24 layers, planted layer groups; see examples/cli/demo.c), analyzes it and
# says where the report is. Usage: sh examples/demo.sh [path/to/mossa] [OUTDIR]
set -e
cli=${1:-build/mossa}
out=${2:-build/mossa-demo}
start=$(date +%s)
"$cli" demo -o "$out"
end=$(date +%s)
echo
echo "demo finished in $((end - start)) s."
echo "open $(cd "$out/report" && pwd)/index.html in a browser to see the figures"
echo "(report.json beside it has every number; the data set is in $out/data)."
