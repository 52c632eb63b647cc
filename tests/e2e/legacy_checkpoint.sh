#!/usr/bin/env bash
# A checkpoint written by an older gencli (tests/fixtures/legacy_gan_toy2d, made by its make.sh
# with the gencli of commit 3b244ca) still loads: today's gencli samples the same bytes from it,
# scores it the same, and resumes it to the same weights the older gencli resumed it to (within
# one float32 ulp: training touches code whose rounding differs between Intel and AMD CPUs).
# The bytes hold on the LibTorch line the fixture was written with (Debian's 1.13); on another
# line (2.x, with MKL's kernels) the same checks hold within rounding.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIX="$SOURCE_DIR/tests/fixtures/legacy_gan_toy2d"
source "$FIX/env.sh"  # the kernels the fixture was made with, the same on every x86-64 CPU
same_line=$([ "$(torch_major)" = 1 ] && echo yes || echo no)
# same_npy FILE FIXTURE WHAT: byte-identical on the fixture's line, within 1e-4 on another.
same_npy() {
  if [ "$same_line" = yes ]; then
    cmp "$1" "$2" || fail "$1 differs from the old gencli's $(basename "$2") ($3)"
  else
    npy_close "$1" "$2" 1e-4 || fail "$1 differs from the old gencli's $(basename "$2") beyond rounding ($3)"
  fi
}

say "sample the old checkpoint"
ok sample "$GENCLI" sample --checkpoint "$FIX/step10.pt" --num 200 --seed 5 --out s.png --npy s.npy
check "the points (.npy) and the scatter plot (.png) are the old gencli's (bytes on its line)"
same_npy s.npy "$FIX/sample10.npy" "sample"
if [ "$same_line" = yes ]; then
  cmp s.png "$FIX/sample10.png" || fail "s.png differs from the old gencli's sample10.png"
fi

say "evaluate the old checkpoint"
ok eval "$GENCLI" eval --checkpoint "$FIX/step10.pt" --num 500 --json
"$PYTHON" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["metrics"], sort_keys=True))' \
  "$WORK/eval.out" > eval.json
check "eval's metrics are the old gencli's (within 1e-4 relative on another line)"
if [ "$same_line" = yes ]; then
  cmp eval.json "$FIX/eval10.json" || { diff eval.json "$FIX/eval10.json" >&2 || true; fail "eval metrics differ"; }
else
  "$PYTHON" - eval.json "$FIX/eval10.json" <<'PY' || fail "eval metrics differ beyond rounding"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a.keys() == b.keys(), (a.keys(), b.keys())
for k in a:
    if isinstance(a[k], (int, float)) and abs(a[k] - b[k]) > 1e-4 * max(abs(b[k]), 1e-6):
        sys.exit(f"{k}: {a[k]} vs the old gencli's {b[k]}")
PY
fi

say "resume the old checkpoint to step 20"
mkdir -p R/checkpoints
cp "$FIX/step10.pt" R/checkpoints/last.pt
if [ "$same_line" = yes ]; then
  ok resume "$GENCLI" train --resume --out R --threads 1 --device cpu
  assert_contains "$WORK/resume.err" "resumed from R/checkpoints/last.pt at step 10" "resume log"
  ok sample20 "$GENCLI" sample --checkpoint R/checkpoints/last.pt --num 200 --seed 5 --out r.png --npy r.npy
  # Ten training steps pass through libm and LibTorch code that the pinned kernels do not fix:
  # measured on an Intel Xeon with AMX against the AMD EPYC the bytes came from (the same
  # binary, before and after mixed precision), one float32 ulp (6e-8) differs.
  check "samples after the resume match the old gencli's after its resume within 1e-6"
  npy_close r.npy "$FIX/resumed20.npy" 1e-6 || fail "r.npy differs from the old gencli's resumed20.npy (after resuming to step 20)"
else
  # LibTorch 2.x's torch::optim cannot read 1.x's optimizer keys (src/core/torch_compat.h).
  expect_exit 2 resume "$GENCLI" train --resume --out R --threads 1 --device cpu
  assert_contains "$WORK/resume.err" "was written by LibTorch 1.x" "resume on another line"
  check "the refused resume leaves the old checkpoint as it was"
  cmp R/checkpoints/last.pt "$FIX/step10.pt" || fail "R/checkpoints/last.pt changed"
fi

finish
