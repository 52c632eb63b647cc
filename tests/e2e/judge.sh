#!/usr/bin/env bash
# The judge from the command line: a classifier trains and reports its test accuracy; with it as
# the feature network, every sample-quality metric moves the right way between an untrained and a
# trained VAE and sits between the real-vs-real floor and pure noise; a conditional model's
# samples get their classes; the likelihood table and the energy report (which adds up across a
# resume) appear in eval; bad flag combinations fail with one clear line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "fixture: 1024 train / 256 test synthetic digits"
make_fixture fx --train 1024 --test 256
COMMON=(--set data.root="$WORK/fx" --threads 1 --device cpu)
CLS=(--config "$SOURCE_DIR/configs/classifier_mnist.json" "${COMMON[@]}" --set model.conv_channels=[8,16]
  --set model.feature_dim=32 --set train.batch_size=32 --set train.log_every=50 --set train.eval_every=50
  --set train.checkpoint_every=50)

say "classifier: 100 steps, then resumed to 150"
ok cls1 "$GENCLI" train "${CLS[@]}" --set train.steps=100 --out C
cpu_first=$(json_get C/summary.json 'd["energy"]["cpu_s"]')
ok cls2 "$GENCLI" train "${CLS[@]}" --set train.steps=150 --out C --resume
check "the log reports the test accuracy; best.pt exists"
assert_contains C/log.txt "val_accuracy"
assert_file C/checkpoints/best.pt
FEATURES=C/checkpoints/best.pt
ok cls-eval "$GENCLI" eval --checkpoint C/checkpoints/last.pt --json
check "energy: in every metrics line, in summary.json, and in eval --json; the resumed run adds to the first"
"$PYTHON" - C "$WORK/cls-eval.out" "$cpu_first" <<'EOF2'
import json, math, sys
run, eval_out, cpu_first = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = [json.loads(l) for l in open(f"{run}/metrics.jsonl") if l.strip()]
for r in rows:
    missing = {"step", "loss", "accuracy", "cpu_s", "flops", "energy_j", "co2e_g"} - r.keys()
    if missing:
        sys.exit(f"metrics row {r} lacks {sorted(missing)}")
energy = [r["energy_j"] for r in rows]
if energy != sorted(energy) or energy[0] <= 0:
    sys.exit(f"energy_j is not positive and growing: {energy}")
s = json.load(open(f"{run}/summary.json"))["energy"]
e = json.load(open(eval_out))
m, ce = e["metrics"], e["energy"]
print(f"    test accuracy {m['test_accuracy']:.3f}; {ce['steps']} steps, {ce['flops']:.3g} FLOPs, "
      f"{ce['energy_j']:.1f} J ({'estimated' if ce['energy_estimated'] else 'RAPL'}), {ce['co2e_g']:.4f} g CO2e")
if not m["test_accuracy"] > 0.9:
    sys.exit(f"classifier test accuracy {m['test_accuracy']} <= 0.9")
if ce["steps"] != 150 or s["steps"] != 150:
    sys.exit(f"energy steps: eval {ce['steps']}, summary {s['steps']}, expected 150 (100 + 50 resumed)")
if not ce["cpu_s"] > cpu_first or not ce["flops"] > 0 or not ce["energy_j"] > 0:
    sys.exit(f"energy totals did not add up across the resume: {ce} (first session cpu_s {cpu_first})")
if not math.isclose(ce["co2e_g"], ce["energy_j"] / 3.6e6 * ce["grid_g_co2e_per_kwh"], rel_tol=1e-9):
    sys.exit("co2e_g is not energy x grid intensity")
if "likelihood" in m:
    sys.exit("a classifier reported a likelihood")
EOF2

VAE=(--config "$SOURCE_DIR/configs/vae_mnist.json" "${COMMON[@]}" --set model.hidden=[128] --set model.latent_dim=8
  --set model.kl_warmup_steps=50 --set train.batch_size=32 --set train.log_every=50 --set train.checkpoint_every=100
  --set train.sample_every=0 --set optim.lr=0.003)
say "VAE: untrained (1 step) and trained (400 steps)"
ok vae0 "$GENCLI" train "${VAE[@]}" --set train.steps=1 --out V0
ok vae1 "$GENCLI" train "${VAE[@]}" --set train.steps=400 --out V1
JUDGE=(--features "$FEATURES" --num 400 --json)
ok judge-untrained "$GENCLI" eval --checkpoint V0/checkpoints/last.pt "${JUDGE[@]}"
ok judge-trained "$GENCLI" eval --checkpoint V1/checkpoints/last.pt "${JUDGE[@]}"
ok judge-floor "$GENCLI" eval --real "$WORK/fx" "${JUDGE[@]}"
ok judge-noise "$GENCLI" eval --real "$WORK/fx" --noise "${JUDGE[@]}"
ok judge-text "$GENCLI" eval --checkpoint V1/checkpoints/last.pt --features "$FEATURES" --num 400
check "text report: likelihood table, training cost, sample quality"
for text in "likelihood on the test split" "IWAE k=100" "ELBO" "training cost" "sample quality" "FID" "real floor:" \
  "detection accuracy"; do
  assert_contains "$WORK/judge-text.out" "$text" "eval's text report"
done
check "every metric moves the right way from untrained to trained, between the floor and noise"
"$PYTHON" - "$WORK"/judge-{untrained,trained,floor,noise}.out <<'EOF2'
import json, math, sys
untrained, trained, floor, noise = (json.load(open(p)) for p in sys.argv[1:])
q = {name: r["sample_quality"] for name, r in
     zip(["untrained", "trained", "floor", "noise"], [untrained, trained, floor, noise])}
keys = ["fid", "kid", "classifier_score", "precision", "recall", "class_entropy_bits", "detection_accuracy"]
for name, r in q.items():
    print(f"    {name:9s} " + "  ".join(f"{k} {r[k]:.3g}" for k in keys))
bad = []
lower = ["fid", "kid", "detection_accuracy"]
higher = ["precision", "recall", "classifier_score", "class_entropy_bits"]
for k in lower:
    if not q["trained"][k] < q["untrained"][k]: bad.append(f"{k}: trained {q['trained'][k]} not below untrained {q['untrained'][k]}")
    if not q["floor"][k] < q["trained"][k]: bad.append(f"{k}: floor {q['floor'][k]} not below trained {q['trained'][k]}")
for k in higher:
    if not q["trained"][k] > q["untrained"][k]: bad.append(f"{k}: trained {q['trained'][k]} not above untrained {q['untrained'][k]}")
if not q["noise"]["detection_accuracy"] > 0.95: bad.append("noise is not detected (> 95 %)")
if not q["floor"]["detection_accuracy"] < 0.75: bad.append("real vs real detection is not near chance (< 75 %)")
if not q["noise"]["fid"] > q["trained"]["fid"]: bad.append("noise FID not above the trained model's")
f = q["floor"]
if f["candidate_images"] != 400 or f["reference_images"] != 256 or "training split" not in f["candidates"]:
    bad.append(f"floor sets: {f['candidates']} vs {f['reference']}")
lo, hi = q["trained"]["detection_ci95"]
if not lo <= q["trained"]["detection_accuracy"] <= hi: bad.append("detection accuracy outside its interval")
if not math.isclose(sum(q["trained"]["class_shares"]), 1.0, rel_tol=1e-9): bad.append("class shares do not sum to 1")
if "floor" not in q["trained"] or not math.isclose(q["trained"]["floor"]["fid"], q["floor"]["fid"], rel_tol=1e-9):
    bad.append("a model's report does not carry the --real floor beside it")
rows = trained["metrics"]["likelihood"]
if [r["estimate"] for r in rows] != ["ELBO", "IWAE k=100"] or any(r["exact"] for r in rows):
    bad.append(f"VAE likelihood rows: {rows}")
for r in rows:
    if not math.isclose(r["bits_per_dim"], r["nll_nats"] / (784 * math.log(2)), rel_tol=1e-9): bad.append("bits/dim")
if bad:
    sys.exit("; ".join(bad))
EOF2

say "conditional VAE: the classifier finds the classes asked for"
ok cvae "$GENCLI" train "${VAE[@]}" --set model.conditional=true --set train.steps=400 --out CV
ok judge-class "$GENCLI" eval --checkpoint CV/checkpoints/last.pt --features "$FEATURES" --num 200 --class 3 --json
ok judge-cycle "$GENCLI" eval --checkpoint CV/checkpoints/last.pt --features "$FEATURES" --num 200 --json
check "conditional accuracy well above chance (10 %) for --class 3 and for all classes in turn; --class 3 is mostly class 3"
"$PYTHON" - "$WORK/judge-class.out" "$WORK/judge-cycle.out" <<'EOF2'
import json, sys
one, cycle = (json.load(open(p))["sample_quality"] for p in sys.argv[1:])
print(f"    class 3: {one['conditional_accuracy']:.3f}; all classes: {cycle['conditional_accuracy']:.3f}")
if not one["conditional_accuracy"] > 0.3 or not cycle["conditional_accuracy"] > 0.3:
    sys.exit("conditional accuracy <= 30 % (chance: 10 %)")
if max(range(10), key=lambda c: one["class_shares"][c]) != 3:
    sys.exit(f"--class 3 samples are mostly another class: {one['class_shares']}")
EOF2

say "bad inputs"
expect_exit 2 not-classifier "$GENCLI" eval --checkpoint V1/checkpoints/last.pt --features V1/checkpoints/last.pt
assert_error "$WORK/not-classifier.err" "expected a classifier's"
expect_exit 2 real-alone "$GENCLI" eval --real "$WORK/fx"
assert_error "$WORK/real-alone.err" "--real $WORK/fx needs --features"
expect_exit 2 noise-alone "$GENCLI" eval --checkpoint V1/checkpoints/last.pt --features "$FEATURES" --noise
assert_error "$WORK/noise-alone.err" "--noise needs --real"
expect_exit 2 class-unconditional "$GENCLI" eval --checkpoint V1/checkpoints/last.pt --features "$FEATURES" --class 3
assert_error "$WORK/class-unconditional.err" "--class: model.type vae here is not conditional"
expect_exit 2 judge-classifier "$GENCLI" eval --checkpoint C/checkpoints/last.pt --features "$FEATURES"
assert_error "$WORK/judge-classifier.err" "does not generate images"
expect_exit 2 nothing "$GENCLI" eval --json
assert_error "$WORK/nothing.err" "pass --checkpoint"
expect_exit 2 bad-power "$GENCLI" train "${CLS[@]}" --set train.cpu_watts_per_core=-1 --out bad
assert_error "$WORK/bad-power.err" "train.cpu_watts_per_core"
assert_no_file bad
finish
