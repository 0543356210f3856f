#!/usr/bin/env python3
"""Feature extraction throughput: chorus against torchaudio and librosa on the same files.

Builds a set of 32 kHz ogg/vorbis "soundscapes" (60 s windows of the real recordings in
../shared/real_audio, or synthetic chirps when they are absent), then times, on the same files:

  chorus decode-only   chorus features --decode-only (decode + resample only: the floor)
  chorus np1           chorus features, one rank: decode + resample + log-mel + float16 HDF5 store
  chorus np2           the same under mpirun -np 2
  torchaudio           soundfile.read + torchaudio MelSpectrogram + 10 log10, one thread
  librosa              librosa.load + melspectrogram + power_to_db, one thread

Each figure is the best of --repeat runs, wall time of the whole process for chorus (MPI start-up
included). Throughput is audio seconds per wall second per core.

    python3 tools/bench_features.py [--chorus build/chorus] [--files 40] [--seconds 60] [--repeat 3]
"""
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # references: one thread
    os.environ[var] = "1"

import argparse
import json
import pathlib
import shutil
import subprocess
import tempfile
import time

import numpy as np
import soundfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real_audio"
SR, N_FFT, HOP, N_MELS, F_MIN, F_MAX = 32000, 2048, 512, 128, 20.0, 16000.0
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader,tcp",
          "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo"]


def source_signal():
    """One long 32 kHz mono signal from the real recordings (or synthetic chirps)."""
    from scipy.signal import resample_poly
    parts = []
    for name in ("opensoundscape_1min.wav", "birdnet_soundscape.ogg", "librosa_glacier_bay_humpback.hq.ogg",
                 "opensoundscape_aru_1.wav", "maad_spinetail.wav"):
        path = REAL / name
        if not path.exists():
            continue
        y, sr = soundfile.read(path, dtype="float32", always_2d=True)
        y = y.mean(axis=1)
        if sr != SR:
            y = resample_poly(y, SR, sr).astype(np.float32)
        parts.append(y)
    if not parts:
        t = np.arange(SR * 120) / SR
        rng = np.random.RandomState(0)
        parts.append((0.3 * np.sin(2 * np.pi * (2000 + 3000 * (t % 0.6)) * t) * ((t % 0.6) < 0.25)
                      + 0.01 * rng.standard_normal(t.size)).astype(np.float32))
    return np.concatenate(parts), [p for p in parts]


def build_set(folder, files, seconds):
    signal, parts = source_signal()
    n = int(seconds * SR)
    while signal.size < 2 * n:
        signal = np.concatenate([signal, signal])
    folder.mkdir(parents=True)
    for k in range(files):
        start = (k * 7 * SR) % (signal.size - n)
        soundfile.write(folder / f"BC2026_Bench_{k:04d}.ogg", signal[start:start + n], SR, format="OGG",
                        subtype="VORBIS")
    return len(parts) > 0 and (REAL / "opensoundscape_1min.wav").exists()


def best_of(repeat, run):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times)


def chorus_run(binary, data, work, ranks=1, extra=()):
    shutil.rmtree(work, ignore_errors=True)  # a fresh store every time: a rerun would resume
    cmd = [str(binary), "features", "--data", str(data), "--work", str(work), "--set", "train_soundscapes",
           "--log-level", "warn", *extra]
    if ranks > 1:
        cmd = MPIRUN + ["-np", str(ranks)] + cmd
    subprocess.run(cmd, check=True)


def torchaudio_run(files):
    import torch
    import torchaudio
    torch.set_num_threads(1)
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                                               f_min=F_MIN, f_max=F_MAX, power=2.0)
    for f in files:
        y, sr = soundfile.read(f, dtype="float32")
        with torch.no_grad():
            s = 10.0 * torch.log10(torch.clamp(mel(torch.from_numpy(y)), min=1e-10))
        s.numpy()


def librosa_run(files):
    import librosa
    for f in files:
        y, sr = librosa.load(f, sr=SR)
        s = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, fmin=F_MIN,
                                           fmax=F_MAX, power=2.0, htk=True, norm=None)
        librosa.power_to_db(s, ref=1.0, amin=1e-10, top_db=None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chorus", type=pathlib.Path, default=ROOT / "build" / "chorus")
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=pathlib.Path, help="also write the figures here")
    a = ap.parse_args()

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    try:
        data = tmp / "data"
        real = build_set(data / "train_soundscapes", a.files, a.seconds)
        files = sorted((data / "train_soundscapes").glob("*.ogg"))
        audio = a.files * a.seconds
        print(f"{a.files} files x {a.seconds:.0f} s = {audio / 60:.0f} audio-minutes of 32 kHz ogg/vorbis "
              f"({'real recordings' if real else 'synthetic'}), best of {a.repeat}, {os.cpu_count()} cores\n")
        rows = [
            ("chorus decode-only (np1)", 1, best_of(a.repeat, lambda: chorus_run(a.chorus, data, tmp / "w", 1, ["--decode-only"]))),
            ("chorus features np1", 1, best_of(a.repeat, lambda: chorus_run(a.chorus, data, tmp / "w", 1))),
            ("chorus features np2", 2, best_of(a.repeat, lambda: chorus_run(a.chorus, data, tmp / "w", 2))),
            ("torchaudio (1 thread)", 1, best_of(a.repeat, lambda: torchaudio_run(files))),
            ("librosa (1 thread)", 1, best_of(a.repeat, lambda: librosa_run(files))),
        ]
        ours = audio / rows[1][2]
        print(f"{'':28s} {'wall s':>8s} {'audio-s/s':>10s} {'per core':>10s} {'chorus np1 / this':>18s}")
        out = {}
        for name, cores, wall in rows:
            rate = audio / wall
            print(f"{name:28s} {wall:8.2f} {rate:10.0f} {rate / cores:10.0f} {ours / (rate / cores):18.2f}x")
            out[name] = {"wall_s": wall, "audio_s_per_s": rate, "per_core": rate / cores}
        decode, np1, np2 = rows[0][2], rows[1][2], rows[2][2]
        print(f"\nend to end / decode-only: {np1 / decode:.2f}x the decode time (target <= 1.4x)")
        print(f"speed-up 1 -> 2 ranks:    {np1 / np2:.2f}x (target >= 1.8x)")
        out["end_to_end_over_decode"], out["speedup_np2"] = np1 / decode, np1 / np2
        if a.json:
            a.json.write_text(json.dumps(out, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
