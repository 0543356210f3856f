#!/usr/bin/env python3
"""A teacher store from a chorus ensemble's predictions (WORK/infer/predictions.h5 or
WORK/pseudo/rN/predictions.h5): one row per predicted 5 s window, the teacher's probability of a
class the mean over its models of sigmoid(logit) (the TTA variants were already averaged by chorus),
every class covered. How tools/teacher_proof.sh turns a stronger chorus ensemble into a teacher.

    python3 tools/teacher_from_predictions.py PREDICTIONS.h5 OUT.h5 [--name NAME] [--version V]
"""
import argparse
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from teacher_store import write_teacher_store  # noqa: E402


def strings(f, name):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in f[name][()]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("predictions")
    ap.add_argument("out")
    ap.add_argument("--name", default="chorus-ensemble")
    ap.add_argument("--version", default="")
    a = ap.parse_args()
    with h5py.File(a.predictions, "r") as f:
        classes, row_ids, items = strings(f, "class"), strings(f, "row_id"), strings(f, "soundscape")
        models = strings(f, "model")
        weights = np.asarray(f["weight"][()], dtype=np.float64)
        logits = np.asarray(f["logits"][()], dtype=np.float64).reshape(len(models), len(row_ids), len(classes))
    probs = 1.0 / (1.0 + np.exp(-logits))
    mean = np.tensordot(weights / weights.sum(), probs, axes=1)  # weighted mean over models
    ends = np.array([float(r.rsplit("_", 1)[1]) for r in row_ids])
    write_teacher_store(a.out, item_ids=items, start_s=ends - 5.0, end_s=ends, probs=mean.astype(np.float32),
                        classes=classes, covered=np.ones(len(classes), np.uint8), teacher_name=a.name,
                        teacher_version=a.version,
                        class_mapping="a chorus ensemble on the same species list: "
                                      "mean over models of sigmoid(logit): " + " ".join(models),
                        window_seconds=5.0)
    print(f"{a.out}: {len(row_ids)} windows of {len(set(items))} soundscapes, {len(classes)} classes, "
          f"{len(models)} models")


if __name__ == "__main__":
    main()
