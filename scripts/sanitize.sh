#!/usr/bin/env bash
# Builds the torch-free unit tests (tests/sanitize) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-sanitize/ and runs them; any sanitizer report fails.
# Extra arguments go to the test binary (e.g. --gtest_filter='Idx*').
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-sanitize
if [ ! -f $build/build.ninja ]; then
  cmake -S tests/sanitize -B $build -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
ninja -C $build -j "${GENCLI_SANITIZE_JOBS:-2}" >$build/build.log 2>&1 || { tail -n 40 $build/build.log >&2; exit 1; }
# halt_on_error: the first report ends the run with a non-zero exit; leaks count too.
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  $build/gencli_sanitize_tests --gtest_brief=1 "$@"
