#!/usr/bin/env python3
"""make compare: `mossa --threads 2 cka` beside numpy float32 in the same run.

Linear: Kornblith's feature_space_linear_cka (center, ||X'Y||^2 /
(||X'X|| ||Y'Y||)) at (n, d) = (2000, 4096) and (10000, 4096). RBF:
gram_rbf + center_gram + cka at n = 4096 (d = 4096 and d = 256). numpy
runs with 2 threads in two configurations, both reported: "machine env"
= the environment as this machine sets it (OPENBLAS_CORETYPE=Haswell,
OPENBLAS_L2_SIZE=512 when present: OpenBLAS's AVX2 kernels -- the
configuration of the peer figures in the issue), and "native" = those
variables removed, so OpenBLAS picks its own AVX-512 kernels (faster
here). Reported: mossa's "seconds" (computation only) and wall time of
the whole CLI run (with loading), numpy's computation time, best of R
repeats each, and the ratios numpy / mossa. Usage: compare_cka.py
[build/mossa] [--quick]."""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

NUMPY_SCRIPT = r"""
import sys, time, json
import numpy as np
kind, px, py, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
x = np.load(px); y = np.load(py)

def feature_space_linear_cka(features_x, features_y):
    features_x = features_x - np.mean(features_x, 0, keepdims=True)
    features_y = features_y - np.mean(features_y, 0, keepdims=True)
    dot_product_similarity = np.linalg.norm(features_x.T.dot(features_y)) ** 2
    normalization_x = np.linalg.norm(features_x.T.dot(features_x))
    normalization_y = np.linalg.norm(features_y.T.dot(features_y))
    return dot_product_similarity / (normalization_x * normalization_y)

def gram_rbf(x, threshold=1.0):
    dot_products = x.dot(x.T)
    sq_norms = np.diag(dot_products)
    sq_distances = -2 * dot_products + sq_norms[:, None] + sq_norms[None, :]
    sq_median_distance = np.median(sq_distances)
    return np.exp(-sq_distances / (2 * threshold ** 2 * sq_median_distance))

def center_gram(gram, unbiased=False):
    gram = gram.copy()
    means = np.mean(gram, 0, dtype=np.float64)
    means -= np.mean(means) / 2
    gram -= means[:, None]
    gram -= means[None, :]
    return gram

def cka(gram_x, gram_y):
    gram_x = center_gram(gram_x); gram_y = center_gram(gram_y)
    scaled_hsic = gram_x.ravel().dot(gram_y.ravel())
    return scaled_hsic / (np.linalg.norm(gram_x) * np.linalg.norm(gram_y))

best, value = 1e30, None
for _ in range(reps):
    t = time.perf_counter()
    value = feature_space_linear_cka(x, y) if kind == "linear" else cka(gram_rbf(x), gram_rbf(y))
    best = min(best, time.perf_counter() - t)
print(json.dumps({"seconds": best, "cka": float(value)}))
"""


def run_numpy(kind, px, py, reps, native):
    env = dict(os.environ)
    if native:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", NUMPY_SCRIPT, kind, px, py, str(reps)],
                         capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out)


def run_mossa(cli, px, py, kernel, debiased, reps):
    best, wall, value = 1e30, 1e30, None
    args = [cli, "--threads", "2", "cka", px, py, "--json", "--kernel", kernel]
    if debiased:
        args.append("--debiased")
    for _ in range(reps):
        t = time.perf_counter()
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        wall = min(wall, time.perf_counter() - t)
        j = json.loads(out)
        best, value = min(best, j["seconds"]), j["cka"]
    return {"seconds": best, "wall": wall, "cka": value}


def main():
    cli = next((a for a in sys.argv[1:] if not a.startswith("--")), "build/mossa")
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(7)
    cases = [("linear", 2000, 4096, 3), ("linear", 10000, 4096, 2), ("rbf", 4096, 256, 3), ("rbf", 4096, 4096, 2)]
    if quick:
        cases = [("linear", 2000, 4096, 2), ("rbf", 4096, 256, 2)]
    env_note = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print(f"numpy env = OPENBLAS_CORETYPE={env_note} as set on this machine; numpy nat = OpenBLAS native kernels")
    print(f"{'case':<20}{'numpy env s':>12}{'numpy nat s':>12}{'mossa s':>9}{'mossa wall':>11}{'ratio env':>10}"
          f"{'ratio nat':>10}{'debiased s':>11}{'deb/biased':>11}{'|diff|':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, n, d, reps in cases:
            x = rng.standard_normal((n, d), dtype=np.float32)
            y = (0.6 * x + rng.standard_normal((n, d), dtype=np.float32)).astype(np.float32)
            px, py = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
            np.save(px, x)
            np.save(py, y)
            del x, y
            npy = run_numpy(kind, px, py, reps, False)
            nat = run_numpy(kind, px, py, reps, True)
            mo = run_mossa(cli, px, py, kind, False, reps)
            deb = run_mossa(cli, px, py, kind, True, reps)
            print(f"{kind + ' ' + str(n) + 'x' + str(d):<20}{npy['seconds']:>12.3f}{nat['seconds']:>12.3f}"
                  f"{mo['seconds']:>9.3f}{mo['wall']:>11.3f}{npy['seconds'] / mo['seconds']:>9.2f}x"
                  f"{nat['seconds'] / mo['seconds']:>9.2f}x"
                  f"{deb['seconds']:>11.3f}{deb['seconds'] / mo['seconds']:>10.2f}x{abs(npy['cka'] - mo['cka']):>10.2e}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
