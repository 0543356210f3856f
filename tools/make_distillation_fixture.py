#!/usr/bin/env python3
"""tests/fixtures/model/distillation.json: the distillation terms written independently in PyTorch.

The C++ terms (src/model/distillation.*) are formulas over masks and logsigmoids; this reference
takes another road to the same definitions: boolean indexing for the mask, KL(q || s) as torch's
binary_cross_entropy_with_logits(z / T, q) minus the targets' entropy binary_cross_entropy(q, q),
torch.logit for the teacher's logit, F.cosine_similarity through an nn.Linear projection head.
Float64 throughout. Values and gradients (logits, features, the head's weight and bias).

    python3 tools/make_distillation_fixture.py [OUT_DIR]   (default tests/fixtures/model)
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

EPS = 1e-6
N, K, C, FREQ, TIME, D = 4, 5, 6, 2, 3, 3


def soft_reference(z, p, temperature):
    mask = ~torch.isnan(p)
    if not mask.any():
        return z.sum() * 0
    q = torch.sigmoid(torch.logit(p[mask].clamp(EPS, 1 - EPS)) / temperature)
    cross = F.binary_cross_entropy_with_logits(z[mask] / temperature, q, reduction="none")
    entropy = F.binary_cross_entropy(q, q, reduction="none")
    return (cross - entropy).mean() * temperature ** 2


def cosine_reference(features, head, embeddings, has):
    projected = head(features.mean(dim=(2, 3)))
    keep = has.bool()
    return (1 - F.cosine_similarity(projected[keep], embeddings[keep], dim=1)).mean()


def nan_to_none(rows):
    return [[None if math.isnan(v) else v for v in row] for row in rows]


def fixture():
    g = torch.Generator().manual_seed(2026)
    logits = (torch.randn(N, K, generator=g, dtype=torch.float64) * 3).tolist()
    probs = torch.rand(N, K, generator=g, dtype=torch.float64)
    probs[:, 1] = float("nan")  # a class the teacher lacks
    probs[3, :] = float("nan")  # a window it did not score
    probs[0, 0], probs[2, 4] = 0.0, 1.0  # sure of absence / presence: the clamp
    features = torch.randn(N, C, FREQ, TIME, generator=g, dtype=torch.float64).tolist()
    embeddings = torch.randn(N, D, generator=g, dtype=torch.float64).tolist()
    has = [1.0, 1.0, 0.0, 1.0]
    head = torch.nn.Linear(C, D).double()
    with torch.no_grad():
        head.weight.copy_(torch.randn(D, C, generator=g, dtype=torch.float64) * 0.5)
        head.bias.copy_(torch.randn(D, generator=g, dtype=torch.float64) * 0.1)
    out = {"logits": logits, "probs": nan_to_none(probs.tolist()), "features": features, "embeddings": embeddings,
           "has": has, "head_weight": head.weight.tolist(), "head_bias": head.bias.tolist(), "soft": []}
    for temperature in (1.0, 2.0, 4.0):
        z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        loss = soft_reference(z, probs, temperature)
        loss.backward()
        out["soft"].append({"temperature": temperature, "value": loss.item(), "grad_logits": z.grad.tolist()})
    x = torch.tensor(features, dtype=torch.float64, requires_grad=True)
    head.zero_grad()
    loss = cosine_reference(x, head, torch.tensor(embeddings, dtype=torch.float64), torch.tensor(has))
    loss.backward()
    out["cosine"] = {"value": loss.item(), "grad_features": x.grad.tolist(), "grad_weight": head.weight.grad.tolist(),
                     "grad_bias": head.bias.grad.tolist()}
    # total = supervised + w * (soft + e * cosine) with supervised 0.7, w 0.5, e 2, T 2
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(features, dtype=torch.float64, requires_grad=True)
    total = 0.7 + 0.5 * (soft_reference(z, probs, 2.0) +
                         2.0 * cosine_reference(x, head, torch.tensor(embeddings, dtype=torch.float64), torch.tensor(has)))
    total.backward()
    out["total"] = {"supervised": 0.7, "weight": 0.5, "embedding_weight": 2.0, "temperature": 2.0,
                    "value": total.item(), "grad_logits": z.grad.tolist(), "grad_features": x.grad.tolist()}
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "model")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "distillation.json"), "w") as f:
        json.dump(fixture(), f, indent=1)


if __name__ == "__main__":
    main()
