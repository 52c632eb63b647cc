#!/usr/bin/env bash
# SIGINT/SIGTERM save a checkpoint and exit 130; the run resumes from it. SIGKILL never leaves a
# broken last.pt (atomic writes). A NaN loss stops training with exit 3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_fixture fx
GAN=("${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.sample_every=0 --threads 1 --device cpu)

# eval_step CKPT LABEL: runs eval --json on CKPT (must succeed) and prints the checkpoint's step.
eval_step() {
  ok "$2" "$GENCLI" eval --checkpoint "$1" --json
  json_get "$WORK/$2.out" 'd["step"]'
}

# interrupt_with SIGNAL: long run, signal once last.pt exists, then check the saved checkpoint.
interrupt_with() {
  local sig=$1 dir="run_$1" saved target
  say "SIG$sig: start a 100000-step run, signal it once checkpoints/last.pt exists"
  start_bg "train_$sig" "$GENCLI" train "${GAN[@]}" --set train.steps=100000 --set train.checkpoint_every=20 \
    --out "$dir"
  wait_for_file "$dir/checkpoints/last.pt" "$BG_PID" 60
  sleep 0.3 # let it run past the first checkpoint
  kill -s "$sig" "$BG_PID"
  wait_rc "$BG_PID"
  check "exit status 130"
  if [ "$RC" -ne 130 ]; then
    tail -n 5 "$WORK/train_$sig.err" | sed 's/^/    /' >&2
    fail "train killed with SIG$sig: expected exit status 130, got $(describe_rc "$RC")"
  fi
  check "stderr and log.txt say a checkpoint was saved"
  assert_contains "$WORK/train_$sig.err" "checkpoint saved" "stderr after SIG$sig"
  assert_contains "$dir/log.txt" "checkpoint saved" "$dir/log.txt after SIG$sig"
  check "eval loads last.pt"
  saved=$(eval_step "$dir/checkpoints/last.pt" "eval_$sig")
  echo "    last.pt is at step $saved"
  [ "$saved" -ge 20 ] && [ "$saved" -lt 100000 ] || fail "last.pt step $saved is out of range"
  check "the interruption checkpoint is the step training reached (not an older periodic one)"
  grep -q "interrupted at step ${saved}[^0-9]" "$WORK/train_$sig.err" ||
    fail "stderr does not say 'interrupted at step $saved': $(grep -i interrupt "$WORK/train_$sig.err" || true)"
  check "no temporary files left in checkpoints/"
  if [ -n "$(find "$dir/checkpoints" -name "*.tmp*")" ]; then fail "left-over temporary files: $(ls "$dir/checkpoints")"; fi
  target=$((saved + 10))
  check "--resume --set train.steps=$target continues from step $saved"
  ok "resume_$sig" "$GENCLI" train --resume --set train.steps="$target" --threads 1 --device cpu --out "$dir"
  assert_contains "$WORK/resume_$sig.err" "resumed from" "resume stderr"
  assert_contains "$WORK/resume_$sig.err" "at step $saved" "resume stderr"
  [ "$(json_get "$dir/summary.json" 'd["steps"]')" = "$target" ] || fail "$dir/summary.json: steps is not $target"
  [ "$(json_get "$dir/summary.json" 'd["steps_this_run"]')" = 10 ] || fail "$dir/summary.json: steps_this_run is not 10"
  [ "$(eval_step "$dir/checkpoints/last.pt" "eval2_$sig")" = "$target" ] || fail "last.pt is not at step $target after resume"
}

interrupt_with INT
interrupt_with TERM

say "SIGKILL while checkpointing every step: last.pt must stay loadable"
start_bg train_KILL "$GENCLI" train "${GAN[@]}" --set train.steps=100000 --set train.checkpoint_every=1 \
  --set train.keep_checkpoints=2 --out run_KILL
wait_for_file run_KILL/checkpoints/last.pt "$BG_PID" 60
sleep 0.7
kill -KILL "$BG_PID"
wait_rc "$BG_PID"
[ "$RC" -eq 137 ] || fail "expected the SIGKILLed train to report 137, got $(describe_rc "$RC")"
check "eval loads last.pt"
saved=$(eval_step run_KILL/checkpoints/last.pt eval_KILL)
echo "    last.pt is at step $saved; checkpoints/: $(ls run_KILL/checkpoints | tr '\n' ' ')"
check "last.pt is a complete, published checkpoint: same bytes as its step file"
step_file=$(printf 'run_KILL/checkpoints/step-%08d.pt' "$saved")
if [ -f "$step_file" ]; then
  cmp -s run_KILL/checkpoints/last.pt "$step_file" || fail "last.pt (step $saved) differs from $step_file"
else
  echo "    ($step_file was already pruned)"
fi
leftover=$(find run_KILL/checkpoints -name '*.tmp.*' | wc -l)
[ "$leftover" -eq 0 ] || echo "    note: $leftover temporary file(s) left by the killed process (expected after SIGKILL)"
check "--resume continues after a SIGKILL"
ok resume_KILL "$GENCLI" train --resume --set train.steps=$((saved + 5)) --threads 1 --device cpu --out run_KILL
assert_contains "$WORK/resume_KILL.err" "at step $saved" "resume stderr"

say "divergence: optim.lr=1e30 makes the loss NaN"
expect_exit 3 diverge "$GENCLI" train "${GAN[@]}" --set optim.lr=1e30 --set train.steps=200 --out run_nan
check "exit 3, message names the step and the NaN"
assert_error "$WORK/diverge.err" "diverged at step"
grep '^error' "$WORK/diverge.err" | grep -Eq 'step [0-9]+' || fail "the divergence message names no step"
grep '^error' "$WORK/diverge.err" | grep -Eqi 'nan|inf' || fail "the divergence message does not name the non-finite value (nan or inf)"
grep '^error' "$WORK/diverge.err" | sed 's/^/    /'
check "no last.pt from a diverged run"
assert_no_file run_nan/checkpoints/last.pt

say "divergence: SGD with lr=1e10"
expect_exit 3 diverge_sgd "$GENCLI" train "${GAN[@]}" --set optim.name=sgd --set optim.lr=1e10 --set train.steps=200 \
  --out run_nan2
assert_error "$WORK/diverge_sgd.err" "diverged at step"
grep '^error' "$WORK/diverge_sgd.err" | sed 's/^/    /'

finish
