#!/usr/bin/env bash
# Hostile configs and flags: each must exit with status 2 (not 1, not a crash, not a hang) and
# print one short error line naming the file, key, flag or value at fault.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export GENCLI_TUNING=off
CFG=$SOURCE_DIR/configs/gan_mnist.json
make_fixture fx
GAN=("${TINY_GAN[@]}" --set data.root="$WORK/fx" --threads 1)
# --threads comes after every --set, so a case about train.threads leaves it out.
NOTHREADS=("${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.steps=1)

# bad LABEL "EXPECTED TEXT" CMD...: exit status exactly 2, one error line containing the text,
# and that line under 600 bytes (values are echoed cut, not whole).
_bad() {
  local label=$1 text=$2 len
  shift 2
  check "$label -> exit 2, error mentions: $text"
  expect_exit 2 "$label" "$@"
  assert_error "$WORK/$label.err" "$text"
  len=$(grep '^error' "$WORK/$label.err" | wc -c)
  [ "$len" -lt 600 ] || fail "$label: the error line is $len bytes long"
}
bad() { soft _bad "$@"; }


say "nesting, sizes and numbers"
"$PYTHON" -c 'import sys; sys.stdout.write("{\"model\": {\"type\": \"gan\", \"g_hidden\": " + "[" * 70000 + "}}")' >deep.json
bad deep_nesting "deep.json: model.g_hidden" \
  "$GENCLI" train --config deep.json --out r_deep
soft assert_contains "$WORK/deep_nesting.err" "nested deeper than 64 levels" "the deep-nesting error"
bad deep_set "--set model.g_hidden=[[[" \
  "$GENCLI" train "${GAN[@]}" --set "model.g_hidden=$("$PYTHON" -c 'print("[" * 60000)')" --out r_deep2
"$PYTHON" -c 'import json; print(json.dumps({"model": {"type": "gan"}, "optim": {"name": "x" * 2000000}}))' >bigstr.json
bad big_string "bigstr.json: optim.name: expected one of" \
  "$GENCLI" train --config bigstr.json --out r_big
soft assert_contains "$WORK/big_string.err" "… (2000000 bytes)" "the big-string error (gives the size)"
bad big_set "… (100009 bytes)" \
  "$GENCLI" train "${GAN[@]}" --set "optim.lr=$("$PYTHON" -c 'print("x" * 100000)')" --out r_big2
printf '{"model": {"type": "gan"}, "optim": {"lr": 1e999}}\n' >overflow.json
bad number_overflow "overflow.json: optim.lr: number overflow parsing '1e999'" \
  "$GENCLI" train --config overflow.json --out r_over

say "what --config names"
bad config_directory "$WORK/fx: is a directory, not a config file" \
  "$GENCLI" train --config "$WORK/fx" --out r_dir
mkfifo fifo.json
bad config_fifo "fifo.json: is not a regular file" \
  timeout 30 "$GENCLI" train --config fifo.json --out r_fifo
printf '{"model": {"type": "gan"}, "train": {"steps": 5, "steps": 6}}\n' >dup.json
bad duplicate_key "dup.json: train.steps: key given twice in one object" \
  "$GENCLI" train --config dup.json --out r_dup

say "--set"
bad set_trailing_dot "--set train.steps.=5: empty key in the path" \
  "$GENCLI" train "${GAN[@]}" --set train.steps.=5 --out r_dot
bad set_blamed "--set optim.lr=fast: optim.lr: expected a number > 0" \
  "$GENCLI" train "${GAN[@]}" --set optim.lr=fast --out r_blame
check "an error in the file itself still names the file"
printf '{"model": {"type": "gan"}, "train": {"steps": 0}}\n' >steps0.json
bad file_blamed "steps0.json: train.steps: expected an integer >= 1, got 0" \
  "$GENCLI" train --config steps0.json --set optim.lr=0.1 --out r_fblame

say "integer ranges"
bad threads_huge "train.threads: expected an integer in [0, 4096], got 3000000000" \
  "$GENCLI" train "${NOTHREADS[@]}" --set train.threads=3000000000 --out r_thr
bad_flag threads_flag_huge "--threads: expected an integer in [0, 4096], got 3000000000" \
  "$GENCLI" train "${GAN[@]}" --threads 3000000000 --out r_thr2
bad seed_set_huge "sample.seed: expected an integer >= 0, got 18446744073709551615" \
  "$GENCLI" train "${GAN[@]}" --set sample.seed=18446744073709551615 --out r_seed
bad_flag train_seed_huge "--seed: expected an integer >= 0 (at most 2^63 - 1), got 18446744073709551616" \
  "$GENCLI" train "${GAN[@]}" --seed 18446744073709551616 --out r_seed2

say "run name"
bad name_escapes 'name: "../../../tmp/x" is not a plain folder name' \
  "$GENCLI" train "${GAN[@]}" --set name=../../../tmp/x --set train.steps=1
bad name_dot 'name: ".." is not a plain folder name' \
  "$GENCLI" train "${GAN[@]}" --set name=.. --set train.steps=1
assert_no_file runs

say "text data.path"
mkdir textdir
bad text_directory "$WORK/textdir: is a directory, not a text file (data.path)" \
  "$GENCLI" train --config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/textdir" --set train.steps=1 --out r_text

say "sample flags"
ok tiny_run "$GENCLI" train "${GAN[@]}" --set train.steps=2 --out run
CKPT=run/checkpoints/last.pt
bad_flag sample_seed_huge "--seed: expected an integer >= 0 (at most 2^63 - 1), got 18446744073709551616" \
  "$GENCLI" sample --checkpoint "$CKPT" --seed 18446744073709551616 --out s.png
bad_flag eval_seed_huge "--seed: expected an integer >= 0 (at most 2^63 - 1), got 18446744073709551616" \
  "$GENCLI" eval --checkpoint "$CKPT" --seed 18446744073709551616
bad sample_steps_gan "--steps 5: model.type gan has no iterative sampler" \
  "$GENCLI" sample --checkpoint "$CKPT" --steps 5 --out s.png
if "$GENCLI" info 2>/dev/null | grep -q '^CUDA *not available'; then
  bad sample_device_cuda '--device: "cuda" asked for' \
    "$GENCLI" sample --checkpoint "$CKPT" --device cuda --out s.png
  bad eval_device_cuda '--device: "cuda" asked for' \
    "$GENCLI" eval --checkpoint "$CKPT" --device cuda
else
  say "  (skipped --device cuda: this machine has CUDA)"
fi
bad sample_device_bogus '--device: expected "auto", "cpu", "cuda" or "cuda:N", got "gpu"' \
  "$GENCLI" sample --checkpoint "$CKPT" --device gpu --out s.png
assert_no_file s.png

finish
