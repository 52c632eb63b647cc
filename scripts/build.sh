#!/usr/bin/env bash
# Configures (once) and builds gencli. Extra arguments name ninja targets.
#   scripts/build.sh [--torch PREFIX] [--dir DIR] [TARGET...]
# --torch builds against the LibTorch at PREFIX (a folder holding share/cmake/Torch, e.g. what
# scripts/install_torch2.sh prints) instead of Debian's libtorch-dev; --dir picks the build
# folder (default build/, or build-torch2/ with --torch). Set GENCLI_CMAKE_ARGS for more CMake
# options.
set -euo pipefail
cd "$(dirname "$0")/.."
torch="" dir=""
while [ $# -gt 0 ]; do
  case $1 in
    --torch) torch=${2:?--torch needs a folder}; shift 2 ;;
    --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
    *) break ;;
  esac
done
[ -n "$dir" ] || dir=$([ -n "$torch" ] && echo build-torch2 || echo build)
if [ -n "$torch" ] && [ ! -d "$torch/Torch" ] && [ ! -d "$torch/share/cmake/Torch" ]; then
  echo "build: --torch $torch: no Torch CMake package there (expected $torch/Torch or $torch/share/cmake/Torch)" >&2
  exit 2
fi
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${torch:+-DCMAKE_PREFIX_PATH="$torch"} ${GENCLI_CMAKE_ARGS:-}
fi
jobs=$(nproc)
# Each compiler process holding LibTorch's precompiled header and a unity unit takes ~1.5 GB.
mem_jobs=$(( $(awk '/MemAvailable/ {print int($2 / 1024 / 1536)}' /proc/meminfo) ))
[ "$mem_jobs" -ge 1 ] && [ "$mem_jobs" -lt "$jobs" ] && jobs=$mem_jobs
cmake --build "$dir" --parallel "$jobs" ${1:+--target "$@"}
