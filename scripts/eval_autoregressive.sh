#!/usr/bin/env bash
# The autoregressive families' figures, on checkpoints already trained (train them with
# `gencli train --config configs/pixelcnn_mnist.json` and `configs/wavenet_speech.json`):
#   PixelCNN: test NLL (nats, bits/dim), and the time to draw a batch of 16 images pixel by pixel;
#   WaveNet: held-out NLL in bits per audio sample, and the time to generate one second of audio
#   with the per-layer cache and by recomputing the receptive field (the two WAVs must be equal).
# Usage: scripts/eval_autoregressive.sh [PIXELCNN_RUN] [WAVENET_RUN]
#        (default runs/pixelcnn_mnist and runs/wavenet_speech; a missing run is skipped)
#        NO_CACHE_SECONDS=0.1 shortens the slow recomputed generation (then it is not 1 s).
set -euo pipefail
cd "$(dirname "$0")/.."
pixel_run=${1:-runs/pixelcnn_mnist}
wave_run=${2:-runs/wavenet_speech}
no_cache_seconds=${NO_CACHE_SECONDS:-1.0}
out=${OUT:-runs/eval_autoregressive}
mkdir -p "$out"
scripts/build.sh gencli >/dev/null

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
metric() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['metrics'][sys.argv[2]])" "$1" "$2"; }

if [ -f "$pixel_run/checkpoints/last.pt" ]; then
  ck=$pixel_run/checkpoints/last.pt
  build/gencli eval --checkpoint "$ck" --json >"$out/pixelcnn_eval.json"
  t0=$(now)
  build/gencli sample --checkpoint "$ck" --num 16 --nrow 4 --out "$out/pixelcnn_samples.png" >/dev/null 2>&1
  t1=$(now)
  build/gencli sample --checkpoint "$ck" --mode complete --given-rows 14 --num 8 --nrow 8 \
    --out "$out/pixelcnn_completed.png" >/dev/null 2>&1
  seconds=$(elapsed "$t0" "$t1")
  echo "pixelcnn $ck: test NLL $(metric "$out/pixelcnn_eval.json" nll_nats) nats," \
       "$(metric "$out/pixelcnn_eval.json" bits_per_dim) bits/dim on $(metric "$out/pixelcnn_eval.json" test_images) images;" \
       "16 samples in $seconds s ($(python3 -c "print(f'{$seconds / 16:.2f}')") s per image)"
  echo "  grids: $out/pixelcnn_samples.png, $out/pixelcnn_completed.png"
fi

if [ -f "$wave_run/checkpoints/last.pt" ]; then
  ck=$wave_run/checkpoints/last.pt
  build/gencli eval --checkpoint "$ck" --json >"$out/wavenet_eval.json"
  echo "wavenet $ck: held-out NLL $(metric "$out/wavenet_eval.json" bits_per_sample) bits/sample" \
       "($(metric "$out/wavenet_eval.json" bits_per_sample_with_padding) counting the padding) on" \
       "$(metric "$out/wavenet_eval.json" test_clips) clips"
  t0=$(now)
  build/gencli sample --checkpoint "$ck" --seconds 1.0 --class 3 --seed 7 --out "$out/wavenet_1s.wav" >/dev/null 2>&1
  t1=$(now)
  echo "  1.0 s of audio with the cache: $(elapsed "$t0" "$t1") s  ($out/wavenet_1s.wav)"
  build/gencli sample --checkpoint "$ck" --seconds "$no_cache_seconds" --class 3 --seed 7 \
    --out "$out/wavenet_cached.wav" >/dev/null 2>&1
  t0=$(now)
  build/gencli sample --checkpoint "$ck" --seconds "$no_cache_seconds" --class 3 --seed 7 --no-cache \
    --out "$out/wavenet_recomputed.wav" >/dev/null 2>&1
  t1=$(now)
  same=$(cmp -s "$out/wavenet_cached.wav" "$out/wavenet_recomputed.wav" && echo identical || echo DIFFERENT)
  echo "  $no_cache_seconds s of audio recomputing the receptive field: $(elapsed "$t0" "$t1") s; the WAV is $same to the cached one"
fi
