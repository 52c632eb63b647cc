#!/usr/bin/env bash
# safetensors against the real Python tools (pip's safetensors, torch and numpy, from
# scripts/install_python_tools.sh; skipped when they are absent): safetensors.torch.load_file
# reads every export, bfloat16 included; examples/safetensors_to_pytorch.py rebuilds the GAN
# generator (MLP and DCGAN) and the VAE decoder (MLP and convolutional) in plain PyTorch and
# decodes the same latent vectors to the same images as `gencli sample --latents` (within
# 1e-4 on images in [-1, 1]: identical on some CPUs, 2.5e-5 apart on another, where the two
# sides' convolutions sum in different orders; a misread weight moves pixels by tenths); and a file written by safetensors.torch.save_file loads in gencli.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_python_tools safetensors torch numpy
EXAMPLE="$SOURCE_DIR/examples/safetensors_to_pytorch.py"

make_fixture fx
COMMON=(--set data.root="$WORK/fx" --set train.log_every=20 --set train.sample_every=0 --threads 1 --device cpu)
ok gan "$GENCLI" train --config "$SOURCE_DIR/configs/gan_mnist.json" "${COMMON[@]}" --set train.steps=30 --out gan
ok dcgan "$GENCLI" train --config "$SOURCE_DIR/configs/dcgan_mnist.json" "${COMMON[@]}" --set model.dcgan_width=8 \
  --set train.batch_size=16 --set train.steps=30 --out dcgan
ok vae "$GENCLI" train --config "$SOURCE_DIR/configs/vae_mnist.json" "${COMMON[@]}" --set model.hidden=[64] \
  --set model.latent_dim=8 --set train.steps=30 --out vae
ok cvae "$GENCLI" train --config "$SOURCE_DIR/configs/conv_vae_mnist.json" "${COMMON[@]}" --set model.conv_channels=[4,8] \
  --set model.hidden=[32] --set model.latent_dim=6 --set train.batch_size=16 --set train.steps=30 --out cvae

# latents N DIM OUT: N standard normal vectors of DIM numbers, float32, written by numpy.
latents() { "$TOOLS" -c "import numpy as np, sys; np.save(sys.argv[3], np.random.default_rng(7).standard_normal((int(sys.argv[1]), int(sys.argv[2]))).astype(np.float32))" "$@"; }

# max_diff A B: the largest absolute difference of two .npy arrays of equal shape.
max_diff() {
  "$TOOLS" -c "import numpy as np, sys; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); assert a.shape == b.shape, (a.shape, b.shape); print(float(np.abs(a - b).max()))" "$@"
}

for run in gan:100 dcgan:100 vae:8 cvae:6; do
  name=${run%%:*} dim=${run##*:}
  say "$name: gencli and plain PyTorch decode the same latent vectors"
  ok "export-$name" "$GENCLI" export --checkpoint $name/checkpoints/last.pt --format safetensors --out $name.safetensors
  latents 16 "$dim" z-$name.npy
  ok "sample-$name" "$GENCLI" sample --checkpoint $name.safetensors --latents z-$name.npy --npy gencli-$name.npy \
    --out $name.png
  ok "python-$name" "$TOOLS" -W ignore "$EXAMPLE" $name.safetensors z-$name.npy torch-$name.npy
  diff=$(max_diff gencli-$name.npy torch-$name.npy)
  check "$name: largest difference $diff (at most 1e-4)"
  "$TOOLS" -c "import sys; sys.exit(not float(sys.argv[1]) <= 1e-4)" "$diff" || fail "$name: PyTorch's images differ by $diff"
done

check "safetensors.torch.load_file reads a bfloat16 export: every tensor bfloat16, close to float32"
ok bf16 "$GENCLI" export --checkpoint vae/checkpoints/last.pt --format safetensors --dtype bfloat16 --out vae-bf16.safetensors
"$TOOLS" -W ignore - <<'PY'
import torch
from safetensors.torch import load_file
full, half = load_file("vae.safetensors"), load_file("vae-bf16.safetensors")
assert full.keys() == half.keys() and all(t.dtype == torch.bfloat16 for t in half.values())
worst = max(float((full[k] - half[k].float()).abs().max() / full[k].abs().max().clamp_min(1e-12)) for k in full)
assert worst < 1 / 128, worst
print(f"    {len(half)} tensors, largest relative rounding {worst:.2e}")
PY

check "a file written by safetensors.torch.save_file loads in gencli and decodes as PyTorch does"
"$TOOLS" -W ignore - <<'PY'
from safetensors import safe_open
from safetensors.torch import load_file, save_file
with safe_open("gan.safetensors", framework="pt") as f:
    metadata = f.metadata()
weights = {k: v * 0.5 if k.endswith("weight") else v for k, v in load_file("gan.safetensors").items()}
save_file(weights, "halved.safetensors", metadata=metadata)
PY
ok sample-halved "$GENCLI" sample --checkpoint halved.safetensors --latents z-gan.npy --npy gencli-halved.npy --out h.png
ok python-halved "$TOOLS" -W ignore "$EXAMPLE" halved.safetensors z-gan.npy torch-halved.npy
diff=$(max_diff gencli-halved.npy torch-halved.npy)
"$TOOLS" -c "import sys; sys.exit(not float(sys.argv[1]) <= 1e-4)" "$diff" || fail "halved: gencli and PyTorch differ by $diff"
changed=$(max_diff gencli-halved.npy gencli-gan.npy)
"$TOOLS" -c "import sys; sys.exit(not float(sys.argv[1]) > 1e-3)" "$changed" || fail "halved weights gave the same images"
check "halved: gencli and PyTorch within $diff; the images moved by $changed from the original's"
finish
