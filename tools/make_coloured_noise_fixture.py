#!/usr/bin/env python3
"""Reference mel spectra of real f^-beta noise for tests/dataset/augment_test.cpp.

For beta in 0, 1, 2: 60 s of Gaussian noise at 32 kHz whose power spectrum is f^-beta (white, pink,
brown; numpy, shaped in the Fourier domain, DC removed), through torchaudio.transforms.MelSpectrogram
with the DESIGN.md arguments; the mean power of each mel bin over the frames, divided by its largest
bin and written in dB. chorus's coloured-noise augmentation draws mel cells directly; averaged over many
frames it must give the same per-bin spectrum as this real noise did.

  python3 tools/make_coloured_noise_fixture.py [--out tests/fixtures/dataset]
"""
import argparse
import json
import pathlib

import numpy as np
import torch
import torchaudio

SR, N_FFT, HOP, N_MELS, F_MIN, F_MAX = 32000, 2048, 512, 128, 20.0, 16000.0
ROOT = pathlib.Path(__file__).resolve().parent.parent


def coloured_noise(beta, seconds, rng):
    n = int(SR * seconds)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    scale = np.zeros_like(f)
    scale[1:] = f[1:] ** (-beta / 2)  # amplitude, so that power goes as f^-beta
    x = np.fft.irfft(spectrum * scale, n)
    return (x / np.abs(x).max() * 0.5).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "fixtures" / "dataset")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                                               f_min=F_MIN, f_max=F_MAX, power=2.0, center=True,
                                               pad_mode="reflect", norm=None, mel_scale="htk")
    rng = np.random.default_rng(2026)
    out = {"generator": "tools/make_coloured_noise_fixture.py", "torch": torch.__version__,
           "torchaudio": torchaudio.__version__, "numpy": np.__version__, "seconds": 60, "spectra": []}
    for beta in (0.0, 1.0, 2.0):
        x = torch.from_numpy(coloured_noise(beta, 60, rng))
        power = mel(x).double()[:, 4:-4]  # mels x frames; edge frames see the reflect padding
        mean = power.mean(dim=1).numpy()
        db = 10 * np.log10(np.maximum(mean / mean.max(), 1e-30))
        out["spectra"].append({"beta": beta, "relative_db": [round(float(v), 4) for v in db]})
    (args.out / "coloured_noise.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
