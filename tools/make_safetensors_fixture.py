#!/usr/bin/env python3
"""Writes tests/fixtures/weights/reference.safetensors with the reference writer
(`safetensors.numpy.save_file`, the package timm and the Hugging Face hub use) and
reference.json: each tensor's dtype, shape and values as float64, and the metadata.

Covers every floating dtype a checkpoint on the hub uses (F32, F16, BF16, F64), an integer
tensor, a scalar, an empty tensor and metadata, so our reader is checked against what the
reference wrote, not against our own writer.
Run from the repository root: python3 tools/make_safetensors_fixture.py
"""
import json
import pathlib

import numpy as np
import torch
from safetensors.torch import save_file

rng = np.random.RandomState(2026)
tensors = {
    "conv_stem.weight": torch.tensor(rng.standard_normal((4, 3, 3, 3)), dtype=torch.float32),
    "bn1.running_var": torch.tensor(rng.uniform(0.5, 2.0, 4), dtype=torch.float16),
    "blocks.0.0.conv_dw.weight": torch.tensor(rng.standard_normal((4, 1, 3, 3)), dtype=torch.bfloat16),
    "classifier.bias": torch.tensor(rng.standard_normal(5), dtype=torch.float64),
    "bn1.num_batches_tracked": torch.tensor(1234567890123, dtype=torch.int64),
    "scalar": torch.tensor(3.5, dtype=torch.float32),
    "empty": torch.zeros((0, 7), dtype=torch.float32),
}
metadata = {"format": "pt", "made_by": "tools/make_safetensors_fixture.py"}
out = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/weights"
out.mkdir(parents=True, exist_ok=True)
save_file(tensors, str(out / "reference.safetensors"), metadata=metadata)
expected = {
    "metadata": metadata,
    "tensors": {
        name: {"dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                         torch.float64: "F64", torch.int64: "I64"}[t.dtype],
               "shape": list(t.shape),
               "values": t.double().flatten().tolist()}
        for name, t in tensors.items()
    },
}
(out / "reference.json").write_text(json.dumps(expected, indent=1) + "\n")
print("wrote", out / "reference.safetensors", "and reference.json")
