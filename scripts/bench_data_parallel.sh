#!/usr/bin/env bash
# Data-parallel training speed on this machine: each config trained by 1 process x 1 thread,
# 1 process x 2 threads and 2 processes x 1 thread (gencli train --nproc 2, Gloo over
# loopback), interleaved over several rounds. Prints median samples/s (the global batch per
# second, from metrics.jsonl between the first and last logged step, so start-up is left
# out), 2x1 against 1x2, and the scaling efficiency of 2x1 against 1x1 (1.0 = twice as fast).
#
# Usage: scripts/bench_data_parallel.sh [-c CONFIG]... [-s STEPS] [-r ROUNDS] [-b BINARY]
#   defaults: ddpm_mnist, dcgan_mnist, gpt_char, gan_mnist; 120 steps; 3 rounds; build/gencli
set -euo pipefail
cd "$(dirname "$0")/.."
configs=() steps=120 rounds=3 bin=build/gencli
while getopts "c:s:r:b:" opt; do
  case $opt in
    c) configs+=("$OPTARG") ;; s) steps=$OPTARG ;; r) rounds=$OPTARG ;; b) bin=$OPTARG ;;
    *) exit 2 ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || configs=(configs/ddpm_mnist.json configs/dcgan_mnist.json configs/gpt_char.json configs/gan_mnist.json)
[ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; "$bin" data prepare mnist --out data/mnist; }
[ -f data/text/SOURCE.txt ] || scripts/make_text_data.sh data/text >/dev/null

out=bench-out/data_parallel
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
echo "bench_data_parallel: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $steps steps, $rounds rounds"
log_every=$(( steps / 6 > 0 ? steps / 6 : 1 ))
for round in $(seq "$rounds"); do
  for config in "${configs[@]}"; do
    for layout in 1x1 1x2 2x1; do
      case $layout in
        1x1) flags=(--threads 1) ;; 1x2) flags=(--threads 2) ;; 2x1) flags=(--threads 1 --nproc 2) ;;
      esac
      dir="$out/run"
      rm -rf "$dir"
      "$bin" train --config "$config" --out "$dir" "${flags[@]}" --set train.steps="$steps" \
        --set train.log_every="$log_every" --set train.sample_every=0 --set train.checkpoint_every="$steps" \
        --set train.eval_every=0 >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt" >&2; exit 1; }
      python3 - "$dir" "$layout" "$config" "$round" >> "$results" <<'PY'
import json, sys
d, layout, config, rnd = sys.argv[1:]
lines = [json.loads(l) for l in open(d + "/metrics.jsonl") if '"time_s"' in l]
steps_per_s = (lines[-1]["step"] - lines[0]["step"]) / (lines[-1]["time_s"] - lines[0]["time_s"])
batch = json.load(open(d + "/config.json"))["train"]["batch_size"]
print(json.dumps({"layout": layout, "config": config, "round": int(rnd), "samples_per_s": steps_per_s * batch}))
PY
      tail -1 "$results"
    done
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = {}
for r in rows:
    med.setdefault((r["config"], r["layout"]), []).append(r["samples_per_s"])
med = {k: statistics.median(v) for k, v in med.items()}
print()
print(f"{'config':26} {'1x1 samples/s':>14} {'1x2':>10} {'2x1':>10} {'2x1 vs 1x2':>11} {'efficiency 2x1/(2*1x1)':>23}")
for config in dict.fromkeys(r["config"] for r in rows):
    a, b, c = (med[(config, l)] for l in ("1x1", "1x2", "2x1"))
    print(f"{config:26} {a:14.1f} {b:10.1f} {c:10.1f} {c / b:10.2f}x {c / (2 * a):23.2f}")
PY
