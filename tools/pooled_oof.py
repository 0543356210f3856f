#!/usr/bin/env python3
"""Pooled out-of-fold soundscape predictions of a set of jobs, as a solution/submission pair that
`chorus score` scores: each labelled train_soundscapes window predicted by the model of its held-out
fold (WORK/models/<job>/oof.csv, the best epoch's), against the expert labels of
WORK/meta/soundscape_labels_with_folds.csv.

    python3 tools/pooled_oof.py WORK OUT_PREFIX JOB [JOB ...]
      -> OUT_PREFIX.solution.csv, OUT_PREFIX.submission.csv (and prints the window count)
"""
import csv
import os
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    work, out, jobs = sys.argv[1], sys.argv[2], sys.argv[3:]
    classes = [r["primary_label"] for r in csv.DictReader(open(os.path.join(work, "meta", "species_list.csv")))]
    truth = {}
    for r in csv.DictReader(open(os.path.join(work, "meta", "soundscape_labels_with_folds.csv"))):
        row_id = os.path.splitext(r["filename"])[0] + "_" + str(round(float(r["end_s"])))
        truth.setdefault(row_id, set()).update(l for l in r["primary_label"].split(";") if l)
    rows = {}
    for job in jobs:
        for r in csv.DictReader(open(os.path.join(work, "models", job, "oof.csv"))):
            if r["kind"] == "soundscape":
                rows[r["row_id"]] = [r[c] for c in classes]
    with open(out + ".solution.csv", "w", newline="") as s, open(out + ".submission.csv", "w", newline="") as p:
        ws, wp = csv.writer(s), csv.writer(p)
        ws.writerow(["row_id"] + classes)
        wp.writerow(["row_id"] + classes)
        for row_id in sorted(rows):
            ws.writerow([row_id] + [int(c in truth[row_id]) for c in classes])
            wp.writerow([row_id] + rows[row_id])
    print(f"{len(rows)} out-of-fold soundscape windows of {len(jobs)} jobs -> {out}.*.csv")


if __name__ == "__main__":
    main()
