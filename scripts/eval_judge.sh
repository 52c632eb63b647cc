#!/usr/bin/env bash
# Judges the image models with a classifier's features and prints one table: FID, KID,
# classifier score, precision/recall, class coverage, detection accuracy and the test NLL per
# model, beside the real-vs-real floor and pure noise at the same sample counts (FID and the kNN
# radii depend on how many samples there are). Each eval's JSON goes to $OUT/<name>.json.
#
#   scripts/eval_judge.sh                  # the digit models trained by earlier runs
#   MODELS_FILE=my_models.txt scripts/eval_judge.sh
#
# A models file has one line per model: NAME CHECKPOINT NUM [extra eval flags]; missing
# checkpoints are skipped with a note.
set -euo pipefail
export LC_ALL=C  # decimal points in the timing arithmetic
cd "$(dirname "$0")/.."
GENCLI=${GENCLI:-build/gencli}
FEATURES=${FEATURES:-runs/classifier_mnist/checkpoints/best.pt}
DATA=${DATA:-data/mnist}
OUT=${OUT:-runs/eval_judge}
SEED=${SEED:-1234}
mkdir -p "$OUT"

if [ -n "${MODELS_FILE:-}" ]; then
  mapfile -t MODELS < "$MODELS_FILE"
else
  MODELS=(
    "gan runs/gan_mnist/checkpoints/last.pt 10000"
    "vae runs/eval_vae/vae_mnist_mnist/checkpoints/last.pt 10000"
    "conv_vae runs/eval_vae/conv_vae_mnist_mnist/checkpoints/last.pt 10000"
    "ddpm_ddim50 runs/ddpm_mnist/checkpoints/last.pt 2000 --sampler ddim --steps 50"
    "pixelcnn runs/pixelcnn_mnist/checkpoints/last.pt 200"
  )
fi
[ -f "$FEATURES" ] || { echo "no feature network at $FEATURES: run gencli train --config configs/classifier_mnist.json" >&2; exit 1; }

timed_eval() {  # NAME ARGS...: runs gencli eval --json into $OUT/NAME.json, its wall time into NAME.seconds
  local name=$1 start
  shift
  start=$EPOCHREALTIME
  "$GENCLI" eval --features "$FEATURES" --seed "$SEED" --json "$@" > "$OUT/$name.json" 2> "$OUT/$name.log"
  python3 -c "print(round($EPOCHREALTIME - $start, 2))" > "$OUT/$name.seconds"
  echo "  $name: $(cat "$OUT/$name.seconds") s" >&2
}

NAMES=()
declare -A COUNTS=()
for line in "${MODELS[@]}"; do
  read -r name checkpoint num extra <<<"$line"
  if [ ! -f "$checkpoint" ]; then
    echo "  $name: skipped ($checkpoint not found)" >&2
    continue
  fi
  # shellcheck disable=SC2086 # extra holds separate flags
  timed_eval "$name" --checkpoint "$checkpoint" --num "$num" $extra
  NAMES+=("$name")
  COUNTS[$num]=1
done
for num in "${!COUNTS[@]}"; do
  timed_eval "real_floor_$num" --real "$DATA" --num "$num"
  timed_eval "noise_$num" --real "$DATA" --noise --num "$num"
  NAMES+=("real_floor_$num" "noise_$num")
done

python3 - "$OUT" "${NAMES[@]}" <<'PY'
import json, sys
out, names = sys.argv[1], sys.argv[2:]
print("| set | N | FID | KID | classifier score | precision | recall | class entropy (bits) | classes < 1 % | detection acc. (95 % CI) | test NLL | eval s |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for name in names:
    r = json.load(open(f"{out}/{name}.json"))
    q = r["sample_quality"]
    seconds = float(open(f"{out}/{name}.seconds").read())
    nll = "–"
    for row in r.get("metrics", {}).get("likelihood", []):
        nll = f"{row['nll_nats']:.1f} nats ({row['estimate']})"
    rare = ",".join(str(c) for c in q["classes_below_1pct"]) or "none"
    lo, hi = q["detection_ci95"]
    print(f"| {name} | {q['candidate_images']} | {q['fid']:.2f} | {q['kid']:.4g} ± {q['kid_std']:.2g} | "
          f"{q['classifier_score']:.2f} | {q['precision']:.3f} | {q['recall']:.3f} | "
          f"{q['class_entropy_bits']:.3f} | {rare} | {100*q['detection_accuracy']:.1f} % ({100*lo:.1f}–{100*hi:.1f}) | "
          f"{nll} | {seconds:.1f} |")
first = json.load(open(f"{out}/{names[0]}.json"))["sample_quality"]
print(f"\nfeature network: {first['feature_network']} ({first['feature_dim']} features); reference: {first['reference']}")
PY
