#!/usr/bin/env python3
"""Writes tests/fixtures/numpy_random.json: what numpy's legacy RandomState draws for a few seeds.

tests/core/np_random_test.cpp checks chorus::NumpyRandomState against these values: raw 32-bit
draws (including ones after the first 624-word reload), random_sample(), randint() over small,
odd and beyond-32-bit ranges, shuffle()/permutation(), and a run of shuffles on one state (the
pattern StratifiedKFold uses). Every case starts from a fresh RandomState(seed) unless its name
says otherwise. Deterministic: rerunning rewrites the same file.

    python3 tools/make_numpy_random_fixture.py
"""
import json
from pathlib import Path

import numpy as np

SEEDS = [0, 1, 42, 2026, 2**32 - 1]
RANDINT_RANGES = [(0, 1), (0, 10), (-5, 5), (3, 1000), (0, 2**31), (0, 2**32), (0, 2**40)]
SHUFFLE_SIZES = [1, 2, 5, 17, 100]
SEQUENCE_SIZES = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]


def raw_uint32(rs, n):
    # randint over the full uint32 range returns the generator's raw words unmasked.
    return [int(v) for v in rs.randint(0, 2**32, size=n, dtype=np.uint32)]


def case(seed):
    fresh = lambda: np.random.RandomState(seed)
    rs = fresh()
    raw_first = raw_uint32(rs, 16)
    rs = fresh()
    raw_uint32(rs, 620)
    raw_across_reload = raw_uint32(rs, 20)  # draws 620..639: the state is reloaded at 624
    randint = []
    for low, high in RANDINT_RANGES:
        randint.append({"low": low, "high": high, "values": [int(v) for v in fresh().randint(low, high, size=8)]})
    shuffle = []
    for n in SHUFFLE_SIZES:
        x = np.arange(n)
        fresh().shuffle(x)
        shuffle.append({"n": n, "result": [int(v) for v in x]})
    rs = fresh()
    sequence = []
    for n in SEQUENCE_SIZES:
        x = np.arange(n)
        rs.shuffle(x)
        sequence.append([int(v) for v in x])
    return {
        "seed": seed,
        "raw_first": raw_first,
        "raw_620_to_639": raw_across_reload,
        "random_sample": [float(v) for v in fresh().random_sample(8)],
        "randint": randint,
        "shuffle": shuffle,
        "shuffle_sequence": {"sizes": SEQUENCE_SIZES, "results": sequence},
        "permutation": {n: [int(v) for v in fresh().permutation(n)] for n in (10, 37)},
    }


def main():
    out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "numpy_random.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"numpy_version": np.__version__, "cases": [case(s) for s in SEEDS]}
    # One case per line: small, and a diff shows which seed changed.
    lines = ",\n  ".join(json.dumps(c) for c in doc["cases"])
    out.write_text('{"numpy_version": "%s",\n "cases": [\n  %s\n ]}\n' % (doc["numpy_version"], lines))
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
