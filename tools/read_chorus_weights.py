#!/usr/bin/env python3
"""Reads a chorus checkpoint's model.safetensors into timm, as a user would, for
tests/train/timm_export_test.cpp:

  model = timm.create_model(NAME, in_chans=1, num_classes=0)
  model.load_state_dict(load_file(MODEL_SAFETENSORS), strict=False)

(convnext_atto with head_norm_first=True, whose norm_pre ours is). Exits 4 naming them when a
backbone tensor is missing or a tensor other than our head's (chorus_head.*) is unexpected, else
writes OUT (torch.save): input (1x1x128x160, seeded) and the eval-mode backbone features.

  python3 tools/read_chorus_weights.py tf_efficientnet_b0 WORK/models/X/epoch-0001/model.safetensors OUT.pt
"""
import os
import sys

import torch

try:
    import timm
    from safetensors.torch import load_file
except ImportError as e:
    sys.stderr.write(f"read_chorus_weights: {e} (pip install timm safetensors)\n")
    sys.exit(3)


def main():
    name, weights, out = sys.argv[1], sys.argv[2], sys.argv[3]
    kwargs = dict(head_norm_first=True) if name.startswith("convnext") else {}  # ours: norm_pre (backbone.hpp)
    model = timm.create_model(name, in_chans=1, num_classes=0, pretrained=False, **kwargs)
    result = model.load_state_dict(load_file(weights), strict=False)
    if result.missing_keys:
        sys.stderr.write(f"read_chorus_weights: missing backbone tensors: {result.missing_keys}\n")
        sys.exit(4)
    unexpected = [k for k in result.unexpected_keys if not k.startswith("chorus_head.")]
    if unexpected:
        sys.stderr.write(f"read_chorus_weights: unexpected non-head tensors: {unexpected}\n")
        sys.exit(4)
    x = torch.randn(1, 1, 128, 160, generator=torch.Generator().manual_seed(7))
    model.eval()
    with torch.no_grad():
        f = model.forward_features(x)
    temp = f"{out}.tmp.{os.getpid()}"
    torch.save({"input": x, "features": f, "unexpected": torch.tensor(len(result.unexpected_keys))}, temp)
    os.replace(temp, out)


if __name__ == "__main__":
    main()
