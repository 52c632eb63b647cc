#!/usr/bin/env bash
# safetensors export and import from the command line: an exported VAE and GAN sample exactly as
# their checkpoints do, --latents decodes given vectors, bfloat16 exports load, the file's names
# and metadata are what a PyTorch state_dict reader expects, and broken files fail with one line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# refused LABEL TEXT CMD...: CMD exits 2 with one error line containing TEXT.
refused() {
  local label=$1 text=$2
  shift 2
  expect_exit 2 "$label" "$@"
  assert_error "$WORK/$label.err" "$text"
}

make_fixture fx
COMMON=(--set data.root="$WORK/fx" --set train.log_every=20 --threads 1 --device cpu)
ok vae "$GENCLI" train --config "$SOURCE_DIR/configs/vae_mnist.json" "${COMMON[@]}" --set model.hidden=[64] \
  --set model.latent_dim=8 --set train.steps=40 --out V
ok gan "$GENCLI" train --config "$SOURCE_DIR/configs/gan_mnist.json" "${COMMON[@]}" --set train.steps=40 --out G

for run in V G; do
  say "$run: export, then sample from the export and from the checkpoint"
  ok "export-$run" "$GENCLI" export --checkpoint $run/checkpoints/last.pt --format safetensors --out $run.safetensors
  ok "sample-st-$run" "$GENCLI" sample --checkpoint $run.safetensors --num 8 --seed 5 --npy $run-st.npy --out $run-st.png
  ok "sample-pt-$run" "$GENCLI" sample --checkpoint $run/checkpoints/last.pt --num 8 --seed 5 --npy $run-pt.npy --out $run-pt.png
  cmp -s $run-st.npy $run-pt.npy || fail "$run: samples from the export differ from the checkpoint's"
done

check "the header: state_dict names, F32, the config and provenance in __metadata__"
"$PYTHON" - V.safetensors "$(sha256_of V/checkpoints/last.pt)" <<'PY'
import json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
meta = h.pop("__metadata__")
assert meta["format"] == "pt", meta
assert meta["gencli.checkpoint_sha256"] == sys.argv[2], meta
assert json.loads(meta["gencli.config"])["model"]["type"] == "vae", meta
assert meta["gencli.data_fingerprint"].startswith("sha256:"), meta
assert "decoder.body.0.weight" in h and "encoder.head.bias" in h, sorted(h)
assert all(v["dtype"] == "F32" for v in h.values()), h
end = max(v["data_offsets"][1] for v in h.values())
assert 8 + n + end == len(b), (n, end, len(b))
print(f"    {len(h)} tensors, {len(b)} bytes, metadata keys {sorted(meta)}")
PY

say "--latents: the same vectors give the same images; a wrong shape is refused"
"$PYTHON" - z.npy <<'PY'
import struct, sys, random
random.seed(1)
rows, dim = 4, 8
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, dim)
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
data = struct.pack(f"<{rows * dim}d", *[random.gauss(0, 1) for _ in range(rows * dim)])
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data)
PY
ok lat1 "$GENCLI" sample --checkpoint V.safetensors --latents z.npy --npy z1.npy --out z1.png
ok lat2 "$GENCLI" sample --checkpoint V/checkpoints/last.pt --latents z.npy --npy z2.npy --out z2.png
cmp -s z1.npy z2.npy || fail "--latents: the export and the checkpoint decode z.npy differently"
refused bad1 "--latents: shape" "$GENCLI" sample --checkpoint G.safetensors --latents z.npy --out g.png

say "bfloat16 export loads and samples close to float32"
ok bf16 "$GENCLI" export --checkpoint V/checkpoints/last.pt --format safetensors --dtype bfloat16 --out Vb.safetensors
ok sample-bf16 "$GENCLI" sample --checkpoint Vb.safetensors --num 8 --seed 5 --npy Vb.npy --out Vb.png
npy_close Vb.npy V-st.npy 0.05 || fail "bfloat16 export samples far from float32"

say "init.from an export: fine-tuning starts from its weights"
ok init "$GENCLI" train --config "$SOURCE_DIR/configs/vae_mnist.json" "${COMMON[@]}" --set model.hidden=[64] \
  --set model.latent_dim=8 --set train.steps=1 --set init.from="$WORK/V.safetensors" --out V2

say "broken files: one line naming the file or the tensor"
head -c 100 V.safetensors > short.safetensors
refused bad2 "short.safetensors" "$GENCLI" sample --checkpoint short.safetensors --out s.png
printf '\xff\xff\xff\xff\x00\x00\x00\x00{}' > huge.safetensors
refused bad3 "100 MB limit" "$GENCLI" sample --checkpoint huge.safetensors --out s.png
"$PYTHON" - V.safetensors bad.safetensors <<'PY'
import json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
h["decoder.body.0.weight"]["shape"] = [65, 8]
t = json.dumps(h).encode()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(t)) + t + b[8 + n:])
PY
refused bad4 "tensor decoder.body.0.weight" "$GENCLI" sample --checkpoint bad.safetensors --out s.png
refused bad5 "name a .safetensors file" "$GENCLI" export --checkpoint V/checkpoints/last.pt --format safetensors --out x.pt
finish
