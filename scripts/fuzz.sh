#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, clang + ASan + UBSan) in build-fuzz/ and runs
# each for SECONDS (default 30) from its seed corpus. Prints each harness's executions; exits
# non-zero on any finding (crash, sanitizer report, hang, exception other than gencli's),
# leaving the input that caused it in build-fuzz/findings/.
#   scripts/fuzz.sh          # CI: about 30 s a harness
#   scripts/fuzz.sh 600      # a longer hunt
# Reproduce a finding: build-fuzz/fuzz_<harness> build-fuzz/findings/<file>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
harnesses=(idx image wav config tokenizer checkpoint_seal bpe)
build=build-fuzz
if [ ! -f $build/build.ninja ]; then
  cmake -S tests/fuzz -B $build -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
ninja -C $build -j "${GENCLI_FUZZ_JOBS:-2}" >$build/build.log 2>&1 || { tail -n 40 $build/build.log >&2; exit 1; }

mkdir -p $build/findings
failed=()
for h in "${harnesses[@]}"; do
  # New inputs go to build-fuzz/corpus/<h>; the committed seeds are only read.
  mkdir -p $build/corpus/$h
  log=$build/fuzz_$h.log
  rc=0
  # -timeout: one input running 10 s is a hang; -rss_limit_mb: more is a finding too.
  $build/fuzz_$h -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=$build/findings/$h- $build/corpus/$h tests/fuzz/corpus/$h >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -n 1)
  if [ $rc -ne 0 ]; then
    failed+=("$h")
    echo "fuzz: $h: FINDING (exit $rc), see $log:"
    grep -E "FINDING|ERROR|runtime error|SUMMARY|Test unit written" "$log" | head -n 8 | sed 's/^/    /'
  else
    echo "fuzz: $h: ${runs:-? runs}, no findings"
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (inputs in $build/findings/)" >&2
  exit 1
fi
