#!/usr/bin/env bash
# The text-to-image pipeline on the offline digits, stage by stage (runs that already finished
# are kept): the canvas autoencoder, the text-conditional latent diffusion model, the
# prompt-ignored baseline (unconditional latent diffusion, same budget) and the judge's
# classifier; then one table of prompt adherence (seen and held-out prompts, per template, 95 %
# intervals), cell FID and sampling speed, with the training time of each stage, a grid of
# prompts and an edit. A pixel-space model of the same U-Net is timed beside the latent one.
# Usage: scripts/eval_text_to_image.sh [AE_STEPS T2I_STEPS]   (default: the configs' train.steps)
#        NUM=600 scripts/eval_text_to_image.sh 600 7000       (NUM: samples judged per model)
#        GUIDANCE=5 scripts/eval_text_to_image.sh             (guidance for the text-to-image samples;
#                                                              default: the checkpoint's model.guidance)
set -euo pipefail
cd "$(dirname "$0")/.."
ae_steps=${1:-} t2i_steps=${2:-} num=${NUM:-600}
guidance=(${GUIDANCE:+--guidance "$GUIDANCE"})
out=runs/eval_text_to_image
scripts/build.sh gencli >/dev/null
[ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; build/gencli data prepare mnist --out data/mnist; }
mkdir -p "$out"

train() {  # train NAME CONFIG [--set ...]: skipped when $out/NAME finished
  local name=$1 config=$2
  shift 2
  [ -f "$out/$name/summary.json" ] && return 0
  echo "== training $name ($config) -> $out/$name" >&2
  build/gencli train --config "configs/$config.json" --out "$out/$name" "$@" 2>&1 | grep -E "^(info )?(step|done)" | tail -n 2 >&2
}

AE="$out/autoencoder/checkpoints/last.pt"
train autoencoder autoencoder_canvas ${ae_steps:+--set train.steps=$ae_steps}
train classifier classifier_mnist --set train.steps=1000
train t2i t2i_canvas --set model.latent_autoencoder="$AE" ${t2i_steps:+--set train.steps=$t2i_steps}
train ignored ldm_canvas --set model.latent_autoencoder="$AE" --set train.batch_size=64 \
  --set data.held_out='["a 3 in the bottom right"]' ${t2i_steps:+--set train.steps=$t2i_steps}

build/gencli eval --checkpoint "$AE" --json > "$out/autoencoder/eval.json"
build/gencli eval --checkpoint "$out/t2i/checkpoints/last.pt" --features "$out/classifier/checkpoints/best.pt" \
  --num "$num" --test-limit 500 "${guidance[@]}" --json > "$out/t2i/eval.json"
build/gencli eval --checkpoint "$out/ignored/checkpoints/last.pt" --features "$out/classifier/checkpoints/best.pt" \
  --num "$num" --test-limit 500 --json > "$out/ignored/eval.json"

# The same U-Net in pixel space (56x56x1 instead of 14x14x4), untrained: only its speed counts.
# `gencli sample` of 16 images with DDIM-50, latent and pixel interleaved, three rounds; medians.
pixel="$out/pixel_speed"
[ -f "$pixel/summary.json" ] || build/gencli train --config configs/ldm_canvas.json --set model.latent_autoencoder= \
  --set train.steps=1 --set train.sample_every=0 --out "$pixel" >/dev/null 2>&1
python3 - "$out" "${guidance[@]}" > "$out/sampling_speed.json" <<'PY'
import json, statistics, subprocess, sys, time
out, guidance = sys.argv[1], sys.argv[2:]
runs = {"latent": f"{out}/ignored/checkpoints/last.pt", "pixel": f"{out}/pixel_speed/checkpoints/last.pt",
        "text_to_image": f"{out}/t2i/checkpoints/last.pt"}
times = {k: [] for k in runs}
for _ in range(3):
    for name, ck in runs.items():
        extra = ["--prompt", "a 3 above a 7", *guidance] if name == "text_to_image" else []
        start = time.perf_counter()
        subprocess.run(["build/gencli", "sample", "--checkpoint", ck, "--num", "16", "--sampler", "ddim", "--steps", "50",
                        "--out", f"{out}/speed_{name}.png", *extra], check=True, capture_output=True)
        times[name].append(time.perf_counter() - start)
print(json.dumps({k: {"median_s": statistics.median(v), "images_per_s": 16 / statistics.median(v), "runs_s": v}
                  for k, v in times.items()}))
PY

printf 'a 3 above a 7\na 5 in the top left\ntwo 1s on the bottom row\nan 8 left of a 2\na 3 in the bottom right\nan empty canvas\n' \
  > "$out/prompts.txt"
build/gencli sample --checkpoint "$out/t2i/checkpoints/last.pt" --prompts "$out/prompts.txt" --nrow 6 \
  "${guidance[@]}" --out "$out/prompts.png" >/dev/null
build/gencli sample --checkpoint "$out/t2i/checkpoints/last.pt" --mode inpaint --mask left --num 6 --nrow 6 \
  --prompt "a 5 in the top left" "${guidance[@]}" --out "$out/edit.png" >/dev/null

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
load = lambda p: json.load(open(f"{out}/{p}"))
def pct(p):
    return f"{100 * p['rate']:5.1f} % [{100 * p['ci95_low']:5.1f}, {100 * p['ci95_high']:5.1f}] of {p['n']}"
print("stage           steps   minutes")
for run in ["autoencoder", "classifier", "t2i", "ignored"]:
    s = load(f"{run}/summary.json")
    print(f"{run:14} {s['steps']:>6} {s['seconds'] / 60:9.1f}")
ae = load("autoencoder/eval.json")["metrics"]
print(f"\nautoencoder: PSNR {ae['psnr_db']:.2f} dB (mean image {ae['psnr_db_mean_image']:.2f}), latent "
      f"{ae['latent_shape']}, scale {ae['latent_scale_training']:.3f}")
t2i, ign = load("t2i/eval.json")["sample_quality"], load("ignored/eval.json")["sample_quality"]
print(f"\njudge: {t2i['judge']}; text-to-image samples drawn with guidance {t2i['guidance']}")
print(f"judge check: real canvases {pct(t2i['real_canvases'])}; shuffled captions {pct(t2i['real_canvases_shuffled_captions'])}")
print(f"\n{'prompts':28} {'text-to-image':34} {'prompt ignored':34}")
rows = [("seen", "seen"), ("held-out", "held_out")]
for name, key in rows:
    print(f"{name:28} {pct(t2i['adherence'][key]):34} {pct(ign['adherence'][key]):34}")
    for template, p in t2i["adherence"][f"{key}_by_template"].items():
        q = ign["adherence"][f"{key}_by_template"].get(template)
        print(f"  {name + ', ' + template:26} {pct(p):34} {pct(q) if q else '':34}")
print(f"{'cell FID':28} {t2i.get('cell_fid', float('nan')):<34.2f} {ign.get('cell_fid', float('nan')):<34.2f}")
print(f"{'samples/s (as judged)':28} {t2i['samples_per_s']:<34.2f} {ign['samples_per_s']:<34.2f}")
speed = load("sampling_speed.json")
print(f"\nsampling 16 images with DDIM-50 (gencli sample, median of 3, start-up included): latent "
      f"{speed['latent']['images_per_s']:.2f} images/s, pixel {speed['pixel']['images_per_s']:.2f} images/s "
      f"(the same U-Net on 56x56x1): {speed['latent']['images_per_s'] / speed['pixel']['images_per_s']:.2f}x; "
      f"text-to-image with guidance {speed['text_to_image']['images_per_s']:.2f} images/s")
print(f"\ngrid of prompts: {out}/prompts.png ({out}/prompts.txt, one row each); edit: {out}/edit.png")
PY
