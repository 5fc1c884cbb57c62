#!/usr/bin/python3
"""mossa tsne vs sklearn TSNE (Barnes-Hut), side by side, one common evaluator.

Usage: /usr/bin/python3 bench/compare_tsne.py build/mossa [--sets digits,mix20k,digits70k]
                                                         [--threads 2] [--no-sklearn]

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
write). The sklearn run on 20,000 points takes about 80 s.
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
        d2 = sq[s:e, None] + sq[None, :] - 2.0 * x[s:e] @ x.T
        d2[np.arange(e - s), np.arange(s, e)] = np.inf
        part = np.argpartition(d2, k, axis=1)[:, :k]
        pd = np.take_along_axis(d2, part, 1)
        order = np.argsort(pd, axis=1)
        idx[s:e] = np.take_along_axis(part, order, 1)
        dist[s:e] = np.maximum(np.take_along_axis(pd, order, 1), 0.0)
    return idx, dist


def joint_p(x, perplexity=PERPLEXITY):
    n = x.shape[0]
    k = min(n - 1, int(3 * perplexity))
    idx, d2 = knn(x, k)
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
        d2 = np.maximum(sq[s:e, None] + sq[None, :] - 2.0 * y[s:e] @ y.T, 0.0)
        Z += (1.0 / (1.0 + d2)).sum() - (e - s)     # minus the diagonal (q_ii = 1)
    d2 = ((y[P.row] - y[P.col]) ** 2).sum(1)
    q = 1.0 / (1.0 + d2) / Z
    return float((P.data * np.log(P.data / q)).sum())


def knn_accuracy(y, labels, k=10):
    idx, _ = knn(y, k)
    votes = labels[idx]
    pred = np.array([np.bincount(v, minlength=labels.max() + 1).argmax() for v in votes])
    return float((pred == labels).mean())


def run_mossa(cli, x, threads):
    with tempfile.TemporaryDirectory() as tmp:
        xin, yout = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
        np.save(xin, x)
        t0 = time.time()
        out = subprocess.run([cli, "--threads", str(threads), "tsne", xin, "-o", yout, "--json"],
                             check=True, capture_output=True, text=True).stdout
        secs = time.time() - t0
        return np.load(yout), secs, json.loads(out)


def run_sklearn(x, threads):
    from sklearn.manifold import TSNE
    import sklearn
    t0 = time.time()
    kw = dict(n_components=2, perplexity=PERPLEXITY, method="barnes_hut", angle=0.5, init="pca",
              learning_rate="auto", n_jobs=threads, random_state=0)
    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    kw["max_iter" if (major, minor) >= (1, 5) else "n_iter"] = 1000
    y = TSNE(**kw).fit_transform(x)
    return y, time.time() - t0


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
    makers = {"digits": load_digits, "mix20k": mixture, "digits70k": digits_resampled}
    print(f"{'data':<10} {'tool':<8} {'seconds':>8} {'KL':>8} {'10-NN':>7}")
    rows = []
    for name in sets.split(","):
        x, lab = makers[name]()
        P = joint_p(x)
        ym, tm, js = run_mossa(cli, x, threads)
        klm, accm = exact_kl(P, ym), knn_accuracy(ym, lab)
        print(f"{name:<10} {'mossa':<8} {tm:8.2f} {klm:8.4f} {accm:7.4f}   (own KL {js['kl']:.4f})", flush=True)
        row = {"data": name, "mossa": (tm, klm, accm)}
        if use_sk:
            ys, ts = run_sklearn(x, threads)
            kls, accs = exact_kl(P, ys), knn_accuracy(ys, lab)
            print(f"{name:<10} {'sklearn':<8} {ts:8.2f} {kls:8.4f} {accs:7.4f}", flush=True)
            print(f"{name:<10} ratio: sklearn/mossa time {ts / tm:.2f}x, KL diff {klm - kls:+.4f}, "
                  f"10-NN diff {accm - accs:+.4f}", flush=True)
            row["sklearn"] = (ts, kls, accs)
        rows.append(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
