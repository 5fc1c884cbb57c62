#!/usr/bin/env python3
"""Cross-check of `mossa analyze` against numpy (float64) on a generated data
directory: linear CKA per model/task/layer, dims for 99% variance, per-layer
summaries, Pearson/Spearman correlations with grades (p-values through
mpmath's regularized incomplete beta when available) and the layer groups
(brute force over both breakpoints). Also times the run.

Usage: /usr/bin/python3 tests/cross_analysis.py build/mossa [--tasks T --layers L --rows N --dims D]
Exits non-zero on any disagreement; prints a one-line summary.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def write_npy(path, x):
    np.save(path, np.ascontiguousarray(x, dtype=np.float32))


def make_dir(root, tasks, layers, rows, dims, seed=0):
    rng = np.random.default_rng(seed)
    models = ["base", "control", "sft"]
    words = ["The cat sat.", "International organizations communicate.",
             "A dog ran home fast.", "Responsibility requires considerable understanding of circumstances."]
    tnames = ["task%02d" % t for t in range(tasks)]
    for t, name in enumerate(tnames):
        n = rows + 3 * t
        s = rng.standard_normal((n, 12))
        g = rng.standard_normal((n, 12))
        for m in models:
            os.makedirs(os.path.join(root, m, name), exist_ok=True)
            A = np.linalg.qr(rng.standard_normal((dims, 24)))[0]
            for l in range(layers):
                if m == "control":
                    y = s @ A[:, :12].T
                else:
                    p = min(0.95, 0.2 + 0.6 * l / layers + 0.02 * t + (0.1 if m == "sft" else 0))
                    y = np.sqrt(p) * s @ A[:, :12].T + np.sqrt(1 - p) * g @ A[:, 12:].T
                y = y + 0.05 * rng.standard_normal((n, dims))
                # a massive-activation dimension, as in LLM hidden states
                y[:, 0] += 500.0
                write_npy(os.path.join(root, m, name, "%d.npy" % l), y)
        os.makedirs(os.path.join(root, "texts"), exist_ok=True)
        with open(os.path.join(root, "texts", name + ".txt"), "w") as f:
            for i in range(n):
                f.write(words[(i * (t + 1)) % 4] + " " + words[(i + t) % 4] + "\n")
    with open(os.path.join(root, "mossa.json"), "w") as f:
        json.dump({"control": "control", "clusters": {t: "c%d" % (i % 3) for i, t in enumerate(tnames)}}, f)
    return models, tnames


def cka(x, y):
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    x = x - x.mean(0)
    y = y - y.mean(0)
    return np.linalg.norm(x.T @ y) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))


def rank99(x, f=0.99):
    x = x.astype(np.float64)
    s = np.linalg.svd(x - x.mean(0), compute_uv=False) ** 2
    c = np.cumsum(s) / s.sum()
    return int(np.searchsorted(c, f * (1 - 1e-12)) + 1)


def t_p(r, n):
    try:
        import mpmath
    except ImportError:
        return None
    return float(mpmath.betainc((n - 2) / 2.0, 0.5, 0, 1 - r * r, regularized=True))


def ranks(v):
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    r[order] = np.arange(1, len(v) + 1)
    for val in np.unique(v):
        idx = v == val
        r[idx] = r[idx].mean()
    return r


def groups_brute(y, minl):
    n = len(y)
    x = np.arange(n, dtype=np.float64)

    def rss(i, j):
        c = np.polyfit(x[i:j], y[i:j], 1)
        e = y[i:j] - np.polyval(c, x[i:j])
        return float(e @ e)

    best = None
    for a in range(minl, n - 2 * minl + 1):
        for b in range(a + minl, n - minl + 1):
            c = rss(0, a) + rss(a, b) + rss(b, n)
            if best is None or c < best[0] - 1e-12:
                best = (c, a, b)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--tasks", type=int, default=6)
    ap.add_argument("--layers", type=int, default=14)
    ap.add_argument("--rows", type=int, default=180)
    ap.add_argument("--dims", type=int, default=96)
    ap.add_argument("--keep", help="write the data set here and keep it")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mossa-cross-analysis-")
    root = a.keep or os.path.join(tmp, "data")
    models, tasks = make_dir(root, a.tasks, a.layers, a.rows, a.dims)
    out = os.path.join(tmp, "out")
    t0 = time.time()
    proc = subprocess.run([a.cli, "analyze", root, "-o", out, "--json", "--quiet"], capture_output=True, text=True)
    seconds = time.time() - t0
    if proc.returncode != 0:
        print("cross_analysis: FAIL: mossa exited %d: %s" % (proc.returncode, proc.stderr.strip()))
        return 1
    rep = json.loads(proc.stdout)
    problems = []
    worst_cka = 0.0
    grades = np.array([rep["task_grade"][t] for t in tasks])
    for m in models:
        mr = rep["models"][m]
        for ti, t in enumerate(tasks):
            for l in range(a.layers):
                x = np.load(os.path.join(root, m, t, "%d.npy" % l))
                rk = rank99(x)
                if mr["rank99"][t][l] != rk:
                    problems.append("rank %s/%s/%d: %d vs numpy %d" % (m, t, l, mr["rank99"][t][l], rk))
                if m == "control":
                    continue
                z = np.load(os.path.join(root, "control", t, "%d.npy" % l))
                want = cka(x, z)
                got = mr["cka"][t][l]
                worst_cka = max(worst_cka, abs(got - want))
                if abs(got - want) > 1e-6:
                    problems.append("cka %s/%s/%d: %.9f vs numpy %.9f" % (m, t, l, got, want))
        if m == "control":
            continue
        table = np.array([mr["cka"][t] for t in tasks])
        mean = table.mean(0)
        if np.max(np.abs(mean - np.array(mr["cka_mean"]))) > 1e-12:
            problems.append("cka_mean %s" % m)
        for q, key in ((0.25, "cka_q1"), (0.5, "cka_median"), (0.75, "cka_q3")):
            if np.max(np.abs(np.quantile(table, q, axis=0) - np.array(mr[key]))) > 1e-12:
                problems.append("%s %s" % (key, m))
        rc = mr["readability_correlation"]
        for l in range(a.layers):
            r = np.corrcoef(table[:, l], grades)[0, 1]
            if abs(r - rc["pearson"][l]) > 1e-10:
                problems.append("pearson %s layer %d: %.12f vs %.12f" % (m, l, rc["pearson"][l], r))
            p = t_p(r, len(tasks))
            if p is not None and abs(p - rc["p_pearson"][l]) > 1e-9 + 1e-7 * p:
                problems.append("p_pearson %s layer %d: %.12g vs %.12g" % (m, l, rc["p_pearson"][l], p))
            rs = np.corrcoef(ranks(table[:, l]), ranks(grades))[0, 1]
            if abs(rs - rc["spearman"][l]) > 1e-10:
                problems.append("spearman %s layer %d" % (m, l))
        minl = max(2, a.layers // 8)
        best = groups_brute(mean, minl)
        g = mr["groups"]
        if g["transition"][0] != best[1] or g["refinement"][0] != best[2]:
            problems.append("groups %s: %s vs brute force breaks at %d, %d" % (m, g, best[1], best[2]))
    for f in ("index.html", "report.json", "rank.svg", "cka_mean_all.svg"):
        if not os.path.exists(os.path.join(out, f)):
            problems.append("missing " + f)
    n_mat = len(models) * a.tasks * a.layers
    mb = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(root) for f in fs if f.endswith(".npy")) / 1e6
    if problems:
        for p in problems[:20]:
            print("  " + p)
        print("cross_analysis: FAIL: %d disagreements" % len(problems))
        return 1
    print("cross_analysis: OK: %d models x %d tasks x %d layers x %d rows x %d dims (%d matrices, %.1f MB) in %.2f s "
          "(%.1f MB/s); max |CKA - numpy| %.1e; ranks, summaries, correlations, p-values, groups agree"
          % (len(models), a.tasks, a.layers, a.rows, a.dims, n_mat, mb, seconds, mb / seconds, worst_cka))
    return 0


if __name__ == "__main__":
    sys.exit(main())
