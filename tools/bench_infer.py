#!/usr/bin/env python3
"""Benchmark: per-soundscape CPU time of the full ensemble, end to end from ogg to logits.

  python3 tools/bench_infer.py --work WORK --data DATA [--soundscapes 4] [--threads 1 2]

ours:      `chorus infer` (Kaggle mode, one process, --time-budget 0) with 10 models: the trained
           job folders under WORK/models, repeated to 5 EfficientNet-B0 + 5 EfficientNetV2-B0 (the default
           backbones; train one of each first, e.g. the demo's), x 4 TTA variants; includes process
           start-up, model loading, decoding, log-mel, the reducer and the CSV.
reference: the same architectures as TorchScript (timm tf_efficientnet_b0 / tf_efficientnetv2_b0, scripted,
           in_chans 1), run from Python PyTorch with the same thread count: soundfile.read ->
           torchaudio MelSpectrogram -> dB -> 12 windows x 4 variants -> each model -> mean over
           variants. Model loading is excluded from the reference (generous to it).
A second reference, "tuned", is the same loop with channels-last models and torch.jit.freeze +
optimize_for_inference (batch norms folded into convolutions): what our binary does by default.
A third, "openvino": the 2nd-place teams' route, timm -> openvino.convert_model (example input 48 x 1 x
128 x 313), compiled for the CPU with the same thread count (f32 precision hint), the same loop around it.
Ours runs once per engine: --engine torch, --engine openvino (f32), and openvino bf16 where the CPU has it.
Prints the per-soundscape times, their ratio, and the projection for 600 soundscapes on 4 cores
(CPU seconds per soundscape at 1 thread x 600 / 4, assuming 4 single-thread processes scale linearly).
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time

from bench_util import children_cpu, quiet_env, soundscape_subset


def ours(args, threads, scape_dir, engine="torch", precision="f32"):
    models = sorted(d for d in glob.glob(os.path.join(args.work, "models", "*")) if os.path.isdir(d))
    b0 = [d for d in models if os.path.basename(d).startswith("efficientnet_b0-")]
    v2 = [d for d in models if os.path.basename(d).startswith("efficientnetv2_b0-")]
    if not b0 or not v2:
        sys.exit("bench_infer: WORK/models needs at least one efficientnet_b0 and one efficientnetv2_b0 job")
    chosen = [b0[i % len(b0)] for i in range(5)] + [v2[i % len(v2)] for i in range(5)]
    out = os.path.join(tempfile.mkdtemp(), "sub.csv")
    cmd = [args.chorus, "infer", "--data", args.data, "--work", args.work, "--out", out, "--set", scape_dir,
           "--threads", str(threads), "--time-budget", "0", "--log-level", "warn", "--engine", engine,
           "--precision", precision, "--models"] + chosen
    env = quiet_env()
    c0, t0 = children_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    return time.perf_counter() - t0, children_cpu() - c0


def openvino_models(names, threads, K):
    import openvino as ov
    import timm
    import torch

    core = ov.Core()
    cfg = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
           "INFERENCE_PRECISION_HINT": "f32"}
    compiled = {}
    for name in set(names):
        m = timm.create_model(name, pretrained=False, in_chans=1, num_classes=K).eval()
        compiled[name] = core.compile_model(ov.convert_model(m, example_input=torch.zeros(48, 1, 128, 313)), "CPU", cfg)
    return [compiled[n] for n in names]  # the same compiled model per architecture: weights do not change the time


def reference(args, threads, files, tuned=False, openvino=False):
    import soundfile as sf
    import timm
    import torch
    import torchaudio

    torch.set_num_threads(threads)
    K = args.classes
    models = []
    names = ["tf_efficientnet_b0"] * 5 + ["tf_efficientnetv2_b0"] * 5
    if openvino:
        models = openvino_models(names, threads, K)
    for name in names if not openvino else []:
        m = timm.create_model(name, pretrained=False, in_chans=1, num_classes=K).eval()
        if tuned:  # what a careful Python user would do: channels-last, frozen graph with BN folded into convs
            m = m.to(memory_format=torch.channels_last)
            m = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(m)))
        else:
            m = torch.jit.script(m)
        models.append(m)
    mel = torchaudio.transforms.MelSpectrogram(32000, n_fft=2048, hop_length=512, n_mels=128, f_min=20, f_max=16000)
    with torch.inference_mode():  # warm-up, as our process warms up on its first soundscape
        x = torch.zeros(48, 1, 128, 313)
        for m in models[:1] + models[5:6]:
            m(x.numpy()) if openvino else m(x)
        t0, c0 = time.perf_counter(), time.process_time()
        for f in files:
            audio, sr = sf.read(f, dtype="float32")
            if audio.ndim > 1:
                audio = audio.mean(1)
            db = 10 * torch.log10(torch.clamp(mel(torch.from_numpy(audio)), min=1e-10))
            windows = []
            for w in range(12):
                s = min(round(w * 5 * 32000 / 512), db.shape[1] - 313)
                windows.append(db[:, s:s + 313])
            base = torch.stack(windows).unsqueeze(1)
            batch = torch.cat([base, base.flip(-1), base + 3, base - 3])  # 4 variants
            batch = (batch + 20) / 20
            if tuned:
                batch = batch.contiguous(memory_format=torch.channels_last)
            for m in models:
                if openvino:
                    m(batch.numpy())[0].reshape(4, 12, K).mean(0)
                else:
                    m(batch).view(4, 12, K).mean(0)
        return time.perf_counter() - t0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--set", default="test_soundscapes")
    ap.add_argument("--soundscapes", type=int, default=4)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--bf16", action="store_true", help="also chorus --engine openvino --precision bf16")
    ap.add_argument("--chorus", default=os.path.join(os.path.dirname(__file__), "..", "build", "chorus"))
    args = ap.parse_args()
    sub, files = soundscape_subset(args.data, args.set, args.soundscapes, "bench_infer")  # chorus reads a folder
    with open(os.path.join(args.work, "meta", "species_list.csv")) as fh:
        args.classes = sum(1 for _ in fh) - 1
    n = len(files)
    print(f"{n} soundscapes, 10 models (5 B0 + 5 V2-B0) x 4 TTA, {args.classes} classes")
    engines = [("torch", "f32"), ("openvino", "f32")] + ([("openvino", "bf16")] if args.bf16 else [])
    # The IR is written once, outside the timings (chorus infer would otherwise export on first use).
    trained = sorted(d for d in glob.glob(os.path.join(args.work, "models", "*")) if os.path.isdir(d))
    subprocess.run([args.chorus, "export", "--work", args.work, "--log-level", "warn", "--models"] + trained, check=True)
    print(f"{'threads':>7} {'ours':>14} {'s/scape':>8} {'(cpu)':>7}")
    per1 = {}
    for t in args.threads:
        for engine, precision in engines:
            ow, oc = ours(args, t, sub, engine, precision)
            print(f"{t:>7} {engine + ' ' + precision:>14} {ow / n:>8.3f} {oc / n:>7.3f}", flush=True)
            if t == 1:
                per1[f"chorus {engine} {precision}"] = oc / n
        for name, kw in (("plain", {}), ("tuned", {"tuned": True}), ("openvino", {"openvino": True})):
            rw, rc = reference(args, t, files, **kw)
            print(f"{t:>7} {'python ' + name:>14} {rw / n:>8.3f} {rc / n:>7.3f}", flush=True)
            if t == 1:
                per1["python " + name] = rc / n
    if per1:
        print("seconds of CPU per soundscape at 1 thread, and each against the Python OpenVINO loop:")
        base = per1.get("python openvino")
        for k, v in per1.items():
            print(f"  {k:<22} {v:7.3f}" + (f"   {base / v:5.2f}x" if base else ""))
    if per1:
        # From CPU seconds: on a shared machine wall time measures the neighbours, CPU time the work.
        print("projection, 600 soundscapes on 4 cores (4 one-thread processes, from CPU s at 1 thread): " +
              ", ".join(f"{k} {600 * v / 4 / 60:.1f} min" for k, v in per1.items()) +
              f" (ours includes start-up and model loading, spread over only {n} soundscapes here)")
        print_readme_table(per1, n)


def print_readme_table(per1, n):
    """The README's Performance table (markdown), from CPU seconds per soundscape at one thread."""
    base = per1.get("python openvino")
    print(f"\nREADME table ({n} soundscapes, 10 models x 4 TTA, one thread, CPU seconds):\n")
    print("| runtime | s per soundscape | vs Python OpenVINO | 600 soundscapes on 4 cores |")
    print("|---|---|---|---|")
    for k, v in per1.items():
        ratio = f"{base / v:.2f}x" if base else "-"
        print(f"| {k} | {v:.3f} | {ratio} | {600 * v / 4 / 60:.1f} min |")


if __name__ == "__main__":
    main()
