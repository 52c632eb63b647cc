#!/usr/bin/env bash
# TensorBoard logs, read back with TensorBoard's own loader (pip's tensorboard, from
# scripts/install_python_tools.sh; skipped when it is absent): every run writes
# runs/NAME/tensorboard/events.out.tfevents.*, whose records pass TensorBoard's CRC checks and
# hold each metric as a scalar at the steps metrics.jsonl has, the sample grids as images equal
# to the PNG files, a GPT's samples as text and a WaveNet's as audio; a resumed run adds a file
# TensorBoard reads as the same run, and train.tensorboard=false writes none.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_python_tools tensorboard

# read_events RUN CHECKS: loads RUN/tensorboard with TensorBoard's EventAccumulator and runs
# the Python CHECKS with `acc` (the accumulator), `run` and `metrics` (metrics.jsonl rows).
read_events() {
  "$TOOLS" -W ignore - "$1" "$2" <<'PY'
import json, os, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
run, checks = sys.argv[1], sys.argv[2]
acc = EventAccumulator(os.path.join(run, "tensorboard"), size_guidance={"scalars": 0, "images": 0, "audio": 0, "tensors": 0})
acc.Reload()
metrics = [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl"))]
exec(checks)
PY
}

make_fixture fx
ok gan "$GENCLI" train "${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.steps=40 --threads 1 --device cpu --out G
check "GAN: scalars at metrics.jsonl's steps, grids equal to the PNG files, and a resume adds to the same run"
ok gan-more "$GENCLI" train "${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.steps=60 --threads 1 --device cpu \
  --out G --resume
read_events G '
import glob
assert len(glob.glob(os.path.join(run, "tensorboard", "events.out.tfevents.*"))) == 2
tags = acc.Tags()
for name in ("loss_d", "loss_g", "lr"):
    steps = [e.step for e in acc.Scalars("train/" + name)]
    assert steps == [m["step"] for m in metrics], (name, steps)
for e, m in zip(acc.Scalars("train/loss_d"), metrics):
    assert abs(e.value - m["loss_d"]) <= 1e-6 * max(1, abs(m["loss_d"])), (e, m)
assert "speed/samples_per_s" in tags["scalars"] and "cost/energy_j" in tags["scalars"], tags["scalars"]
images = acc.Images("samples")
assert [i.step for i in images] == [20, 40, 60], [i.step for i in images]
for i in images:
    png = open(os.path.join(run, "samples", "step-%08d.png" % i.step), "rb").read()
    assert i.encoded_image_string == png, "the image at step %d differs from its PNG file" % i.step
print("    %d scalar tags, %d images, steps %s" % (len(tags["scalars"]), len(images), [i.step for i in images]))
'

say "GPT: its samples as text"
"$PYTHON" -c "open('t.txt','w').write('the cat sees a fish.\n' * 300)"
ok gpt "$GENCLI" train --config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/t.txt" \
  --set model.n_layer=1 --set model.n_head=2 --set model.n_embd=16 --set model.block_size=16 --set train.batch_size=4 \
  --set train.steps=20 --set train.log_every=10 --set train.sample_every=10 --threads 1 --device cpu --out T
read_events T '
texts = acc.Tensors("samples")
assert [t.step for t in texts] == [10, 20], [t.step for t in texts]
for t in texts:
    shown = t.tensor_proto.string_val[0].decode()
    sample = open(os.path.join(run, "samples", "step-%08d.txt" % t.step)).read().rstrip("\n")
    assert shown == "```\n" + sample + "\n```", (shown, sample)
    assert len(sample) == 200, len(sample)
assert acc.summary_metadata["samples"].plugin_data.plugin_name == "text"
print("    text at steps", [t.step for t in texts])
'

say "WaveNet: its samples as audio"
"$PYTHON" - tones <<'PY'
import math, os, struct, sys, wave
os.makedirs(os.path.join(sys.argv[1], "0_tone"), exist_ok=True)
for i in range(4):
    frames = b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * (300 + 40 * i) * n / 8000))) for n in range(2000))
    with wave.open(os.path.join(sys.argv[1], "0_tone", f"t{i}.wav"), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.writeframes(frames)
PY
ok wave "$GENCLI" train --config "$SOURCE_DIR/configs/wavenet_speech.json" --set data.root="$WORK/tones" \
  --set data.sample_rate=8000 --set data.num_classes=1 --set data.clip_seconds=0.25 --set model.residual_channels=4 \
  --set model.skip_channels=4 --set model.layers_per_stack=3 --set model.stacks=1 --set model.window=100 \
  --set train.batch_size=2 --set train.steps=10 --set train.log_every=5 --set train.sample_every=10 --threads 1 \
  --device cpu --out W
read_events W '
clips = acc.Audio("samples")
assert [c.step for c in clips] == [10] and clips[0].sample_rate == 8000 and clips[0].length_frames == 8000, clips
wav = open(os.path.join(run, "samples", "step-00000010.wav"), "rb").read()
assert clips[0].encoded_audio_string == wav and clips[0].content_type == "audio/wav"
print("    one clip of", clips[0].length_frames, "samples at", clips[0].sample_rate, "Hz")
'

say "train.tensorboard=false: no event file"
ok off "$GENCLI" train "${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.steps=20 --set train.tensorboard=false \
  --threads 1 --device cpu --out N
assert_no_file N/tensorboard
finish
