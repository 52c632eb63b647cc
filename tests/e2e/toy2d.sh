#!/usr/bin/env bash
# data.type toy2d end to end: a short gan_toy2d run writes scatter plots, `sample` writes a
# scatter PNG and (N, 2) points, `eval` adds the mode-coverage keys, and bad toy settings fail
# with one clear line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOY=(--config "$SOURCE_DIR/configs/gan_toy2d.json" --set train.log_every=100 --set train.sample_every=150
  --set train.checkpoint_every=150 --set data.toy_points=2000 --threads 1 --device cpu)

say "train gan_toy2d for 300 steps"
ok train "$GENCLI" train "${TOY[@]}" --set train.steps=300 --out T
assert_contains "$WORK/train.err" "toy2d ring8" "training log"
check "samples during training are 512x512 scatter plots"
[ "$(png_size T/samples/step-00000300.png)" = "512 512" ] || fail "T/samples/step-00000300.png is not 512x512"

CK=T/checkpoints/last.pt
say "sample 500 points with --npy"
ok sample "$GENCLI" sample --checkpoint "$CK" --num 500 --out p.png --npy p.npy --seed 3
[ "$(png_size p.png)" = "512 512" ] || fail "p.png is $(png_size p.png), expected 512 512"
[ "$(png_text p.png gencli:model_type)" = gan ] || fail "p.png: gencli:model_type is not gan"
[ "$(png_text p.png gencli:step)" = 300 ] || fail "p.png: gencli:step is not 300"
check ".npy is float32 (500, 2) with points in [-1, 1] (the generator ends in Tanh)"
"$PYTHON" - p.npy <<'EOF2'
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[:6] != b"\x93NUMPY":
    sys.exit("bad magic")
hlen = struct.unpack("<H", data[8:10])[0]
header = data[10:10 + hlen].decode("latin-1")
for need in ("'descr': '<f4'", "'shape': (500, 2)"):
    if need not in header:
        sys.exit(f"header {header.strip()} lacks {need}")
vals = struct.unpack("<1000f", data[10 + hlen:])
if not all(-1.0 <= v <= 1.0 for v in vals):
    sys.exit(f"points span [{min(vals)}, {max(vals)}]")
EOF2

say "eval --json adds the toy coverage keys"
ok eval "$GENCLI" eval --checkpoint "$CK" --json --num 500
"$PYTHON" - "$WORK/eval.out" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
print("    " + ", ".join(f"{k} {m[k]:.3g}" for k in sorted(m) if k.startswith("toy_")))
if m["toy_modes_total"] != 8:
    sys.exit("toy_modes_total is not 8")
if not 1 <= m["toy_modes_covered"] <= 8:
    sys.exit("toy_modes_covered is not within 1..8")
if not 0 <= m["toy_mean_distance"] < 1.5 or not 0 <= m["toy_high_quality"] <= 1:
    sys.exit("toy_mean_distance or toy_high_quality out of range")
EOF2

say "bad toy settings"
expect_exit 2 spiral "$GENCLI" train "${TOY[@]}" --set data.toy=spiral --set train.steps=1 --out bad1
assert_error "$WORK/spiral.err" "data.toy"
assert_no_file bad1
expect_exit 2 classes "$GENCLI" train "${TOY[@]}" --set data.toy=grid25 --set train.steps=1 --out bad2
assert_error "$WORK/classes.err" "data.num_classes"
assert_no_file bad2

finish
