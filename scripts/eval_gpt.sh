#!/usr/bin/env bash
# The GPT family's figures on the offline corpus (scripts/make_text_data.sh):
#   1. configs/gpt_char.json (nanoGPT's CPU recipe: 4 layers, 4 heads, 128 wide, block 64,
#      batch 12, 2000 steps) on fortunes.txt: validation loss, bits per character, minutes and
#      training tokens per second;
#   2. generation speed with and without the key/value cache (greedy, so both write the same text);
#   3. LoRA (configs/gpt_lora.json) against full fine-tuning (configs/gpt_finetune.json) on
#      songs-poems.txt from gpt_char's best.pt, same steps and batch: trainable parameters and
#      validation loss, with the base model's own loss on that text for reference.
# Runs already finished are reused. Usage: scripts/eval_gpt.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh gencli >/dev/null
scripts/make_text_data.sh data/text >/dev/null
out=runs/eval_gpt
mkdir -p "$out"

train() {  # config, run folder, extra args...
  local config=$1 run=$2
  shift 2
  [ -f "$run/summary.json" ] || build/gencli train --config "configs/$config.json" --out "$run" "$@" 2>&1 |
    grep -E "val_loss|done" | tail -n 3 >&2
}
field() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }

train gpt_char runs/gpt_char
base=runs/gpt_char/checkpoints/best.pt
build/gencli eval --checkpoint "$base" --json >"$out/gpt_char_eval.json"
steps=$(field runs/gpt_char/summary.json "['steps']")
seconds=$(field runs/gpt_char/summary.json "['seconds']")
rate=$(field runs/gpt_char/summary.json "['steps_per_s']")
echo "gpt_char: $steps steps in $(python3 -c "print(f'{$seconds / 60:.1f}')") min," \
     "$(python3 -c "print(f'{$rate:.1f} steps/s, {$rate * 12 * 64:.0f} training tokens/s')");" \
     "best val loss $(field "$out/gpt_char_eval.json" "['metrics']['val_loss_nats_per_token']") nats/token," \
     "$(field "$out/gpt_char_eval.json" "['metrics']['bits_per_character']") bits/char"

for cache in "" --no-cache; do
  build/gencli sample --checkpoint "$base" --prompt "Once upon a time" --max-new-tokens 500 --temperature 0 $cache \
    --out "$out/greedy${cache}.txt" 2>&1 >/dev/null | grep -o "[0-9.]* tokens/s, [A-Za-z ]*" | sed "s/^/generation: /"
done
cmp -s "$out/greedy.txt" "$out/greedy--no-cache.txt" && echo "generation: the two texts are identical" ||
  echo "generation: the two texts DIFFER"
build/gencli sample --checkpoint "$base" --prompt "Once upon a time" --max-new-tokens 400 --temperature 0.8 \
  --top-k 40 --seed 1 --out "$out/sample.txt" >/dev/null 2>&1
echo "sample (temperature 0.8, top-k 40): $out/sample.txt"

train gpt_lora runs/gpt_lora --set init.from="$base"
train gpt_finetune runs/gpt_finetune --set init.from="$base"
build/gencli eval --checkpoint "$base" --data-root data/text/songs-poems.txt --json >"$out/base_on_songs.json"
printf '%-22s %12s %10s %14s %8s\n' run trainable fraction "val loss" minutes
printf '%-22s %12s %10s %14.4f %8s\n' "base (no tuning)" 0 0 "$(field "$out/base_on_songs.json" "['metrics']['val_loss_nats_per_token']")" -
for run in gpt_lora gpt_finetune; do
  build/gencli eval --checkpoint "runs/$run/checkpoints/best.pt" --json >"$out/${run}_eval.json"
  python3 - "runs/$run" "$out/${run}_eval.json" <<'PY'
import json, sys
run, ev = sys.argv[1:]
e = json.load(open(ev))["metrics"]
s = json.load(open(f"{run}/summary.json"))
trainable, total = s["trainable_parameters"], s["parameters"]
print(f"{run.split('/')[-1]:22} {trainable:12} {trainable / total:10.4f} {e['val_loss_nats_per_token']:14.4f} {s['seconds'] / 60:8.1f}")
PY
done
