#!/usr/bin/env bash
# Training speed of the classic MLP GAN (configs/gan_mnist.json, batch 64): gencli with no
# flags beside --threads, against the same model in a plain Python PyTorch loop on the same
# LibTorch (Debian's python3-torch), as installed and in its best environment.
# Runs are interleaved and repeated; the table shows the median of each.
# Usage: scripts/bench.sh [STEPS] [REPEATS]   (defaults: 2000 timed steps, 3 repeats)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2000}
repeats=${2:-3}
out=bench-out
py=/usr/bin/python3

scripts/install_deps.sh python3-torch python3-numpy >/dev/null
scripts/build.sh gencli >/dev/null
[ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; build/gencli data prepare mnist --out data/mnist; }
mkdir -p "$out"
echo "bench: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
build/gencli info | sed 's/^/bench: /'

# gencli's rate is read from metrics.jsonl between the first and last logged steps, so
# start-up and the first (slow) steps are excluded, as the Python loop's warm-up is.
gencli_run() {  # label, threads
  local dir="$out/gencli"
  rm -rf "$dir"
  build/gencli train --config configs/gan_mnist.json --out "$dir" --threads "$2" \
    --set train.steps=$((steps + 100)) --set train.log_every=100 --set train.sample_every=0 \
    --set train.checkpoint_every=$((steps + 100)) 2>/dev/null
  $py - "$dir" "$1" "$2" <<'PY'
import json, sys
d, label, t = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [json.loads(l) for l in open(d + "/metrics.jsonl")]
s = json.load(open(d + "/summary.json"))
rate = (lines[-1]["step"] - lines[0]["step"]) / (lines[-1]["time_s"] - lines[0]["time_s"])
print(json.dumps({"label": label, "threads": t, "steps_per_s": rate, "peak_rss_mb": s["peak_rss_mb"],
                  "detail": f"OpenBLAS {s['threads']} / LibTorch {s['intra_op_threads']} threads, "
                            f"tuning: {s['tuning'] or 'none'}"}))
PY
}

pytorch_run() {  # label, threads, environment assignments...
  local label=$1 threads=$2; shift 2
  env "$@" $py scripts/bench_pytorch_gan.py --data data/mnist --steps "$steps" --threads "$threads" |
    $py -c 'import json,sys; r=json.loads(sys.stdin.read()); e=" ".join(f"{k}={v}" for k,v in r["env"].items() if v);
print(json.dumps({"label": sys.argv[1], "threads": r["threads"], "steps_per_s": r["steps_per_s"],
 "peak_rss_mb": r["peak_rss_mb"], "detail": "torch.set_num_threads(%d), %s" % (r["threads"], e or "as installed")}))' "$label"
}

results="$out/results.jsonl"
: > "$results"
for rep in $(seq "$repeats"); do
  for t in 1 2; do
    gencli_run gencli "$t" | tee -a "$results"
    pytorch_run "pytorch" "$t" | tee -a "$results"
    pytorch_run "pytorch+passive" "$t" OMP_WAIT_POLICY=passive | tee -a "$results"
    pytorch_run "pytorch+passive+SkylakeX" "$t" OMP_WAIT_POLICY=passive OPENBLAS_CORETYPE=SkylakeX | tee -a "$results"
  done
done

$py - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault((r["label"], r["threads"]), []).append(r)
print()
print(f"{'implementation':26} {'threads':>7} {'median steps/s':>14} {'range':>13} {'peak MB':>8}  setting")
med = {}
for (label, t), rs in groups.items():
    rates = [r["steps_per_s"] for r in rs]
    med[(label, t)] = statistics.median(rates)
    print(f"{label:26} {t:>7} {med[(label, t)]:14.1f} {min(rates):6.1f}-{max(rates):<6.1f} "
          f"{max(r['peak_rss_mb'] for r in rs):8.0f}  {rs[0]['detail']}")
best_py = max(v for (l, t), v in med.items() if l != "gencli")
best_py_key = [k for k, v in med.items() if v == best_py and k[0] != "gencli"][0]
print()
for t in (1, 2):
    g = med[("gencli", t)]
    print(f"gencli, {t} thread(s): {g:.1f} steps/s = {g / med[('pytorch', t)]:.2f}x the PyTorch loop as installed "
          f"at {t} thread(s), {g / best_py:.2f}x its best setting ({best_py_key[0]}, {best_py_key[1]} threads: {best_py:.1f})")
PY
