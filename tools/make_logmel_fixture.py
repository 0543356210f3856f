#!/usr/bin/env python3
"""Reference log-mel spectrograms for tests/audio/logmel_test.cpp, from torchaudio and librosa.

Reads real 32 kHz recordings with soundfile (float32, as libsndfile decodes them for chorus) and writes
under tests/fixtures/audio/:
  logmel_<clip>_torchaudio.f32  torchaudio.transforms.MelSpectrogram (DESIGN.md arguments: HTK, no
                                norm, reflect padding) + 10*log10(clamp(x, 1e-10))
  logmel_<clip>_librosa.f32     librosa.feature.melspectrogram (its defaults: Slaney scale and norm,
                                zero padding) + power_to_db(ref=1, amin=1e-10, top_db=None)
  logmel.json                   shapes, sources, library versions
  mel_filterbanks.json          the non-zero weights [bin, mel, weight] of both filterbanks
                                (torchaudio.functional.melscale_fbanks, librosa.filters.mel)
Arrays are little-endian float32, frames x n_mels, row-major.

  python3 tools/make_logmel_fixture.py [--audio ../shared/real_audio] [--out tests/fixtures/audio]
"""
import json

import librosa
import numpy as np
import soundfile
import torch
import torchaudio

from fixture_args import audio_fixture_args

SR, N_FFT, HOP, N_MELS, F_MIN, F_MAX, AMIN = 32000, 2048, 512, 128, 20.0, 16000.0, 1e-10
# (fixture name, file, seconds taken from the start; None = whole file)
CLIPS = [("birds_10s", "opensoundscape_birds_10s.wav", None), ("1min_first5s", "opensoundscape_1min.wav", 5.0)]


def torchaudio_logmel(y):
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                                               f_min=F_MIN, f_max=F_MAX, power=2.0)
    with torch.no_grad():
        s = mel(torch.from_numpy(y))
    return (10.0 * torch.log10(torch.clamp(s, min=AMIN))).numpy().T  # frames x mels


def librosa_logmel(y):
    s = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, fmin=F_MIN,
                                       fmax=F_MAX, power=2.0)
    return librosa.power_to_db(s, ref=1.0, amin=AMIN, top_db=None).T


def nonzero_weights(fb):
    """bins x mels matrix -> [[bin, mel, weight], ...] for the non-zero entries."""
    k, m = np.nonzero(fb)
    return [[int(a), int(b), float(fb[a, b])] for a, b in zip(k, m)]


def main():
    args = audio_fixture_args(__doc__)

    clips = []
    for name, file, seconds in CLIPS:
        y, sr = soundfile.read(args.audio / file, dtype="float32")
        assert sr == SR and y.ndim == 1, (file, sr, y.shape)
        if seconds is not None:
            y = y[: int(seconds * SR)]
        entry = {"name": name, "file": file, "samples": int(len(y)), "n_mels": N_MELS}
        for lib, fn in (("torchaudio", torchaudio_logmel), ("librosa", librosa_logmel)):
            db = np.ascontiguousarray(fn(y), dtype="<f4")
            path = f"logmel_{name}_{lib}.f32"
            db.tofile(args.out / path)
            entry[lib] = {"file": path, "frames": int(db.shape[0])}
        clips.append(entry)

    htk = torchaudio.functional.melscale_fbanks(N_FFT // 2 + 1, F_MIN, F_MAX, N_MELS, SR, norm=None,
                                                mel_scale="htk").numpy()
    slaney = librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=F_MIN, fmax=F_MAX).T
    meta = {
        "generator": "tools/make_logmel_fixture.py",
        "versions": {"torch": torch.__version__, "torchaudio": torchaudio.__version__,
                     "librosa": librosa.__version__, "numpy": np.__version__},
        "params": {"sample_rate": SR, "n_fft": N_FFT, "hop": HOP, "n_mels": N_MELS, "f_min": F_MIN,
                   "f_max": F_MAX, "amin": AMIN, "power": 2.0},
        "clips": clips,
    }
    (args.out / "logmel.json").write_text(json.dumps(meta, indent=1) + "\n")
    banks = {"torchaudio_htk_none": nonzero_weights(htk), "librosa_slaney_slaney": nonzero_weights(slaney)}
    (args.out / "mel_filterbanks.json").write_text(json.dumps(banks, separators=(",", ":")) + "\n")
    print(f"wrote {len(clips)} clips to {args.out}")


if __name__ == "__main__":
    main()
