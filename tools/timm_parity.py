#!/usr/bin/env python3
"""Reference weights and outputs of a timm backbone, for tests/model/backbone_parity_test.cpp.

Builds the timm model with a fixed seed, gives its BatchNorm statistics, affine parameters,
ConvNeXt layer scales and NFNet convolution gains and biases random non-trivial values (at their
initial values those layers would be near-identities, NFNet's conv3 gain is 0 and so every residual
branch, and a wrong one could go unnoticed), and writes into OUT_DIR:
  weights.pt        dict(state_dict)                           (about 16 MB: not committed)
  weights_plain.pt  (convnext_atto) the same tensors under plain convnext_atto's names
  io.pt             input, eval features, train-mode features, the first BatchNorm's running
                    mean after that train-mode pass (EfficientNet), parameter count

  python3 tools/timm_parity.py tf_efficientnet_b0 OUT_DIR
  python3 tools/timm_parity.py convnext_atto OUT_DIR
  (also tf_efficientnetv2_b0, tf_efficientnet_b3, tf_efficientnetv2_s, eca_nfnet_l0)
"""
import os
import sys

import torch

try:
    import timm
except ImportError:
    sys.stderr.write("timm_parity: timm is not installed (pip install timm)\n")
    sys.exit(3)


def save_atomic(obj, path):
    """Tests may run this script concurrently (ctest -j): readers must never see a half-written file."""
    temp = f"{path}.tmp.{os.getpid()}"
    torch.save(obj, temp)
    os.replace(temp, path)


def randomize(model, gen):
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.copy_(torch.randn(module.num_features, generator=gen) * 0.1)
                module.running_var.copy_(torch.rand(module.num_features, generator=gen) * 0.5 + 0.75)
                module.weight.copy_(torch.rand(module.num_features, generator=gen) * 0.5 + 0.75)
                module.bias.copy_(torch.randn(module.num_features, generator=gen) * 0.1)
            elif module.__class__.__name__ in ("LayerNorm2d", "LayerNorm"):
                module.weight.copy_(torch.rand(module.weight.shape, generator=gen) * 0.5 + 0.75)
                module.bias.copy_(torch.randn(module.bias.shape, generator=gen) * 0.1)
            elif module.__class__.__name__ == "ScaledStdConv2d":
                module.gain.copy_(torch.rand(module.gain.shape, generator=gen) * 0.5 + 0.5)
                module.bias.copy_(torch.randn(module.bias.shape, generator=gen) * 0.1)
            gamma = getattr(module, "gamma", None)
            if isinstance(gamma, torch.nn.Parameter):
                gamma.copy_(torch.rand(gamma.shape, generator=gen) * 0.5 + 0.25)


def main():
    name, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1234)
    kwargs = dict(head_norm_first=True) if name.startswith("convnext") else {}
    model = timm.create_model(name, in_chans=1, num_classes=0, pretrained=False, **kwargs)
    randomize(model, torch.Generator().manual_seed(99))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    save_atomic(state, os.path.join(out_dir, "weights.pt"))
    if name.startswith("convnext"):
        plain = timm.create_model(name, in_chans=1, num_classes=0, pretrained=False)
        renamed = {("head.norm." + k[len("norm_pre."):] if k.startswith("norm_pre.") else k): v for k, v in state.items()}
        assert set(renamed) == set(plain.state_dict()), "plain convnext names differ from the renamed ones"
        save_atomic(renamed, os.path.join(out_dir, "weights_plain.pt"))

    x = torch.randn(2, 1, 128, 313, generator=torch.Generator().manual_seed(7))
    model.eval()
    with torch.no_grad():
        eval_features = model.forward_features(x)
        model.train()
        train_features = model.forward_features(x)
    io = {
        "input": x,
        "features_eval": eval_features,
        "features_train": train_features,
        "num_params": torch.tensor(sum(p.numel() for p in model.parameters()), dtype=torch.int64),
    }
    if hasattr(model, "bn1"):
        io["bn1_running_mean_after_train"] = model.bn1.running_mean.clone()
    save_atomic(io, os.path.join(out_dir, "io.pt"))  # last: its presence means complete


if __name__ == "__main__":
    main()
