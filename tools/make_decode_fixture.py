#!/usr/bin/env python3
"""Reference decodes for tests/audio/decode_test.cpp: librosa.load(sr=None, mono=True).

librosa reads with soundfile (its own libsndfile build) and downmixes with the mean of the channels.
Writes the first samples of a few real recordings (stereo ones, 24-bit FLAC, float64 WAV) under
tests/fixtures/audio/:
  decode_<name>.f32   little-endian float32 mono samples at the file's own rate
  decode.json         file, rate, channels, sample count, versions

  python3 tools/make_decode_fixture.py [--audio ../shared/real_audio] [--out tests/fixtures/audio]
"""
import json

import librosa
import numpy as np
import soundfile

from fixture_args import audio_fixture_args

SECONDS = 0.5
CASES = [("robin_stereo_ogg", "librosa_robin_456440.hq.ogg"),
         ("gwwa_stereo_mp3", "XC135601_GWWA.mp3"),
         ("perch_flac24", "perch_21100_36_48.flac"),
         ("perch_wav_float64", "perch_21100_36_48.wav")]


def main():
    args = audio_fixture_args(__doc__)
    cases = []
    for name, file in CASES:
        info = soundfile.info(args.audio / file)
        y, sr = librosa.load(args.audio / file, sr=None, mono=True, duration=SECONDS, dtype=np.float32)
        path = f"decode_{name}.f32"
        np.ascontiguousarray(y, dtype="<f4").tofile(args.out / path)
        cases.append({"name": name, "file": file, "sample_rate": int(sr), "channels": int(info.channels),
                      "samples": int(len(y)), "output": path})
    meta = {"generator": "tools/make_decode_fixture.py",
            "versions": {"librosa": librosa.__version__, "soundfile": soundfile.__version__,
                         "libsndfile": soundfile.__libsndfile_version__},
            "cases": cases}
    (args.out / "decode.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {args.out}")


if __name__ == "__main__":
    main()
