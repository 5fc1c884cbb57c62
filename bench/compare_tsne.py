#!/usr/bin/python3
"""mossa tsne vs sklearn TSNE (Barnes-Hut), side by side, one common evaluator.

Usage: /usr/bin/python3 bench/compare_tsne.py build/mossa [--sets digits,mix20k,digits70k]
                                                         [--threads 2] [--no-sklearn] [--large]

For every data set both tools embed the same float32 matrix (perplexity 30,
1000 iterations, PCA init, learning rate auto, 2 threads; sklearn with
method="barnes_hut", angle 0.5 = mossa theta 0.5, both full-cell-width).
Both embeddings are scored by ONE evaluator:
  * P: the standard perplexity-calibrated kNN affinities (k = 90 exact
    neighbours, squared Euclidean distances, bisection on the precision to
    entropy log(30) within 1e-10, P = (P + P^T) / 2n), in float64;
  * Q: exact, over all pairs, float64, in numpy blocks;
  * KL(P || Q) = sum P log(P / Q) and 10-NN label accuracy of the embedding
    (leave-one-out, majority vote).
Wall time is measured around each whole run (load, affinities, optimisation,
write), and CPU seconds (all threads) beside it: on a shared machine the
CPU ratio is the steadier one. The sklearn run on 20,000 points takes
about 80 s on a quiet 2-core machine.

--large (opt-in, instead of --sets): 70,000 x 64 "digits resampled" - rows
of tests/data/digits.npy drawn with replacement (numpy default_rng(0)) plus
N(0, 1) noise per entry (pixel values are 0..16), float32. Only
`mossa --threads T tsne` runs (sklearn would take far too long); printed:
wall seconds, peak RSS of the mossa process (os.wait4 on that child),
bytes per point (with and without the 256 B/point of the input matrix
itself), the exact KL by the same evaluator (kNN, P and Z in blocked
float64 numpy, O(n^2): 135 s at 70k on the shared 2-core machine), the 10-NN accuracy, the load
average at the start, and the peer figures from ANCHORS.md for reference
(FIt-SNE FFT, 2 threads: 52 s / KL 1.961 with learning rate 200; 188 s /
KL 0.807 with learning rate N/12 and PCA init, which is mossa's default).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")
PERPLEXITY = 30.0


def load_digits():
    x = np.load(os.path.join(DATA, "digits.npy")).astype(np.float32)
    y = np.load(os.path.join(DATA, "digits_labels.npy")).astype(np.int64).ravel()
    return x, y


def mixture(n=20000, d=50, clusters=10, seed=0):
    """10 Gaussian clusters in 50-D, centres N(0, 4^2), unit spread."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 4.0, size=(clusters, d))
    lab = rng.integers(0, clusters, size=n)
    x = centres[lab] + rng.normal(size=(n, d))
    return x.astype(np.float32), lab


def digits_resampled(n=70000, seed=0):
    """digits rows drawn with replacement plus N(0, 1) noise (70,000 x 64)."""
    x, y = load_digits()
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.shape[0], size=n)
    return (x[idx] + rng.normal(size=(n, x.shape[1]))).astype(np.float32), y[idx]


def knn(x, k, block=2048):
    """exact kNN (self excluded) by blocked squared distances in float64"""
    x = x.astype(np.float64)
    sq = (x * x).sum(1)
    n = x.shape[0]
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k))
    for s in range(0, n, block):
        e = min(n, s + block)
        d2 = x[s:e] @ x.T                   # in place from here: one n-wide block in memory
        d2 *= -2.0
        d2 += sq[s:e, None]
        d2 += sq[None, :]
        d2[np.arange(e - s), np.arange(s, e)] = np.inf
        part = np.argpartition(d2, k, axis=1)[:, :k]
        pd = np.take_along_axis(d2, part, 1)
        order = np.argsort(pd, axis=1)
        idx[s:e] = np.take_along_axis(part, order, 1)
        dist[s:e] = np.maximum(np.take_along_axis(pd, order, 1), 0.0)
    return idx, dist


def joint_p(x, perplexity=PERPLEXITY, block=2048):
    n = x.shape[0]
    k = min(n - 1, int(3 * perplexity))
    idx, d2 = knn(x, k, block)
    d2 = d2 - d2[:, :1]
    target = np.log(perplexity)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    beta = np.ones(n) / np.maximum(d2.mean(1), 1e-300)
    for _ in range(200):
        w = np.exp(-beta[:, None] * d2)
        s = w.sum(1)
        h = np.log(s) + beta * (w * d2).sum(1) / s
        done = np.abs(h - target) < 1e-10
        if done.all():
            break
        up = h > target
        lo = np.where(up, beta, lo)
        hi = np.where(up, hi, beta)
        beta = np.where(done, beta, np.where(np.isinf(hi), beta * 2, (lo + hi) / 2))
    w = np.exp(-beta[:, None] * d2)
    p = w / w.sum(1, keepdims=True)
    rows = np.repeat(np.arange(n), k)
    from scipy.sparse import csr_matrix
    P = csr_matrix((p.ravel(), (rows, idx.ravel())), shape=(n, n))
    P = (P + P.T) / (2.0 * n)
    return P.tocoo()


def exact_kl(P, y, block=2048):
    y = y.astype(np.float64)
    n = y.shape[0]
    sq = (y * y).sum(1)
    Z = 0.0
    for s in range(0, n, block):
        e = min(n, s + block)
        d2 = y[s:e] @ y.T
        d2 *= -2.0
        d2 += sq[s:e, None]
        d2 += sq[None, :]
        np.maximum(d2, 0.0, out=d2)
        d2 += 1.0
        np.reciprocal(d2, out=d2)
        Z += d2.sum() - (e - s)     # minus the diagonal (q_ii = 1)
    d2 = ((y[P.row] - y[P.col]) ** 2).sum(1)
    q = 1.0 / (1.0 + d2) / Z
    return float((P.data * np.log(P.data / q)).sum())


def knn_accuracy(y, labels, k=10, block=2048):
    idx, _ = knn(y, k, block)
    votes = labels[idx]
    pred = np.array([np.bincount(v, minlength=labels.max() + 1).argmax() for v in votes])
    return float((pred == labels).mean())


def run_mossa(cli, x, threads, with_rss=False):
    with tempfile.TemporaryDirectory() as tmp:
        xin, yout, jout = (os.path.join(tmp, f) for f in ("x.npy", "y.npy", "out.json"))
        np.save(xin, x)
        t0 = time.time()
        with open(jout, "w") as jf:
            proc = subprocess.Popen([cli, "--threads", str(threads), "tsne", xin, "-o", yout, "--json"],
                                    stdout=jf)
            # wait4: the rusage of this child alone (peak RSS in KiB on Linux)
            _, status, ru = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        secs = time.time() - t0
        if proc.returncode != 0:
            raise SystemExit(f"mossa tsne failed with exit code {proc.returncode}")
        cpu = ru.ru_utime + ru.ru_stime
        with open(jout) as jf:
            js = json.load(jf)
        y = np.load(yout)
        if with_rss:
            return y, secs, cpu, js, ru.ru_maxrss * 1024
        return y, secs, cpu, js


def run_large(cli, threads):
    """70k x 64 digits resampled, mossa only (see the module docstring)"""
    load = os.getloadavg()
    x, lab = digits_resampled()
    n, d = x.shape
    print(f"digits resampled {n} x {d}, mossa --threads {threads} tsne (defaults: perplexity 30, "
          f"1000 iterations, lr max(N/12, 200), PCA init); load average at start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs", flush=True)
    ym, tm, cm, js, rss = run_mossa(cli, x, threads, with_rss=True)
    print(f"mossa: wall {tm:.1f} s, cpu {cm:.1f} s, own KL {js['kl']:.4f}, peak RSS {rss / 2**20:.1f} MiB "
          f"= {rss / n:.0f} B/point ({(rss - x.nbytes) / n:.0f} B/point without the input matrix)",
          flush=True)
    t0 = time.time()
    P = joint_p(x, block=512)
    kl = exact_kl(P, ym, block=512)
    # 10-NN in the 2-D embedding by a k-d tree (exact; the blocked brute
    # force would take minutes at 70k)
    from scipy.spatial import cKDTree
    nb = cKDTree(ym.astype(np.float64)).query(ym.astype(np.float64), k=11)[1][:, 1:]
    votes = lab[nb]
    acc = float((np.array([np.bincount(v, minlength=lab.max() + 1).argmax() for v in votes]) == lab).mean())
    print(f"mossa: exact KL {kl:.4f}, 10-NN accuracy {acc:.4f} (evaluator {time.time() - t0:.0f} s)")
    print("ANCHORS.md, FIt-SNE FFT 2 threads: 52 s / KL 1.961 (lr 200); 188 s / KL 0.807 (lr N/12, PCA init)")
    print(f"ratio: FIt-SNE (lr N/12) / mossa wall time {188.0 / tm:.2f}x (peer not re-measured in this run), "
          f"KL diff {kl - 0.807:+.4f}")
    return 0


def run_sklearn(x, threads):
    from sklearn.manifold import TSNE
    import sklearn
    t0, c0 = time.time(), time.process_time()
    kw = dict(n_components=2, perplexity=PERPLEXITY, method="barnes_hut", angle=0.5, init="pca",
              learning_rate="auto", n_jobs=threads, random_state=0)
    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    kw["max_iter" if (major, minor) >= (1, 5) else "n_iter"] = 1000
    y = TSNE(**kw).fit_transform(x)
    return y, time.time() - t0, time.process_time() - c0


def main():
    args = sys.argv[1:]
    cli = args[0] if args and not args[0].startswith("--") else "build/mossa"
    sets = "digits,mix20k"
    threads = 2
    use_sk = True
    for i, a in enumerate(args):
        if a == "--sets":
            sets = args[i + 1]
        if a == "--threads":
            threads = int(args[i + 1])
        if a == "--no-sklearn":
            use_sk = False
    if "--large" in args:
        return run_large(cli, threads)
    makers = {"digits": load_digits, "mix20k": mixture, "digits70k": digits_resampled}
    print(f"{'data':<10} {'tool':<8} {'seconds':>8} {'cpu-s':>8} {'KL':>8} {'10-NN':>7}")
    rows = []
    for name in sets.split(","):
        x, lab = makers[name]()
        P = joint_p(x)
        ym, tm, cm, js = run_mossa(cli, x, threads)
        klm, accm = exact_kl(P, ym), knn_accuracy(ym, lab)
        print(f"{name:<10} {'mossa':<8} {tm:8.2f} {cm:8.2f} {klm:8.4f} {accm:7.4f}   (own KL {js['kl']:.4f})",
              flush=True)
        row = {"data": name, "mossa": (tm, klm, accm)}
        if use_sk:
            ys, ts, cs = run_sklearn(x, threads)
            kls, accs = exact_kl(P, ys), knn_accuracy(ys, lab)
            print(f"{name:<10} {'sklearn':<8} {ts:8.2f} {cs:8.2f} {kls:8.4f} {accs:7.4f}", flush=True)
            print(f"{name:<10} ratio: sklearn/mossa wall time {ts / tm:.2f}x, cpu time {cs / cm:.2f}x, "
                  f"KL diff {klm - kls:+.4f}, 10-NN diff {accm - accs:+.4f}", flush=True)
            row["sklearn"] = (ts, kls, accs)
        rows.append(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
