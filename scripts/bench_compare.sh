#!/usr/bin/env bash
# Training speed of several gencli binaries side by side in one run: two LibTorch lines
# (build/ on Debian's 1.13 against build-torch2/ on the pip wheel's 2.x), or one source
# compiled two ways (the optimisation flags of cmake/BuildSpeed.cmake). Every binary trains
# the same configs for the same steps on the same data, interleaved, several rounds; the
# table gives median steps/s (read from metrics.jsonl between the first and last logged
# step, so start-up and the first slow steps are left out) and each binary's ratio to the first.
# A binary may carry config overrides after commas, to compare settings of one binary:
#   scripts/bench_compare.sh fp32=build/gencli bf16=build/gencli,train.precision=bf16
#
# Usage: scripts/bench_compare.sh [-c CONFIG]... [-s STEPS] [-r ROUNDS] [-t THREADS] LABEL=BINARY[,KEY=VALUE...]...
#   defaults: configs gan_mnist, dcgan_mnist, gpt_char; 300 steps; 3 rounds; 2 threads
set -euo pipefail
cd "$(dirname "$0")/.."
configs=() steps=300 rounds=3 threads=2
while getopts "c:s:r:t:" opt; do
  case $opt in
    c) configs+=("$OPTARG") ;; s) steps=$OPTARG ;; r) rounds=$OPTARG ;; t) threads=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ ${#configs[@]} -gt 0 ] || configs=(configs/gan_mnist.json configs/dcgan_mnist.json configs/gpt_char.json)
[ $# -ge 1 ] || { echo "usage: $0 [-c CONFIG]... [-s STEPS] [-r ROUNDS] [-t THREADS] LABEL=BINARY..." >&2; exit 2; }
first_bin=${1#*=}
first_bin=${first_bin%%,*}
[ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; "$first_bin" data prepare mnist --out data/mnist; }
[ -f data/text/SOURCE.txt ] || scripts/make_text_data.sh data/text >/dev/null

out=bench-out/compare
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
echo "bench_compare: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $steps steps, $rounds rounds, $threads threads"
log_every=$(( steps / 6 > 0 ? steps / 6 : 1 ))
for round in $(seq "$rounds"); do
  for config in "${configs[@]}"; do
    for pair in "$@"; do
      label=${pair%%=*} bin=${pair#*=}
      IFS=, read -r -a extra <<< "$bin"
      bin=${extra[0]}
      sets=()
      for kv in "${extra[@]:1}"; do sets+=(--set "$kv"); done
      dir="$out/run"
      rm -rf "$dir"
      "$bin" train --config "$config" --out "$dir" --threads "$threads" "${sets[@]}" --set train.steps="$steps" \
        --set train.log_every="$log_every" --set train.sample_every=0 --set train.checkpoint_every="$steps" \
        --set train.eval_every=0 >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt" >&2; exit 1; }
      python3 - "$dir" "$label" "$config" "$round" >> "$results" <<'PY'
import json, sys
d, label, config, rnd = sys.argv[1:]
lines = [json.loads(l) for l in open(d + "/metrics.jsonl") if '"time_s"' in l]
rate = (lines[-1]["step"] - lines[0]["step"]) / (lines[-1]["time_s"] - lines[0]["time_s"])
s = json.load(open(d + "/summary.json"))
print(json.dumps({"label": label, "config": config, "round": int(rnd), "steps_per_s": rate,
                  "peak_rss_mb": s.get("peak_rss_mb")}))
PY
      tail -1 "$results"
    done
  done
done

python3 - "$results" "${1%%=*}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
base = sys.argv[2]
groups = {}
for r in rows:
    groups.setdefault((r["config"], r["label"]), []).append(r["steps_per_s"])
print()
print(f"{'config':28} {'binary':14} {'median steps/s':>14} {'range':>15} {'vs ' + base:>10}")
for (config, label), rates in groups.items():
    med = statistics.median(rates)
    ref = statistics.median(groups[(config, base)])
    print(f"{config:28} {label:14} {med:14.2f} {min(rates):7.2f}-{max(rates):<7.2f} {med / ref:9.2f}x")
PY
