#!/usr/bin/env python3
"""Does a timm architecture learn our synthetic data from scratch? The reference for the choice of
backbones (src/model/backbone.hpp): a plain PyTorch loop, no chorus code, on the feature store that
tools/learning_check.sh made.

  python3 tools/timm_learning_check.py --work /tmp/chorus-learning/small/work --model convnext_atto
      [--lr 1e-3] [--epochs 5] [--fold 0] [--kwargs '{"ls_init_value": 1.0}'] [--norm 20 20]

Training clips of the other folds, a 313-frame crop around each clip's energy peak (jitter ±1 s),
input (dB + a) / b, timm's own classifier (average pool + linear), BCE, AdamW (weight decay 0.01),
batch 16, one thread, no augmentation; after every epoch the macro clip AUC on the fold's clips
(centred crops), the number tools/learning_check.sh reports as "clip AUC".
"""
import argparse
import csv
import json

import h5py
import numpy as np
import timm
import torch
from sklearn.metrics import roc_auc_score


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--kwargs", default="{}", help="extra timm.create_model arguments, JSON")
    ap.add_argument("--norm", type=float, nargs=2, default=[20.0, 20.0], metavar=("A", "B"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    f = h5py.File(args.work + "/features/train_audio.h5", "r")
    ids = list(f["item_id"].asstr()[()])
    off, cnt, peak = f["frame_offset"][()], f["frame_count"][()], f["energy_peak_frame"][()]
    mel = f["mel"][()].astype(np.float32)  # frames x mels
    rows = list(csv.DictReader(open(args.work + "/meta/train_cleaned_stratified.csv")))
    species = [r["primary_label"] for r in csv.DictReader(open(args.work + "/meta/species_list.csv"))]
    K = len(species)
    pos = {s: i for i, s in enumerate(ids)}
    items = [(pos[r["filename"]], species.index(r["primary_label"]), int(r["fold"])) for r in rows if r["filename"] in pos]

    def crop(i, jitter):
        n = int(cnt[i])
        c = int(peak[i]) + (int(rng.integers(-31, 32)) if jitter else 0)
        a = max(0, min(c - 156, n - 313))
        m = mel[off[i] + a: off[i] + a + 313]
        if m.shape[0] < 313:
            m = np.resize(m, (313, mel.shape[1]))
        return (m.T + args.norm[0]) / args.norm[1]

    train = [x for x in items if x[2] != args.fold]
    held = [x for x in items if x[2] == args.fold]
    model = timm.create_model(args.model, pretrained=False, in_chans=1, num_classes=K, **json.loads(args.kwargs))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    x_held = torch.tensor(np.stack([crop(i, False) for i, _, _ in held]))[:, None]
    y_held = np.zeros((len(held), K))
    y_held[np.arange(len(held)), [y for _, y, _ in held]] = 1
    cols = [j for j in range(K) if y_held[:, j].sum() > 0]
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(train))
        total, steps = 0.0, 0
        for s in range(0, len(order), 16):
            batch = [train[j] for j in order[s:s + 16]]
            x = torch.tensor(np.stack([crop(i, True) for i, _, _ in batch]))[:, None]
            y = torch.zeros(len(batch), K)
            y[torch.arange(len(batch)), [k for _, k, _ in batch]] = 1
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, steps = total + loss.item(), steps + 1
        model.eval()
        with torch.no_grad():
            p = torch.sigmoid(model(x_held)).numpy()
        auc = np.mean([roc_auc_score(y_held[:, j], p[:, j]) for j in cols])
        print(f"{args.model} epoch {epoch + 1}: train loss {total / steps:.4f}, clip AUC {auc:.3f}", flush=True)


if __name__ == "__main__":
    main()
