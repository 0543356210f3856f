#!/usr/bin/env python3
"""Writes the fold fixtures that tests/meta/folds_test.cpp compares chorus's folds against.

tests/fixtures/folds_stratified.csv: a label column of a few hundred rows (many classes, among
them classes of 1, 2, 3 and 4 members, and labels that are iNat ids, sonotypes, unicode, or hold
commas, quotes and spaces) in a shuffled order, and the fold of every row that scikit-learn's
StratifiedKFold(shuffle=True) gives for (n_splits=5, random_state=42) and (n_splits=3,
random_state=7). sklearn warns about the small classes; that is the point.

tests/fixtures/folds_grouped.csv: soundscape windows (filename per window) and the fold of the
rule chorus documents for grouping by file (meta/folds.hpp), written here with numpy:
unique files in np.unique order, RandomState(seed).permutation of them, each file in turn to the
fold with the fewest windows so far (np.argmin: lowest fold on ties).

Deterministic: rerunning rewrites the same files.   python3 tools/make_fold_fixture.py
"""
import csv
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"

# (label, members). Opaque strings as in the 2026 taxonomy, plus awkward ones.
CLASSES = [
    ("amakin1", 31), ("1139490", 20), ("47158son16", 15), ("grekis", 12), ("yehcar1", 10),
    ("Z", 9), ("a", 8), ("10", 7), ("9", 6), ("compau", 5), ("rutjac1", 5),
    ("üñïcødé", 4), ("鳥の歌", 4), ("comma,label", 4), ('quote"label', 3), ("apos'label", 3),
    (" spaced label ", 3), ("sonotype;semi", 2), ("47158son2", 2), ("1", 2), ("bkmtou1", 1),
    ("solo", 1), ("Ωmega", 1), ("x", 1),
]
# Enough ordinary classes to reach a few hundred rows with a realistic long tail.
CLASSES += [(f"sp{i:03d}", n) for i, n in enumerate([1, 2, 3, 4, 5, 6, 7, 8, 11, 13, 17, 19, 23, 2, 3, 1, 4, 6])]


def stratified_table():
    labels = [name for name, n in CLASSES for _ in range(n)]
    order = np.random.RandomState(2026).permutation(len(labels))  # first appearance != sorted order
    y = np.array([labels[i] for i in order], dtype=object)
    columns = {}
    for n_splits, seed in ((5, 42), (3, 7)):
        folds = np.full(len(y), -1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "least populated class has only 1 member"
            splits = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
            for k, (_, test) in enumerate(splits):
                folds[test] = k
        assert (folds >= 0).all()
        columns[f"fold_k{n_splits}_s{seed}"] = folds
    path = FIXTURES / "folds_stratified.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["primary_label", *columns])
        for i, label in enumerate(y):
            w.writerow([label, *(int(c[i]) for c in columns.values())])
    print(f"wrote {path}: {len(y)} rows, {len(CLASSES)} classes")


def grouped_folds(files, n_splits, seed):
    unique, inverse = np.unique(files, return_inverse=True)
    counts = np.bincount(inverse)
    per_fold = np.zeros(n_splits, dtype=np.int64)
    fold_of_file = np.empty(len(unique), dtype=np.int64)
    for f in np.random.RandomState(seed).permutation(len(unique)):
        k = int(np.argmin(per_fold))
        fold_of_file[f] = k
        per_fold[k] += counts[f]
    return fold_of_file[inverse]


def grouped_table():
    rs = np.random.RandomState(7)
    names = [f"BC2026_Train_{i:04d}_S{rs.randint(1, 30):02d}_2025{rs.randint(1, 13):02d}01_000000.ogg" for i in range(23)]
    files = []
    for name in names:
        files += [name] * int(rs.randint(1, 13))  # 1..12 labelled windows per soundscape
    files = [files[i] for i in rs.permutation(len(files))]
    columns = {f"fold_k{k}_s{s}": grouped_folds(np.array(files), k, s) for k, s in ((5, 42), (3, 7))}
    path = FIXTURES / "folds_grouped.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["filename", *columns])
        for i, name in enumerate(files):
            w.writerow([name, *(int(c[i]) for c in columns.values())])
    print(f"wrote {path}: {len(files)} windows in {len(names)} files")


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    stratified_table()
    grouped_table()
