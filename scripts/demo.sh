#!/usr/bin/env bash
# The main job from a fresh Debian machine: install, build, prepare the digits,
# train the digit GAN (configs/gan_mnist.json) and write a sample grid.
# A second run reuses the build, the data and the finished run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_deps.sh
scripts/build.sh gencli

# Real MNIST when the network allows; otherwise OpenCV's 5,000 real handwritten digits.
if [ ! -f data/mnist/SOURCE.txt ]; then
  scripts/fetch_digit_sheet.sh data/cache >/dev/null || echo "demo: no digit sheet; trying the real MNIST only" >&2
fi
build/gencli data prepare mnist --out data/mnist

run=runs/gan_mnist
start=$(date +%s)
if [ -f "$run/checkpoints/last.pt" ]; then
  build/gencli train --out "$run" --resume        # finishes an interrupted run; instant if done
else
  build/gencli train --config configs/gan_mnist.json --out "$run"
fi
echo "demo: training took $(( $(date +%s) - start )) s"

build/gencli sample --checkpoint "$run/checkpoints/last.pt" --num 64 --nrow 8 --seed 1 --out "$run/digits.png" >/dev/null
echo "demo: sample grid written to $(realpath "$run/digits.png")"
