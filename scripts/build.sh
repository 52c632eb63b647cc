#!/usr/bin/env bash
# Configures (once) and builds gencli in build/. Extra arguments name ninja targets.
# Set GENCLI_CMAKE_ARGS for more CMake options, e.g. -DCMAKE_PREFIX_PATH=/opt/libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release ${GENCLI_CMAKE_ARGS:-}
fi
jobs=$(nproc)
# Each compiler process holding LibTorch's precompiled header takes ~1.5 GB.
mem_jobs=$(( $(awk '/MemAvailable/ {print int($2 / 1024 / 1536)}' /proc/meminfo) ))
[ "$mem_jobs" -ge 1 ] && [ "$mem_jobs" -lt "$jobs" ] && jobs=$mem_jobs
cmake --build build --parallel "$jobs" ${1:+--target "$@"}
