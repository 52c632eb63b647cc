#!/usr/bin/env bash
# The autoregressive families from the command line. PixelCNN: training lowers the NLL, a
# sample grid (the same with and without the generation cache) and a completion grid are
# written, eval's bits/dim agree with its nats. WaveNet on
# a folder of WAV tones: training lowers the NLL, `sample` writes a WAV of the asked length, the
# cached and recomputed generations write identical files, eval scores held-out clips. Options
# that do not apply fail with one clear line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# falls FILE KEY RATIO: the KEY of the last metrics row is below RATIO x the first row's.
falls() {
  "$PYTHON" - "$1" "$2" "$3" <<'EOF2'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
key, ratio = sys.argv[2], float(sys.argv[3])
first, last = rows[0][key], rows[-1][key]
print(f"    {key} {first:.3f} at step {rows[0]['step']} -> {last:.3f} at step {rows[-1]['step']}")
if not last < ratio * first:
    sys.exit(f"{key} did not fall below {ratio} x its first value")
EOF2
}

say "PixelCNN on a fixture of 512 train / 128 test synthetic digits"
make_fixture fx
PIX=(--config "$SOURCE_DIR/configs/pixelcnn_mnist.json" --set data.root="$WORK/fx" --set model.channels=8
  --set model.layers=3 --set model.head_channels=16 --set train.batch_size=32 --set train.log_every=20
  --set train.checkpoint_every=100 --set train.sample_every=0 --set optim.lr=0.005 --threads 1 --device cpu)
ok pix-train "$GENCLI" train "${PIX[@]}" --set train.steps=120 --out P
check "NLL falls (last logged < 0.8 x first)"
falls P/metrics.jsonl nll 0.8
CK=P/checkpoints/last.pt
ok pix-sample "$GENCLI" sample --checkpoint "$CK" --num 4 --nrow 2 --temperature 0.8 --seed 3 --out pix.png
[ "$(png_size pix.png)" = "62 62" ] || fail "pix.png is $(png_size pix.png), expected 62 62"
ok pix-nocache "$GENCLI" sample --checkpoint "$CK" --num 4 --nrow 2 --temperature 0.8 --seed 3 --no-cache --out pix-b.png
check "the cached and the recomputed pixel-by-pixel generation write the same grid"
cmp -s pix.png pix-b.png || fail "pix.png (cache) and pix-b.png (no cache) differ"
ok pix-complete "$GENCLI" sample --checkpoint "$CK" --mode complete --given-rows 14 --num 4 --nrow 4 --out done.png
check "complete: given / completed / original rows of 4"
[ "$(png_size done.png)" = "122 92" ] || fail "done.png is $(png_size done.png), expected 122 92"
ok pix-eval "$GENCLI" eval --checkpoint "$CK" --json
check "eval: bits_per_dim = nll_nats / (784 ln 2), and the NLL lies between 0 and 784 ln 2 (a fair coin per pixel)"
"$PYTHON" - "$WORK/pix-eval.out" <<'EOF2'
import json, math, sys
j = json.loads(open(sys.argv[1]).read())["metrics"]
nats, bpd = j["nll_nats"], j["bits_per_dim"]
print(f"    test NLL {nats:.2f} nats, {bpd:.4f} bits/dim on {j['test_images']} images")
if j["test_images"] != 128 or abs(bpd - nats / (784 * math.log(2))) > 1e-6 or not 0 < nats < 784 * math.log(2):
    sys.exit("eval figures are inconsistent")
EOF2
check "given rows out of range, --seconds on an image model: exit 2 naming the option"
expect_exit 2 pix-rows "$GENCLI" sample --checkpoint "$CK" --mode complete --given-rows 28 --out x.png
assert_error "$WORK/pix-rows.err" "--given-rows 28"
expect_exit 2 pix-seconds "$GENCLI" sample --checkpoint "$CK" --seconds 2 --out x.png
assert_error "$WORK/pix-seconds.err" "--seconds"
assert_no_file x.png

say "WaveNet on a folder of 8 kHz tones, two classes"
"$PYTHON" - tones <<'EOF2'
import math, os, struct, sys, wave
for label, base in (("0_low", 220.0), ("1_high", 660.0)):
    os.makedirs(os.path.join(sys.argv[1], label), exist_ok=True)
    for i in range(10):
        f = base * (1 + 0.03 * i)
        frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * f * n / 8000))) for n in range(2000))
        with wave.open(os.path.join(sys.argv[1], label, f"tone{i}.wav"), "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.writeframes(frames)
EOF2
WAVE=(--config "$SOURCE_DIR/configs/wavenet_speech.json" --set data.root="$WORK/tones" --set data.sample_rate=8000
  --set data.num_classes=2 --set data.clip_seconds=0.25 --set model.residual_channels=8 --set model.skip_channels=16
  --set model.layers_per_stack=5 --set model.stacks=1 --set model.window=400 --set train.batch_size=4
  --set train.log_every=20 --set train.checkpoint_every=100 --set optim.lr=0.005 --threads 1 --device cpu)
ok wave-train "$GENCLI" train "${WAVE[@]}" --set train.steps=100 --out W
check "NLL falls (last logged < 0.7 x first)"
falls W/metrics.jsonl nll 0.7
CK=W/checkpoints/last.pt
ok wave-sample "$GENCLI" sample --checkpoint "$CK" --seconds 0.1 --class 1 --seed 5 --out a.wav
check "a.wav: mono 16-bit PCM at 8000 Hz, 800 samples, not silent"
"$PYTHON" - a.wav <<'EOF2'
import struct, sys, wave
with wave.open(sys.argv[1]) as w:
    shape = (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes())
    data = struct.unpack(f"<{w.getnframes()}h", w.readframes(w.getnframes()))
if shape != (1, 2, 8000, 800):
    sys.exit(f"a.wav is (channels, bytes, rate, frames) {shape}")
if max(abs(x) for x in data) < 100:
    sys.exit("a.wav is silent")
EOF2
ok wave-nocache "$GENCLI" sample --checkpoint "$CK" --seconds 0.1 --class 1 --seed 5 --no-cache --out b.wav
check "the cached and the recomputed generation write the same file"
cmp -s a.wav b.wav || fail "a.wav (cache) and b.wav (no cache) differ"
ok wave-eval "$GENCLI" eval --checkpoint "$CK" --json
"$PYTHON" - "$WORK/wave-eval.out" <<'EOF2'
import json, sys
j = json.loads(open(sys.argv[1]).read())["metrics"]
print(f"    held-out {j['test_clips']} clips: {j['bits_per_sample']:.3f} bits/sample")
if j["test_clips"] != 2 or not 0 < j["bits_per_sample"] < 8:
    sys.exit("wavenet eval figures are off")
EOF2
check "--out x.png for audio, --mode complete for audio: exit 2 naming the value"
expect_exit 2 wave-png "$GENCLI" sample --checkpoint "$CK" --out x.png
assert_error "$WORK/wave-png.err" "x.png"
expect_exit 2 wave-mode "$GENCLI" sample --checkpoint "$CK" --mode complete --out x.wav
assert_error "$WORK/wave-mode.err" "complete"
assert_no_file x.wav
say "pass"
