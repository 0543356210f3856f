#!/usr/bin/env python3
"""Reads a chorus feature store with h5py alone (no chorus code) and prints it as JSON.

    python3 tools/read_store.py WORK/features/train_audio.h5                 # attributes + index
    python3 tools/read_store.py STORE.h5 --rows 0:313                        # + mel rows as float
    python3 tools/read_store.py STORE.h5 --item 1139490/CSA36385.ogg         # + that item's frames
    python3 tools/read_store.py STORE.h5 --stats                             # + sum and NaN count of mel

It is the outside check on our writer (tests/store calls it): h5py must see one `mel` dataset per
set, with the virtual rows of a master resolved from its part files.
"""
import argparse
import json
import sys

import h5py
import numpy as np

INDEX = ["item_id", "source_file", "item_index", "frame_offset", "frame_count", "source_sample_rate",
         "source_channels", "duration", "energy_peak_frame", "energy_peak_after_lead", "lead_end",
         "vad_offset", "vad_count"]
FAILED = ["failed_item_index", "failed_item_id", "failed_source", "failed_reason"]


def column(f, name):
    d = f[name]
    if h5py.check_string_dtype(d.dtype):
        return [s for s in d.asstr()[()]] if d.shape[0] else []
    return d[()].tolist()


def attr(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("store")
    p.add_argument("--rows", help="START:STOP rows of mel to include, as float32")
    p.add_argument("--item", help="include the frames of the item with this id")
    p.add_argument("--stats", action="store_true", help="read every row: mel_sum (float64) and mel_nan count")
    a = p.parse_args()
    with h5py.File(a.store, "r") as f:
        mel = f["mel"]
        out = {
            "attributes": {k: attr(v) for k, v in f.attrs.items()},
            "mel_dtype": str(mel.dtype),
            "mel_shape": list(mel.shape),
            "mel_virtual": bool(mel.is_virtual),
            "mel_sources": sorted({m.file_name for m in mel.virtual_sources()}) if mel.is_virtual else [],
            "items": {k: column(f, k) for k in INDEX},
            "vad_segments": f["vad_segments"][()].tolist(),
            "vad_kind": f["vad_kind"][()].tolist(),
            "failed": {k: column(f, k) for k in FAILED},
        }
        if a.rows:
            start, stop = (int(x) for x in a.rows.split(":"))
            out["rows"] = mel[start:stop].astype(np.float32).tolist()
        if a.item:
            i = out["items"]["item_id"].index(a.item)
            o, n = out["items"]["frame_offset"][i], out["items"]["frame_count"][i]
            out["item_frames"] = mel[o:o + n].astype(np.float32).tolist()
        if a.stats:  # every row, in blocks: NaN would be a virtual row that no part filled
            total, nan = 0.0, 0
            for s in range(0, mel.shape[0], 65536):
                block = mel[s:s + 65536].astype(np.float64)
                nan += int(np.isnan(block).sum())
                total += float(np.nansum(block))
            out["mel_sum"], out["mel_nan"] = total, nan
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
