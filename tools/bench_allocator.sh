#!/usr/bin/env bash
# The page-fault tax of glibc's malloc on libtorch stages, against the allocators a user could pick:
# one short-trained EfficientNet-B0 on the demo data, then `chorus infer` (6 test soundscapes, 4 TTA
# variants, one thread) and 6 training steps (batch 8, one thread), each under glibc's malloc, glibc
# tuned by environment (mmap threshold and trim threshold at 4 GiB, or no mmap at all), jemalloc and
# tcmalloc_minimal (LD_PRELOAD), with user/system seconds, minor page faults and peak memory from
# /usr/bin/time, and the submission's md5 (every variant must write the same file).
#   tools/bench_allocator.sh [WORK]     (needs libjemalloc2 and libgoogle-perftools4 for the preloads)
# The chorus binary links tcmalloc itself (src/cli/CMakeLists.txt): CHORUS=... selects a binary built
# without it to reproduce the glibc rows.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${CHORUS:-$ROOT/build/chorus}
W=${1:-/tmp/chorus-bench-allocator}
LIB=/usr/lib/x86_64-linux-gnu
mkdir -p "$W"
[ -f "$W/data/train.csv" ] || "$B" synth --out "$W/data" --solution "$W/solution.csv" --preset demo --seed 2026
"$B" prep --data "$W/data" --work "$W/work" --log-level warn
"$B" features --data "$W/data" --work "$W/work" --set all --log-level warn
"$B" train --data "$W/data" --work "$W/work" --job efficientnet_b0/0 --epochs 1 --batch-size 8 \
  --max-steps-per-epoch 6 --warmup-epochs 0.5 --threads 1 --log-level warn
variants=("glibc X=1" "glibc-mmap-4G MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296"
          "glibc-no-mmap MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967296"
          "jemalloc LD_PRELOAD=$LIB/libjemalloc.so.2" "tcmalloc LD_PRELOAD=$LIB/libtcmalloc_minimal.so.4")
for v in "${variants[@]}"; do
  read -r name envs <<<"$v"
  env $envs /usr/bin/time -f "infer $name user=%U sys=%S minflt=%R maxrss=%MkB" "$B" infer --data "$W/data" \
    --work "$W/work" --out "$W/sub-$name.csv" --threads 1 --log-level warn 2>&1 | grep "^infer $name"
  echo "  submission md5 $(md5sum < "$W/sub-$name.csv" | cut -c1-12)"
  rm -rf "$W/train-$name"; mkdir -p "$W/train-$name"; cp -r "$W/work/meta" "$W/work/features" "$W/train-$name/"
  env $envs /usr/bin/time -f "train $name user=%U sys=%S minflt=%R maxrss=%MkB" "$B" train --data "$W/data" \
    --work "$W/train-$name" --job efficientnet_b0/0 --epochs 1 --batch-size 8 --max-steps-per-epoch 6 \
    --warmup-epochs 0.5 --threads 1 --log-level warn 2>&1 | grep "^train $name"
done
