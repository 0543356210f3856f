#!/usr/bin/env python3
"""Reference energy profiles for tests/audio/energy_test.cpp, from librosa and numpy.

For real 32 kHz recordings read with soundfile (float32): librosa.feature.rms(frame_length=2048,
hop_length=512, center=True), its centred moving average np.convolve(rms, ones(5)/5, "same") and
the first argmax of that. Writes under tests/fixtures/audio/:
  energy_<clip>_rms.f32, energy_<clip>_smoothed.f32   little-endian float32, one value per frame
  energy.json                                          parameters, peak frame, versions

  python3 tools/make_energy_fixture.py [--audio ../shared/real_audio] [--out tests/fixtures/audio]
"""
import json

import librosa
import numpy as np
import soundfile

from fixture_args import audio_fixture_args

FRAME, HOP, SMOOTH = 2048, 512, 5
CLIPS = [("birds_10s", "opensoundscape_birds_10s.wav"), ("rugr_drum", "opensoundscape_rugr_drum.wav")]


def main():
    args = audio_fixture_args(__doc__)
    clips = []
    for name, file in CLIPS:
        y, sr = soundfile.read(args.audio / file, dtype="float32")
        assert sr == 32000 and y.ndim == 1, (file, sr, y.shape)
        rms = librosa.feature.rms(y=y, frame_length=FRAME, hop_length=HOP, center=True)[0]
        smoothed = np.convolve(rms.astype(np.float64), np.ones(SMOOTH) / SMOOTH, mode="same")
        peak = int(np.argmax(smoothed))
        entry = {"name": name, "file": file, "sample_rate": int(sr), "frames": int(len(rms)), "peak_frame": peak,
                 "peak_seconds": peak * HOP / sr, "rms": f"energy_{name}_rms.f32",
                 "smoothed": f"energy_{name}_smoothed.f32"}
        rms.astype("<f4").tofile(args.out / entry["rms"])
        smoothed.astype("<f4").tofile(args.out / entry["smoothed"])
        clips.append(entry)
    meta = {"generator": "tools/make_energy_fixture.py",
            "versions": {"librosa": librosa.__version__, "numpy": np.__version__},
            "params": {"frame_length": FRAME, "hop": HOP, "smooth_frames": SMOOTH}, "clips": clips}
    (args.out / "energy.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {len(clips)} clips to {args.out}")


if __name__ == "__main__":
    main()
