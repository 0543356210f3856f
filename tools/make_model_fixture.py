#!/usr/bin/env python3
"""Small committed fixtures for tests/model, computed by reference implementations:

  asl.json          AsymmetricLoss as in the ASL authors' code (Alibaba-MIIL/ASL, losses.py,
                    restated below) and torch's binary_cross_entropy_with_logits: values and
                    gradients with respect to the logits
  layer_decay.json  timm's param_groups_layer_decay (lr_scale, weight_decay per parameter) and
                    timm's per-block drop_path probabilities, for tf_efficientnet_b0,
                    tf_efficientnetv2_b0, convnext_atto(head_norm_first=True), tf_efficientnet_b3,
                    tf_efficientnetv2_s and eca_nfnet_l0
  sed_head.pt, pooled_head.pt, heads_io.pt
                    a reference SED head (the BirdCLEF SED models' forward + PANNs' AttBlockV2) and a
                    pooled head in PyTorch: weights under our names, inputs, eval outputs
  tiny_model.ts, tiny_model_io.pt
                    a small scripted CNN (plain torch, no timm) with forward_features and forward,
                    and its outputs in eval and train mode

  python3 tools/make_model_fixture.py [OUT_DIR]   (default tests/fixtures/model)
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class AsymmetricLoss(nn.Module):
    """The ASL authors' AsymmetricLoss (github.com/Alibaba-MIIL/ASL, src/loss_functions/losses.py)."""

    def __init__(self, gamma_neg=4, gamma_pos=1, clip=0.05, eps=1e-8, disable_torch_grad_focal_loss=True):
        super().__init__()
        self.gamma_neg, self.gamma_pos, self.clip, self.eps = gamma_neg, gamma_pos, clip, eps
        self.disable_torch_grad_focal_loss = disable_torch_grad_focal_loss

    def forward(self, x, y):
        x_sigmoid = torch.sigmoid(x)
        xs_pos = x_sigmoid
        xs_neg = 1 - x_sigmoid
        if self.clip is not None and self.clip > 0:
            xs_neg = (xs_neg + self.clip).clamp(max=1)
        los_pos = y * torch.log(xs_pos.clamp(min=self.eps))
        los_neg = (1 - y) * torch.log(xs_neg.clamp(min=self.eps))
        loss = los_pos + los_neg
        if self.gamma_neg > 0 or self.gamma_pos > 0:
            if self.disable_torch_grad_focal_loss:
                torch.set_grad_enabled(False)
            pt0 = xs_pos * y
            pt1 = xs_neg * (1 - y)
            pt = pt0 + pt1
            one_sided_gamma = self.gamma_pos * y + self.gamma_neg * (1 - y)
            one_sided_w = torch.pow(1 - pt, one_sided_gamma)
            if self.disable_torch_grad_focal_loss:
                torch.set_grad_enabled(True)
            loss *= one_sided_w
        return -loss.sum()


def asl_fixture():
    logits = torch.tensor([[-12.0, -3.0, -0.5, 0.0, 0.04, 2.0],
                           [9.0, -2.9, -1.0, 1.5, -0.02, 0.3],
                           [4.0, -6.0, 0.7, -0.2, 3.3, -2.2],
                           [-4.5, 1.1, 0.0, -0.7, 20.0, -20.0]], dtype=torch.float64)
    hard = torch.tensor([[0, 0, 1, 0, 1, 0], [1, 0, 0, 1, 0, 1], [0, 1, 0, 0, 1, 0], [1, 0, 1, 0, 0, 1]],
                        dtype=torch.float64)
    soft = torch.tensor([[0.0, 0.2, 0.9, 0.5, 1.0, 0.0], [0.7, 0.0, 0.1, 1.0, 0.0, 0.6],
                         [0.0, 1.0, 0.3, 0.0, 0.8, 0.0], [1.0, 0.0, 0.55, 0.0, 0.2, 1.0]], dtype=torch.float64)
    cases = []
    for gneg, gpos, clip, detach in [(4, 0, 0.05, True), (4, 1, 0.05, True), (2, 0, 0.0, True), (4, 1, 0.05, False)]:
        x = logits.clone().requires_grad_(True)
        loss = AsymmetricLoss(gneg, gpos, clip, 1e-8, detach)(x, hard)
        loss.backward()
        cases.append(dict(gamma_neg=gneg, gamma_pos=gpos, clip=clip, detach=detach, loss_sum=loss.item(),
                          grad_sum=x.grad.tolist()))
    bce = {}
    for name, y in [("hard", hard), ("soft", soft)]:
        for red in ["mean", "sum"]:
            x = logits.clone().requires_grad_(True)
            loss = F.binary_cross_entropy_with_logits(x, y, reduction=red)
            loss.backward()
            bce[f"{name}_{red}"] = dict(loss=loss.item(), grad=x.grad.tolist())
    return dict(logits=logits.tolist(), hard=hard.tolist(), soft=soft.tolist(), asl=cases, bce=bce)


def layer_decay_fixture():
    import timm
    from timm.optim._param_groups import param_groups_layer_decay
    out = {"layer_decay": 0.8, "weight_decay": 0.05, "drop_path_rate": 0.2, "groups": {}, "drop_path": {}}
    for name, ours, kwargs in [("tf_efficientnet_b0", "efficientnet_b0", {}),
                               ("tf_efficientnetv2_b0", "efficientnetv2_b0", {}),
                               ("convnext_atto", "convnext_atto", dict(head_norm_first=True)),
                               ("tf_efficientnet_b3", "efficientnet_b3", {}),
                               ("tf_efficientnetv2_s", "efficientnetv2_s", {}),
                               ("eca_nfnet_l0", "eca_nfnet_l0", {})]:
        model = timm.create_model(name, in_chans=1, num_classes=0, drop_path_rate=0.2, **kwargs)
        names = {id(p): n for n, p in model.named_parameters()}
        table = {}
        for g in param_groups_layer_decay(model, weight_decay=0.05, layer_decay=0.8):
            for p in g["params"]:
                table[names[id(p)]] = [g["lr_scale"], g["weight_decay"]]
        out["groups"][ours] = table
        rates = []
        for mname, m in model.named_modules():
            parts = mname.split(".")
            is_block = ((len(parts) == 3 and parts[0] == "blocks") or (len(parts) == 4 and parts[2] == "blocks") or
                        (len(parts) == 3 and parts[0] == "stages" and parts[2].isdigit()))  # NFNet: stages.S.B
            if is_block:
                rates.append(float(getattr(m.drop_path, "drop_prob", 0.0)))
        out["drop_path"][ours] = rates
    return out


class RefSedHead(nn.Module):
    """The SED head of the BirdCLEF SED models (timm encoder + PANNs AttBlockV2), after the encoder."""

    def __init__(self, in_features, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(in_features, in_features, bias=True)
        self.att_block = nn.Module()
        self.att_block.att = nn.Conv1d(in_features, num_classes, 1)
        self.att_block.cla = nn.Conv1d(in_features, num_classes, 1)

    def forward(self, x):  # x: N×D×F×T
        x = torch.mean(x, dim=2)
        x = F.max_pool1d(x, kernel_size=3, stride=1, padding=1) + F.avg_pool1d(x, kernel_size=3, stride=1, padding=1)
        x = F.dropout(x, p=0.5, training=self.training)
        x = F.relu_(self.fc1(x.transpose(1, 2))).transpose(1, 2)
        x = F.dropout(x, p=0.5, training=self.training)
        norm_att = torch.softmax(torch.tanh(self.att_block.att(x)), dim=-1)
        cla = self.att_block.cla(x)
        return torch.sum(norm_att * cla, dim=2), cla, norm_att


def head_fixtures(out_dir):
    gen = torch.Generator().manual_seed(5)
    d, k = 16, 5
    sed = RefSedHead(d, k)
    pooled = nn.Linear(d, k)
    with torch.no_grad():
        for p in list(sed.parameters()) + list(pooled.parameters()):
            p.copy_(torch.randn(p.shape, generator=gen) * 0.4)
    sed.eval()
    x = torch.randn(2, d, 3, 7, generator=gen)
    with torch.no_grad():
        clip, frames, att = sed(x)
        pooled_clip = pooled(x.mean(dim=(2, 3)))
        pooled_frames = pooled(x.mean(dim=2).transpose(1, 2)).transpose(1, 2)
    torch.save({n: t.clone() for n, t in sed.state_dict().items()}, os.path.join(out_dir, "sed_head.pt"))
    torch.save({"fc." + n: t.clone() for n, t in pooled.state_dict().items()}, os.path.join(out_dir, "pooled_head.pt"))
    torch.save({"features": x, "sed_clip": clip, "sed_frames": frames, "sed_attention": att,
                "pooled_clip": pooled_clip, "pooled_frames": pooled_frames}, os.path.join(out_dir, "heads_io.pt"))


class TinyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.classifier = nn.Linear(8, 3)

    def forward_features(self, x):
        return self.stem(x)

    def forward(self, x):
        return self.classifier(self.forward_features(x).mean(dim=(2, 3)))


def tiny_script_fixture(out_dir):
    torch.manual_seed(3)
    model = TinyModel()
    with torch.no_grad():
        bn = model.stem[1]
        bn.running_mean.uniform_(-0.2, 0.2)
        bn.running_var.uniform_(0.5, 1.5)
    scripted = torch.jit.script(model)
    scripted.eval()
    path = os.path.join(out_dir, "tiny_model.ts")
    scripted.save(path)
    x = torch.randn(2, 1, 16, 20, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        io = {"input": x, "logits": scripted(x), "features": scripted.forward_features(x)}
        train_copy = torch.jit.load(path)
        train_copy.train()
        io["logits_train"] = train_copy(x)
    torch.save(io, os.path.join(out_dir, "tiny_model_io.pt"))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "model")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "asl.json"), "w") as f:
        json.dump(asl_fixture(), f, indent=1)
    with open(os.path.join(out_dir, "layer_decay.json"), "w") as f:
        json.dump(layer_decay_fixture(), f, indent=1, sort_keys=True)
    head_fixtures(out_dir)
    tiny_script_fixture(out_dir)


if __name__ == "__main__":
    main()
