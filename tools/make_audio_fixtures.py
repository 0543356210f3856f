#!/usr/bin/env python3
"""Synthesised audio and its reference values, so the audio parity tests run in every clone.

The real recordings in ../shared/real_audio are not in the repository; this script makes small
stand-ins that are (deterministic: numpy seed per file): a noise floor with bird-like notes (upward
and downward FM sweeps between 1.5 and 8 kHz, a few harmonic), one louder note for the energy peak,
and on stereo files a second channel with its own noise and notes (so the downmix matters).

Decode set (0.3 s each, `synth/`): every format at every rate it can hold, channels alternating so
that every format and every rate has mono and stereo files:
  wav16 (WAV PCM_16), wavf32 (WAV FLOAT), flac24 (FLAC PCM_24), ogg (Ogg Vorbis), mp3 (MPEG layer III)
  at 16, 22.05, 32, 44.1 and 48 kHz; opus (Ogg Opus) at 16 and 48 kHz, the only two of these rates
  Opus has. 27 files.
Longer clips: synth/birds_32k.wav (4 s, 32 kHz mono PCM_16: log-mel, energy, VAD, the feature store)
and synth/soundscape_32k.ogg (30 s Vorbis, the OpenVINO parity's soundscape).

References, written under tests/fixtures/audio/ with the schema of the real-audio fixtures:
  synth_decode.json     per file: soundfile.info (rate, channels, frames), librosa.load(sr=None,
                        mono=True) length and its first samples (synth_decode_<name>.f32)
  synth_resample.json   librosa.resample(res_type="soxr_hq") to 32 kHz of the decoded lossless files,
                        checked equal to soxr.resample(quality="HQ") (synth_resample_<name>.f32)
  synth_logmel.json     torchaudio.transforms.MelSpectrogram and librosa.feature.melspectrogram of
                        birds_32k.wav (tools/make_logmel_fixture.py's arguments)
  synth_energy.json     librosa.feature.rms + numpy's moving average (tools/make_energy_fixture.py's)

A rerun gives the same decoded samples and the same references; the Ogg files (random stream serial
numbers) and float WAVs (libsndfile's PEAK chunk has a timestamp) differ in those header bytes only.

  python3 tools/make_audio_fixtures.py [--out tests/fixtures/audio]
"""
import argparse
import json
import pathlib

import librosa
import numpy as np
import soundfile
import soxr
import torch
import torchaudio

import make_energy_fixture as energy_ref
import make_logmel_fixture as logmel_ref

ROOT = pathlib.Path(__file__).resolve().parent.parent
RATES = [16000, 22050, 32000, 44100, 48000]
# name -> (soundfile format, subtype, extension, rates it can hold)
FORMATS = {"wav16": ("WAV", "PCM_16", "wav", RATES), "wavf32": ("WAV", "FLOAT", "wav", RATES),
           "flac24": ("FLAC", "PCM_24", "flac", RATES), "ogg": ("OGG", "VORBIS", "ogg", RATES),
           "mp3": ("MP3", "MPEG_LAYER_III", "mp3", RATES), "opus": ("OGG", "OPUS", "opus", [16000, 48000])}
DECODE_SECONDS = 0.3
REFERENCE_SAMPLES = 4096  # decoded samples kept per file: the decoders' parity, not the whole file
RESAMPLE_CASES = ["wav16_16000_mono", "wavf32_22050_mono", "flac24_44100_stereo", "wavf32_48000_stereo"]


def notes(n, rate, rng, amplitude, every=0.4, loud_at=None):
    """FM sweeps of 150 ms, one every `every` s, with jittered starts; the note at `loud_at` s is 3x louder."""
    x = np.zeros(n)
    top = min(8000.0, 0.42 * rate)
    length = int(0.15 * rate)
    for start in np.arange(0.02, n / rate - 0.16, every):
        f1, f2 = rng.uniform(1500, top * 0.7), rng.uniform(1500, top)
        i0 = int((start + rng.uniform(0, 0.05)) * rate)
        u = np.arange(length) / length
        phase = 2 * np.pi * np.cumsum(f1 + (f2 - f1) * u) / rate
        gain = amplitude * (3.0 if loud_at is not None and abs(start - loud_at) < every / 2 else 1.0)
        note = np.sin(phase) + (0.3 * np.sin(2 * phase) if 2 * max(f1, f2) < 0.45 * rate else 0)
        x[i0:i0 + length] += gain * np.sin(np.pi * u) * note[: len(x[i0:i0 + length])]
    return x


def synthesise(seconds, rate, channels, seed, loud_at=None):
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    chans = [rng.normal(0, 0.003, n) + notes(n, rate, rng, 0.08 if c == 0 else 0.05, loud_at=loud_at)
             for c in range(channels)]
    return np.stack(chans, axis=1).astype(np.float32) if channels > 1 else chans[0].astype(np.float32)


def decode_set(out):
    """Writes the 27 decode files; returns {name: path relative to tests/fixtures/audio}."""
    files, k = {}, 0
    for fmt, (container, subtype, ext, rates) in FORMATS.items():
        for rate in rates:
            channels = 1 + (k % 2)
            k += 1
            name = f"{fmt}_{rate}_{'stereo' if channels == 2 else 'mono'}"
            y = synthesise(DECODE_SECONDS, rate, channels, seed=k)
            rel = f"synth/{name}.{ext}"
            soundfile.write(out / rel, y, rate, format=container, subtype=subtype)
            files[name] = rel
    return files


def decode_references(out, files):
    cases = []
    for name, rel in files.items():
        info = soundfile.info(out / rel)
        y, sr = librosa.load(out / rel, sr=None, mono=True, dtype=np.float32)
        path = f"synth_decode_{name}.f32"
        np.ascontiguousarray(y[:REFERENCE_SAMPLES], dtype="<f4").tofile(out / path)
        cases.append({"name": name, "file": rel, "format": info.format, "subtype": info.subtype,
                      "sample_rate": int(sr), "channels": int(info.channels), "info_frames": int(info.frames),
                      "decoded_samples": int(len(y)), "samples": int(min(len(y), REFERENCE_SAMPLES)),
                      "output": path})
    return cases


def resample_references(out, files):
    cases = []
    for name in RESAMPLE_CASES:
        y, sr = librosa.load(out / files[name], sr=None, mono=True, dtype=np.float32)
        ref = librosa.resample(y, orig_sr=sr, target_sr=32000, res_type="soxr_hq")
        direct = soxr.resample(y, sr, 32000, quality="HQ")
        assert np.array_equal(ref[: len(direct)], direct[: len(ref)]), name  # one implementation, two doors
        path = f"synth_resample_{name}.f32"
        np.ascontiguousarray(ref, dtype="<f4").tofile(out / path)
        cases.append({"name": name, "file": files[name], "source_rate": int(sr), "input_samples": int(len(y)),
                      "target_rate": 32000, "output_samples": int(len(ref)), "output": path})
    return cases


def logmel_references(out, rel):
    y, sr = soundfile.read(out / rel, dtype="float32")
    assert sr == logmel_ref.SR and y.ndim == 1
    entry = {"name": "synth_birds", "file": rel, "samples": int(len(y)), "n_mels": logmel_ref.N_MELS}
    for lib, fn in (("torchaudio", logmel_ref.torchaudio_logmel), ("librosa", logmel_ref.librosa_logmel)):
        db = np.ascontiguousarray(fn(y), dtype="<f4")
        path = f"synth_logmel_{lib}.f32"
        db.tofile(out / path)
        entry[lib] = {"file": path, "frames": int(db.shape[0])}
    return entry


def energy_references(out, rel):
    y, sr = soundfile.read(out / rel, dtype="float32")
    rms = librosa.feature.rms(y=y, frame_length=energy_ref.FRAME, hop_length=energy_ref.HOP, center=True)[0]
    smoothed = np.convolve(rms.astype(np.float64), np.ones(energy_ref.SMOOTH) / energy_ref.SMOOTH, mode="same")
    peak = int(np.argmax(smoothed))
    entry = {"name": "synth_birds", "file": rel, "sample_rate": int(sr), "frames": int(len(rms)),
             "peak_frame": peak, "peak_seconds": peak * energy_ref.HOP / sr, "rms": "synth_energy_rms.f32",
             "smoothed": "synth_energy_smoothed.f32"}
    rms.astype("<f4").tofile(out / entry["rms"])
    smoothed.astype("<f4").tofile(out / entry["smoothed"])
    return entry


def write_json(path, generator_versions, **body):
    meta = {"generator": "tools/make_audio_fixtures.py", "versions": generator_versions, **body}
    path.write_text(json.dumps(meta, indent=1) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "fixtures" / "audio")
    args = ap.parse_args()
    out = args.out
    (out / "synth").mkdir(parents=True, exist_ok=True)
    versions = {"numpy": np.__version__, "soundfile": soundfile.__version__,
                "libsndfile": soundfile.__libsndfile_version__, "librosa": librosa.__version__,
                "soxr": soxr.__version__, "torch": torch.__version__, "torchaudio": torchaudio.__version__}

    files = decode_set(out)
    birds = "synth/birds_32k.wav"
    soundfile.write(out / birds, synthesise(4.0, 32000, 1, seed=101, loud_at=2.6), 32000, subtype="PCM_16")
    soundscape = "synth/soundscape_32k.ogg"
    soundfile.write(out / soundscape, synthesise(30.0, 32000, 1, seed=102), 32000, format="OGG", subtype="VORBIS")

    write_json(out / "synth_decode.json", versions, cases=decode_references(out, files))
    write_json(out / "synth_resample.json", versions, cases=resample_references(out, files))
    write_json(out / "synth_logmel.json", versions, params=json.loads((out / "logmel.json").read_text())["params"],
               clips=[logmel_references(out, birds)], soundscape=soundscape)
    write_json(out / "synth_energy.json", versions,
               params={"frame_length": energy_ref.FRAME, "hop": energy_ref.HOP, "smooth_frames": energy_ref.SMOOTH},
               clips=[energy_references(out, birds)])
    print(f"wrote {len(files) + 2} audio files and their references to {out}")


if __name__ == "__main__":
    main()
