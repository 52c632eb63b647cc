#!/usr/bin/env bash
# Train a tiny GAN, resume a split run bit-exactly, then sample PNG grids and .npy arrays from it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "fixture: 512 train / 128 test synthetic digits"
make_fixture fx
GAN=("${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.checkpoint_every=10 --set train.keep_checkpoints=2
  --threads 1 --device cpu)

# --- training and resume -------------------------------------------------------------------
say "train 40 steps into A"
ok trainA "$GENCLI" train "${GAN[@]}" --set train.steps=40 --out A
check "A has config.json, metrics.jsonl, log.txt, summary.json, checkpoints/last.pt, samples"
for f in config.json metrics.jsonl log.txt summary.json checkpoints/last.pt; do assert_file "A/$f"; done
ls A/samples/step-*.png >/dev/null 2>&1 || fail "A/samples has no step-*.png"
[ "$(json_get A/summary.json 'd["steps"]')" = 40 ] || fail "A/summary.json: steps is not 40"
check "metrics.jsonl logs steps 10,20,30,40 with the documented fields"
steps=$("$PYTHON" - A/metrics.jsonl <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in rows:
    missing = {"step", "lr", "loss_d", "loss_g", "d_real", "d_fake", "time_s"} - r.keys()
    if missing:
        sys.exit(f"metrics row {r} lacks {sorted(missing)}")
print(",".join(str(r["step"]) for r in rows))
EOF
)
[ "$steps" = "10,20,30,40" ] || fail "A/metrics.jsonl steps are $steps, expected 10,20,30,40"

check "keep_checkpoints=2 leaves at most 2 step files (4 checkpoints were written)"
n=$(find A/checkpoints -name 'step-*.pt' | wc -l)
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "A/checkpoints has $n step-*.pt files, expected 1..2: $(ls A/checkpoints | tr '\n' ' ')"
assert_file A/checkpoints/step-00000040.pt

say "train 20 steps into B, then --resume --set train.steps=40"
ok trainB1 "$GENCLI" train "${GAN[@]}" --set train.steps=20 --out B
ok trainB2 "$GENCLI" train --resume --set train.steps=40 --threads 1 --device cpu --out B
assert_contains "$WORK/trainB2.err" "resumed from" "resume stderr"
[ "$(json_get B/summary.json 'd["steps"]')" = 40 ] || fail "B/summary.json: steps is not 40 after resume"
assert_file B/checkpoints/last.pt
n=$(find B/checkpoints -name 'step-*.pt' | wc -l)
[ "$n" -le 2 ] || fail "B/checkpoints has $n step-*.pt files after resume, expected at most 2"

check "metrics at step 40 are identical in A and B (all fields but the measured times and energy)"
"$PYTHON" - A/metrics.jsonl B/metrics.jsonl <<'EOF'
import json, sys
def at40(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    hits = [r for r in rows if r["step"] == 40]
    if len(hits) != 1:
        sys.exit(f"{path}: expected one line for step 40, found {len(hits)}")
    r = dict(hits[0])
    for measured in ("time_s", "cpu_s", "energy_j", "co2e_g"):  # FLOPs are counted, so they stay
        r.pop(measured, None)
    return r
a, b = at40(sys.argv[1]), at40(sys.argv[2])
print("    A:", a)
print("    B:", b)
if a != b:
    sys.exit("resume is not bit-exact: step-40 metrics differ between A (straight) and B (resumed)")
EOF
[ "$(grep -c '"step":40' B/metrics.jsonl)" = 1 ] || fail "B/metrics.jsonl has step 40 more or less than once"
check "A and B final weights give identical samples (same seed, raw .npy bytes)"
ok sA "$GENCLI" sample --checkpoint A/checkpoints/last.pt --num 16 --nrow 4 --seed 3 --out sA.png --npy sA.npy
ok sB "$GENCLI" sample --checkpoint B/checkpoints/last.pt --num 16 --nrow 4 --seed 3 --out sB.png --npy sB.npy
cmp -s sA.npy sB.npy || fail "samples from A (straight) and B (resumed) differ: the resumed weights are not bit-exact"

# --- sampling ------------------------------------------------------------------------------
CK=A/checkpoints/last.pt
say "sample 64 (nrow 8) from A with --npy"
ok s64 "$GENCLI" sample --checkpoint "$CK" --num 64 --nrow 8 --out g64.png --seed 7 --npy g64.npy
assert_file g64.png
check "PNG is 242x242 (8 tiles of 28 + 2px gaps and border)"
size=$(png_size g64.png)
[ "$size" = "242 242" ] || fail "g64.png is ${size/ /x}, expected 242x242"

check "provenance tEXt chunks"
sw=$(png_text g64.png Software) || fail "g64.png: no Software chunk"
case "$sw" in "gencli "*) ;; *) fail "Software chunk is '$sw', expected 'gencli VERSION'" ;; esac
[ "$(png_text g64.png gencli:model_type)" = gan ] || fail "gencli:model_type is not gan"
[ "$(png_text g64.png gencli:seed)" = 7 ] || fail "gencli:seed is not 7"
[ "$(png_text g64.png gencli:step)" = 40 ] || fail "gencli:step is not 40"
want=$(sha256_of "$CK")
got=$(png_text g64.png gencli:checkpoint_sha256)
[ "$got" = "$want" ] || fail "gencli:checkpoint_sha256 is $got, sha256sum of $CK is $want"
echo "    Software=$sw step=40 seed=7 sha256=${got:0:16}..."

check ".npy: magic, header length, and float32 (64,1,28,28) payload"
"$PYTHON" - g64.npy <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[:6] != b"\x93NUMPY":
    sys.exit(f"{sys.argv[1]}: bad magic {data[:6]!r}")
major = data[6]
if major == 1:
    hlen, start = struct.unpack("<H", data[8:10])[0], 10
else:
    hlen, start = struct.unpack("<I", data[8:12])[0], 12
header = data[start:start + hlen].decode("latin-1")
expect = start + hlen + 64 * 1 * 28 * 28 * 4
print(f"    header ({start + hlen} bytes): {header.strip()}")
if len(data) != expect:
    sys.exit(f"{sys.argv[1]}: {len(data)} bytes, expected {expect} (header {start + hlen} + 64*784*4)")
if (start + hlen) % 64 != 0:
    sys.exit(f"{sys.argv[1]}: data does not start on a 64-byte boundary ({start + hlen})")
for need in ("'descr': '<f4'", "'fortran_order': False", "'shape': (64, 1, 28, 28)"):
    if need not in header:
        sys.exit(f"{sys.argv[1]}: header lacks {need}")
vals = struct.unpack(f"<{64*784}f", data[start + hlen:])
lo, hi = min(vals), max(vals)
if not (0.0 <= lo <= hi <= 1.0):
    sys.exit(f"{sys.argv[1]}: values span [{lo}, {hi}], expected within [0, 1]")
EOF
[ "$(stat -c %s g64.npy)" -eq $((128 + 64 * 784 * 4)) ] || echo "    note: .npy header is not 128 bytes (allowed)"

say "sample 8 (nrow 4)"
ok s8 "$GENCLI" sample --checkpoint "$CK" --num 8 --nrow 4 --out g8.png
size=$(png_size g8.png)
check "PNG is 122x62"
[ "$size" = "122 62" ] || fail "g8.png is ${size/ /x}, expected 122x62"

say "determinism of --seed"
ok sa "$GENCLI" sample --checkpoint "$CK" --num 16 --nrow 4 --out seed5a.png --seed 5
ok sb "$GENCLI" sample --checkpoint "$CK" --num 16 --nrow 4 --out seed5b.png --seed 5
ok sc "$GENCLI" sample --checkpoint "$CK" --num 16 --nrow 4 --out seed6.png --seed 6
check "same seed -> byte-identical PNG"
cmp -s seed5a.png seed5b.png || fail "two samples with --seed 5 differ"
check "different seed -> different PNG"
! cmp -s seed5a.png seed6.png || fail "--seed 5 and --seed 6 give identical PNGs"

say "--class on the unconditional model"
expect_exit 2 cls_uncond "$GENCLI" sample --checkpoint "$CK" --num 8 --nrow 4 --out c.png --class 3
assert_error "$WORK/cls_uncond.err" "--class"
assert_no_file c.png

say "conditional GAN: train 20 steps"
ok trainC "$GENCLI" train "${GAN[@]}" --set model.conditional=true --set train.steps=20 --out C
check "sample --class 3 works"
ok cls3 "$GENCLI" sample --checkpoint C/checkpoints/last.pt --num 8 --nrow 4 --out c3.png --class 3
[ "$(png_size c3.png)" = "122 62" ] || fail "c3.png has the wrong size: $(png_size c3.png)"
[ "$(png_text c3.png gencli:class)" = 3 ] || fail "c3.png: gencli:class is not 3"
check "sample without --class works (one row per class)"
ok clsall "$GENCLI" sample --checkpoint C/checkpoints/last.pt --num 20 --nrow 10 --out call.png
check "sample --class 99 exits 2"
expect_exit 2 cls99 "$GENCLI" sample --checkpoint C/checkpoints/last.pt --num 8 --nrow 4 --out c99.png --class 99
assert_error "$WORK/cls99.err" "99"
assert_no_file c99.png
# A negative class is as invalid as 99; it must not fall back to "all classes".
check "sample --class -5 exits 2"
soft expect_exit 2 clsneg "$GENCLI" sample --checkpoint C/checkpoints/last.pt --num 8 --nrow 4 --out cneg.png --class -5

finish
