#!/usr/bin/env bash
# Installs what chorus needs on a fresh Debian 12 machine, then configures and builds it.
# Idempotent: a second run installs nothing and rebuilds only what changed (ccache + ninja).
#   tools/setup.sh            # packages, PyTorch, OpenVINO, configure, build
#   BUILD_DIR=... tools/setup.sh
# Also the torch-free chorus for the Kaggle bundle (CHORUS_WITH_TORCH=OFF, OpenVINO only) in
# ${BUILD_DIR}-notorch: the binary alone, no tests; its files share ccache entries with the full
# build's (the same flags), so it costs little more than linking. LITE=0 skips it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
TORCH_VERSION=${TORCH_VERSION:-2.11.0}
OPENVINO_VERSION=${OPENVINO_VERSION:-2026.4.1}
PYTHON=${PYTHON:-python3}
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo

DEBS=(build-essential cmake ninja-build ccache pkg-config git
      openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools
      libsndfile1-dev libsoxr-dev libfftw3-dev libcli11-dev nlohmann-json3-dev
      libgtest-dev googletest sox gdb slurmctld slurmd slurm-client chromium
      libgoogle-perftools-dev)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# PyTorch: its libtorch (CUDA + NCCL build; runs on CPU too) is ours. The Python packages after it
# are the reference implementations our fixtures and benchmarks compare against.
if ! "$PYTHON" -c "import torch, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$TORCH_VERSION' else 1)" 2>/dev/null; then
  echo "setup: installing torch==$TORCH_VERSION from PyPI"
  "$PYTHON" -m pip install -q "torch==$TORCH_VERSION"
fi
# torchaudio/torchvision are pinned to the torch release: an unpinned one would replace torch.
"$PYTHON" -c "import numpy, sklearn, h5py, soundfile, soxr, torchaudio, librosa, timm" 2>/dev/null ||
  "$PYTHON" -m pip install -q numpy scikit-learn h5py soundfile soxr "torch==$TORCH_VERSION" torchaudio==2.11.0 \
    librosa timm torchvision==0.26.0

# OpenVINO: its wheel carries the C++ runtime (headers, CPU plugin, TBB, OpenVINOConfig.cmake) for
# the openvino inference engine; CMake finds it through the wheel (CHORUS_WITH_OPENVINO=AUTO).
if ! "$PYTHON" -c "import openvino, sys; sys.exit(0 if openvino.__version__.startswith('$OPENVINO_VERSION') else 1)" 2>/dev/null; then
  echo "setup: installing openvino==$OPENVINO_VERSION from PyPI"
  "$PYTHON" -m pip install -q "openvino==$OPENVINO_VERSION"
fi

ccache --max-size=10G >/dev/null 2>&1 || true
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE="$(command -v "$PYTHON")"
cmake --build "$BUILD_DIR" -j"$(nproc)"
echo "setup: built $BUILD_DIR/chorus"
if [[ ${LITE:-1} != 0 ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR-notorch" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHORUS_WITH_TORCH=OFF \
        -DPython3_EXECUTABLE="$(command -v "$PYTHON")" >/dev/null
  cmake --build "$BUILD_DIR-notorch" -j"$(nproc)" --target chorus
  echo "setup: built $BUILD_DIR-notorch/chorus (torch-free, for tools/kaggle_bundle.sh)"
fi
