#!/usr/bin/env bash
# Installs what it needs, builds gencli and its tests, runs the whole suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_deps.sh
start=$(date +%s)
scripts/build.sh
echo "test: build took $(( $(date +%s) - start )) s"
start=$(date +%s)
ctest --test-dir build --output-on-failure --timeout 600 -j "$(nproc)"
echo "test: tests took $(( $(date +%s) - start )) s"
