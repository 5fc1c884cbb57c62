#!/usr/bin/python3
"""Cross-checks mossa's .npy reader and writer against numpy.

    /usr/bin/python3 tests/cross_npy.py [build/mossa]

1. Regenerates the committed fixtures (tests/data/npy/make_fixtures.py) into a
   temporary directory and requires them to be byte-identical: the C suite's
   numpy reference is reproducible and numpy's writer has not changed.
2. Builds tests/compile/npy_roundtrip.c ($CC, default cc) and, on random
   arrays of every dtype (float16/32/64), order (C/F) and format version
   (1.0/2.0/3.0) with special values (inf, nan, -0, subnormals, extremes),
   checks that mossa reads exactly numpy's astype(float32) (whole file, row
   slices, in-memory decode and from a pipe), and that mossa_npy_write's
   bytes equal np.save's for the same float32 array.
3. Arrays numpy writes that mossa must refuse are refused with the reason
   and the file name on stderr.
Exits non-zero on any disagreement; prints a one-line summary.
(The CLI argument is accepted for the `make test-cross` convention; no CLI
command reads .npy files yet.)
"""
import filecmp
import io
import os
import subprocess
import sys
import tempfile

import numpy as np
from numpy.lib import format as npf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "data", "npy"))
import make_fixtures  # noqa: E402

failures = []


def fail(msg):
    failures.append(msg)
    if len(failures) <= 20:
        print("FAIL:", msg, file=sys.stderr)


def same_f32(a, b):
    a = np.ascontiguousarray(a, dtype="<f4")
    b = np.ascontiguousarray(b, dtype="<f4")
    if a.shape != b.shape:
        return False
    na, nb = np.isnan(a), np.isnan(b)
    return bool(np.array_equal(na, nb) and np.array_equal(a.view("<u4")[~na], b.view("<u4")[~nb]))


def random_array(rng, dt):
    r = int(rng.choice([0, 1, 2, 3, 5, 17, 40, 129]))
    c = int(rng.choice([0, 1, 2, 4, 7, 33]))
    vals = rng.standard_normal(r * c) * 10.0 ** rng.uniform(-6, 6, r * c)
    info = np.finfo(dt)
    specials = [np.inf, -np.inf, np.nan, -0.0, 0.0, info.max, -info.max, info.tiny,
                info.tiny * info.eps, -info.tiny / 3]
    if dt == np.float64:
        specials += [1e39, -1e-42, 3.4028235677973366e38, 2.0 ** -150]
    for i in range(0, r * c, 5):
        vals[i] = specials[int(rng.integers(len(specials)))]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return vals.astype(dt).reshape(r, c)


def main():
    cc = os.environ.get("CC", "cc")
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        # 1. fixtures reproducible
        fx = os.path.join(tmp, "fixtures")
        make_fixtures.generate(fx)
        committed = os.path.join(ROOT, "tests", "data", "npy")
        for name in sorted(os.listdir(fx)):
            if name == "err_obj.npy":  # its pickle bytes follow Python's pickler, not the format
                continue
            if not filecmp.cmp(os.path.join(fx, name), os.path.join(committed, name), shallow=False):
                fail("fixture %s differs from a fresh numpy %s run" % (name, np.__version__))
            checked += 1

        # 2. random round trips through the C reader and writer
        exe = os.path.join(tmp, "npy_roundtrip")
        subprocess.run([cc, "-std=c99", "-O1", "-I" + ROOT, "-o", exe,
                        os.path.join(ROOT, "tests", "compile", "npy_roundtrip.c"), "-lm", "-lpthread"],
                       check=True)
        rng = np.random.default_rng(20261126)
        src, out = os.path.join(tmp, "in.npy"), os.path.join(tmp, "out.npy")
        for case in range(144):
            dt = [np.float16, np.float32, np.float64][case % 3]
            order = "CF"[(case // 3) % 2]
            version = (1 + (case // 6) % 3, 0)
            a = random_array(rng, dt)
            a = np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)
            with open(src, "wb") as f:
                npf.write_array(f, a, version=version)
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                want = a.astype(np.float32)
            r = a.shape[0]
            row0 = int(rng.integers(0, r + 1))
            nrows = int(rng.integers(0, r - row0 + 1))
            label = "%s %s v%d %s" % (np.dtype(dt).name, order, version[0], a.shape)
            for mode, args, expect in (("read", [], want), ("mem", ["mem"], want),
                                       ("rows", [str(row0), str(nrows)], want[row0:row0 + nrows])):
                p = subprocess.run([exe, src, out] + args, capture_output=True, text=True)
                if p.returncode != 0:
                    fail("%s %s: %s" % (label, mode, p.stderr.strip()))
                    continue
                got = np.load(out)
                if got.dtype != np.float32 or not same_f32(got, expect):
                    fail("%s %s: values differ from numpy astype(float32)" % (label, mode))
                buf = io.BytesIO()
                np.save(buf, np.ascontiguousarray(expect, dtype="<f4"))
                with open(out, "rb") as f:
                    if f.read() != buf.getvalue():
                        fail("%s %s: mossa_npy_write bytes differ from np.save" % (label, mode))
                checked += 1
            # the same file through a pipe (non-seekable)
            with open(src, "rb") as f:
                data = f.read()
            p = subprocess.run([exe, "/dev/stdin", out], input=data, capture_output=True)
            if p.returncode != 0 or not same_f32(np.load(out), want):
                fail("%s pipe: %s" % (label, p.stderr.decode().strip()))
            checked += 1

        # 3. arrays numpy writes that mossa refuses, with the reason and file name
        refused = {
            "unsupported .npy shape": [np.zeros(3, "<f4"), np.zeros((2, 2, 2), "<f8"), np.array(2.0, "<f4")],
            "unsupported .npy dtype": [np.zeros((2, 2), ">f4"), np.zeros((2, 2), ">f8"),
                                       np.zeros((2, 2), "<i8"), np.zeros((2, 2), "<c16"),
                                       np.zeros((2, 2), "u1"), np.zeros((2, 2), "<M8[s]"),
                                       np.zeros((2, 2), "<f4").astype([("a", "<f4")])],
        }
        for reason, arrays in refused.items():
            for k, arr in enumerate(arrays):
                bad = os.path.join(tmp, "bad%d.npy" % k)
                with open(bad, "wb") as f:
                    npf.write_array(f, arr)
                p = subprocess.run([exe, bad, out], capture_output=True, text=True)
                if p.returncode != 1 or bad not in p.stderr or reason not in p.stderr:
                    fail("%s %s: expected refusal (%s), got rc=%d %r" %
                         (arr.dtype, arr.shape, reason, p.returncode, p.stderr.strip()))
                checked += 1
        truncated = os.path.join(tmp, "trunc.npy")
        with open(truncated, "wb") as f:
            f.write(data[:-1])
        p = subprocess.run([exe, truncated, out], capture_output=True, text=True)
        if p.returncode != 1 or "truncated" not in p.stderr:
            fail("truncated file not refused as truncated: %r" % p.stderr)
        checked += 1

    if failures:
        print("cross_npy: %d of %d checks FAILED" % (len(failures), checked))
        return 1
    print("cross_npy: %d checks agree with numpy %s (fixtures, f2/f4/f8 x C/F x v1-3 reads, "
          "slices, pipes, writes, refusals)" % (checked, np.__version__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
