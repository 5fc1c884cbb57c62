#!/usr/bin/python3
"""Cross-check `mossa rank` and `mossa svd` against numpy's LAPACK SVD (float64)
on larger matrices than the unit tests use: tall, wide, centered and not,
several spectra. The rank must equal the full-SVD count exactly (except ties
within 1e-6 of the threshold); the top singular values must agree to 1e-4
(relative to s_1). Exits non-zero on any disagreement.
Usage: /usr/bin/python3 tests/cross_svd.py build/mossa"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

CLI = sys.argv[1] if len(sys.argv) > 1 else "build/mossa"


def planted(n, d, s, rng, noise=0.0):
    r = len(s)
    u, _ = np.linalg.qr(rng.standard_normal((n, r)))
    v, _ = np.linalg.qr(rng.standard_normal((d, r)))
    x = (u * s) @ v.T
    if noise:
        x += noise * rng.standard_normal((n, d))
    return x.astype(np.float32)


def run(args):
    p = subprocess.run([CLI, "--json"] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("mossa %s failed: %s" % (" ".join(args), p.stderr.strip()))
    return json.loads(p.stdout)


def full_count(s, f):
    e = s.astype(np.float64) ** 2
    c = np.cumsum(e) / e.sum()
    r = int(np.searchsorted(c, f * (1 - 1e-15)) + 1)
    r = min(r, len(s))
    tie = abs(c[r - 1] - f) < 1e-6 or (r >= 2 and abs(c[r - 2] - f) < 1e-6)
    return r, tie


def main():
    rng = np.random.default_rng(2024)
    cases = []
    for n, d in ((1500, 400), (400, 1500), (800, 800)):
        m = min(n, d)
        idx = np.arange(1, m + 1, dtype=np.float64)
        cases.append(("%dx%d slow" % (n, d), planted(n, d, idx ** -0.5, rng)))
        cases.append(("%dx%d fast" % (n, d), planted(n, d, 0.9 ** idx, rng)))
        cases.append(("%dx%d gaussian" % (n, d), (rng.standard_normal((n, d)) + 3.0).astype(np.float32)))
    cases.append(("2000x300 lowrank+noise", planted(2000, 300, np.array([9.0, 7, 5, 3, 2, 1]), rng, 1e-4)))
    bad = 0
    checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, x in cases:
            path = os.path.join(tmp, "x.npy")
            np.save(path, x)
            x64 = x.astype(np.float64)
            for center in (True, False):
                xc = x64 - x64.mean(axis=0) if center else x64
                s = np.linalg.svd(xc, compute_uv=False)
                for f in (0.5, 0.9, 0.99):
                    want, tie = full_count(s, f)
                    args = ["rank", path, "--variance", repr(f)] + ([] if center else ["--no-center"])
                    got = run(args)
                    checks += 1
                    total = float(np.sum(s ** 2))
                    if not tie and got["rank"] != want:
                        print("FAIL %s center=%s f=%g: rank %d, numpy %d" % (name, center, f, got["rank"], want))
                        bad += 1
                    if abs(got["total_variance"] - total) > 1e-6 * total:
                        print("FAIL %s: total variance %.10g vs %.10g" % (name, got["total_variance"], total))
                        bad += 1
            s = np.linalg.svd(x64, compute_uv=False)
            k = 20
            got = np.array(run(["svd", path, "-k", str(k), "--oversample", "20", "--seed", "1"])["singular_values"])
            checks += 1
            # Gaussian matrices have a flat spectrum on which a rank-20 sketch
            # cannot resolve s_20 to 1e-4 (the randomized method's limit, not
            # an error); only the leading value is compared there.
            top = 1 if "gaussian" in name else k
            err = np.max(np.abs(got[:top] - s[:top])) / s[0]
            if err > 1e-4:
                print("FAIL %s: top-%d singular values off by %.3g (relative to s_1)" % (name, top, err))
                bad += 1
    print("cross_svd: %d checks on %d matrices, %d disagreements with numpy's LAPACK SVD"
          % (checks, len(cases), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
