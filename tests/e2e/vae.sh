#!/usr/bin/env bash
# The VAE family from the command line: training lowers the reconstruction error, every sample
# mode writes its grid, restore reports PSNR, eval reports bounds in the right order, and bad
# inputs fail with one clear line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "fixture: 512 train / 128 test synthetic digits"
make_fixture fx
VAE=(--config "$SOURCE_DIR/configs/vae_mnist.json" --set data.root="$WORK/fx" --set model.hidden=[128]
  --set model.latent_dim=8 --set model.kl_warmup_steps=50 --set train.batch_size=32 --set train.log_every=25
  --set train.checkpoint_every=100 --set train.sample_every=100 --set optim.lr=0.003 --threads 1 --device cpu)

say "train 300 steps"
ok train "$GENCLI" train "${VAE[@]}" --set train.steps=300 --out V
check "reconstruction error falls (metrics.jsonl: recon at step 300 < 0.7 x at step 25)"
"$PYTHON" - V/metrics.jsonl <<'EOF2'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in rows:
    missing = {"step", "loss", "neg_elbo", "recon", "kl", "beta"} - r.keys()
    if missing:
        sys.exit(f"metrics row {r} lacks {sorted(missing)}")
first, last = rows[0], rows[-1]
print(f"    recon {first['recon']:.1f} nats at step {first['step']} -> {last['recon']:.1f} at step {last['step']}")
if last["step"] != 300 or not last["recon"] < 0.7 * first["recon"]:
    sys.exit("reconstruction error did not fall by 30%")
if abs(last["beta"] - 1.0) > 1e-9 or not first["beta"] < 1.0:
    sys.exit(f"KL warm-up: beta {first['beta']} at the start, {last['beta']} at the end (expected < 1, then 1)")
EOF2
ls V/samples/step-*.png >/dev/null 2>&1 || fail "V/samples has no grids"

CK=V/checkpoints/last.pt
say "sample modes"
ok prior "$GENCLI" sample --checkpoint "$CK" --num 16 --nrow 4 --out prior.png
[ "$(png_size prior.png)" = "122 122" ] || fail "prior.png is $(png_size prior.png), expected 122 122"
ok rec "$GENCLI" sample --checkpoint "$CK" --mode reconstruct --num 8 --nrow 4 --out rec.png
check "reconstruct: 4 rows of 4 (2 of originals, 2 of reconstructions)"
[ "$(png_size rec.png)" = "122 122" ] || fail "rec.png is $(png_size rec.png), expected 122 122"
[ "$(png_text rec.png gencli:mode)" = reconstruct ] || fail "rec.png: gencli:mode is not reconstruct"
ok interp "$GENCLI" sample --checkpoint "$CK" --mode interpolate --pairs 3 --steps 6 --out interp.png
check "interpolate: 3 rows of 8 (image, 6 steps, image)"
[ "$(png_size interp.png)" = "242 92" ] || fail "interp.png is $(png_size interp.png), expected 242 92"
for c in noise:0.5 mask:bottom; do
  ok "restore-${c/:/-}" "$GENCLI" sample --checkpoint "$CK" --mode restore --corrupt "$c" --num 16 --nrow 8 --out "r.png"
  check "restore $c: PSNR printed, restored above corrupted; 6 rows of 8"
  before=$(awk '$1 == "psnr_corrupted_db" {print $2}' "$WORK/restore-${c/:/-}.out")
  after=$(awk '$1 == "psnr_restored_db" {print $2}' "$WORK/restore-${c/:/-}.out")
  [ -n "$before" ] && [ -n "$after" ] || fail "restore $c printed no PSNR lines"
  echo "    $c: PSNR corrupted $before dB, restored $after dB"
  awk -v a="$after" -v b="$before" 'BEGIN { exit !(a > b) }' || fail "restore $c: restored PSNR $after <= corrupted $before"
  [ "$(png_size r.png)" = "242 182" ] || fail "r.png is $(png_size r.png), expected 242 182"
done
check "manifold needs a 2-D latent: exit 2"
expect_exit 2 manifold "$GENCLI" sample --checkpoint "$CK" --mode manifold --out m.png
assert_error "$WORK/manifold.err" "latent_dim"
assert_no_file m.png
check "an unknown mode and a bad --corrupt: exit 2, naming the value"
expect_exit 2 badmode "$GENCLI" sample --checkpoint "$CK" --mode dream --out m.png
assert_error "$WORK/badmode.err" "dream"
expect_exit 2 badcorrupt "$GENCLI" sample --checkpoint "$CK" --mode restore --corrupt blur:2 --out m.png
assert_error "$WORK/badcorrupt.err" "blur:2"
assert_no_file m.png

say "eval"
ok eval "$GENCLI" eval --checkpoint "$CK" --iw-samples 50 --json
"$PYTHON" - "$WORK/eval.out" <<'EOF2'
import json, math, sys
m = json.load(open(sys.argv[1]))["metrics"]
print("    " + ", ".join(f"{k}={m[k]:.3f}" for k in ("neg_elbo_nats", "iwae_nll_nats", "kl_nats", "neg_elbo_bits_per_dim")))
if m["test_images"] != 128 or m["iw_samples"] != 50:
    sys.exit(f"eval scored {m['test_images']} images with k={m['iw_samples']}, expected 128 and 50")
if not m["iwae_nll_nats"] <= m["neg_elbo_nats"]:
    sys.exit("the IWAE bound is looser than the ELBO")
if abs(m["neg_elbo_nats"] - m["recon_nats"] - m["kl_nats"]) > 1e-3:
    sys.exit("neg ELBO is not recon + KL")
if abs(m["neg_elbo_bits_per_dim"] - m["neg_elbo_nats"] / (784 * math.log(2))) > 1e-6:
    sys.exit("bits per dimension is not nats / (784 ln 2)")
if not 0 < m["active_units"] <= 8:
    sys.exit(f"active_units {m['active_units']} out of range")
EOF2

say "conditional VAE with a 2-D latent: --class and the manifold"
ok trainC "$GENCLI" train "${VAE[@]}" --set model.conditional=true --set model.latent_dim=2 --set train.steps=50 --out C
ok c3 "$GENCLI" sample --checkpoint C/checkpoints/last.pt --class 3 --num 8 --nrow 4 --out c3.png
[ "$(png_text c3.png gencli:class)" = 3 ] || fail "c3.png: gencli:class is not 3"
ok man "$GENCLI" sample --checkpoint C/checkpoints/last.pt --mode manifold --steps 5 --class 3 --out man.png
[ "$(png_size man.png)" = "152 152" ] || fail "man.png is $(png_size man.png), expected 152 152 (5x5)"

say "bad configs"
expect_exit 2 range "$GENCLI" train "${VAE[@]}" --set data.range=tanh --set train.steps=5 --out R
assert_error "$WORK/range.err" "data.range"
assert_no_file R
expect_exit 2 size "$GENCLI" train "${VAE[@]}" --set model.arch=conv --set model.image_size=30 --out S
assert_error "$WORK/size.err" "model.image_size"
assert_no_file S
expect_exit 2 ema "$GENCLI" train "${VAE[@]}" --set train.ema_decay=0.99 --out E
assert_error "$WORK/ema.err" "train.ema_decay"
assert_no_file E

finish
