#!/usr/bin/python3
"""Writes the fuzzers' seed corpora (tests/fuzz/corpus_*). Deterministic;
run with Debian's /usr/bin/python3 (numpy) from the repository root:
    /usr/bin/python3 tests/fuzz/make_corpus.py
The seeds are committed; rerun only to change them."""
import io
import os
import struct
import numpy as np

root = os.path.dirname(os.path.abspath(__file__))


def out(corpus, name, data):
    d = os.path.join(root, "corpus_" + corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def npy_bytes(a, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, a)
    else:
        np.lib.format.write_array(b, a, version=version)
    return b.getvalue()


def raw_npy(header, data=b"", version=1, magic=b"\x93NUMPY"):
    """A .npy image with a hand-written header dict (padded like numpy)."""
    h = header.encode("latin1")
    lenfmt = "<H" if version == 1 else "<I"
    pre = 6 + 2 + (2 if version == 1 else 4)
    pad = (64 - (pre + len(h) + 1) % 64) % 64
    h = h + b" " * pad + b"\n"
    return magic + bytes([version, 0]) + struct.pack(lenfmt, len(h)) + h + data


rng = np.random.default_rng(8)
# ---- npy: valid files of every supported kind --------------------------------
for dt in ("<f2", "<f4", "<f8"):
    for order in ("C", "F"):
        for shape in ((1, 1), (5, 3), (2, 17)):
            a = np.asarray(rng.standard_normal(shape), dtype=dt, order=order)
            out("npy", "valid_%s_%s_%dx%d.npy" % (dt[1:], order, shape[0], shape[1]), npy_bytes(a))
a = rng.standard_normal((4, 3)).astype("<f4")
out("npy", "valid_v2.npy", npy_bytes(a, (2, 0)))
out("npy", "valid_v3.npy", npy_bytes(a, (3, 0)))
special = np.array([[np.nan, np.inf, -np.inf], [0.0, -0.0, 1e-45], [3.4e38, -1.0, 65504.0]])
for dt in ("<f2", "<f4", "<f8"):
    out("npy", "special_%s.npy" % dt[1:], npy_bytes(special.astype(dt)))
out("npy", "empty_rows.npy", npy_bytes(np.zeros((0, 3), "<f4")))
out("npy", "empty_cols.npy", npy_bytes(np.zeros((3, 0), "<f4")))
# hand-written headers numpy would also accept
d4 = a.tobytes()
out("npy", "hdr_spaces.npy", raw_npy("{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 4 , 3 ) , }", d4))
out("npy", "hdr_order.npy", raw_npy("{'shape': (4, 3), 'fortran_order': False, 'descr': '<f4'}", d4))
out("npy", "hdr_dquote.npy", raw_npy('{"descr": "<f4", "fortran_order": False, "shape": (4, 3)}', d4))
out("npy", "hdr_long.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4L, 3L), }", d4))
# ---- npy: malformed (the parser must refuse each with a status) ---------------
good = npy_bytes(a)
out("npy", "bad_magic.npy", b"\x93NUMPZ" + good[6:])
out("npy", "bad_version.npy", good[:6] + b"\x04\x00" + good[8:])
out("npy", "trunc_header.npy", good[:40])
out("npy", "trunc_data.npy", good[:-5])
out("npy", "huge_header_len.npy", good[:8] + b"\xff\xff" + good[10:])
out("npy", "huge_header_len_v2.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", d4, 2)[:8] + b"\xff\xff\xff\xff")
out("npy", "big_endian.npy", raw_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (4, 3), }", d4))
out("npy", "int32.npy", raw_npy("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 3), }", d4))
out("npy", "object.npy", raw_npy("{'descr': '|O', 'fortran_order': False, 'shape': (4, 3), }", d4))
out("npy", "struct.npy", raw_npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4, 3), }", d4))
out("npy", "one_d.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (12,), }", d4))
out("npy", "three_d.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 3), }", d4))
out("npy", "scalar.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", d4[:4]))
out("npy", "negative_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 3), }", d4))
out("npy", "overflow_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967297), }", d4))
out("npy", "overflow_shape2.npy", raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551615, 2), }", d4))
out("npy", "bignum_shape.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999999, 1), }", d4))
out("npy", "huge_rows_small_file.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 1000), }", d4))
out("npy", "garbage_dict.npy", raw_npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4, 3), }", d4))
out("npy", "missing_key.npy", raw_npy("{'descr': '<f4', 'shape': (4, 3), }", d4))
out("npy", "dup_key.npy", raw_npy("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }", d4))
out("npy", "not_a_dict.npy", raw_npy("['descr', '<f4']", d4))
out("npy", "unterminated.npy", raw_npy("{'descr': '<f4, 'fortran_order': False, 'shape': (4, 3), }", d4))
out("npy", "nul_in_header.npy", raw_npy("{'descr': '<f4\0', 'fortran_order': False, 'shape': (4, 3), }", d4))
out("npy", "empty.npy", b"")
out("npy", "magic_only.npy", b"\x93NUMPY")

# ---- text: prose and the scanner's edge cases --------------------------------
texts = {
    "prose.txt": "The quick brown fox jumped over the lazy dog. Dr. Smith paid $3.50 for 4,000 apples, "
                 "e.g. the red ones, at 5 p.m. in the U.S. Wait... really? Yes! It's a well-known fact.\n",
    "initials.txt": "J. R. R. Tolkien wrote it. Mrs. Jones and Mr. Brown met St. John at 10 a.m. etc. Then they left.",
    "lines.txt": "One short line.\nAnother line, somewhat longer than the first one.\n\nA third.\n",
    "unicode.txt": "Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u2014 \u201cquoted\u201d text\u2026 \u00dcber gro\u00dfe Stra\u00dfe. \u65e5\u672c\u8a9e\u3002 Emoji \U0001F600 here.",
    "numbers.txt": "Version 3.14.15 costs 1,234,567.89 dollars. Call 555-1234 now.",
    "hyphens.txt": "A well-to-do, state-of-the-art, mother-in-law's co-operation. Don't won't can't o'clock rock'n'roll.",
    "empty.txt": "",
    "dots.txt": "... . .. .... ?! !? .?. a.b.c. i.e. e.g., etc.",
}
for name, t in texts.items():
    out("text", name, t.encode("utf-8"))
out("text", "invalid_utf8.txt", b"Bad \xff\xfe bytes \xc3 here. Overlong \xc0\xaf and surrogate \xed\xa0\x80 end. \xf4\x90\x80\x80 too big.")
out("text", "nul_bytes.txt", b"Words\x00with\x00NUL bytes. Another\x00sentence.")
out("text", "truncated_utf8.txt", b"Ends in the middle of a char \xe2\x82")
out("text", "crlf.txt", b"Windows lines.\r\nSecond line.\r\n")

# ---- kernels: mode byte, shape byte, shift byte, alpha, then values ----------
def kern(mode, shape, shift, alpha_bytes, values):
    return bytes([mode, shape, shift]) + alpha_bytes + values


out("kernels", "raw_small", kern(0, 5, 0, struct.pack("<f", 0.5), rng.standard_normal(16).astype("<f4").tobytes()))
out("kernels", "raw_long", kern(0, 33, 3, struct.pack("<f", -2.0), rng.standard_normal(600).astype("<f4").tobytes()))
out("kernels", "raw_special", kern(0, 2, 1, struct.pack("<f", np.inf),
                                   np.array([np.nan, np.inf, -np.inf, 0, -0.0, 1e-45, 3.4e38, -3.4e38,
                                             88.72, 88.73, -103.9, -104.0, -87.4, 1e-40, 1.0, 2.0], "<f4").tobytes()))
out("kernels", "moderate", kern(1, 17, 7, b"\x00\x01\x00\x00", rng.integers(-32768, 32767, 300).astype("<i2").tobytes()))
out("kernels", "exact_ints", kern(2, 69, 5, b"\x07\x00\x00\x00", rng.integers(-128, 127, 1100).astype("i1").tobytes()))
out("kernels", "exact_ints_block", kern(2, 200, 15, b"\xfe\x00\x00\x00", rng.integers(-128, 127, 1030).astype("i1").tobytes()))
exp_edge = np.linspace(-110, 95, 1024).astype("<f4")
out("kernels", "exp_range", kern(0, 1, 0, struct.pack("<f", 1.0), exp_edge.tobytes() + exp_edge[::-1].tobytes()))
log_edge = np.concatenate([np.logspace(-45, 38, 900), [1e-45, 1.17e-38, 1.18e-38]]).astype("<f4")
out("kernels", "log_range", kern(0, 3, 2, struct.pack("<f", 1.0), log_edge.tobytes() + log_edge.tobytes()))
print("corpora written under", root)
