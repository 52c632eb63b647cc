#!/usr/bin/env bash
# Installs what it needs, then builds gencli and its tests and runs the whole suite with CTest
# on both LibTorch lines: Debian's 1.13 (build/) and the pip wheel's 2.x with CUDA
# (build-torch2/, LibTorch from scripts/install_torch2.sh). Then the torch-free unit tests
# under ASan + UBSan and every fuzz harness for 20 s (clang builds in build-sanitize/ and
# build-fuzz/). GENCLI_LINES=1.13 (or 2) runs one line only. The tests against Python's own
# tools (safetensors, tensorboard, ...) use scripts/install_python_tools.sh's virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${GENCLI_LINES:-1.13 2}

scripts/install_deps.sh
# GPT-2's own vocabulary, for the tokenizer check that needs it (skipped where it cannot be had).
scripts/fetch_gpt2_vocab.sh data/gpt2 || echo "test: no GPT-2 vocabulary; the check that needs it is skipped"
timed() {  # label, command...
  local label=$1 start
  shift
  start=$(date +%s)
  "$@"
  echo "test: $label took $(( $(date +%s) - start )) s"
}
run_line() {  # build folder, build.sh arguments...
  local dir=$1
  shift
  timed "build ($dir)" scripts/build.sh --dir "$dir" "$@"
  timed "tests ($dir)" ctest --test-dir "$dir" --output-on-failure --timeout 600 -j "$(nproc)"
}
# LibTorch 2.x and the Python tools first, so both lines' interchange tests have their reference.
if [[ " $lines " == *" 2 "* ]]; then
  start=$(date +%s)
  prefix=$(scripts/install_torch2.sh)
  scripts/install_python_tools.sh >/dev/null
  echo "test: LibTorch 2.x and Python tools install took $(( $(date +%s) - start )) s"
fi
for line in $lines; do
  case $line in
    1.13) run_line build ;;
    2) run_line build-torch2 --torch "$prefix" ;;
    *) echo "test: GENCLI_LINES: unknown line $line (1.13 or 2)" >&2; exit 2 ;;
  esac
done
timed "sanitizer tests" scripts/sanitize.sh
timed "fuzzing" scripts/fuzz.sh 20
