#!/usr/bin/env python3
"""Reference values for tests/dataset/augment_test.cpp's power-domain mix, roll, gain and masks.

Two dB windows (mels x frames, row-major, numpy seed 2026: a -60 dB floor with louder random cells,
so the cells differ by tens of dB) and, computed with numpy and torchaudio independently of chorus:
  mix_<snr>    10 log10(10^(a/10) + g 10^(b/10)), g = (P_a / P_b) / 10^(snr/10), P = total power;
               the dB <-> power conversions by torchaudio.functional.DB_to_amplitude / amplitude_to_DB
               and cross-checked with numpy
  power_a/b    total linear power of each window (numpy, float64)
  roll_<k>     np.roll(a, k, axis=1) (frame t moves to t + k)
  gain_6       a + 6
  mask_mels    a with mel rows [3, 8) set to -40;  mask_frames: a with frames [2, 9) set to -40
Writes tests/fixtures/dataset/augment.json.

  python3 tools/make_augment_fixture.py [--out tests/fixtures/dataset]
"""
import argparse
import json
import pathlib

import numpy as np
import torch
import torchaudio

ROOT = pathlib.Path(__file__).resolve().parent.parent
MELS, FRAMES = 16, 24
SNRS = [-5.0, 0.0, 3.0, 17.5, 30.0]
ROLLS = [1, 5, 23, 24 + 7]


def window(rng):
    db = -60 + rng.normal(0, 3, (MELS, FRAMES))
    loud = rng.random((MELS, FRAMES)) < 0.2
    db[loud] += rng.uniform(10, 50, loud.sum())
    return db.astype(np.float32)


def mix(a, b, snr):
    pa_cells = torchaudio.functional.DB_to_amplitude(torch.from_numpy(a).double(), ref=1.0, power=1.0)
    pb_cells = torchaudio.functional.DB_to_amplitude(torch.from_numpy(b).double(), ref=1.0, power=1.0)
    g = (pa_cells.sum() / pb_cells.sum()) / 10 ** (snr / 10)
    out = torchaudio.functional.amplitude_to_DB(pa_cells + g * pb_cells, multiplier=10.0, amin=1e-30,
                                                db_multiplier=0.0).numpy()
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    pa, pb = np.sum(10 ** (a64 / 10)), np.sum(10 ** (b64 / 10))
    check = 10 * np.log10(10 ** (a64 / 10) + pa / pb / 10 ** (snr / 10) * 10 ** (b64 / 10))
    assert np.max(np.abs(out - check)) < 1e-9, snr
    return out.astype(np.float32)


def flat(x):
    return [float(v) for v in np.asarray(x, dtype=np.float32).ravel()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "fixtures" / "dataset")
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    a, b = window(rng), window(rng)
    masked_mels, masked_frames = a.copy(), a.copy()
    masked_mels[3:8, :] = -40
    masked_frames[:, 2:9] = -40
    meta = {"generator": "tools/make_augment_fixture.py",
            "versions": {"numpy": np.__version__, "torch": torch.__version__, "torchaudio": torchaudio.__version__},
            "mels": MELS, "frames": FRAMES, "a": flat(a), "b": flat(b),
            "power_a": float(np.sum(10 ** (a.astype(np.float64) / 10))),
            "power_b": float(np.sum(10 ** (b.astype(np.float64) / 10))),
            "mix": [{"snr_db": s, "db": flat(mix(a, b, s))} for s in SNRS],
            "roll": [{"shift": k, "db": flat(np.roll(a, k, axis=1))} for k in ROLLS],
            "gain_6": flat(a + np.float32(6)),
            "mask_mels": {"first": 3, "count": 5, "value": -40, "db": flat(masked_mels)},
            "mask_frames": {"first": 2, "count": 7, "value": -40, "db": flat(masked_frames)}}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "augment.json").write_text(json.dumps(meta) + "\n")
    print(f"wrote {args.out / 'augment.json'}")


if __name__ == "__main__":
    main()
