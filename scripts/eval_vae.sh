#!/usr/bin/env bash
# Trains the VAE configs on the offline digits and on Fashion-MNIST (skipping runs that
# already finished), then scores each checkpoint on its test split and prints one table:
# negative ELBO and the IWAE bound (k = 100) in nats per image and bits per dimension,
# active units, steps per second and training time.
# Usage: scripts/eval_vae.sh [STEPS]   (default: each config's train.steps)
#        CONFIGS="vae_mnist conv_vae_mnist" scripts/eval_vae.sh
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-}
configs=${CONFIGS:-vae_mnist conv_vae_mnist}
scripts/build.sh gencli >/dev/null
[ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; build/gencli data prepare mnist --out data/mnist; }
[ -f data/fashion-mnist/SOURCE.txt ] || { scripts/install_deps.sh dataset-fashion-mnist >/dev/null; build/gencli data prepare fashion-mnist --out data/fashion-mnist; }

rows=()
for config in $configs; do
  for data in mnist fashion-mnist; do
    run="runs/eval_vae/${config}_${data}${steps:+_$steps}"
    args=(--config "configs/$config.json" --set "data.root=data/$data" --out "$run" --set train.sample_every=0)
    [ -n "$steps" ] && args+=(--set "train.steps=$steps")
    if [ ! -f "$run/summary.json" ]; then
      echo "== training $config on $data -> $run" >&2
      build/gencli train "${args[@]}" 2>&1 | grep -E "^(info )?(step|done)" | tail -n 3 >&2
    fi
    build/gencli eval --checkpoint "$run/checkpoints/last.pt" --json >"$run/eval.json"
    rows+=("$(python3 - "$run" "$config" "$data" <<'PY'
import json, sys
run, config, data = sys.argv[1:]
e = json.load(open(f"{run}/eval.json"))["metrics"]
s = json.load(open(f"{run}/summary.json"))
print(f"{config:16} {data:14} {s['steps']:>6} {s['seconds']/60:6.1f} {s['steps_per_s']:6.0f} "
      f"{e['neg_elbo_nats']:8.2f} {e['iwae_nll_nats']:8.2f} {e['neg_elbo_bits_per_dim']:7.4f} "
      f"{e['iwae_bits_per_dim']:7.4f} {e['kl_nats']:6.2f} {e['active_units']:>3}/{e['latent_dim']:<3} {e['test_images']:>6}")
PY
)")
  done
done
printf '%-16s %-14s %6s %6s %6s %8s %8s %7s %7s %6s %7s %6s\n' config data steps min it/s "-ELBO" "IWAE" "bpd" \
  "bpd_iw" KL active test
printf '%s\n' "${rows[@]}"
