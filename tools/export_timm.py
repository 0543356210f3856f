#!/usr/bin/env python3
"""Export a timm model as TorchScript for chorus's "torchscript:PATH" backbone.

The model is scripted whole (torch.jit.script), so the file keeps timm's parameter names and both
methods chorus uses: forward_features (the backbone role: an N×C×F×T map for chorus's own heads)
and forward (head "none": the whole model, N×num_classes logits).

  python3 tools/export_timm.py --model tf_efficientnet_b0 --num-classes 234 --out b0.ts
  python3 tools/export_timm.py --model tf_efficientnet_b0 --checkpoint model.safetensors --out b0.ts
  python3 tools/export_timm.py ... --reference ref.pt   # also write a fixed input and its outputs

--checkpoint loads pretrained weights from a local file (Kaggle has no internet); timm adapts the
first convolution to --in-chans (1 for log-mel) as it does for hub weights. --reference writes
{input, logits, features} computed by PyTorch in eval mode, which tests compare with chorus's.
"""
import argparse
import os
import sys

import torch

try:
    import timm
except ImportError:
    sys.stderr.write("export_timm: timm is not installed (pip install timm)\n")
    sys.exit(3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="timm model name, e.g. tf_efficientnet_b0")
    ap.add_argument("--num-classes", type=int, default=234)
    ap.add_argument("--in-chans", type=int, default=1)
    ap.add_argument("--checkpoint", help="local pretrained weights (.pth/.bin/.safetensors)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random initialisation")
    ap.add_argument("--out", required=True, help="TorchScript file to write")
    ap.add_argument("--reference", help="also write input and PyTorch outputs here (torch.save)")
    ap.add_argument("--frames", type=int, default=313, help="reference input frames (5 s = 313)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    extra = {}
    if args.checkpoint:
        extra = dict(pretrained=True, pretrained_cfg_overlay=dict(file=args.checkpoint))
    model = timm.create_model(args.model, in_chans=args.in_chans, num_classes=args.num_classes,
                              scriptable=True, exportable=True, **extra)
    model.eval()
    scripted = torch.jit.script(model)
    temp = f"{args.out}.tmp.{os.getpid()}"  # written whole or not at all
    scripted.save(temp)
    os.replace(temp, args.out)

    if args.reference:
        x = torch.randn(2, args.in_chans, 128, args.frames, generator=torch.Generator().manual_seed(11))
        loaded = torch.jit.load(args.out)
        with torch.no_grad():
            ref = {"input": x, "logits": loaded(x), "features": loaded.forward_features(x)}
            eager = model(x)
        # The scripted module must agree with the eager timm model it came from.
        assert torch.allclose(ref["logits"], eager, atol=1e-5), "scripted and eager outputs differ"
        temp = f"{args.reference}.tmp.{os.getpid()}"
        torch.save(ref, temp)
        os.replace(temp, args.reference)
    print(f"export_timm: wrote {args.out} ({sum(p.numel() for p in model.parameters())} parameters)")


if __name__ == "__main__":
    main()
