#!/usr/bin/env python3
"""A chorus teacher store from Python (h5py + numpy only): write one, or read one and print it as JSON.

The format (src/store/teacher_store.hpp has the full contract; README "Teachers" has a ten-line
example): one row per (item, window), datasets item_id, start_s, end_s, probs [rows, classes] (NaN
where the teacher has no such class), class, covered (1: the teacher has the class), optional
embedding [rows, D], class_source, teacher_class, unmapped_class, failed_item + failed_reason; attributes teacher_name,
teacher_version, class_mapping, window_seconds, store_format, store_version.

    python3 tools/teacher_store.py STORE.h5              # attributes, shapes, NaN pattern as JSON
    python3 tools/teacher_store.py STORE.h5 --values     # + probs (NaN as null) and embeddings

As a module: write_teacher_store(path, ...) is what tools/teacher_birdnet.py writes with.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

FORMAT = "chorus-teacher-store"
VERSION = 1


def _strings(values):
    return np.array(list(values), dtype=h5py.string_dtype())


def write_teacher_store(path, *, item_ids, start_s, end_s, probs, classes, covered, teacher_name,
                        teacher_version="", class_mapping="", window_seconds=5.0, embedding=None,
                        class_source=None, teacher_classes=None, unmapped_classes=None, failed_items=None,
                        failed_reasons=None):
    """Writes the store atomically (a temporary file renamed into place). probs: [rows, classes]."""
    probs = np.asarray(probs, dtype=np.float32)
    covered = np.asarray(covered, dtype=np.uint8)
    if probs.shape != (len(item_ids), len(classes)) or covered.shape != (len(classes),):
        raise ValueError(f"probs {probs.shape} / covered {covered.shape} do not fit "
                         f"{len(item_ids)} rows x {len(classes)} classes")
    if not np.all(np.isnan(probs[:, covered == 0])):
        raise ValueError("an uncovered class holds a number: write NaN where the teacher has no class")
    temp = f"{path}.tmp.{os.getpid()}"
    with h5py.File(temp, "w") as f:
        f["item_id"] = _strings(item_ids)
        f["start_s"] = np.asarray(start_s, dtype=np.float64)
        f["end_s"] = np.asarray(end_s, dtype=np.float64)
        f["probs"] = probs
        f["class"] = _strings(classes)
        f["covered"] = covered
        if embedding is not None:
            f["embedding"] = np.asarray(embedding, dtype=np.float32)
        for name, values in (("class_source", class_source), ("teacher_class", teacher_classes),
                             ("unmapped_class", unmapped_classes), ("failed_item", failed_items),
                             ("failed_reason", failed_reasons)):
            if values is not None:
                f[name] = _strings(values)
        f.attrs.update(store_format=FORMAT, store_version=VERSION, teacher_name=teacher_name,
                       teacher_version=teacher_version, class_mapping=class_mapping,
                       window_seconds=float(window_seconds))
    os.replace(temp, path)


def _column(f, name):
    d = f[name]
    if h5py.check_string_dtype(d.dtype):
        return list(d.asstr()[()]) if d.shape[0] else []
    return d[()].tolist()


def read_teacher_store(path):
    """The store as plain Python: attributes, string columns, arrays (numpy)."""
    with h5py.File(path, "r") as f:
        out = {"attributes": {k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v)
                              for k, v in f.attrs.items()}}
        for name in ("item_id", "class", "class_source", "teacher_class", "unmapped_class", "failed_item", "failed_reason"):
            if name in f:
                out[name] = _column(f, name)
        for name in ("start_s", "end_s", "probs", "covered", "embedding"):
            if name in f:
                out[name] = f[name][()]
                out[name + "_dtype"] = str(f[name].dtype)
        return out


def as_json(store, values):
    j = {"attributes": store["attributes"], "item_id": store["item_id"], "class": store["class"],
         "start_s": store["start_s"].tolist(), "end_s": store["end_s"].tolist(),
         "covered": store["covered"].tolist(), "probs_shape": list(store["probs"].shape),
         "probs_dtype": store["probs_dtype"],
         "nan_columns": [bool(np.all(np.isnan(store["probs"][:, k]))) for k in range(store["probs"].shape[1])]}
    for name in ("class_source", "teacher_class", "unmapped_class", "failed_item", "failed_reason"):
        if name in store:
            j[name] = store[name]
    if "embedding" in store:
        j["embedding_shape"] = list(store["embedding"].shape)
    if values:
        j["probs"] = [[None if np.isnan(v) else float(v) for v in row] for row in store["probs"]]
        if "embedding" in store:
            j["embedding"] = store["embedding"].astype(float).tolist()
    return j


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--values", action="store_true", help="also print probs (NaN as null) and embeddings")
    args = ap.parse_args()
    json.dump(as_json(read_teacher_store(args.store), args.values), sys.stdout)
    print()


if __name__ == "__main__":
    main()
