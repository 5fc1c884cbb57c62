#!/usr/bin/python3
"""Writes the .npy fixtures that tests/test_npy.c reads, using numpy's own
writer (numpy.lib.format.write_array), so the C reader is checked against
an independent implementation of the format.

    /usr/bin/python3 tests/data/npy/make_fixtures.py [OUTDIR]

OUTDIR defaults to this script's directory. Output is deterministic;
tests/cross_npy.py regenerates it into a temporary directory and checks
that the committed files are byte-identical.

Files:
  <dt>_<C|F>_v<1|2|3>.npy  a 5 x 3 array of dtype <dt> (f2, f4, f8), in C or
                           Fortran order, format version 1.0/2.0/3.0
  <dt>_ref.f32             numpy's astype(float32) of that array, C order,
                           raw little-endian float32 (not .npy, so the
                           reference does not go through the reader)
  w_<r>x<c>.npy            np.save of a float32 array w[i, j] = 0.25*(i*c + j) - 3
                           (mossa_npy_write must produce the same bytes)
  two_arrays.npy           two np.save calls into one file (first: f4_C data)
  err_*.npy                numpy-written arrays mossa must refuse
"""
import os
import sys

import numpy as np
from numpy.lib import format as npf

VALUES = {
    # float16: normals, the largest half, the smallest normal and subnormal,
    # signed zero, infinities, NaN
    "f2": [1.0, -2.5, 0.333251953125, 65504.0, -65504.0, 6.103515625e-05,
           5.960464477539063e-08, -3.0517578125e-05, 0.0, -0.0, np.inf, -np.inf,
           np.nan, 1000.5, 0.099975586],
    # float32: exact values incl. subnormals and extremes
    "f4": [1.0, -2.5, 0.1, 3.4028234663852886e38, -1.1754943508222875e-38, 1e-45,
           -0.0, np.inf, np.nan, 123456.789, -7.0, 2.0 ** -149, 1.0 / 3.0, 16777217.0, 42.0],
    # float64: values that need rounding to float32, ties, overflow to inf,
    # values that become float32 subnormals or zero
    "f8": [0.1, 1.0 / 3.0, -2.0 / 3.0, 1e39, -1e39, 3.4028235677973366e38, 1e-40, 1e-50,
           1.0 + 2.0 ** -24, 1.0 + 3 * 2.0 ** -24, 16777217.0, np.nan, -np.inf, 2.0 ** -150, 0.0],
}
SHAPE = (5, 3)
WRITE_SHAPES = [(4, 5), (123, 2), (0, 3), (1, 1), (7, 0), (2, 1000)]


def write(path, arr, version):
    with open(path, "wb") as f:
        npf.write_array(f, arr, version=version, allow_pickle=True)


def generate(outdir):
    os.makedirs(outdir, exist_ok=True)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for dt, vals in VALUES.items():
            a = np.array(vals, dtype="<" + dt).reshape(SHAPE)
            a.astype("<f4").tofile(os.path.join(outdir, dt + "_ref.f32"))
            for order in "CF":
                b = np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)
                assert b.flags.f_contiguous if order == "F" else b.flags.c_contiguous
                for v in (1, 2, 3):
                    write(os.path.join(outdir, "%s_%s_v%d.npy" % (dt, order, v)), b, (v, 0))
    for r, c in WRITE_SHAPES:
        w = (0.25 * np.arange(r * c, dtype=np.float64) - 3).astype("<f4").reshape(r, c)
        np.save(os.path.join(outdir, "w_%dx%d.npy" % (r, c)), w)
    with open(os.path.join(outdir, "two_arrays.npy"), "wb") as f:
        np.save(f, np.array(VALUES["f4"], dtype="<f4").reshape(SHAPE))
        np.save(f, np.ones((2, 2), dtype="<f8"))
    errs = {
        "err_1d": np.zeros(4, "<f4"),
        "err_0d": np.array(1.5, "<f4"),
        "err_3d": np.zeros((2, 3, 4), "<f4"),
        "err_be": np.zeros((2, 3), ">f4"),
        "err_i4": np.zeros((2, 3), "<i4"),
        "err_c8": np.zeros((2, 3), "<c8"),
        "err_bool": np.zeros((2, 3), "?"),
        "err_struct": np.zeros((2, 3), [("a", "<f4"), ("b", "<f4")]),
        "err_obj": np.array([[1.0, "x"]], dtype=object),
    }
    for name, arr in errs.items():
        write(os.path.join(outdir, name + ".npy"), arr, None)


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
