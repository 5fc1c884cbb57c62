#!/bin/sh
# test_mpi.sh - mossa-mpi against the one-process CLI (run by `make test-mpi`).
# Usage: MPIRUN="mpirun --oversubscribe ..." sh examples/mpi/test_mpi.sh build/mossa-mpi build/mossa
# Data from /usr/bin/python3 + numpy: "massive activation" columns (means
# 1e4), float32 C order beside float64 Fortran order, unequal slices
# (n = 1003 over 2 and 3 ranks), several batches per rank.
set -eu
MPI=$1
CLI=$2
MPIRUN=${MPIRUN:-mpirun}
PY=${PYTHON:-/usr/bin/python3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "test-mpi: FAIL: $*" >&2; exit 1; }

$PY - "$dir" <<'PYEOF'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(8)
n = 1003
z = rng.standard_normal((n, 12))
x = np.hstack([z @ rng.standard_normal((12, 37)), rng.standard_normal((n, 0))])
x[:, :3] += 1e4                                   # massive activations
y = z @ rng.standard_normal((12, 23)) + 0.7 * rng.standard_normal((n, 23))
np.save(d + "/x.npy", x.astype("<f4"))
np.save(d + "/y.npy", np.asfortranarray(y.astype("<f8")))
bad = y.astype("<f4"); bad[777, 5] = np.nan
np.save(d + "/nan.npy", bad)
np.save(d + "/short.npy", y[:1000].astype("<f4"))
np.save(d + "/const.npy", np.full((n, 4), 2.5, "<f4"))
m = 64
base = rng.standard_normal((m, 8))
for i, w in enumerate((10, 17, 6)):
    np.save(d + "/a%d.npy" % i, (base @ rng.standard_normal((8, w)) + (i + 1) * 0.3 * rng.standard_normal((m, w))).astype("<f4"))
for j, w in enumerate((9, 12)):
    np.save(d + "/b%d.npy" % j, (base @ rng.standard_normal((8, w)) + (j + 1) * 0.5 * rng.standard_normal((m, w))).astype("<f4"))
PYEOF

num() { sed -n 's/.*"cka": \([^,}]*\).*/\1/p'; }
close() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= tol) }'; }

# ---- cka: rows sharded ----------------------------------------------------------
want=$("$CLI" --threads 1 --json cka "$dir/x.npy" "$dir/y.npy" | num)
[ -n "$want" ] || fail "mossa cka gave no value"
for np in 2 3; do
  got=$($MPIRUN -np $np "$MPI" --threads 1 --json cka "$dir/x.npy" "$dir/y.npy" --batch-rows 97 | num)
  close "$got" "$want" 1e-7 || fail "cka -np $np: $got, one process: $want"
  echo "  cka -np $np: $got (one process $want)"
done
# plain output is the same value too
got=$($MPIRUN -np 2 "$MPI" --threads 1 cka "$dir/x.npy" "$dir/y.npy")
close "$got" "$want" 1e-7 || fail "cka -np 2 (plain): $got, one process: $want"

# ---- cka-matrix: pairs sharded; entries bit-identical to one process -------------
for k in linear rbf; do
  "$CLI" --threads 1 cka-matrix --a "$dir/a0.npy" "$dir/a1.npy" "$dir/a2.npy" --b "$dir/b0.npy" "$dir/b1.npy" \
    --kernel $k > "$dir/m1.csv"
  for np in 2 4; do
    $MPIRUN -np $np "$MPI" --threads 1 cka-matrix --a "$dir/a0.npy" "$dir/a1.npy" "$dir/a2.npy" \
      --b "$dir/b0.npy" "$dir/b1.npy" --kernel $k > "$dir/m$np.csv"
    cmp -s "$dir/m1.csv" "$dir/m$np.csv" || { diff "$dir/m1.csv" "$dir/m$np.csv" >&2; fail "cka-matrix --kernel $k -np $np differs"; }
  done
  echo "  cka-matrix --kernel $k -np 2, -np 4: identical to one process ($(wc -l < "$dir/m1.csv") x 2)"
done

# ---- errors: exit 1, one message, naming the file (and the row) -------------------
expect_error() {  # np needle args...
  np=$1; needle=$2; shift 2
  set +e
  $MPIRUN -np $np "$MPI" --threads 1 "$@" > "$dir/out" 2> "$dir/err"
  rc=$?
  set -e
  [ $rc -eq 1 ] || { cat "$dir/err" >&2; fail "mossa-mpi $*: exit $rc (want 1)"; }
  [ "$(grep -c 'mossa: error:' "$dir/err")" -eq 1 ] || { cat "$dir/err" >&2; fail "mossa-mpi $*: want exactly one error line"; }
  grep -q -- "$needle" "$dir/err" || { cat "$dir/err" >&2; fail "mossa-mpi $*: '$needle' not in the message"; }
}
expect_error 2 "nan.npy: input contains NaN or Inf (row 777, column 5)" cka "$dir/x.npy" "$dir/nan.npy"
expect_error 3 "short.npy has 1000" cka "$dir/x.npy" "$dir/short.npy"
expect_error 2 "const.npy: a matrix has zero variance" cka "$dir/x.npy" "$dir/const.npy"
expect_error 2 "missing.npy" cka "$dir/x.npy" "$dir/missing.npy"
expect_error 2 "biased linear CKA only" cka "$dir/x.npy" "$dir/y.npy" --kernel rbf
expect_error 2 "nan.npy" cka-matrix --a "$dir/x.npy" --b "$dir/nan.npy"
echo "  errors: NaN (row named), row mismatch, zero variance, missing file, rbf refused: exit 1, one message"
echo "test-mpi: mossa-mpi agrees with mossa"
