#!/usr/bin/env python3
"""Feature extraction throughput: chorus against torchaudio and librosa on the same files.

Builds a set of 32 kHz ogg/vorbis "soundscapes" (60 s windows of the real recordings in
../shared/real_audio, or synthetic chirps when they are absent), then times, on the same files:

  chorus decode-only   chorus features --decode-only (decode + resample only: the floor)
  chorus np1           chorus features, one rank: decode + resample + log-mel + float16 HDF5 store
  chorus np2           the same under mpirun -np 2
  +clip analysis       np1 with the energy peak and leading-segment search that train_audio gets
  torchaudio           soundfile.read + torchaudio MelSpectrogram + 10 log10, one thread
  librosa              librosa.load + melspectrogram + power_to_db, one thread

Each figure is the best of --repeat runs: wall time of the whole process for chorus (MPI start-up
and libtorch loading included), and CPU time (user + system of every process; on a machine shared with other work the
wall figures say little, CPU time still measures our code). Start-up (libtorch loading, MPI
initialisation) is measured on an empty folder and shown separately. Throughput is audio seconds
per second per core.

    python3 tools/bench_features.py [--chorus build/chorus] [--files 120] [--seconds 60] [--repeat 3]
"""
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # references: one thread
    os.environ[var] = "1"

import argparse
import json
import pathlib
import resource
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


def cpu_seconds():
    """CPU time of this process and of every waited-for child (mpirun waits for its ranks)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(repeat, run):
    """(best wall seconds, best CPU seconds): CPU time is what a busy shared machine cannot distort."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        run()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
    return min(walls), min(cpus)


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
    ap.add_argument("--files", type=int, default=120)
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
        import librosa  # noqa: F401  imported (and torch's threads set) before any timing
        import torch
        import torchaudio  # noqa: F401
        torch.set_num_threads(1)
        empty = tmp / "empty"
        (empty / "train_soundscapes").mkdir(parents=True)
        load = os.getloadavg()[0]
        startup = {r: best_of(a.repeat, lambda: chorus_run(a.chorus, empty, tmp / "w", r)) for r in (1, 2)}
        rows = [  # name, cores, (wall, cpu), start-up (wall, cpu) included in them
            ("chorus decode-only (np1)", 1, best_of(a.repeat, lambda: chorus_run(a.chorus, data, tmp / "w", 1, ["--decode-only"])), startup[1]),
            ("chorus features np1", 1, best_of(a.repeat, lambda: chorus_run(a.chorus, data, tmp / "w", 1)), startup[1]),
            ("chorus features np2", 2, best_of(a.repeat, lambda: chorus_run(a.chorus, data, tmp / "w", 2)), startup[2]),
            ("chorus np1 +clip analysis", 1, best_of(a.repeat, lambda: chorus_run(a.chorus, data, tmp / "w", 1, ["--clip-analysis", "on"])), startup[1]),
            ("torchaudio (1 thread)", 1, best_of(a.repeat, lambda: torchaudio_run(files)), (0.0, 0.0)),
            ("librosa (1 thread)", 1, best_of(a.repeat, lambda: librosa_run(files)), (0.0, 0.0)),
        ]
        load = max(load, os.getloadavg()[0])
        print(f"load average up to {load:.1f} on {os.cpu_count()} cores"
              f"{': wall figures are distorted by other work, CPU figures much less' if load > 0.5 * os.cpu_count() else ''}")
        print(f"chorus start-up on an empty folder: {startup[1][0]:.2f} s wall / {startup[1][1]:.2f} s CPU (np1), "
              f"{startup[2][0]:.2f} / {startup[2][1]:.2f} (np2)\n")
        print(f"{'audio-s per second per core':28s} {'wall s':>7s} {'wall':>6s} {'CPU s':>7s} {'CPU':>6s} "
              f"{'CPU less start-up':>18s} {'np1 / this (CPU)':>17s}")
        out = {"load_average": load, "startup": startup}
        steady = lambda row: (audio / (row[2][1] - row[3][1]))
        ours = steady(rows[1])
        for row in rows:
            name, cores, (wall, cpu), start = row
            print(f"{name:28s} {wall:7.2f} {audio / wall / cores:6.0f} {cpu:7.2f} {audio / cpu:6.0f} "
                  f"{steady(row):18.0f} {ours / steady(row):16.2f}x")
            out[name] = {"wall_s": wall, "cpu_s": cpu, "per_core_wall": audio / wall / cores,
                         "per_cpu_second": audio / cpu, "per_cpu_second_less_startup": steady(row)}
        (dw, dc), (w1, c1), (w2, c2) = rows[0][2], rows[1][2], rows[2][2]
        s1, s0 = rows[1][3], rows[0][3]
        s2 = rows[2][3]
        print(f"\nend to end / decode-only: {w1 / dw:.2f}x wall ({(w1 - s1[0]) / (dw - s0[0]):.2f}x less start-up), "
              f"{c1 / dc:.2f}x CPU ({(c1 - s1[1]) / (dc - s0[1]):.2f}x less start-up)   target <= 1.4x")
        print(f"speed-up 1 -> 2 ranks:    {w1 / w2:.2f}x wall ({(w1 - s1[0]) / (w2 - s2[0]):.2f}x less start-up; "
              f"needs 2 idle cores), CPU np2 / np1 = {(c2 - s2[1]) / (c1 - s1[1]):.2f} less start-up "
              f"(1.00: no parallel overhead)   target >= 1.8x")
        out["end_to_end_over_decode_wall"], out["end_to_end_over_decode_cpu"] = w1 / dw, c1 / dc
        out["speedup_np2_wall"], out["cpu_np2_over_np1"] = w1 / w2, c2 / c1
        if a.json:
            a.json.write_text(json.dumps(out, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
