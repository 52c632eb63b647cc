#!/usr/bin/env bash
# Peak memory and time of the three attention modes (model.attention) at one context length:
# each mode runs in its own process (`gencli bench attention`), so the peak resident set is
# that mode's; forward alone (generation, evaluation) and forward + backward (training).
# Usage: scripts/bench_attention.sh [LENGTH] [BATCH]   (default 1024 and 8; 4 heads of 32)
set -euo pipefail
cd "$(dirname "$0")/.."
length=${1:-1024}
batch=${2:-8}
scripts/build.sh gencli >/dev/null
for pass in "" --backward; do
  for mode in naive chunked sdpa; do
    build/gencli bench attention --mode "$mode" --length "$length" --batch "$batch" --repeats 3 $pass 2>/dev/null
  done
done
