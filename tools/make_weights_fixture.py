#!/usr/bin/env python3
"""Pretrained-weights files as users have them, and timm's own 1-channel load of them, for
tests/model/backbone_weights_test.cpp (chorus train --backbone-weights).

Builds timm.create_model(NAME, in_chans=3, num_classes=0) with seeded random weights (BatchNorm
running statistics and affine parameters, LayerNorms and ConvNeXt layer scales randomised too: at
their initial values those layers are near-identities and a wrong load could go unnoticed) and
writes into OUT_DIR:
  model.safetensors   safetensors.torch.save_file(state_dict)      (what timm / the hub save)
  weights.pth         torch.save({"state_dict": {"module." + k: v}}) (a DataParallel training script's)
  hub/models--timm--NAME/{refs/main, snapshots/<rev>/model.safetensors -> ../../blobs/<sha>}
                      the Hugging Face hub cache layout
  io.pt               input (1x1x128x160) and the backbone features of
                      timm.create_model(NAME, in_chans=1, pretrained=True,
                      pretrained_cfg_overlay=dict(file=model.safetensors), num_classes=0) in eval
                      mode, and the same through weights.pth (features_pth). For convnext_atto the
                      features are followed by head.norm per position (our norm_pre).

  python3 tools/make_weights_fixture.py tf_efficientnet_b0 OUT_DIR
The files are about 16-21 MB each for the EfficientNets, so they are made at test time, not committed.
"""
import hashlib
import os
import sys

import torch

try:
    import timm
    from safetensors.torch import save_file
except ImportError as e:
    sys.stderr.write(f"make_weights_fixture: {e} (pip install timm safetensors)\n")
    sys.exit(3)


def atomic(path, write):
    """Tests may run this script concurrently (ctest -j): readers must never see a half-written file."""
    temp = f"{path}.tmp.{os.getpid()}"
    write(temp)
    os.replace(temp, path)


def randomize(model, gen):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                n = module.num_features
                module.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
                module.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
                module.weight.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
                module.bias.copy_(torch.randn(n, generator=gen) * 0.1)
            elif module.__class__.__name__ in ("LayerNorm2d", "LayerNorm"):
                module.weight.copy_(torch.rand(module.weight.shape, generator=gen) * 0.5 + 0.75)
                module.bias.copy_(torch.randn(module.bias.shape, generator=gen) * 0.1)
            gamma = getattr(module, "gamma", None)
            if isinstance(gamma, torch.nn.Parameter):
                gamma.copy_(torch.rand(gamma.shape, generator=gen) * 0.5 + 0.25)


def features(model, x):
    model.eval()
    with torch.no_grad():
        f = model.forward_features(x)
        if hasattr(model, "head") and hasattr(model.head, "norm"):  # convnext: head.norm is our norm_pre
            f = model.head.norm(f)
    return f


def hub_cache(out_dir, name, safetensors_path):
    """models--timm--NAME/ as huggingface_hub lays it out: the snapshot file links into blobs/."""
    data = open(safetensors_path, "rb").read()
    sha = hashlib.sha256(data).hexdigest()
    repo = os.path.join(out_dir, "hub", f"models--timm--{name}")
    rev = "0123456789abcdef0123456789abcdef01234567"
    for d in ("blobs", "refs", os.path.join("snapshots", rev)):
        os.makedirs(os.path.join(repo, d), exist_ok=True)
    atomic(os.path.join(repo, "blobs", sha), lambda p: open(p, "wb").write(data))
    link = os.path.join(repo, "snapshots", rev, "model.safetensors")
    if not os.path.lexists(link):
        os.symlink(os.path.join("..", "..", "blobs", sha), link)
    atomic(os.path.join(repo, "refs", "main"), lambda p: open(p, "w").write(rev))


def main():
    name, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1234)
    source = timm.create_model(name, in_chans=3, num_classes=0, pretrained=False)
    randomize(source, torch.Generator().manual_seed(99))
    state = {k: v.detach().clone().contiguous() for k, v in source.state_dict().items()}
    st_path = os.path.join(out_dir, "model.safetensors")
    pth_path = os.path.join(out_dir, "weights.pth")
    atomic(st_path, lambda p: save_file(state, p))
    atomic(pth_path, lambda p: torch.save({"state_dict": {"module." + k: v for k, v in state.items()}}, p))
    hub_cache(out_dir, name, st_path)

    x = torch.randn(1, 1, 128, 160, generator=torch.Generator().manual_seed(7))
    io = {"input": x}
    for key, path in (("features", st_path), ("features_pth", pth_path)):
        torch.manual_seed(0)
        model = timm.create_model(name, in_chans=1, pretrained=True, num_classes=0,
                                  pretrained_cfg_overlay=dict(file=path))
        io[key] = features(model, x)
    atomic(os.path.join(out_dir, "io.pt"), lambda p: torch.save(io, p))  # last: its presence means complete


if __name__ == "__main__":
    main()
