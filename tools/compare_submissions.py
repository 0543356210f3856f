#!/usr/bin/env python3
"""Per-class Spearman correlation of two submissions (rows matched by row_id), with scipy as the
reference implementation: min, median and the number of classes below 0.9999, plus max |difference|.

  python3 tools/compare_submissions.py A.csv B.csv
"""
import csv
import sys

import numpy as np
from scipy.stats import spearmanr


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], sorted(rows[1:], key=lambda r: r[0])
    return header, [r[0] for r in body], np.array([[float(v) for v in r[1:]] for r in body])


def main():
    ha, ia, a = read(sys.argv[1])
    hb, ib, b = read(sys.argv[2])
    if ha != hb or ia != ib:
        sys.exit("compare_submissions: the two files have other rows or columns")
    rhos = []
    for c in range(a.shape[1]):
        x, y = a[:, c], b[:, c]
        if np.ptp(x) == 0 and np.ptp(y) == 0:
            rhos.append(1.0)  # both constant: the same ranking
            continue
        rhos.append(spearmanr(x, y).statistic)
    rhos = np.array(rhos)
    diff = np.abs(a - b).max()
    print(f"{sys.argv[2]} vs {sys.argv[1]}: per-class Spearman min {rhos.min():.6f}, median {np.median(rhos):.6f}, "
          f"{int((rhos < 0.9999).sum())} of {len(rhos)} classes below 0.9999; max |difference| {diff:.2e}")


if __name__ == "__main__":
    main()
