#!/usr/bin/env python3
"""Writes tests/fixtures/weights/ torch.save files for the format sniffing of
src/weights/weight_files.hpp, made by PyTorch itself:
  state_dict.pt      torch.save(module.state_dict())  (the zip format, PyTorch >= 1.6)
  legacy_pickle.pt   the same with _use_new_zipfile_serialization=False (a bare pickle)
Run from the repository root: python3 tools/make_weight_files_fixture.py
"""
import pathlib

import torch

out = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/weights"
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
module = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 1), torch.nn.BatchNorm2d(2))
torch.save(module.state_dict(), out / "state_dict.pt")
torch.save(module.state_dict(), out / "legacy_pickle.pt", _use_new_zipfile_serialization=False)
