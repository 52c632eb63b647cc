#!/usr/bin/env bash
# Issue 14's findings, each as the command that once broke: full devices, symlinks, corrupt
# checkpoints, mismatched splits, impossible sizes, bad --out paths, divergence keeping a good
# checkpoint, leftovers, early signals, FIFOs, and the training data's fingerprint.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_fixture fx
GAN=("${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.sample_every=0 --threads 1 --device cpu)
ok train "$GENCLI" train "${GAN[@]}" --set train.steps=20 --out run
CKPT=run/checkpoints/last.pt

say "devices and symlinks are written through or refused, never replaced"
expect_exit 2 full "$GENCLI" sample --checkpoint "$CKPT" --out s.png --npy /dev/full --num 4
assert_error "$WORK/full.err" "/dev/full"
[ -c /dev/full ] || fail "/dev/full is no longer a character device"
ok null "$GENCLI" sample --checkpoint "$CKPT" --out s.png --npy /dev/null --num 4
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
ok real "$GENCLI" sample --checkpoint "$CKPT" --out real.png --num 4
ln -s real.png link.png
ok link "$GENCLI" sample --checkpoint "$CKPT" --out link.png --num 4 --seed 9
[ -L link.png ] || fail "a symlinked --out became a regular file"
mkfifo pipe.npy
expect_exit 2 fifo_out "$GENCLI" sample --checkpoint "$CKPT" --out s2.png --npy pipe.npy --num 4
assert_error "$WORK/fifo_out.err" "FIFO"
check "a FIFO as --checkpoint is refused at once, not read forever"
run fifo_in timeout 60 "$GENCLI" sample --checkpoint pipe.npy --out s3.png
[ "$RC" -eq 2 ] || fail "sample --checkpoint FIFO: expected exit 2, got $(describe_rc "$RC")"
assert_error "$WORK/fifo_in.err" "not a regular file"

say "a full disk: a 20 MB tmpfs as --out (where this machine lets us mount one)"
mkdir -p small_disk
# Unmounted however the script ends, so the work folder can be removed.
trap 'rc=$?; umount "$WORK/small_disk" 2>/dev/null || true; (exit $rc); _e2e_cleanup' EXIT
if mount -t tmpfs -o size=20m tmpfs small_disk 2>/dev/null; then
  BIG=(--config "$SOURCE_DIR/configs/gan_mnist.json" --set data.root="$WORK/fx" --set train.checkpoint_every=5
    --set train.sample_every=0 --threads 1 --device cpu)
  expect_exit 2 enospc "$GENCLI" train "${BIG[@]}" --set train.steps=50 --out small_disk/run
  assert_error "$WORK/enospc.err" "No space left on device"
  grep '^error' "$WORK/enospc.err" | sed 's/^/    /'
  grep -q "terminate called" "$WORK/enospc.err" && fail "the full disk still aborts"
  [ -z "$(find small_disk -name '*.tmp.*')" ] || fail "the failed write left its temporary on the full disk"
  ok enospc_eval "$GENCLI" eval --checkpoint small_disk/run/checkpoints/last.pt --json
  check "last.pt (step $(json_get "$WORK/enospc_eval.out" 'd["step"]')) survives and loads"
  umount small_disk
else
  say "  (skipped: cannot mount a tmpfs here; the file size limit in e2e.crash covers the same path)"
fi

say "a corrupt checkpoint is refused by sample, eval and --resume, naming the file"
cp -r run bad
"$PYTHON" - bad/checkpoints/last.pt <<'EOF2'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
at = len(data) // 2
data[at:at + 4] = struct.pack("<f", float("nan"))   # four bytes of a NaN inside the payload
open(path, "wb").write(bytes(data))
EOF2
expect_exit 2 bad_sample "$GENCLI" sample --checkpoint bad/checkpoints/last.pt --out b.png
assert_error "$WORK/bad_sample.err" "bad/checkpoints/last.pt: corrupt"
expect_exit 2 bad_eval "$GENCLI" eval --checkpoint bad/checkpoints/last.pt
assert_error "$WORK/bad_eval.err" "corrupt"
expect_exit 2 bad_resume "$GENCLI" train --resume --out bad --set train.steps=30 --threads 1
assert_error "$WORK/bad_resume.err" "corrupt"
grep -q "stack\|frame #" "$WORK/bad_resume.err" && fail "a stack trace reached the user"

say "the test split must match the training split, and is read before the first step"
cp -r fx fx32
"$PYTHON" - fx32/t10k-images-idx3-ubyte <<'EOF2'
import struct, sys
n = 8
open(sys.argv[1], "wb").write(struct.pack(">IIII", 0x803, n, 32, 32) + bytes(n * 32 * 32))
open(sys.argv[1].replace("images-idx3", "labels-idx1"), "wb").write(struct.pack(">II", 0x801, n) + bytes(n))
EOF2
rm -f fx32/t10k-images-idx3-ubyte.gz fx32/t10k-labels-idx1-ubyte.gz
expect_exit 2 split32 "$GENCLI" train "${GAN[@]}" --set data.root="$WORK/fx32" --set train.steps=5 --out r32
assert_error "$WORK/split32.err" "test split's examples are 1x32x32 but the training split's are 1x28x28"
assert_no_file r32

say "a network too large for memory is refused with the figure"
expect_exit 2 huge "$GENCLI" train "${GAN[@]}" --set 'model.g_hidden=[1000000000]' --set train.steps=1 --out rhuge
assert_error "$WORK/huge.err" "does not fit in memory"
grep '^error' "$WORK/huge.err" | sed 's/^/    /'

say "--out must be a folder that can be made"
touch afile
for out in afile /dev/null /proc/gencli-run; do
  expect_exit 2 "out_$(basename "$out")" "$GENCLI" train "${GAN[@]}" --set train.steps=2 --out "$out"
  grep '^error' "$WORK/out_$(basename "$out").err" | sed 's/^/    /'
done
[ -c /dev/null ] || fail "/dev/null was replaced"

say "divergence keeps a checkpoint whose weights gave a finite loss"
for cfg in linreg vae_mnist; do
  extra=()
  [ "$cfg" = vae_mnist ] && extra=(--set data.root="$WORK/fx" --set model.hidden=[32] --set model.latent_dim=4 --set train.batch_size=16)
  expect_exit 3 "div_$cfg" "$GENCLI" train --config "$SOURCE_DIR/configs/$cfg.json" "${extra[@]}" --set optim.lr=1e6 \
    --set train.checkpoint_every=1 --set train.steps=200 --set train.sample_every=0 --threads 1 --device cpu --out "div_$cfg"
  grep '^error' "$WORK/div_$cfg.err" | sed 's/^/    /'
  if [ -f "div_$cfg/checkpoints/last.pt" ]; then
    ok "div_eval_$cfg" "$GENCLI" eval --checkpoint "div_$cfg/checkpoints/last.pt" --json
    if grep -Eqi '(nan|inf)' "$WORK/div_eval_$cfg.out"; then
      sed 's/^/    /' "$WORK/div_eval_$cfg.out" | head -20
      fail "$cfg: the kept checkpoint evaluates to inf or nan"
    fi
    check "$cfg: the kept checkpoint (step $(json_get "$WORK/div_eval_$cfg.out" 'd["step"]')) evaluates finite"
  else
    check "$cfg: no checkpoint kept (the first one's weights already failed), and the message says so"
    assert_contains "$WORK/div_$cfg.err" "no good checkpoint"
  fi
done

say "leftovers: a fresh run into a folder whose earlier run died before its first checkpoint starts clean"
mkdir -p dead/checkpoints
echo '{"step": 999, "loss": 1}' >dead/metrics.jsonl
echo "old log" >dead/log.txt
ok fresh_dead "$GENCLI" train "${GAN[@]}" --set train.steps=20 --out dead
grep -q '"step": *999' dead/metrics.jsonl && fail "metrics.jsonl kept the dead run's lines"
grep -q "old log" dead/log.txt && fail "log.txt kept the dead run's lines"
check "a run that diverges before its first checkpoint leaves no folder"
expect_exit 3 div_early "$GENCLI" train "${GAN[@]}" --set optim.lr=1e30 --set train.steps=200 --out early
assert_no_file early

say "SIGTERM during start-up: exit 130 with a message"
# The moment gencli re-executes itself with tuned settings (GENCLI_TUNED appears in its
# environment), while the new image is still loading LibTorch: the hardest moment to catch.
# (Before main() first runs, while LibTorch's static initialisers run, about 1 s here, no
# handler can exist yet; a signal then ends the process with 143.)
start_bg early_term env -u GENCLI_TUNING "$GENCLI" train "${GAN[@]}" --set train.steps=100000 --out term_early
for ((i = 0; i < 600; i++)); do
  tr '\0' '\n' <"/proc/$BG_PID/environ" 2>/dev/null | grep -q '^GENCLI_TUNED=' && break
  sleep 0.01
done
kill -TERM "$BG_PID"
wait_rc "$BG_PID"
[ "$RC" -eq 130 ] || { tail -n 3 "$WORK/early_term.err" >&2; fail "SIGTERM at start-up: expected 130, got $(describe_rc "$RC")"; }
grep -qi "interrupted" "$WORK/early_term.err" || fail "SIGTERM at start-up printed no message"

say "the training data's fingerprint: in the checkpoint, eval, the sample PNG; --resume checks it"
ok fp_eval "$GENCLI" eval --checkpoint "$CKPT" --json
fp=$(json_get "$WORK/fp_eval.out" 'd["data_fingerprint"]')
echo "    $fp"
[[ "$fp" == sha256:* ]] || fail "eval --json shows no data_fingerprint"
ok fp_sample "$GENCLI" sample --checkpoint "$CKPT" --out fp.png --num 4
[ "$(png_text fp.png gencli:data_fingerprint)" = "$fp" ] || fail "the PNG's gencli:data_fingerprint differs from eval's"
cp -r run run2
make_fixture fx_other --train 48
expect_exit 2 fp_changed "$GENCLI" train --resume --out run2 --set train.steps=30 --set data.root="$WORK/fx_other" --threads 1
assert_error "$WORK/fp_changed.err" "the training data changed"
expect_exit 2 fp_smaller "$GENCLI" train --resume --out run2 --set train.steps=30 --set data.root="$WORK/fx_other" \
  --allow-data-change --threads 1
assert_error "$WORK/fp_smaller.err" "data order covers"
grep '^error' "$WORK/fp_smaller.err" | sed 's/^/    /'

finish
