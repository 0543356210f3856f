#!/usr/bin/env python3
"""A spoken announcement for tests/audio/vad_test.cpp, made with espeak-ng (apt: espeak-ng).

xeno-canto recordings often start with the recordist naming the species and place. espeak-ng's
formant synthesiser gives speech with real prosody (pitch contour, syllables, consonants) that we
can commit. Writes under tests/fixtures/audio/:
  vad_speech.flac   mono 16 kHz 16-bit (resampled with librosa soxr_hq from espeak's 22.05 kHz)
  vad.json          the text, the voice, and where the speech ends: the end of the last 10 ms frame
                    whose RMS is within 40 dB of the loudest frame

  python3 tools/make_vad_fixture.py [--out tests/fixtures/audio]
"""
import argparse
import json
import pathlib
import subprocess
import tempfile

import librosa
import numpy as np
import soundfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEXT = "Golden winged warbler. Recorded near Ithaca, New York, June third."
VOICE = "en"
RATE = 16000


def speech_end_seconds(y, sr):
    hop = sr // 100
    frames = len(y) // hop
    rms = np.sqrt(np.mean(y[: frames * hop].reshape(frames, hop).astype(np.float64) ** 2, axis=1))
    loud = np.nonzero(20 * np.log10(np.maximum(rms, 1e-12) / rms.max()) > -40)[0]
    return float((loud[-1] + 1) * hop / sr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "fixtures" / "audio")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wav = pathlib.Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", VOICE, "-w", str(wav), TEXT], check=True)
        version = subprocess.run(["espeak-ng", "--version"], check=True, capture_output=True, text=True).stdout.strip()
        y, sr = soundfile.read(wav, dtype="float32")
    y = librosa.resample(y, orig_sr=sr, target_sr=RATE, res_type="soxr_hq")
    y = 0.5 * y / np.abs(y).max()
    soundfile.write(args.out / "vad_speech.flac", y, RATE, subtype="PCM_16")
    meta = {"generator": "tools/make_vad_fixture.py", "espeak_ng": version, "voice": VOICE, "text": TEXT,
            "file": "vad_speech.flac", "sample_rate": RATE, "seconds": len(y) / RATE,
            "speech_end_seconds": speech_end_seconds(y, RATE)}
    (args.out / "vad.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote vad_speech.flac ({meta['seconds']:.2f} s, speech ends at {meta['speech_end_seconds']:.2f} s)")


if __name__ == "__main__":
    main()
