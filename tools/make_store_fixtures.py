#!/usr/bin/env python3
"""Writes tests/fixtures/store/half_cases.txt: float32 values and numpy's float16 conversion of them
(astype(np.float16): round to nearest, ties to even), as hex bit patterns, one pair per line.

The values cover what a log-mel store holds (-100..+60 dB) and every corner of the conversion:
ties at each exponent, subnormals, the overflow threshold, infinities, signed zeros, NaN.
Run from the repository root: python3 tools/make_store_fixtures.py
"""
import pathlib

import numpy as np

rng = np.random.RandomState(2026)
values = [
    rng.uniform(-100.0, 60.0, 1500),                      # the dB range of a store
    rng.standard_normal(300) * 10.0 ** rng.uniform(-9, 5, 300),  # every exponent, both signs
]
# Exact ties between neighbouring halves (odd and even), at several exponents.
halves = np.array([0x3C00, 0x3C01, 0x5640, 0x5641, 0x0001, 0x0002, 0x03FF, 0x0400, 0x7BFE], dtype=np.uint16)
lo = halves.view(np.float16).astype(np.float32)
hi = (halves + 1).view(np.float16).astype(np.float32)
values.append((lo.astype(np.float64) + hi) / 2)
values.append(np.array([0.0, -0.0, 65504.0, 65519.99, 65520.0, 65536.0, 1e6, -1e6, np.inf, -np.inf,
                        6.0e-8, 2.98e-8, 2.9802322387695312e-08, 5.96e-8, 1e-10, -1e-10, 6.1035e-05,
                        6.097555e-05, -100.0, 60.0, 0.1, 1.0 / 3.0]))
f32 = np.concatenate(values).astype(np.float32)
f16 = f32.astype(np.float16)

out = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/store/half_cases.txt"
out.parent.mkdir(parents=True, exist_ok=True)
with out.open("w") as f:
    f.write("# float32_bits float16_bits  (numpy %s astype(np.float16))\n" % np.__version__)
    for a, b in zip(f32.view(np.uint32), f16.view(np.uint16)):
        f.write("%08x %04x\n" % (a, b))
print("wrote", out, len(f32), "cases")
