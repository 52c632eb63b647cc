#!/usr/bin/env bash
# Installs what it needs, builds gencli and its tests, runs the whole suite with CTest, then
# the torch-free unit tests under ASan + UBSan and every fuzz harness for 20 s (clang builds
# in build-sanitize/ and build-fuzz/, about 5 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_deps.sh
start=$(date +%s)
scripts/build.sh
echo "test: build took $(( $(date +%s) - start )) s"
start=$(date +%s)
ctest --test-dir build --output-on-failure --timeout 600 -j "$(nproc)"
echo "test: tests took $(( $(date +%s) - start )) s"
start=$(date +%s)
scripts/sanitize.sh
echo "test: sanitizer tests took $(( $(date +%s) - start )) s"
start=$(date +%s)
scripts/fuzz.sh 20
echo "test: fuzzing took $(( $(date +%s) - start )) s"
