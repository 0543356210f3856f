#!/usr/bin/env python3
"""tools/teacher_birdnet.py on a real recording, against BirdNET's published outputs (ctest: tools.teacher_birdnet).

1. BirdNET's own 3 s windows of ../shared/real_audio/birdnet_soundscape.flac (120 s, 48 kHz) match
   birdnet_soundscape.expected_BirdNET_V2.4_tflite_default.csv, the birdnet package's test ground
   truth (3 s, no overlap, sigmoid sensitivity 1, bandpass 0-15 kHz, min_conf 0.1, no location
   filter): every listed (window, label) within 1e-4, and no label above the threshold that it lacks.
2. The teacher store the same run wrote: our 5 s windows, each the max of BirdNET on the two 3 s
   chunks [5j, 5j+3) and [5j+2, 5j+5) (recomputed here from the audio, chunk by chunk), the class
   mapping by scientific name (case and spaces ignored, sample_submission.csv's column order), NaN +
   covered 0 for a class BirdNET lacks, the unmapped BirdNET labels listed, embeddings the mean of the
   two chunks'; a 12.5 s clip at 32 kHz (resampled; its last window moved in to end at the audio's
   end), a 2 s clip (repeated), a broken file (named, left out, exit 4), and an item whose part was
   already there (not scored again: the resume).

Exit 77 (skipped) where ../shared/real_audio is absent or BirdNET cannot be installed here.
    python3 tests/tools/teacher_birdnet_test.py [--real-audio DIR] [--keep DIR]
"""
import argparse
import csv
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
sys.path.insert(0, str(TOOLS))
SKIP = 77
TOLERANCE = 1e-4
EXPECTED = "birdnet_soundscape.expected_BirdNET_V2.4_tflite_default.csv"
TAXONOMY = [  # primary_label, scientific_name as the competition writes it (one in odd case and spacing)
    ("bkcchi", "Poecile atricapillus"), ("houfin", "Haemorhous mexicanus"), ("blujay", "Cyanocitta cristata"),
    ("1139490", "Insecta sonotype 1"), ("daejun", "junco  HYEMALIS"), ("amegfi", "Spinus tristis")]
COLUMNS = ["daejun", "bkcchi", "1139490", "houfin", "amegfi", "blujay"]  # sample_submission.csv's order


def skip(reason):
    print("SKIPPED:", reason)
    sys.exit(SKIP)


def make_dataset(folder, real):
    import soundfile as sf
    import soxr
    scapes = folder / "train_soundscapes"
    scapes.mkdir(parents=True)
    (scapes / "birdnet_soundscape.flac").symlink_to(real / "birdnet_soundscape.flac")
    x, rate = sf.read(str(real / "birdnet_soundscape.flac"), dtype="float32")
    clip = soxr.resample(x[:int(12.5 * rate)], rate, 32000, quality="HQ")
    sf.write(str(scapes / "clip_12s5_32k.wav"), clip, 32000, subtype="FLOAT")
    sf.write(str(scapes / "clip_2s.wav"), x[int(9 * rate):int(11 * rate)], rate, subtype="FLOAT")
    sf.write(str(scapes / "resumed.wav"), x[:int(5 * rate)], rate, subtype="FLOAT")
    (scapes / "broken.ogg").write_bytes(b"OggS but not really audio")
    with open(folder / "taxonomy.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["primary_label", "inat_taxon_id", "scientific_name", "common_name", "class_name"])
        for label, science in TAXONOMY:
            w.writerow([label, "1", science, label, "Aves"])
    with open(folder / "sample_submission.csv", "w", newline="") as f:
        csv.writer(f).writerow(["row_id"] + COLUMNS)


def plant_part(out, item, value):
    """A finished part for `item` as an earlier, killed run would have left it."""
    import teacher_birdnet as tb
    parts = pathlib.Path(str(out) + ".parts")
    parts.mkdir()
    probs = np.full((1, len(COLUMNS)), value, np.float32)
    probs[:, COLUMNS.index("1139490")] = np.nan
    np.savez(tb.part_path(parts, item), probs=probs, embedding=np.full((1, 1024), value, np.float32))


def check_parity(ours_csv, expected_csv):
    ours = {}
    with open(ours_csv, newline="") as f:
        for r in csv.DictReader(f):
            if r["item_id"] == "birdnet_soundscape.flac":
                ours[(float(r["start_s"]), float(r["end_s"]), r["label"])] = float(r["confidence"])
    with open(expected_csv, newline="") as f:
        expected = {(float(r["start_s"]), float(r["end_s"]), r["label"]): float(r["confidence"]) for r in csv.DictReader(f)}
    missing = [k for k in expected if k not in ours]
    extra = [k for k in ours if k not in expected and ours[k] >= 0.1 + TOLERANCE]
    deviation = max(abs(ours[k] - v) for k, v in expected.items() if k in ours)
    worst = max((k for k in expected if k in ours), key=lambda k: abs(ours[k] - expected[k]))
    print(f"parity: {len(expected)} published (window, label) rows, {len(ours)} of ours, max |deviation| "
          f"{deviation:.2e} at {worst[0]}-{worst[1]} s {worst[2]}; 0-3 s Black-capped Chickadee "
          f"{ours[(0.0, 3.0, 'Poecile atricapillus_Black-capped Chickadee')]:.7f} vs 0.8140561")
    assert not missing, f"published rows we lack: {missing}"
    assert not extra, f"labels above 0.1 that BirdNET's published output lacks: {extra}"
    assert deviation <= TOLERANCE, deviation


def check_store(store, log):
    from teacher_store import read_teacher_store
    s = read_teacher_store(store)
    a = s["attributes"]
    assert a["teacher_name"] == "BirdNET" and a["teacher_version"].startswith("V2.4"), a
    assert a["window_seconds"] == 5.0 and a["store_format"] == "chorus-teacher-store", a
    assert s["class"] == COLUMNS, s["class"]
    assert s["covered"].tolist() == [0 if c == "1139490" else 1 for c in COLUMNS]
    assert s["class_source"][COLUMNS.index("daejun")] == "Junco hyemalis_Dark-eyed Junco"
    assert s["class_source"][COLUMNS.index("1139490")] == ""
    assert len(s["unmapped_class"]) == 6522 - 5 and "Engine_Engine" in s["unmapped_class"]
    assert "1139490" in log and "6517 BirdNET labels map to no class" in log, log
    assert np.isnan(s["probs"][:, COLUMNS.index("1139490")]).all()
    assert s["failed_item"] == ["broken.ogg"], s.get("failed_item")
    items = s["item_id"]
    assert items.count("birdnet_soundscape.flac") == 24 and items.count("clip_12s5_32k.wav") == 3, items
    assert items.count("clip_2s.wav") == 1 and items.count("resumed.wav") == 1, items
    rows = [i for i, item in enumerate(items) if item == "birdnet_soundscape.flac"]
    assert s["start_s"][rows].tolist() == [5.0 * j for j in range(24)]
    assert (s["end_s"] - s["start_s"] == 5.0).all()
    assert s["embedding"].shape == (len(items), 1024) and np.isfinite(s["embedding"]).all()
    resumed = items.index("resumed.wav")
    assert np.allclose(s["probs"][resumed, s["covered"] == 1], 0.5), "a finished part was scored again"
    return s


def recompute(store_file, data):
    """Each window again from the audio: BirdNET on the two 3 s chunks inside it, max (and mean)."""
    import teacher_birdnet as tb
    from teacher_store import read_teacher_store
    s = read_teacher_store(store_file)
    model, labels, _, interpreter = tb.ensure_runtime(argparse.Namespace(env=tb.default_env(), no_install=True))
    net = tb.BirdNet(tb.with_embedding_output(model, tb.default_env()), labels, interpreter, 1)
    column = {c: net.labels.index(src) for c, src in zip(s["class"], s["class_source"]) if src}
    worst = 0.0
    for n, (item, start) in enumerate(zip(s["item_id"], s["start_s"])):
        if item == "resumed.wav":
            continue
        x = tb.read_audio(data / "train_soundscapes" / item)
        if len(x) < 5 * 48000:
            x = np.tile(x, 5 * 48000 // len(x) + 1)[:5 * 48000]  # a clip under 5 s: repeated
        a = min(int(start * 48000), len(x) - 5 * 48000)  # the last window: moved in
        first, e1 = net.score(x[None, a:a + 144000], True)
        second, e2 = net.score(x[None, a + 96000:a + 240000], True)
        for k, c in enumerate(s["class"]):
            if c in column:
                want = max(first[0, column[c]], second[0, column[c]])
                worst = max(worst, abs(float(s["probs"][n, k]) - float(want)))
        worst = max(worst, float(np.abs(s["embedding"][n] - 0.5 * (e1[0] + e2[0])).max()))
    print(f"windows: {len(s['item_id']) - 1} recomputed from the audio, max |store - max of the two chunks| {worst:.2e}")
    assert worst <= 1e-5, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real-audio", type=pathlib.Path, default=ROOT.parent / "shared" / "real_audio")
    ap.add_argument("--keep", type=pathlib.Path, help="work in this folder and keep it")
    ap.add_argument("--recompute", nargs=2, help=argparse.SUPPRESS)  # STORE DATA, run in BirdNET's environment
    args = ap.parse_args()
    if args.recompute:
        return recompute(pathlib.Path(args.recompute[0]), pathlib.Path(args.recompute[1]))
    if not (args.real_audio / "birdnet_soundscape.flac").exists() or not (args.real_audio / EXPECTED).exists():
        skip(f"{args.real_audio} is absent (the real recordings live in ../shared/real_audio)")
    work = args.keep or pathlib.Path(tempfile.mkdtemp(prefix="chorus-birdnet-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    data, out, raw = work / "data", work / "birdnet.h5", work / "birdnet_3s.csv"
    make_dataset(data, args.real_audio)
    plant_part(out, "resumed.wav", 0.5)
    r = subprocess.run([sys.executable, str(TOOLS / "teacher_birdnet.py"), "--data", str(data), "--set", "train_soundscapes",
                        "--out", str(out), "--embeddings", "--birdnet-windows", str(raw)], capture_output=True, text=True)
    log = r.stdout + r.stderr
    print(log)
    if r.returncode == 69:
        skip("BirdNET V2.4 cannot be installed here (see above)")
    assert r.returncode == 4, f"exit {r.returncode}: the broken file should make it a partial failure"
    check_parity(raw, args.real_audio / EXPECTED)
    check_store(out, log)
    import teacher_birdnet as tb
    python = tb.default_env() / "bin" / "python"
    here = subprocess.run([sys.executable, "-c", "import teacher_birdnet as t, sys; sys.exit(t.find_model() is None)"],
                          cwd=TOOLS).returncode == 0
    env = dict(os.environ, PYTHONPATH=str(TOOLS))
    if not here:
        env[tb.ACTIVE] = (tb.default_env() / "chorus-runtime.txt").read_text().strip()
    r = subprocess.run([str(sys.executable if here else python), __file__, "--recompute", str(out), str(data)], env=env)
    assert r.returncode == 0, "the store's windows differ from BirdNET on their chunks"
    if not args.keep:
        shutil.rmtree(work)
    print("teacher_birdnet: all checks passed")


if __name__ == "__main__":
    main()
