#!/usr/bin/env bash
# Training speed of the classic MLP GAN (configs/gan_mnist.json, batch 64): gencli with
# no flags beside --threads, against the same model in a plain Python PyTorch loop on the
# same LibTorch (Debian's python3-torch), as installed and in its best environment.
# Usage: scripts/bench.sh [STEPS]   (default 3000 timed steps per run)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-3000}
out=bench-out
py=/usr/bin/python3

scripts/install_deps.sh python3-torch python3-numpy >/dev/null
scripts/build.sh gencli >/dev/null
[ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; build/gencli data prepare mnist --out data/mnist; }
mkdir -p "$out"
echo "bench: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
build/gencli info | sed 's/^/bench: /'

# gencli's rate is read from metrics.jsonl between the first and last logged steps,
# so start-up and the first (slow) steps are excluded, as the Python loop's warm-up is.
gencli_run() {
  local threads=$1 dir="$out/gencli_t$1"
  rm -rf "$dir"
  build/gencli train --config configs/gan_mnist.json --out "$dir" --threads "$threads" \
    --set train.steps=$((steps + 100)) --set train.log_every=100 --set train.sample_every=0 \
    --set train.checkpoint_every=$((steps + 100)) 2>/dev/null
  $py - "$dir" "$threads" <<'PY'
import json, sys
d, t = sys.argv[1], int(sys.argv[2])
lines = [json.loads(l) for l in open(d + "/metrics.jsonl")]
s = json.load(open(d + "/summary.json"))
rate = (lines[-1]["step"] - lines[0]["step"]) / (lines[-1]["time_s"] - lines[0]["time_s"])
print(json.dumps({"impl": "gencli", "threads": t, "steps_per_s": rate, "peak_rss_mb": s["peak_rss_mb"],
                  "env": s["tuning"] or "as given", "blas": s["blas"]}))
PY
}

pytorch_run() {  # threads, then environment assignments
  local threads=$1; shift
  env "$@" $py scripts/bench_pytorch_gan.py --data data/mnist --steps "$steps" --threads "$threads"
}

tuned=(OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=passive)
results="$out/results.jsonl"
: > "$results"
for t in 1 2; do
  gencli_run "$t" | tee -a "$results"
  pytorch_run "$t" | tee -a "$results"
  pytorch_run "$t" "${tuned[@]}" | tee -a "$results"
done

$py - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def env(r):
    e = r.get("env")
    if isinstance(e, dict):
        e = " ".join(f"{k}={v}" for k, v in e.items() if v) or "as installed"
    return e
print()
print(f"{'impl':8} {'threads':>7} {'steps/s':>8} {'peak MB':>8}  environment")
for r in rows:
    print(f"{r['impl']:8} {r['threads']:>7} {r['steps_per_s']:8.1f} {r['peak_rss_mb']:8.0f}  {env(r)}")
print()
for t in (1, 2):
    g = [r for r in rows if r["impl"] == "gencli" and r["threads"] == t][0]
    p = [r for r in rows if r["impl"] != "gencli" and r["threads"] == t]
    best = max(p, key=lambda r: r["steps_per_s"])
    print(f"threads {t}: gencli / best PyTorch loop = {g['steps_per_s'] / best['steps_per_s']:.2f}x "
          f"(vs as-installed PyTorch: {g['steps_per_s'] / min(p, key=lambda r: r['steps_per_s'])['steps_per_s']:.2f}x)")
PY
