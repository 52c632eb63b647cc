#!/usr/bin/env bash
# `gencli bench` on tiny configs: peak reports positive float32 rates (and bf16's only where
# the CPU has it natively); train runs the shared loop in a scratch folder it removes, and its
# figures agree with each other; sample times images, text with and without the KV cache, and
# audio with and without the WaveNet cache; bad input fails with one line and leaves nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p tmp
export TMPDIR=$WORK/tmp

say "bench peak --json"
ok peak "$GENCLI" bench peak --threads 1 --json
"$PYTHON" - "$WORK/peak.out" <<'EOF2'
import json, sys
d = json.loads(open(sys.argv[1]).read())
print(f"    matmul {d['matmul_gflops']:.1f}, conv {d['conv_gflops']:.1f}, bf16 {d['bf16_matmul_gflops']} GFLOP/s")
if not (d["matmul_gflops"] > 0 and d["conv_gflops"] > 0 and d["threads"] == 1):
    sys.exit("peak rates missing")
if d["bf16_matmul_gflops"] is None and "bf16_note" not in d:
    sys.exit("bf16 left out without saying why")
EOF2

say "bench train gan_toy2d: 20 timed steps after 3"
TOY=(--config "$SOURCE_DIR/configs/gan_toy2d.json" --set data.toy_points=2000 --threads 1 --device cpu)
ok train "$GENCLI" bench train "${TOY[@]}" --steps 20 --warmup 3 --json --no-peak
"$PYTHON" - "$WORK/train.out" <<'EOF2'
import json, sys
d = json.loads(open(sys.argv[1]).read())
print(f"    {d['steps_per_s']:.1f} steps/s, {d['flops_per_step']:.0f} FLOP/step, start-up {d['startup_s']:.2f} s")
assert d["bench"] == "train" and d["model_type"] == "gan" and d["steps"] == 20 and d["warmup"] == 3, d
assert d["steps_per_s"] > 0 and d["flops_per_step"] > 0 and d["peak_rss_mb"] > 0, d
assert abs(d["samples_per_s"] - d["steps_per_s"] * d["batch_size"]) < 1e-6 * d["samples_per_s"], d
assert abs(d["achieved_gflops"] - d["flops_per_step"] * d["steps_per_s"] / 1e9) < 1e-9 + 1e-6 * d["achieved_gflops"], d
assert 0 < d["startup_s"] < 120, d
assert "peak" not in d, "--no-peak measured the peak"
EOF2
check "the scratch run folder is gone, and nothing was written here"
[ -z "$(ls -A tmp)" ] || fail "bench train left $(ls -A tmp) in TMPDIR"
[ ! -e runs ] || fail "bench train wrote a runs/ folder"

say "bench train --profile: the timed steps operator by operator, and their Chrome trace"
ok profile "$GENCLI" bench train "${TOY[@]}" --steps 4 --warmup 2 --json --no-peak --profile --trace "$WORK/trace.json"
"$PYTHON" - "$WORK/profile.out" "$WORK/trace.json" <<'EOF2'
import json, sys
d = json.loads(open(sys.argv[1]).read())
p = d["profile"]
ops = {o["name"]: o for o in p["operators"]}
print(f"    {len(ops)} operators, {p['recorded_ms_per_step']:.2f} ms a step recorded")
# The toy GAN's linear layers and gencli's fused Adam, once per step for each of its two networks.
assert "aten::addmm" in ops and ops["aten::addmm"]["calls_per_step"] >= 4, sorted(ops)
assert ops["gencli::fused_adam_step"]["calls_per_step"] == 2, ops["gencli::fused_adam_step"]
assert all(0 <= o["self_ms_per_step"] <= o["total_ms_per_step"] + 1e-9 for o in p["operators"])
assert 0 <= p["outside_operators_ms_per_step"] <= p["recorded_ms_per_step"], p
trace = json.loads(open(sys.argv[2]).read())
assert any(e.get("name") == "aten::addmm" and e.get("ph") == "X" for e in trace), "no addmm in the trace"
EOF2
check "the plain report lists the operators; a trace into a missing folder fails before training, leaving nothing"
ok profile-plain "$GENCLI" bench train "${TOY[@]}" --steps 2 --warmup 1 --no-peak --profile
assert_contains "$WORK/profile-plain.out" "aten::addmm" "bench train --profile's table"
expect_exit 2 trace-nowhere "$GENCLI" bench train "${TOY[@]}" --steps 2 --warmup 1 --trace "$WORK/no/such/t.json"
assert_error "$WORK/trace-nowhere.err" "no/such"
assert_error "$WORK/trace-nowhere.err" "does not exist"  # the check before training, not the write after it
expect_exit 2 trace-folder "$GENCLI" bench train "${TOY[@]}" --steps 2 --warmup 1 --trace "$WORK"
assert_error "$WORK/trace-folder.err" "is not a file"
[ -z "$(ls -A tmp)" ] || fail "a failed bench train left $(ls -A tmp) in TMPDIR"

check "the plain report names the shares of the peak"
ok train-plain "$GENCLI" bench train "${TOY[@]}" --steps 5 --warmup 1
assert_contains "$WORK/train-plain.out" "of the matrix-product peak" "bench train's report"

check "an unknown config key: one error line naming it, exit 2, nothing left behind"
expect_exit 2 bad-key "$GENCLI" bench train "${TOY[@]}" --set train.stepz=3
assert_error "$WORK/bad-key.err" "train.stepz"
[ -z "$(ls -A tmp)" ] || fail "a failed bench train left $(ls -A tmp) in TMPDIR"

say "bench sample: points of a toy GAN"
ok toy-train "$GENCLI" train "${TOY[@]}" --set train.steps=20 --set train.sample_every=0 --out T
ok toy-sample "$GENCLI" bench sample --checkpoint T/checkpoints/last.pt --num 64 --json
"$PYTHON" - "$WORK/toy-sample.out" <<'EOF2'
import json, sys
d = json.loads(open(sys.argv[1]).read())
[t] = d["timings"]
assert t["what"] == "images" and t["cache"] == "-" and t["amount"] == 64 and t["rate"] > 0, d
EOF2

say "bench sample: a tiny GPT, with and without its KV cache"
"$PYTHON" -c 'import random; r = random.Random(1); open("t.txt", "w").write("".join(r.choice("abc de\n") for _ in range(20000)))'
ok gpt-train "$GENCLI" train --config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/t.txt" \
  --set model.n_layer=1 --set model.n_head=2 --set model.n_embd=16 --set model.block_size=16 --set train.batch_size=4 \
  --set train.steps=10 --set train.eval_every=0 --set train.checkpoint_every=10 --threads 1 --device cpu --out G
ok gpt-sample "$GENCLI" bench sample --checkpoint G/checkpoints/last.pt --tokens 40 --json
"$PYTHON" - "$WORK/gpt-sample.out" <<'EOF2'
import json, sys
d = json.loads(open(sys.argv[1]).read())
caches = [(t["what"], t["cache"], t["amount"]) for t in d["timings"]]
assert caches == [("tokens", "on", 40), ("tokens", "off", 40)], caches
assert all(t["rate"] > 0 and t["unit"] == "tokens/s" for t in d["timings"]), d
EOF2
ok gpt-sample-on "$GENCLI" bench sample --checkpoint G/checkpoints/last.pt --tokens 10 --cache on
assert_contains "$WORK/gpt-sample-on.out" "10 tokens (cache)" "bench sample's report"
expect_exit 2 bad-cache "$GENCLI" bench sample --checkpoint G/checkpoints/last.pt --cache sometimes
assert_error "$WORK/bad-cache.err" "--cache sometimes"

say "bench sample: a tiny WaveNet's real-time factor, with and without its cache"
"$PYTHON" - tones <<'EOF2'
import math, os, struct, sys, wave
os.makedirs(os.path.join(sys.argv[1], "0_tone"), exist_ok=True)
for i in range(4):
    frames = b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * (300 + 40 * i) * n / 8000))) for n in range(2000))
    with wave.open(os.path.join(sys.argv[1], "0_tone", f"t{i}.wav"), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.writeframes(frames)
EOF2
ok wave-train "$GENCLI" train --config "$SOURCE_DIR/configs/wavenet_speech.json" --set data.root="$WORK/tones" \
  --set data.sample_rate=8000 --set data.num_classes=1 --set data.clip_seconds=0.25 --set model.residual_channels=8 \
  --set model.skip_channels=16 --set model.layers_per_stack=4 --set model.stacks=1 --set model.window=200 \
  --set train.batch_size=2 --set train.steps=5 --set train.checkpoint_every=5 --threads 1 --device cpu --out W
ok wave-sample "$GENCLI" bench sample --checkpoint W/checkpoints/last.pt --seconds 0.02 --json
"$PYTHON" - "$WORK/wave-sample.out" <<'EOF2'
import json, sys
d = json.loads(open(sys.argv[1]).read())
caches = [(t["what"], t["cache"], round(t["amount"], 4)) for t in d["timings"]]
assert caches == [("audio", "on", 0.02), ("audio", "off", 0.02)], caches
assert all(t["rate"] > 0 and t["unit"] == "x real time" for t in d["timings"]), d
EOF2
finish
