#!/usr/bin/env python3
"""Writes the metric fixtures under tests/fixtures/metric/ with scikit-learn as the reference.

  tools/make_metric_fixture.py [--out tests/fixtures/metric]

main_solution.csv / main_submission.csv: 300 rows x 36 classes in the Kaggle layout. The submission
has its rows shuffled and its columns permuted (the metric matches both by name) and its class
columns cover the cases the metric must get right: quantised scores (many ties), a constant column,
raw logits (negative), tiny values in scientific notation, 0/1 scores; the solution has all-zero
classes (left out), classes with one or two positives and one with a single negative.
main_expected.json: sklearn's roc_auc_score(average='macro') on the scored columns, each scored
class's roc_auc_score and positive count, the unscored classes.
vectors.json: small truth/score pairs with sklearn's AUC (ties, all tied, reversed, one positive).
all_positive_*.csv: a solution whose only scored class has no negatives; sklearn gives no score.

The CSVs are read back with the csv module before sklearn sees them, so the reference numbers are
computed on exactly the values the C++ code parses.
"""
import argparse
import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import roc_auc_score

ROWS_PER_FILE, FILES = 12, 25  # 25 one-minute soundscapes, 5 s windows
SEED = 2026


def class_names(rng):
    letters = "abcdefghijklmnopqrstuvwxyz"
    ebird = ["".join(rng.choice(list(letters), 6)) for _ in range(12)]
    inat = [str(v) for v in rng.randint(1000, 1500000, 12)]
    sono = [f"{rng.randint(10000, 99999)}son{k}" for k in range(1, 13)]
    return ebird + inat + sono


def make_truth(rng, rows, classes):
    truth = np.zeros((rows, classes), dtype=int)
    kinds = {}
    for c in range(classes):
        if c < 6:
            kinds[c] = "all zero"
            continue
        if c < 10:
            n_pos = 1 + (c % 2)  # tiny: 1 or 2 positives
            kinds[c] = f"{n_pos} positive(s)"
        elif c == 10:
            n_pos = rows - 1  # a single negative
            kinds[c] = "one negative"
        else:
            n_pos = int(rows * rng.uniform(0.02, 0.4))
            kinds[c] = "common"
        truth[rng.choice(rows, n_pos, replace=False), c] = 1
    return truth, kinds


def score_texts(rng, truth_col, style):
    """One class's submission column as text, in one of several styles."""
    n = len(truth_col)
    signal = truth_col * rng.uniform(0.5, 2.5) + rng.normal(0, 1, n)
    if style == "continuous":
        return [repr(float(v)) for v in 1 / (1 + np.exp(-signal))]
    if style == "short":
        return ["%.6g" % v for v in 1 / (1 + np.exp(-signal))]
    if style == "quantised":  # one decimal: ties everywhere, across positives and negatives
        return ["%.1f" % v for v in np.round(1 / (1 + np.exp(-signal)), 1)]
    if style == "three levels":
        return [str(v) for v in np.digitize(signal, [-0.3, 0.8])]
    if style == "constant":
        return ["0.25"] * n
    if style == "logits":
        return ["%.9f" % v for v in signal * 3 - 2]
    if style == "tiny":
        return ["%.3e" % v for v in 1e-5 * np.exp(signal)]
    if style == "binary":  # hard 0/1 predictions with some errors
        flip = rng.uniform(size=n) < 0.1
        return [str(int(v)) for v in np.where(flip, 1 - truth_col, truth_col)]
    raise ValueError(style)


STYLES = ["continuous", "short", "quantised", "three levels", "constant", "logits", "tiny", "binary"]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    ids = [r[0] for r in body]
    values = {name: [float(r[k]) for r in body] for k, name in enumerate(header) if k > 0}
    return ids, values


def main_case(out, rng):
    rows = ROWS_PER_FILE * FILES
    names = class_names(rng)
    truth, kinds = make_truth(rng, rows, len(names))
    row_ids = [f"BC2026_Test_{f:04d}_S{f % 23:02d}_20250227_0{f % 9}0002_{5 * (w + 1)}"
               for f in range(1, FILES + 1) for w in range(ROWS_PER_FILE)]
    write_csv(os.path.join(out, "main_solution.csv"), ["row_id"] + names,
              [[row_ids[r]] + [str(v) for v in truth[r]] for r in range(rows)])

    columns = {name: score_texts(rng, truth[:, c], STYLES[c % len(STYLES)]) for c, name in enumerate(names)}
    order = rng.permutation(len(names))
    shuffled = rng.permutation(rows)
    sub_names = [names[k] for k in order]
    write_csv(os.path.join(out, "main_submission.csv"), ["row_id"] + sub_names,
              [[row_ids[r]] + [columns[n][r] for n in sub_names] for r in shuffled])

    # Reference numbers from the files as written, aligned by row_id and class name.
    sol_ids, sol = read_csv(os.path.join(out, "main_solution.csv"))
    sub_ids, sub = read_csv(os.path.join(out, "main_submission.csv"))
    where = {rid: k for k, rid in enumerate(sub_ids)}
    take = [where[rid] for rid in sol_ids]
    y_true = np.array([sol[n] for n in names]).T
    y_score = np.array([np.asarray(sub[n])[take] for n in names]).T
    scored = [c for c in range(len(names)) if y_true[:, c].sum() > 0]
    macro = roc_auc_score(y_true[:, scored], y_score[:, scored], average="macro")
    per_class = [{"class": names[c], "positives": int(y_true[:, c].sum()), "kind": kinds[c],
                  "style": STYLES[c % len(STYLES)], "auc": roc_auc_score(y_true[:, c], y_score[:, c])}
                 for c in scored]
    expected = {"sklearn": sklearn.__version__, "rows": rows, "classes": len(names), "score": macro,
                "per_class": per_class, "unscored": [names[c] for c in range(len(names)) if c not in scored]}
    with open(os.path.join(out, "main_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(f"main: {rows} rows x {len(names)} classes, {len(scored)} scored, macro ROC-AUC {macro:.10f}")


def vectors_case(out):
    cases = [
        ("sklearn docs example", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]),
        ("perfect", [0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.5]),
        ("reversed", [1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.2, 0.1][::-1]),
        ("all tied", [0, 1, 0, 1, 0, 0], [0.5] * 6),
        ("ties across classes", [0, 1, 1, 0, 1, 0, 0], [0.2, 0.2, 0.7, 0.7, 0.7, 0.1, 0.9]),
        ("one positive", [0, 0, 0, 0, 1, 0], [3.0, -1.0, 2.0, 0.0, 2.0, 5.0]),
        ("one negative", [1, 1, 0, 1, 1], [0.3, 0.1, 0.2, 0.2, 0.9]),
    ]
    rng = np.random.RandomState(SEED + 1)
    t = (rng.uniform(size=500) < 0.2).astype(int)
    cases.append(("500 quantised", t.tolist(), np.round(t * 0.3 + rng.uniform(size=500), 1).tolist()))
    vectors = [{"name": n, "truth": t, "score": s, "auc": roc_auc_score(t, s)} for n, t, s in cases]
    with open(os.path.join(out, "vectors.json"), "w") as f:
        json.dump(vectors, f)
    print(f"vectors: {len(vectors)} cases")


def all_positive_case(out):
    header = ["row_id", "never", "always"]
    truth = [["a_5", "0", "1"], ["a_10", "0", "1"], ["a_15", "0", "1"]]
    write_csv(os.path.join(out, "all_positive_solution.csv"), header, truth)
    write_csv(os.path.join(out, "all_positive_submission.csv"), header,
              [["a_5", "0.1", "0.2"], ["a_10", "0.3", "0.4"], ["a_15", "0.5", "0.6"]])
    # The scored class 'always' has no negatives, so its AUC is undefined. scikit-learn used to raise
    # ValueError here (as Kaggle's scorer does); newer releases warn and return NaN. Either way there
    # is no score, and chorus refuses with an error naming the class.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        try:
            value = roc_auc_score(np.array([[1], [1], [1]]), np.array([[0.2], [0.4], [0.6]]), average="macro")
        except (ValueError, UndefinedMetricWarning) as e:
            print(f"all_positive: sklearn {sklearn.__version__} refuses: {type(e).__name__}: {e}")
        else:
            raise SystemExit(f"sklearn {sklearn.__version__} scores a class without negatives ({value}): "
                             "revisit the C++ metric")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "metric"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.RandomState(SEED)
    main_case(args.out, rng)
    vectors_case(args.out)
    all_positive_case(args.out)


if __name__ == "__main__":
    main()
