#!/usr/bin/env python3
"""Cross-check of `mossa cka --json` against numpy float64 (Kornblith et
al.'s formulas: center_gram / gram_rbf / cka, and the feature-space linear
CKA) on generated .npy files. Usage: cross_cka.py build/mossa. Exits
non-zero on any disagreement (linear <= 1e-6, rbf <= 1e-5)."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def gram_linear(x):
    return x.dot(x.T)


def gram_rbf(x, threshold=1.0):
    dot = x.dot(x.T)
    sq = np.diag(dot)
    d2 = -2 * dot + sq[:, None] + sq[None, :]
    return np.exp(-d2 / (2 * threshold ** 2 * np.median(d2)))


def center_gram(gram, unbiased=False):
    gram = gram.copy()
    n = gram.shape[0]
    if unbiased:
        np.fill_diagonal(gram, 0)
        means = np.sum(gram, 0) / (n - 2)
        means -= np.sum(means) / (2 * (n - 1))
        gram -= means[:, None]
        gram -= means[None, :]
        np.fill_diagonal(gram, 0)
    else:
        means = np.mean(gram, 0)
        means -= np.mean(means) / 2
        gram -= means[:, None]
        gram -= means[None, :]
    return gram


def cka(gx, gy, debiased=False):
    gx = center_gram(gx, debiased)
    gy = center_gram(gy, debiased)
    return gx.ravel().dot(gy.ravel()) / (np.linalg.norm(gx) * np.linalg.norm(gy))


def feature_cka(x, y, debiased=False):
    x = x - x.mean(0)
    y = y - y.mean(0)
    xty = np.linalg.norm(x.T.dot(y)) ** 2
    xtx = np.linalg.norm(x.T.dot(x)) ** 2
    yty = np.linalg.norm(y.T.dot(y)) ** 2
    if not debiased:
        return xty / np.sqrt(xtx * yty)
    n = x.shape[0]
    rx = np.sum(x * x, 1)
    ry = np.sum(y * y, 1)

    def h(s, a, b):
        return s - n / (n - 2.0) * a.dot(b) + a.sum() * b.sum() / ((n - 1) * (n - 2))
    return h(xty, rx, ry) / np.sqrt(h(xtx, rx, rx) * h(yty, ry, ry))


def main():
    cli = sys.argv[1] if len(sys.argv) > 1 else "build/mossa"
    rng = np.random.default_rng(2024)
    cases = [(300, 512, 384, 0.0), (2000, 64, 96, 0.0), (500, 700, 700, 1e4), (10000, 48, 40, 3e3)]
    worst = {"linear": 0.0, "rbf": 0.0}
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, dx, dy, massive in cases:
            x = rng.standard_normal((n, dx)).astype(np.float32)
            w = rng.standard_normal((dx, dy)).astype(np.float32) / np.sqrt(dx)
            y = (x.dot(w) + rng.standard_normal((n, dy))).astype(np.float32)
            if massive:
                x[:, 0] += massive
                y[:, 1] -= massive
            px, py = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
            np.save(px, x)
            np.save(py, y)
            x64, y64 = x.astype(np.float64), y.astype(np.float64)
            for kernel in ("linear", "rbf"):
                if kernel == "rbf" and n > 2500:
                    continue
                for debiased in (False, True):
                    if kernel == "linear":
                        ref = feature_cka(x64, y64, debiased)
                        if n <= 2500:
                            ref2 = cka(gram_linear(x64 - x64.mean(0)), gram_linear(y64 - y64.mean(0)), debiased)
                            assert abs(ref - ref2) < 1e-9, (ref, ref2)
                    else:
                        ref = cka(gram_rbf(x64 - x64.mean(0)), gram_rbf(y64 - y64.mean(0)), debiased)
                    args = [cli, "--threads", "2", "cka", px, py, "--json", "--kernel", kernel]
                    if debiased:
                        args.append("--debiased")
                    r = subprocess.run(args, capture_output=True, text=True)
                    if r.returncode != 0:
                        print(f"FAIL {n}x{dx}/{dy} {kernel} debiased={debiased}: exit {r.returncode}: {r.stderr.strip()}")
                        failures += 1
                        continue
                    got = json.loads(r.stdout)["cka"]
                    err = abs(got - ref)
                    tol = 1e-6 if kernel == "linear" else 1e-5
                    worst[kernel] = max(worst[kernel], err)
                    if not err <= tol:
                        print(f"FAIL {n}x{dx}/{dy} massive={massive} {kernel} debiased={debiased}: "
                              f"mossa {got!r} numpy float64 {ref!r} (|diff| {err:.3g} > {tol})")
                        failures += 1
    print(f"cross_cka: {'FAIL' if failures else 'ok'}: max |mossa - numpy float64| linear {worst['linear']:.2e}, "
          f"rbf {worst['rbf']:.2e} ({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
