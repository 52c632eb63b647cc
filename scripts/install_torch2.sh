#!/usr/bin/env bash
# Installs LibTorch 2.x (inside pip's torch wheel, built with CUDA) into the project-local
# virtual environment .venv-torch2/, never system-wide, and prints the CMake prefix to build
# against: scripts/build.sh --torch "$(scripts/install_torch2.sh)".
#
# Pinned to torch 2.14.1: the newest release whose wheel is built with CUDA 13.0, the version
# of this machine's nvcc (2.15 moved to CUDA 13.2; 2.10 and older use CUDA 12.8), so CUDA code
# compiled here against the wheel's headers matches the runtime libraries it ships.
# Override with GENCLI_TORCH2_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${GENCLI_TORCH2_VERSION:-2.14.1}
venv=.venv-torch2
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$version')" 2>/dev/null; then
  echo "install_torch2: installing torch==$version into $venv (about 4 GB with its CUDA libraries)" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "torch==$version" >&2
fi
# -W ignore: torch warns at import that numpy is missing, which LibTorch builds do not need.
"$venv/bin/python" -W ignore -c 'import torch; print(torch.utils.cmake_prefix_path)'
