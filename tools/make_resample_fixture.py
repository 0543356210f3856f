#!/usr/bin/env python3
"""Reference resampling for tests/audio/resample_test.cpp: librosa.resample(res_type="soxr_hq").

Reads the first seconds of real recordings with soundfile (float32, as libsndfile decodes them for
chorus), resamples them to 32 kHz with librosa (python-soxr, HQ) and writes under tests/fixtures/audio/:
  resample_<name>.f32   little-endian float32 output samples
  resample.json         source file, rates, input length taken, output length, versions

  python3 tools/make_resample_fixture.py [--audio ../shared/real_audio] [--out tests/fixtures/audio]
"""
import json

import librosa
import numpy as np
import soundfile
import soxr

from fixture_args import audio_fixture_args

TARGET = 32000
# (name, file, seconds from the start): an upsample (22 kHz), a fractional downsample (44.1 kHz) and a
# large-ratio downsample (384 kHz bat recording).
CASES = [("maad_22k", "maad_indices_S4A03895_20190522_060000.wav", 1.0),
         ("spinetail_44k", "maad_spinetail.wav", 1.0),
         ("bat_384k", "bat_20180530_213516-EPTSER-LR_0_0.5.wav", 0.5)]


def main():
    args = audio_fixture_args(__doc__)
    cases = []
    for name, file, seconds in CASES:
        y, sr = soundfile.read(args.audio / file, dtype="float32")
        assert y.ndim == 1, (file, y.shape)
        y = y[: int(round(seconds * sr))]
        out = librosa.resample(y, orig_sr=sr, target_sr=TARGET, res_type="soxr_hq")
        path = f"resample_{name}.f32"
        np.ascontiguousarray(out, dtype="<f4").tofile(args.out / path)
        cases.append({"name": name, "file": file, "source_rate": int(sr), "input_samples": int(len(y)),
                      "target_rate": TARGET, "output_samples": int(len(out)), "output": path})
    meta = {"generator": "tools/make_resample_fixture.py",
            "versions": {"librosa": librosa.__version__, "soxr": soxr.__version__, "numpy": np.__version__},
            "cases": cases}
    (args.out / "resample.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {args.out}")


if __name__ == "__main__":
    main()
