#!/usr/bin/env python3
"""Benchmark: CPU seconds per soundscape at one thread of each native backbone, one model each, through
`chorus infer` (Kaggle mode, one process, --time-budget 0, the default TTA), so that a user can see
which backbones fit the Kaggle CPU budget. Run it on a quiet machine: the figures are CPU seconds, but a
loaded machine still slows them (caches, memory bandwidth).

  python3 tools/bench_backbones.py --work WORK --data WORK/data [--soundscapes 4] [--engines torch openvino]
                                   [--backbones efficientnet_b0 efficientnet_b3 ...]

WORK: a work folder with meta/ and features/ (the demo's). A backbone without a job folder
WORK/models/<backbone>-f0 gets one first: `chorus train --job <backbone>/0` for one step into a scratch
work folder beside it (its weights do not change the time, only its architecture does).
Per soundscape = (CPU of a run over N soundscapes - CPU of a run over 1) / (N - 1): process start-up and
model loading cancel out. Prints one row per backbone and engine, and the projection for 600 soundscapes
on 4 cores (4 one-thread processes).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from bench_util import children_cpu, quiet_env, soundscape_subset

BACKBONES = ["efficientnet_b0", "efficientnetv2_b0", "convnext_atto", "efficientnet_b3", "efficientnetv2_s",
             "eca_nfnet_l0"]


def run(cmd, env):
    """Runs a chorus command; its progress lines are kept back, and shown only when it fails."""
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout)
        sys.exit(f"bench_backbones: {' '.join(cmd[:2])} failed (exit {done.returncode})")


def scratch_work(args):
    """A work folder sharing WORK's meta/ and features/, for the one-step training runs."""
    scratch = os.path.join(args.work, "bench_backbones")
    os.makedirs(os.path.join(scratch, "models"), exist_ok=True)
    for d in ("meta", "features"):
        link = os.path.join(scratch, d)
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(os.path.join(args.work, d)), link)
    return scratch


def model_dir(args, backbone):
    own = os.path.join(args.work, "models", f"{backbone}-f0")
    if os.path.isdir(own):
        return args.work, own
    scratch = scratch_work(args)
    made = os.path.join(scratch, "models", f"{backbone}-f0")
    if not os.path.isdir(made):
        run([args.chorus, "train", "--data", args.data, "--work", scratch, "--job", f"{backbone}/0", "--epochs", "1",
             "--max-steps-per-epoch", "1", "--batch-size", "2", "--warmup-epochs", "0",
             "--threads", str(args.train_threads), "--log-level", "warn"], quiet_env())
    return scratch, made


def soundscape_set(args, n):
    sub, files = soundscape_subset(args.data, args.set, n, "bench_backbones")
    if len(files) < n:
        sys.exit(f"bench_backbones: {os.path.join(args.data, args.set)} has fewer than {n} ogg files")
    return sub


def infer_cpu(args, work, model, engine, scapes):
    out = os.path.join(tempfile.mkdtemp(), "sub.csv")
    c0 = children_cpu()
    run([args.chorus, "infer", "--data", args.data, "--work", work, "--out", out, "--set", scapes, "--threads", "1",
         "--time-budget", "0", "--log-level", "warn", "--engine", engine, "--models", model], quiet_env())
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    return children_cpu() - c0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--set", default="test_soundscapes")
    ap.add_argument("--soundscapes", type=int, default=4)
    ap.add_argument("--backbones", nargs="+", default=BACKBONES)
    ap.add_argument("--engines", nargs="+", default=["torch", "openvino"])
    ap.add_argument("--train-threads", type=int, default=2)
    ap.add_argument("--chorus", default=os.path.join(os.path.dirname(__file__), "..", "build", "chorus"))
    args = ap.parse_args()
    if args.soundscapes < 2:
        sys.exit("bench_backbones: --soundscapes must be at least 2 (one run of 1 is subtracted)")
    one, many = soundscape_set(args, 1), soundscape_set(args, args.soundscapes)
    n = args.soundscapes
    print(f"CPU seconds per soundscape, one thread, one model, ({n} - 1) soundscapes of {args.set}")
    print(f"{'backbone':<18} {'engine':<9} {'s/scape':>8} {'600 on 4 cores':>15}")
    for backbone in args.backbones:
        work, model = model_dir(args, backbone)
        if "openvino" in args.engines:  # the IR written once, outside the timings
            run([args.chorus, "export", "--work", work, "--log-level", "warn", "--models", model], quiet_env())
        for engine in args.engines:
            infer_cpu(args, work, model, engine, one)  # warm the page cache
            per = (infer_cpu(args, work, model, engine, many) - infer_cpu(args, work, model, engine, one)) / (n - 1)
            print(f"{backbone:<18} {engine:<9} {per:>8.3f} {600 * per / 4 / 60:>11.1f} min", flush=True)


if __name__ == "__main__":
    main()
