#!/usr/bin/env python3
"""PyTorch DDP (gloo) reference for tools/bench_dp.sh: training samples/s of timm's counterpart of
a chorus backbone on CPU, 1 process vs N processes of 1 thread each, the same global batch, random
log-mel windows (1 x 128 x 313, 5 s at 32 kHz, hop 512). Prints one line per world size:
  ddp WORLD SAMPLES_PER_S
timm's pooled classifier stands in for chorus's SED head (a small share of the compute)."""
import argparse
import os
import time

import timm
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel


def worker(rank, world, args, port, queue):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    model = timm.create_model(args.model, in_chans=1, num_classes=args.classes, drop_rate=0.0, drop_path_rate=0.0)
    net = DistributedDataParallel(model) if world > 1 else model
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    batch = args.global_batch // world
    x = torch.randn(batch, 1, 128, 313)
    y = (torch.rand(batch, args.classes) < 0.1).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()

    for _ in range(2):
        step()
    dist.barrier()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    dist.barrier()
    seconds = time.perf_counter() - start
    if rank == 0:
        queue.put(args.steps * args.global_batch / seconds)
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", default="convnext_atto")
    p.add_argument("--classes", type=int, default=12)
    p.add_argument("--global-batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--worlds", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    ctx = mp.get_context("spawn")
    for i, world in enumerate(args.worlds):
        queue = ctx.Queue()
        mp.spawn(worker, args=(world, args, 29500 + 7 * i + os.getpid() % 1000, queue), nprocs=world, join=True)
        print(f"ddp {world} {queue.get():.3f}", flush=True)


if __name__ == "__main__":
    main()
