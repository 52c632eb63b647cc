#!/usr/bin/env bash
# Latent diffusion from the command line: a tiny autoencoder is trained on canvases, then a
# diffusion model in its latent space (model.latent_autoencoder). Training leaves the frozen
# first stage untouched, samples and inpainting come back as full-size images, eval scores the
# latents, a split run resumes bit-exactly, and a bad first stage is refused with one line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "fixture, and a tiny autoencoder (56x56x1 canvases -> 14x14x2 latents)"
make_fixture fx
COMMON=(--set data.root="$WORK/fx" --set data.canvas_count=32 --set train.batch_size=8 --set train.log_every=10
  --threads 1 --device cpu)
ok ae "$GENCLI" train --config "$SOURCE_DIR/configs/autoencoder_canvas.json" "${COMMON[@]}" \
  --set model.base_channels=8 --set model.channel_mult=[1,2,2] --set model.latent_channels=2 \
  --set train.steps=30 --set train.checkpoint_every=30 --set optim.lr=0.002 --out AE
AE_CK="$WORK/AE/checkpoints/last.pt"
ae_sha=$(sha256_of "$AE_CK")

LDM=(--config "$SOURCE_DIR/configs/ldm_canvas.json" "${COMMON[@]}" --set model.latent_autoencoder="$AE_CK"
  --set model.base_channels=8 --set model.timesteps=50 --set model.beta_end=0.3 --set model.sample_steps=5
  --set train.checkpoint_every=10 --set train.sample_every=0 --set optim.schedule=constant)

say "train latent diffusion 20 steps"
ok train "$GENCLI" train "${LDM[@]}" --set train.steps=20 --out L
[ "$(sha256_of "$AE_CK")" = "$ae_sha" ] || fail "training changed the autoencoder checkpoint"
check "the first stage's weights in the diffusion checkpoint equal the autoencoder's (it stayed frozen)"
ok exportL "$GENCLI" export --checkpoint L/checkpoints/last.pt --format safetensors --out L.safetensors
ok exportA "$GENCLI" export --checkpoint "$AE_CK" --format safetensors --out A.safetensors
"$PYTHON" - L.safetensors A.safetensors <<'EOF2'
import json, struct, sys
def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: data[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in header.items()}
ldm, ae = tensors(sys.argv[1]), tensors(sys.argv[2])
first = {k[len("first_stage."):]: v for k, v in ldm.items() if k.startswith("first_stage.")}
if not first:
    sys.exit("the diffusion checkpoint holds no first_stage weights")
if first.keys() != ae.keys():
    sys.exit(f"first_stage tensors {sorted(first)[:3]}... differ in names from the autoencoder's")
changed = [k for k in first if first[k] != ae[k]]
if changed:
    sys.exit(f"training changed the frozen first stage: {changed[:3]}")
print(f"    {len(first)} first-stage tensors, byte-identical to the autoencoder's")
EOF2

say "resume: 10 steps into B, then --resume to 20 (constant lr: a cosine schedule spans train.steps)"
ok trainB1 "$GENCLI" train "${LDM[@]}" --set train.steps=10 --out B
ok trainB2 "$GENCLI" train --resume --set train.steps=20 --threads 1 --device cpu --out B
check "loss at step 20 is identical in L and B"
la=$(grep '"step":20' L/metrics.jsonl | "$PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["loss"])')
lb=$(grep '"step":20' B/metrics.jsonl | "$PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["loss"])')
[ -n "$la" ] && [ "$la" = "$lb" ] || fail "step-20 loss differs: straight $la, resumed $lb"

CK=L/checkpoints/last.pt
say "sample and inpaint: full-size canvases"
ok prior "$GENCLI" sample --checkpoint "$CK" --num 4 --nrow 2 --out prior.png --npy prior.npy
[ "$(png_size prior.png)" = "118 118" ] || fail "prior.png is $(png_size prior.png), expected 118 118 (2x2 of 56x56)"
"$PYTHON" - prior.npy <<'EOF2'
import struct, sys
with open(sys.argv[1], "rb") as f:
    assert f.read(6) == b"\x93NUMPY"
    f.read(2)
    n = struct.unpack("<H", f.read(2))[0]
    header = f.read(n).decode()
if "(4, 1, 56, 56)" not in header:
    sys.exit(f"samples have the wrong shape: {header}")
EOF2
ok inpaint "$GENCLI" sample --checkpoint "$CK" --mode inpaint --mask left --num 4 --nrow 4 --out inp.png
[ "$(png_size inp.png)" = "234 176" ] || fail "inp.png is $(png_size inp.png), expected 234 176 (3 rows of 4)"
grep -q '^psnr_hidden_db ' "$WORK/inpaint.out" || fail "inpaint printed no psnr_hidden_db line"

say "eval"
ok eval "$GENCLI" eval --checkpoint "$CK" --json
"$PYTHON" - "$WORK/eval.out" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
print(f"    space {m['space']} {m['diffusion_shape']}, test loss {m['test_loss']:.3f}, "
      f"DDIM {m['ddim_images_per_s']:.1f} images/s")
if m["space"] != "latent" or m["diffusion_shape"] != [2, 14, 14]:
    sys.exit(f"eval says {m['space']} {m['diffusion_shape']}, expected latent [2, 14, 14]")
if not 0 < m["test_loss"] < 10:
    sys.exit(f"test loss {m['test_loss']} out of range")
EOF2

say "bad first stages: exit 2, one line naming model.latent_autoencoder, no run folder"
expect_exit 2 missing "$GENCLI" train "${LDM[@]}" --set model.latent_autoencoder="$WORK/nope.pt" --out M
assert_error "$WORK/missing.err" "model.latent_autoencoder"
assert_no_file M
ok gan "$GENCLI" train --config "$SOURCE_DIR/configs/gan_mnist.json" --set data.root="$WORK/fx" --set train.steps=2 \
  --set train.checkpoint_every=2 --threads 1 --device cpu --out G
expect_exit 2 notae "$GENCLI" train "${LDM[@]}" --set model.latent_autoencoder="$WORK/G/checkpoints/last.pt" --out N
assert_error "$WORK/notae.err" "model.latent_autoencoder"
assert_no_file N
expect_exit 2 size "$GENCLI" train "${LDM[@]}" --set model.image_size=28 --out S
assert_error "$WORK/size.err" "model.image_size"
assert_no_file S
expect_exit 2 levels "$GENCLI" train "${LDM[@]}" --set model.channel_mult=[1,2,2] --out C
assert_error "$WORK/levels.err" "model.channel_mult"
assert_no_file C
expect_exit 2 mlp "$GENCLI" train "${LDM[@]}" --set model.arch=mlp --out P
assert_error "$WORK/mlp.err" "model.latent_autoencoder"
assert_no_file P

finish
