#!/usr/bin/env bash
# A checkpoint written by an older gencli (tests/fixtures/legacy_gan_toy2d, made by its make.sh
# with the gencli of commit 3b244ca) still loads: today's gencli samples the same bytes from it,
# scores it the same, and resumes it to the same weights the older gencli resumed it to.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIX="$SOURCE_DIR/tests/fixtures/legacy_gan_toy2d"
source "$FIX/env.sh"  # the kernels the fixture was made with, the same on every x86-64 CPU

say "sample the old checkpoint"
ok sample "$GENCLI" sample --checkpoint "$FIX/step10.pt" --num 200 --seed 5 --out s.png --npy s.npy
check "the points (.npy) and the scatter plot (.png) are byte-identical to the old gencli's"
cmp s.npy "$FIX/sample10.npy" || fail "s.npy differs from the old gencli's sample10.npy"
cmp s.png "$FIX/sample10.png" || fail "s.png differs from the old gencli's sample10.png"

say "evaluate the old checkpoint"
ok eval "$GENCLI" eval --checkpoint "$FIX/step10.pt" --num 500 --json
"$PYTHON" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["metrics"], sort_keys=True))' \
  "$WORK/eval.out" > eval.json
check "eval's metrics are the old gencli's"
cmp eval.json "$FIX/eval10.json" || { diff eval.json "$FIX/eval10.json" >&2 || true; fail "eval metrics differ"; }

say "resume the old checkpoint to step 20"
mkdir -p R/checkpoints
cp "$FIX/step10.pt" R/checkpoints/last.pt
ok resume "$GENCLI" train --resume --out R --threads 1 --device cpu
assert_contains "$WORK/resume.err" "resumed from R/checkpoints/last.pt at step 10" "resume log"
ok sample20 "$GENCLI" sample --checkpoint R/checkpoints/last.pt --num 200 --seed 5 --out r.png --npy r.npy
check "samples after the resume are byte-identical to the old gencli's after its resume"
cmp r.npy "$FIX/resumed20.npy" || fail "r.npy differs from the old gencli's resumed20.npy"

finish
