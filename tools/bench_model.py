#!/usr/bin/env python3
"""Reference CPU forward times for tests/model/bench_model_test.cpp: timm's tf_efficientnet_b0 and
convnext_atto(head_norm_first) forward_features in PyTorch eager, same inputs (N×1×128×313), eval
mode, inference mode, median of the same number of runs after the same warm-up, torch's default
thread count (set OMP_NUM_THREADS alike for both sides if you change it)."""
import statistics
import time

import timm
import torch


def median_ms(fn, repeats):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    print("threads", torch.get_num_threads())
    for name, ours, kwargs in [("tf_efficientnet_b0", "efficientnet_b0", {}),
                               ("convnext_atto", "convnext_atto", dict(head_norm_first=True))]:
        model = timm.create_model(name, in_chans=1, num_classes=0, **kwargs).eval()
        params = sum(p.numel() for p in model.parameters())
        for batch in (1, 16):
            x = torch.randn(batch, 1, 128, 313)
            with torch.inference_mode():
                ms = median_ms(lambda: model.forward_features(x), 30 if batch == 1 else 7)
            print(f"{ours} (timm {name}, {params} parameters) batch {batch}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
