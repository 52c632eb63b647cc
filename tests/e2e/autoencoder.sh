#!/usr/bin/env bash
# The latent autoencoder on canvas data from the command line: training on composed canvases
# lowers the reconstruction error, a split run resumes bit-exactly (the canvas draw counter is
# in the checkpoint), reconstruct writes originals above reconstructions, eval beats the
# mean-image decoder and reports the latent's statistics, and bad canvas configs fail with one
# line naming the key and leave no run folder.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "fixture: 512 train / 128 test synthetic digits, composed into 56x56 canvases"
make_fixture fx
AE=(--config "$SOURCE_DIR/configs/autoencoder_canvas.json" --set data.root="$WORK/fx" --set data.canvas_count=64
  --set model.base_channels=8 --set model.channel_mult=[1,2,2] --set model.latent_channels=2
  --set train.batch_size=8 --set train.log_every=10 --set train.checkpoint_every=20 --set optim.lr=0.002
  --threads 1 --device cpu)

say "train 60 steps"
ok train "$GENCLI" train "${AE[@]}" --set train.steps=60 --out A
assert_contains "$WORK/train.err" "canvases of" "training log names the canvas data"
check "reconstruction error falls (recon_per_pixel at step 60 < 0.8 x at step 10) and the latent scale is tracked"
"$PYTHON" - A/metrics.jsonl <<'EOF2'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in rows:
    missing = {"step", "loss", "recon_per_pixel", "kl", "psnr_db", "latent_scale"} - r.keys()
    if missing:
        sys.exit(f"metrics row {r} lacks {sorted(missing)}")
first, last = rows[0], rows[-1]
print(f"    recon/pixel {first['recon_per_pixel']:.4f} at step {first['step']} -> {last['recon_per_pixel']:.4f} "
      f"at step {last['step']}; PSNR {last['psnr_db']:.1f} dB; latent scale {last['latent_scale']:.3f}")
if last["step"] != 60 or not last["recon_per_pixel"] < 0.8 * first["recon_per_pixel"]:
    sys.exit("reconstruction error did not fall by 20%")
if not (last["latent_scale"] > 0 and last["latent_scale"] != 1.0):
    sys.exit(f"latent scale {last['latent_scale']} was not measured")
EOF2

say "resume: 40 steps into B, then --resume to 60"
ok trainB1 "$GENCLI" train "${AE[@]}" --set train.steps=40 --out B
ok trainB2 "$GENCLI" train --resume --set train.steps=60 --threads 1 --device cpu --out B
assert_contains "$WORK/trainB2.err" "resumed from" "resume stderr"
check "metrics at step 60 are identical in A and B"
"$PYTHON" - A/metrics.jsonl B/metrics.jsonl <<'EOF2'
import json, sys
def at60(path):
    hits = [json.loads(l) for l in open(path) if l.strip() and json.loads(l)["step"] == 60]
    if len(hits) != 1:
        sys.exit(f"{path}: expected one line for step 60, found {len(hits)}")
    return {k: v for k, v in hits[0].items() if k not in ("time_s", "cpu_s", "energy_j", "co2e_g")}
a, b = at60(sys.argv[1]), at60(sys.argv[2])
if a != b:
    sys.exit(f"resume is not bit-exact:\n  A {a}\n  B {b}")
EOF2

CK=A/checkpoints/last.pt
say "sample"
ok rec "$GENCLI" sample --checkpoint "$CK" --mode reconstruct --num 8 --nrow 4 --out rec.png
check "reconstruct: 4 rows of 4 canvases of 56x56 (2 rows of originals, 2 of reconstructions)"
[ "$(png_size rec.png)" = "234 234" ] || fail "rec.png is $(png_size rec.png), expected 234 234"
[ "$(png_text rec.png gencli:mode)" = reconstruct ] || fail "rec.png: gencli:mode is not reconstruct"
grep -q '^psnr_db ' "$WORK/rec.out" || fail "reconstruct printed no psnr_db line"
ok prior "$GENCLI" sample --checkpoint "$CK" --num 4 --nrow 2 --out prior.png
[ "$(png_size prior.png)" = "118 118" ] || fail "prior.png is $(png_size prior.png), expected 118 118"
check "an unknown mode and --class: exit 2, naming the value"
expect_exit 2 badmode "$GENCLI" sample --checkpoint "$CK" --mode dream --out m.png
assert_error "$WORK/badmode.err" "dream"
expect_exit 2 badclass "$GENCLI" sample --checkpoint "$CK" --mode reconstruct --class 3 --out m.png
assert_error "$WORK/badclass.err" "--class"
assert_no_file m.png

say "eval"
ok eval "$GENCLI" eval --checkpoint "$CK" --json
"$PYTHON" - "$WORK/eval.out" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
print(f"    PSNR {m['psnr_db']:.2f} dB vs mean image {m['psnr_db_mean_image']:.2f} dB; latent {m['latent_shape']}, "
      f"scale train {m['latent_scale_training']:.3f} / test {m['latent_scale_test']:.3f}")
if m["test_images"] != 64:
    sys.exit(f"eval scored {m['test_images']} canvases, expected data.canvas_count = 64")
if not m["psnr_db"] > m["psnr_db_mean_image"]:
    sys.exit("the autoencoder reconstructs no better than the mean test image")
if m["latent_shape"] != [2, 14, 14] or m["downsampling"] != 4:
    sys.exit(f"latent shape {m['latent_shape']}, downsampling {m['downsampling']}: expected [2, 14, 14] and 4")
if len(m["latent_channel_mean"]) != 2 or len(m["latent_channel_std"]) != 2:
    sys.exit("per-channel latent statistics missing")
if not 0.2 < m["latent_scale_training"] / m["latent_scale_test"] < 5:
    sys.exit("the training latent scale is far from the test latents' 1/std")
EOF2

say "bad canvas configs: exit 2, one line naming the key, no run folder"
expect_exit 2 heldout "$GENCLI" train "${AE[@]}" --set 'data.held_out=["a 3 in the middle"]' --out H
assert_error "$WORK/heldout.err" "data.held_out"
assert_no_file H
expect_exit 2 names "$GENCLI" train "${AE[@]}" --set 'data.class_names=["zero","one"]' --out N
assert_error "$WORK/names.err" "data.class_names"
assert_no_file N
expect_exit 2 size "$GENCLI" train "${AE[@]}" --set model.image_size=54 --out S
assert_error "$WORK/size.err" "model.image_size"
assert_no_file S
expect_exit 2 groups "$GENCLI" train "${AE[@]}" --set model.groups=3 --out G
assert_error "$WORK/groups.err" "model.groups"
assert_no_file G

finish
