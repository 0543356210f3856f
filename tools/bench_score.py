#!/usr/bin/env python3
"""Benchmark: `chorus score` against scikit-learn's metric on a competition-sized pair of CSVs.

  tools/bench_score.py [--binary build/chorus] [--rows 7200] [--classes 234] [--repeats 5]

Writes a solution (0/1, about a third of the classes without a positive, as in a real test set)
and a submission (sigmoid-like scores at pandas' default precision) into a temporary folder, then
times, best of --repeats:
  chorus  the whole `chorus score` process: start, read both CSVs, match rows and columns, score
  sklearn the same job in Python: read both CSVs (csv module + numpy, no pandas), align by row_id,
          pick the classes with a positive, roc_auc_score(average='macro')
and sklearn's roc_auc_score call alone, set against the phases chorus reports in its debug log
(read+match, metric); also the start-up of the chorus binary (`score --help`). Prints the times, the ratio, and both scores (which must agree).
"""
import argparse
import csv
import os
import re
import subprocess
import tempfile
import time

import numpy as np
from sklearn.metrics import roc_auc_score


def write_pair(folder, rows, classes, seed):
    rng = np.random.RandomState(seed)
    names = [f"{rng.randint(10000, 99999)}son{k}" if k % 5 == 0 else f"cls{k:03d}" for k in range(classes)]
    row_ids = [f"BC2026_Test_{r // 12:04d}_S01_20250227_010002_{5 * (r % 12 + 1)}" for r in range(rows)]
    prevalence = np.where(rng.uniform(size=classes) < 0.33, 0.0, rng.uniform(0.001, 0.05, classes))
    truth = (rng.uniform(size=(rows, classes)) < prevalence).astype(int)
    score = 1 / (1 + np.exp(-(truth * 2.0 + rng.normal(0, 1, (rows, classes)) - 3)))
    solution, submission = os.path.join(folder, "solution.csv"), os.path.join(folder, "submission.csv")
    with open(solution, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row_id"] + names)
        w.writerows([row_ids[r]] + truth[r].astype(str).tolist() for r in range(rows))
    order = rng.permutation(rows)  # a submission need not keep the solution's row order
    with open(submission, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row_id"] + names)
        w.writerows([row_ids[r]] + ["%.6f" % v for v in score[r]] for r in order)
    return solution, submission


def read_table(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        body = list(reader)
    ids = [r[0] for r in body]
    return header[1:], ids, np.array([r[1:] for r in body], dtype=np.float64)


def sklearn_score(solution, submission):
    classes, sol_ids, truth = read_table(solution)
    sub_classes, sub_ids, pred = read_table(submission)
    where = {rid: k for k, rid in enumerate(sub_ids)}
    col = {c: k for k, c in enumerate(sub_classes)}
    pred = pred[[where[rid] for rid in sol_ids]][:, [col[c] for c in classes]]
    scored = truth.sum(axis=0) > 0
    t0 = time.perf_counter()
    value = roc_auc_score(truth[:, scored], pred[:, scored], average="macro")
    return value, time.perf_counter() - t0


def best_of(repeats, fn):
    best, value = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(root, "build", "chorus"))
    ap.add_argument("--rows", type=int, default=7200)
    ap.add_argument("--classes", type=int, default=234)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        solution, submission = write_pair(folder, args.rows, args.classes, args.seed)
        size = (os.path.getsize(solution) + os.path.getsize(submission)) / 2**20

        inside = []  # (read and match, metric) in ms, as the binary's debug log reports them

        def run_chorus():
            done = subprocess.run([args.binary, "score", "--solution", solution, "--submission", submission,
                                   "--log-level", "debug"], check=True, capture_output=True, text=True)
            found = re.search(r"read and matched in ([0-9.]+) ms, metric in ([0-9.]+) ms", done.stderr)
            if not found:
                raise SystemExit(f"{args.binary} logged no phase timings (an old build?):\n{done.stderr}")
            inside.append((float(found.group(1)), float(found.group(2))))
            return float(done.stdout.strip().splitlines()[-1])

        chorus_time, chorus_value = best_of(args.repeats, run_chorus)
        chorus_read, chorus_metric = (min(t[k] for t in inside) for k in (0, 1))
        # What every chorus command pays before it does anything (the binary links libtorch).
        startup, _ = best_of(args.repeats, lambda: subprocess.run([args.binary, "score", "--help"], check=True,
                                                                  capture_output=True))
        sk_time, metric_only = float("inf"), float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            sk_value, call = sklearn_score(solution, submission)
            sk_time, metric_only = min(sk_time, time.perf_counter() - t0), min(metric_only, call)

    print(f"{args.rows} rows x {args.classes} classes, {size:.1f} MiB of CSV, best of {args.repeats}")
    print(f"  chorus score (whole process)          {chorus_time * 1e3:8.1f} ms   score {chorus_value:.10f}")
    print(f"    of which process start (score --help) {startup * 1e3:8.1f} ms")
    print(f"    of which reading and matching         {chorus_read:8.1f} ms")
    print(f"    of which the metric                   {chorus_metric:8.1f} ms")
    print(f"  python csv+numpy+sklearn (read+score) {sk_time * 1e3:8.1f} ms   score {sk_value:.10f}")
    print(f"  sklearn roc_auc_score call alone      {metric_only * 1e3:8.1f} ms")
    print(f"  ratio sklearn/chorus, read+score: {sk_time / chorus_time:.1f}x; "
          f"metric alone: {metric_only * 1e3 / chorus_metric:.1f}x")
    if abs(chorus_value - sk_value) > 1e-9:
        raise SystemExit(f"scores disagree: chorus {chorus_value!r} vs sklearn {sk_value!r}")


if __name__ == "__main__":
    main()
