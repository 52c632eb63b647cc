#!/usr/bin/env bash
# The diffusion family from the command line: the 2-D toy covers all 8 modes of the ring after a
# short training; a tiny conditional U-Net samples with DDPM and DDIM (deterministic at eta 0),
# with guidance and --class, completes masked images, reports its loss per timestep bucket and
# its sampling speed; bad sampler flags fail with one clear line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "toy2d: train diffusion_toy2d for 2000 steps"
ok toy "$GENCLI" train --config "$SOURCE_DIR/configs/diffusion_toy2d.json" --set train.steps=2000 \
  --set train.sample_every=0 --set data.toy_points=5000 --threads 1 --device cpu --out T
ok toyeval "$GENCLI" eval --checkpoint T/checkpoints/last.pt --num 1000 --test-limit 200 --json
check "all 8 modes covered, over 30% of the samples within 3 std of a mode"
"$PYTHON" - "$WORK/toyeval.out" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
print(f"    modes {m['toy_modes_covered']}/{m['toy_modes_total']}, within 3 std {m['toy_high_quality']:.3f}, "
      f"mean distance {m['toy_mean_distance']:.3f}")
if m["toy_modes_covered"] != 8 or m["toy_modes_total"] != 8:
    sys.exit("not every mode of the ring is covered")
if not m["toy_high_quality"] > 0.3:  # 0.02 untrained, 0.8 after the full 3000 steps
    sys.exit("fewer than 30% of the samples lie near a mode")
EOF2

say "fixture: 512 train / 128 test synthetic digits; a tiny conditional U-Net, T = 50"
make_fixture fx
UNET=(--config "$SOURCE_DIR/configs/ddpm_mnist.json" --set data.root="$WORK/fx" --set model.base_channels=8
  --set model.groups=4 --set model.channel_mult=[1,2] --set model.timesteps=50 --set train.batch_size=16
  --set train.log_every=10 --set train.sample_every=20 --set train.checkpoint_every=20 --threads 1 --device cpu)
ok train "$GENCLI" train "${UNET[@]}" --set model.conditional=true --set train.steps=20 --out C
ls C/samples/step-*.png >/dev/null 2>&1 || fail "C/samples has no grids"
CK=C/checkpoints/last.pt

say "sampling"
ok ddpm "$GENCLI" sample --checkpoint "$CK" --num 8 --nrow 4 --out ddpm.png
[ "$(png_size ddpm.png)" = "122 62" ] || fail "ddpm.png is $(png_size ddpm.png), expected 122 62"
assert_contains "$WORK/ddpm.err" "denoising step 50/50" "ddpm progress"
check "DDIM at eta 0: the same seed gives the same images, another seed others"
for s in 5 5b 6; do
  ok "ddim$s" "$GENCLI" sample --checkpoint "$CK" --sampler ddim --steps 10 --eta 0 --num 8 --nrow 4 --seed "${s%b}" \
    --class 3 --out "$s.png" --npy "$s.npy"
done
cmp -s 5.npy 5b.npy || fail "two DDIM runs with --seed 5 differ"
! cmp -s 5.npy 6.npy || fail "DDIM with --seed 5 and --seed 6 give the same images"
check "DDPM with the same seed differs from DDIM (the sampler is really switched)"
ok ddpm5 "$GENCLI" sample --checkpoint "$CK" --num 8 --nrow 4 --seed 5 --class 3 --out d5.png --npy d5.npy
! cmp -s 5.npy d5.npy || fail "DDPM and DDIM gave identical samples"
assert_contains "$WORK/ddim5.err" "denoising step 10/10" "ddim progress"
check "guidance with --class"
ok guided "$GENCLI" sample --checkpoint "$CK" --sampler ddim --steps 10 --class 3 --guidance 3 --num 8 --nrow 4 \
  --seed 5 --out g.png --npy g.npy
[ "$(png_text g.png gencli:class)" = 3 ] || fail "g.png: gencli:class is not 3"
! cmp -s g.npy 5.npy || fail "--guidance 3 gave the same samples as the default guidance"
check "inpaint: masked / completed / original rows, PSNR printed"
ok inpaint "$GENCLI" sample --checkpoint "$CK" --mode inpaint --mask bottom --sampler ddim --steps 10 --resample 2 \
  --num 8 --nrow 4 --out inpaint.png
[ "$(png_size inpaint.png)" = "122 182" ] || fail "inpaint.png is $(png_size inpaint.png), expected 122 182"
grep -q '^psnr_hidden_db ' "$WORK/inpaint.out" || fail "inpaint printed no PSNR"

say "eval"
ok eval "$GENCLI" eval --checkpoint "$CK" --test-limit 64 --num 4 --json
"$PYTHON" - "$WORK/eval.out" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
b = m["test_loss_by_timestep"]
print(f"    test loss {m['test_loss']:.4f}; DDPM {m['ddpm_images_per_s']:.1f} images/s over {m['ddpm_steps']} steps, "
      f"DDIM {m['ddim_images_per_s']:.1f} over {m['ddim_steps']}")
if len(b) != 10 or b[0]["t_from"] != 0 or b[-1]["t_to"] != 49:
    sys.exit(f"expected 10 buckets covering t = 0..49, got {b}")
if abs(sum(x["loss"] for x in b) / 10 - m["test_loss"]) > 1e-6:
    sys.exit("test_loss is not the mean of the buckets")
if not (m["ddpm_images_per_s"] > 0 and m["ddim_images_per_s"] > 0):
    sys.exit("no sampling speed reported")
if m["ddpm_steps"] != 50 or m["ddim_steps"] != 50:  # DDIM takes min(50, T) steps; T is 50 here
    sys.exit(f"step counts {m['ddpm_steps']} and {m['ddim_steps']}, expected 50 and 50")
EOF2

say "bad inputs"
ok trainU "$GENCLI" train "${UNET[@]}" --set train.steps=2 --out U
expect_exit 2 guideU "$GENCLI" sample --checkpoint U/checkpoints/last.pt --guidance 2 --num 4 --out x.png
assert_error "$WORK/guideU.err" "not conditional"
expect_exit 2 euler "$GENCLI" sample --checkpoint U/checkpoints/last.pt --sampler euler --num 4 --out x.png
assert_error "$WORK/euler.err" "euler"
expect_exit 2 steps "$GENCLI" sample --checkpoint U/checkpoints/last.pt --sampler ddim --steps 500 --num 4 --out x.png
assert_error "$WORK/steps.err" "--steps 500"
assert_no_file x.png
expect_exit 2 size "$GENCLI" train "${UNET[@]}" --set model.channel_mult=[1,2,2,2] --out S
assert_error "$WORK/size.err" "model.image_size"
assert_no_file S
expect_exit 2 range "$GENCLI" train "${UNET[@]}" --set data.range=unit --out R
assert_error "$WORK/range.err" "data.range"
check "sampler flags on a model without a sampler: exit 2"
ok gan "$GENCLI" train "${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.steps=2 --threads 1 --out G
expect_exit 2 gansampler "$GENCLI" sample --checkpoint G/checkpoints/last.pt --sampler ddim --out x.png
assert_error "$WORK/gansampler.err" "no iterative sampler"

finish
