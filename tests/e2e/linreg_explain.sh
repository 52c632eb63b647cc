#!/usr/bin/env bash
# configs/linreg.json with --explain: the six steps of epoch 1 show the hand-checkable numbers,
# the run converges to y ~ 2x + 1, and eval reports it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "train configs/linreg.json --explain"
ok explain "$GENCLI" train --config "$SOURCE_DIR/configs/linreg.json" --out L --explain --threads 1
OUT=$WORK/explain.out
sed 's/^/    /' "$OUT"

check "six numbered steps of epoch 1"
for i in 1 2 3 4 5 6; do
  grep -Eq "^ *$i\. " "$OUT" || fail "--explain output has no step '$i.'"
done
grep -q "Epoch 1" "$OUT" || fail "--explain output does not mention Epoch 1"

# y_hat = 1.8x + 0.5 on x = 1,2,3 -> 2.3, 4.1, 5.9; errors -0.7, -0.9, -1.1
# MSE = (0.49+0.81+1.21)/3 = 0.836667; dL/dw = 2/3*sum(err*x) = -3.866667; dL/db = 2/3*sum(err) = -1.8
# SGD lr 0.01: w 1.8 -> 1.838667, b 0.5 -> 0.518
check "forward pass, loss, gradients and SGD update have the hand-computed values"
for text in "2.300000, 4.100000, 5.900000" "0.836667" "dL/dw = -3.86666" "dL/db = -1.800000" \
  "1.800000 -> 1.838667" "0.500000 -> 0.518000"; do
  assert_contains "$OUT" "$text" "--explain output"
done
check "final line 'After the run: y = ...' with w ~ 2 and b ~ 1"
final=$(grep '^After the run: y = ' "$OUT" || true)
[ -n "$final" ] || fail "no 'After the run: y = ...' line"
"$PYTHON" - "$final" <<'EOF'
import re, sys
m = re.search(r"y = ([-0-9.]+)\*x \+ ([-0-9.]+)", sys.argv[1])
if not m:
    sys.exit(f"cannot read w and b from: {sys.argv[1]}")
w, b = float(m.group(1)), float(m.group(2))
if not (1.98 < w < 2.04 and 0.93 < b < 1.02):
    sys.exit(f"final line has w={w}, b={b}; expected about 2.01 and 0.97")
EOF

check "run folder: config.json parses and is a linreg config; last.pt, metrics, summary exist"
for f in config.json metrics.jsonl summary.json log.txt checkpoints/last.pt; do assert_file "L/$f"; done
[ "$(json_get L/config.json 'd["model"]["type"]')" = linreg ] || fail "L/config.json: model.type is not linreg"
grep -q '"linreg"' L/config.json || fail "L/config.json does not contain \"linreg\""
[ "$(json_get L/summary.json 'd["steps"]')" = 1000 ] || fail "L/summary.json: steps is not 1000"

say "eval the linreg checkpoint"
ok eval "$GENCLI" eval --checkpoint L/checkpoints/last.pt
sed 's/^/    /' "$WORK/eval.out"
for k in weight bias mse; do assert_contains "$WORK/eval.out" "$k" "eval output"; done
ok evalj "$GENCLI" eval --checkpoint L/checkpoints/last.pt --json
check "eval --json: weight ~ 2.01, bias ~ 0.97, small mse, model_type linreg, step 1000"
"$PYTHON" - "$WORK/evalj.out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["metrics"]
problems = []
if d.get("model_type") != "linreg": problems.append(f"model_type {d.get('model_type')}")
if d.get("step") != 1000: problems.append(f"step {d.get('step')}")
if abs(m["weight"] - 2.0137) > 0.005: problems.append(f"weight {m['weight']}")
if abs(m["bias"] - 0.9689) > 0.01: problems.append(f"bias {m['bias']}")
if not (0 <= m["mse"] < 1e-3): problems.append(f"mse {m['mse']}")
if problems:
    sys.exit("eval --json: unexpected " + ", ".join(problems))
EOF

finish
