#!/usr/bin/env python3
"""How timm initialises a model from scratch, for tests/model/timm_init_test.cpp: per parameter its
element count, mean, standard deviation, minimum and maximum, over a freshly created model
(in_chans 1, a classifier of CLASSES outputs, seed 0), written as JSON.

  python3 tools/timm_init_stats.py tf_efficientnet_b0 30 OUT.json

The classifier appears under timm's names (classifier.* for EfficientNets, head.fc.* for ConvNeXt,
built with head_norm_first=True as ours is)."""
import json
import os
import sys

import torch

try:
    import timm
except ImportError:
    sys.stderr.write("timm_init_stats: timm is not installed (pip install timm)\n")
    sys.exit(3)


def main():
    name, classes, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    torch.manual_seed(0)
    kwargs = dict(head_norm_first=True) if name.startswith("convnext") else {}
    model = timm.create_model(name, in_chans=1, num_classes=classes, pretrained=False, **kwargs)
    stats = {}
    for key, p in model.named_parameters():
        t = p.detach().double().flatten()
        stats[key] = dict(numel=t.numel(), mean=t.mean().item(), std=t.std(unbiased=False).item(),
                          min=t.min().item(), max=t.max().item())
    temp = f"{out}.tmp.{os.getpid()}"  # ctest -j may run two readers of one file
    with open(temp, "w") as f:
        json.dump(stats, f, indent=0)
    os.replace(temp, out)


if __name__ == "__main__":
    main()
