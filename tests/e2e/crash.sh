#!/usr/bin/env bash
# The crash harness. For two families (a VAE on images, and a character GPT on text whose
# validation loss keeps a best.pt): kill -9 at random moments while it checkpoints every step,
# resume, and repeat until the run is done. After every kill last.pt must load, and best.pt must
# be the checkpoint the log last called best (or newer); at the end the samples must equal an
# uninterrupted run's byte for byte. Then a file size limit (what a full disk does to a write)
# and two writers into one run folder.
#   CRASH_TRIALS=N  kills per family (default 8); CRASH_VAE_STEPS, CRASH_GPT_STEPS: run lengths
#   (default 80 and 200, enough for 8 kills), e.g. CRASH_TRIALS=30 CRASH_VAE_STEPS=300 CRASH_GPT_STEPS=800
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRIALS=${CRASH_TRIALS:-8}
make_fixture fx
"$PYTHON" - <<'EOF2'
import random
r = random.Random(5)
words = ["the cat", "a dog", "sees", "likes", "the sun", "a tree", "eats", "bread"]
with open("text.txt", "w") as f:
    while f.tell() < 20000:
        f.write(" ".join(r.choice(words) for _ in range(4)) + ".\n")
EOF2

COMMON=(--set train.checkpoint_every=1 --set train.log_every=5 --set train.sample_every=0
  --set train.keep_checkpoints=2 --threads 1 --device cpu)
VAE=(--config "$SOURCE_DIR/configs/vae_mnist.json" --set data.root="$WORK/fx" --set model.hidden=[512]
  --set model.latent_dim=4 --set train.batch_size=16 --set optim.lr=0.003 "${COMMON[@]}")
GPT=(--config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/text.txt" --set model.n_layer=1
  --set model.n_head=2 --set model.n_embd=16 --set model.block_size=16 --set train.batch_size=8
  --set optim.lr=0.005 --set optim.warmup_steps=0 --set train.eval_every=3 "${COMMON[@]}")

# ckpt_step CKPT LABEL: the step of a checkpoint, which must load (eval --json).
ckpt_step() {
  ok "$2" "$GENCLI" eval --checkpoint "$1" --json
  json_get "$WORK/$2.out" 'd["step"]'
}

# logged_best RUN: the step of the last "best so far" line in RUN/log.txt, or 0.
logged_best() {
  local line
  line=$(grep -o 'best so far: .*(step [0-9]*)' "$1/log.txt" 2>/dev/null | tail -n 1 || true)
  [ -n "$line" ] && echo "$line" | grep -o '[0-9]*)$' | tr -d ')' || echo 0
}

# final_output FAMILY CKPT OUT: what the checkpoint samples, as a file to compare.
final_output() {
  if [ "$1" = vae ]; then
    ok "sample-$3" "$GENCLI" sample --checkpoint "$2" --out "$WORK/$3.png" --npy "$WORK/$3.npy" --num 16 --seed 7
    sha256_of "$WORK/$3.npy"
  else
    ok "sample-$3" "$GENCLI" sample --checkpoint "$2" --prompt "the" --max-new-tokens 40 --temperature 0.8 --seed 7 \
      --out "$WORK/$3.txt"
    sha256_of "$WORK/$3.txt"
  fi
}

# newest_step_file RUN: the name of the newest step checkpoint, or nothing.
newest_step_file() { ls "$1/checkpoints" 2>/dev/null | grep '^step-.*\.pt$' | tail -n 1 || true; }

KILLS=0 KILLS_IN_WRITE=0 IDENTICAL=0
crash_family() {
  local family=$1 steps=$2 delay_max=$3
  shift 3
  local args=("$@") ref want got trial saved best_log best_file in_write
  say "$family: an uninterrupted reference run of $steps steps"
  ok "ref-$family" "$GENCLI" train "${args[@]}" --set train.steps="$steps" --out "ref-$family"
  want=$(final_output "$family" "ref-$family/checkpoints/last.pt" "ref-$family")
  local ref_best=0
  [ -f "ref-$family/checkpoints/best.pt" ] && ref_best=$(ckpt_step "ref-$family/checkpoints/best.pt" "refbest-$family")

  say "$family: $TRIALS kill -9 trials, checkpointing every step"
  local run="crash-$family"
  for ((trial = 1; trial <= TRIALS; trial++)); do
    if [ -f "$run/checkpoints/last.pt" ]; then
      start_bg "t$trial-$family" "$GENCLI" train --resume --out "$run" --threads 1 --device cpu
    else
      start_bg "t$trial-$family" "$GENCLI" train "${args[@]}" --set train.steps="$steps" --out "$run"
    fi
    # A random moment once this session has trained: wait for a checkpoint newer than the one it
    # started from, then up to a few more steps (each step writes a checkpoint).
    local before newest i
    before=$(newest_step_file "$run")
    for ((i = 0; i < 1200; i++)); do
      newest=$(newest_step_file "$run")
      [ -n "$newest" ] && [ "$newest" != "$before" ] && break
      kill -0 "$BG_PID" 2>/dev/null || break
      sleep 0.05
    done
    sleep "$("$PYTHON" -c "import random; print(round(random.uniform(0, $delay_max), 3))")"
    if ! kill -KILL "$BG_PID" 2>/dev/null; then
      wait_rc "$BG_PID"
      [ "$RC" -eq 0 ] || { tail -n 3 "$WORK/t$trial-$family.err" >&2; fail "trial $trial ended by itself with $RC"; }
      echo "    trial $trial: the run finished before the kill"
      break
    fi
    wait_rc "$BG_PID"
    KILLS=$((KILLS + 1))
    in_write=$(find "$run" -name '*.tmp.*' | wc -l)
    if [ "$in_write" -gt 0 ]; then KILLS_IN_WRITE=$((KILLS_IN_WRITE + 1)); fi
    [ -f "$run/checkpoints/last.pt" ] || { echo "    trial $trial: killed before the first checkpoint"; continue; }
    saved=$(ckpt_step "$run/checkpoints/last.pt" "t$trial-eval-$family")
    best_log=$(logged_best "$run")
    best_file=0
    [ -f "$run/checkpoints/best.pt" ] && best_file=$(ckpt_step "$run/checkpoints/best.pt" "t$trial-best-$family")
    echo "    trial $trial: killed (temporaries left: $in_write); last.pt loads at step $saved; best.pt step $best_file, log's best $best_log"
    [ "$best_file" -ge "$best_log" ] || fail "trial $trial: best.pt holds step $best_file but the log called step $best_log best"
  done
  say "$family: resume to the end"
  ok "final-$family" "$GENCLI" train --resume --out "$run" --threads 1 --device cpu
  got=$(final_output "$family" "$run/checkpoints/last.pt" "crash-$family")
  [ "$got" = "$want" ] || fail "$family: samples after $TRIALS kills differ from the uninterrupted run's"
  IDENTICAL=$((IDENTICAL + 1))
  best_file=0
  [ -f "$run/checkpoints/best.pt" ] && best_file=$(ckpt_step "$run/checkpoints/best.pt" "finalbest-$family")
  [ "$best_file" = "$ref_best" ] || fail "$family: best.pt holds step $best_file, the uninterrupted run's step $ref_best"
  [ "$(logged_best "$run")" = "$ref_best" ] || fail "$family: the log's last best is step $(logged_best "$run"), not $ref_best"
  [ -z "$(find "$run" -name '*.tmp.*')" ] || fail "$family: temporaries of dead processes were not cleaned up"
  check "$family: identical samples, best.pt at step $best_file as in the reference, no temporaries left"
}

crash_family vae "${CRASH_VAE_STEPS:-80}" 0.5 "${VAE[@]}"
crash_family gpt "${CRASH_GPT_STEPS:-200}" 0.15 "${GPT[@]}"
say "crash harness: $KILLS kills ($KILLS_IN_WRITE while a checkpoint was being written: a temporary was left), $IDENTICAL/2 families resumed to identical samples"

say "a file size limit: the checkpoint write fails with one line, the old last.pt survives, no temporary stays"
ok small "$GENCLI" train "${VAE[@]}" --set train.steps=2 --out fsz
cp fsz/checkpoints/last.pt last-before.pt
# 1 block of 512 bytes is far smaller than a checkpoint, while log lines still fit.
run fsz2 bash -c "ulimit -f 64; exec \"$GENCLI\" train --resume --set train.steps=4 --out fsz --threads 1 --device cpu"
[ "$RC" -eq 2 ] || { tail -n 5 "$WORK/fsz2.err" >&2; fail "a write past ulimit -f: expected exit 2, got $(describe_rc "$RC")"; }
assert_error "$WORK/fsz2.err" "cannot write"
grep '^error' "$WORK/fsz2.err" | sed 's/^/    /'
cmp -s fsz/checkpoints/last.pt last-before.pt || fail "last.pt changed after a failed write"
[ -z "$(find fsz -name '*.tmp.*')" ] || fail "the failed write left a temporary: $(find fsz -name '*.tmp.*')"
ok fsz3 "$GENCLI" train --resume --set train.steps=4 --out fsz --threads 1 --device cpu

say "two writers: a second train into a folder in use is refused with the holder's PID"
start_bg holder "$GENCLI" train "${VAE[@]}" --set train.steps=100000 --set train.checkpoint_every=50 --out two
wait_for_file two/checkpoints/last.pt "$BG_PID" 60
expect_exit 2 second "$GENCLI" train --resume --out two --threads 1 --device cpu
assert_error "$WORK/second.err" "is in use by another gencli train (pid $BG_PID)"
expect_exit 2 second-fresh "$GENCLI" train "${VAE[@]}" --set train.steps=10 --out two
assert_error "$WORK/second-fresh.err" "already holds a run"
kill -TERM "$BG_PID"
wait_rc "$BG_PID"
[ "$RC" -eq 130 ] || fail "the first writer was disturbed: exit $(describe_rc "$RC")"
check "the holder's metrics.jsonl holds one run: steps only increase"
"$PYTHON" - two/metrics.jsonl <<'EOF2' || fail "metrics.jsonl mixes runs"
import json, sys
steps = [json.loads(l)["step"] for l in open(sys.argv[1])]
assert steps == sorted(steps) and len(steps) == len(set(steps)), steps
EOF2
say "a second fresh train racing the first before its first checkpoint"
start_bg first "$GENCLI" train "${VAE[@]}" --set train.steps=100000 --set train.checkpoint_every=100000 --out race
wait_for_file race/config.json "$BG_PID" 60
expect_exit 2 racer "$GENCLI" train "${VAE[@]}" --set train.steps=10 --out race
assert_error "$WORK/racer.err" "is in use by another gencli train (pid $BG_PID)"
kill -TERM "$BG_PID"
wait_rc "$BG_PID"
[ "$RC" -eq 130 ] || fail "the first run was disturbed: exit $(describe_rc "$RC")"

finish
