#!/usr/bin/env bash
# data.type image_folder end to end: PNGs of mixed sizes in class sub-folders train a GAN
# (grayscale) and a VAE (RGB) for a few steps at data.image_size 16, sample grids come out
# at that size, and a corrupt file or a wrong class count fails with one clear line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "fixture: 24 PNGs (RGB and gray, 20x24 .. 36x30) in class folders circle/ and square/"
"$PYTHON" - "$WORK/imgs" <<'EOF2'
import os, struct, sys, zlib

def write_png(path, w, h, channels, pixel):
    rows = b"".join(b"\0" + bytes(v for x in range(w) for v in pixel(x, y)) for y in range(h))
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    color = {1: 0, 3: 2}[channels]
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)

root = sys.argv[1]
for cls in ("circle", "square"):
    os.makedirs(os.path.join(root, cls))
    for i in range(12):
        w, h, channels = 20 + i % 3 * 8, 24 + i % 2 * 6, 3 if i % 2 else 1
        def inside(x, y):
            dx, dy = x - w / 2, y - h / 2
            return dx * dx + dy * dy < (w / 3) ** 2 if cls == "circle" else abs(dx) < w / 4 and abs(dy) < h / 4
        def pixel(x, y):
            v = 230 if inside(x, y) else 20 + i
            return (v,) if channels == 1 else (v, v // 2, 255 - v)
        write_png(os.path.join(root, cls, f"{i:02d}.png"), w, h, channels, pixel)
EOF2
FOLDER=(--set data.type=image_folder --set data.root="$WORK/imgs" --set data.image_size=16
  --set data.num_classes=2 --set train.batch_size=8 --set train.log_every=1 --set train.sample_every=2
  --threads 1 --device cpu)

say "conditional GAN, grayscale: 2 steps"
ok gan "$GENCLI" train "${TINY_GAN[@]}" "${FOLDER[@]}" --set model.image_size=16 --set model.conditional=true \
  --set train.steps=2 --out G
assert_contains "$WORK/gan.err" "image folder $WORK/imgs" "training log"
assert_contains "$WORK/gan.err" "training images of 1x16x16" "training log"
ok gsample "$GENCLI" sample --checkpoint G/checkpoints/last.pt --num 4 --nrow 2 --out g.png
check "grid of 2x2 tiles of 16 px is 38x38"
[ "$(png_size g.png)" = "38 38" ] || fail "g.png is $(png_size g.png), expected 38 38"

say "VAE, RGB: 2 steps, then eval on the held-out files"
ok vae "$GENCLI" train --config "$SOURCE_DIR/configs/vae_mnist.json" "${FOLDER[@]}" --set data.channels=3 \
  --set model.image_size=16 --set model.image_channels=3 --set model.hidden=[32] --set model.latent_dim=4 \
  --set train.steps=2 --out V
assert_contains "$WORK/vae.err" "training images of 3x16x16" "training log"
ok vsample "$GENCLI" sample --checkpoint V/checkpoints/last.pt --num 4 --nrow 2 --out v.png
[ "$(png_size v.png)" = "38 38" ] || fail "v.png is $(png_size v.png), expected 38 38"
ok veval "$GENCLI" eval --checkpoint V/checkpoints/last.pt --json --iw-samples 2

say "bad folders"
expect_exit 2 classes "$GENCLI" train "${TINY_GAN[@]}" "${FOLDER[@]}" --set model.image_size=16 \
  --set data.num_classes=3 --set train.steps=1 --out bad1
assert_error "$WORK/classes.err" "data.num_classes"
assert_no_file bad1
printf 'not a png' >"$WORK/imgs/square/05.png"
expect_exit 2 corrupt "$GENCLI" train "${TINY_GAN[@]}" "${FOLDER[@]}" --set model.image_size=16 \
  --set train.steps=1 --out bad2
assert_error "$WORK/corrupt.err" "square/05.png"
mkdir "$WORK/empty"
expect_exit 2 empty "$GENCLI" train "${TINY_GAN[@]}" "${FOLDER[@]}" --set data.root="$WORK/empty" --set train.steps=1 \
  --out bad3
assert_error "$WORK/empty.err" "no PNG or JPEG images"

finish
