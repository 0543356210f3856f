#!/usr/bin/env python3
"""Reference window post-processing for tests/infer/postprocess_test.cpp, written in numpy.

Per file and class: temporal smoothing as a correlation of the file's window column with the kernel,
zero-padded, divided by the same correlation of a column of ones (so an edge window is the weighted mean
of the neighbours it has); then the per-file boost (s + alpha * max s) / (1 + alpha). Random
probabilities in files of 1 to 14 windows (a one-window file, files shorter than the kernel), a
symmetric and an asymmetric kernel (to catch a flipped one), boost alone, smoothing alone, both.

  python3 tools/make_postprocess_fixture.py [--out tests/fixtures/infer]
"""
import argparse
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent


def reference(probs, files, kernel, boost):
    out = probs.copy()
    names = list(dict.fromkeys(files))
    for name in names:
        rows = np.array([i for i, f in enumerate(files) if f == name])
        block = probs[rows]  # windows x classes
        if len(kernel) > 1:
            k = np.asarray(kernel, float)
            h = len(k) // 2
            padded = np.pad(block, ((h, h), (0, 0)))
            ones = np.pad(np.ones_like(block), ((h, h), (0, 0)))
            num = np.stack([np.correlate(padded[:, c], k, mode="valid") for c in range(block.shape[1])], axis=1)
            den = np.stack([np.correlate(ones[:, c], k, mode="valid") for c in range(block.shape[1])], axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):  # a one-window file, zero centre
                block = np.where(den > 0, num / den, block)
        if boost > 0:
            block = (block + boost * block.max(axis=0, keepdims=True)) / (1 + boost)
        out[rows] = block
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "fixtures" / "infer")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    lengths = [12, 1, 2, 14, 3, 12]
    files = [f"S{i:02d}.ogg" for i, n in enumerate(lengths) for _ in range(n)]
    classes = 5
    probs = rng.random((len(files), classes)) ** 3  # mostly low, a few high: like a detector's outputs
    cases = []
    for kernel, boost in [([0.2, 0.6, 0.2], 0.0), ([0.1, 0.3, 0.6], 0.0), ([], 0.5),
                          ([0.2, 0.6, 0.2], 0.5), ([0.05, 0.1, 0.7, 0.1, 0.05], 1.5), ([0.5, 0.0, 0.5], 0.0)]:
        cases.append({"kernel": kernel, "boost": boost, "expected": reference(probs, files, kernel, boost).tolist()})
    fixture = {"generator": "tools/make_postprocess_fixture.py (numpy " + np.__version__ + ")",
               "files": files, "classes": classes, "probs": probs.tolist(), "cases": cases}
    (args.out / "postprocess.json").write_text(json.dumps(fixture) + "\n")
    print("wrote", args.out / "postprocess.json", len(cases), "cases,", len(files), "rows")


if __name__ == "__main__":
    main()
