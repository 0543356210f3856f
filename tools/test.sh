#!/usr/bin/env bash
# The README's test command: set up (packages, PyTorch, build) on a fresh machine, then run every test.
#   bash tools/test.sh [extra ctest args]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
export BUILD_DIR
"$ROOT/tools/setup.sh"
# Open MPI as root (CI and these machines run as root) and more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cd "$BUILD_DIR"
# ctest's exit status is the script's; its output is kept for the skip summary (which tests skipped, why).
out="$BUILD_DIR/Testing/ctest_output.log"
mkdir -p "$(dirname "$out")"
set +e
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
"${PYTHON:-python3}" "$ROOT/tools/skip_summary.py" "$BUILD_DIR" "$out" || true
exit "$rc"
