#!/usr/bin/env bash
# The GPU check: builds gencli against a GPU machine's own PyTorch 2.x, trains every family's
# main config with --device cuda in fp32 and bf16, compares the first steps' losses with the
# CPU's for the same seed, samples each run, and writes one JSON report. It needs only what
# such a machine has (python3 with torch, a C++ compiler, CMake); gencli's other dependencies
# and the data travel with it, packed here:
#
#   scripts/gpu_check.sh --pack gpu-check.tar.gz      # here: the source, Debian's dependency
#                                                     # packages unpacked, data/mnist, text, speech
#   tar xzf gpu-check.tar.gz && cd gpu-check && scripts/gpu_check.sh [--steps N] [--out DIR]
#
# Without a GPU it runs the same checks on the CPU (fewer steps) and says so in the report:
# that is how the script itself is tested on a machine with none. Budget: under 10 minutes on
# one GPU (the build about 3 with 16 cores; 8 families x 2 precisions x 300 steps).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
die() { echo "gpu_check: error: $*" >&2; exit 1; }

# --- packing, on the development machine ------------------------------------------------
pack() {
  local archive=$1 stage deb
  case $archive in /*) ;; *) archive=$root/$archive ;; esac
  stage=$(mktemp -d)/gpu-check
  mkdir -p "$stage/deps"
  # The tracked files as they are in the working tree: the check is of what is being worked on.
  git -C "$root" ls-files -z | tar -C "$root" --null -T - -cf - | tar -C "$stage" -xf -
  # Header and library packages gencli builds with, unpacked (no dpkg needed there).
  (cd "$stage/deps" && apt-get download libcli11-dev libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 \
     nlohmann-json3-dev libstb-dev zlib1g-dev >/dev/null 2>&1) || die "apt-get download failed"
  for deb in "$stage"/deps/*.deb; do dpkg -x "$deb" "$stage/deps" && rm "$deb"; done
  [ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; build/gencli data prepare mnist --out data/mnist; }
  [ -f data/text/SOURCE.txt ] || scripts/make_text_data.sh data/text >/dev/null
  [ -f data/speech/SOURCE.txt ] || scripts/make_speech_data.sh data/speech >/dev/null
  mkdir -p "$stage/data"
  cp -r data/mnist data/text data/speech "$stage/data/"
  tar -C "$(dirname "$stage")" -czf "$archive" gpu-check
  rm -rf "$(dirname "$stage")"
  echo "gpu_check: packed $archive ($(du -h "$archive" | cut -f1))"
}

steps="" out=gpu-check-out
while [ $# -gt 0 ]; do
  case $1 in
    --pack) pack "${2:?--pack needs an archive name}"; exit 0 ;;
    --steps) steps=${2:?--steps needs a number}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    *) die "unknown argument $1 (see the comment at the top of $0)" ;;
  esac
done

# --- build against this machine's LibTorch -----------------------------------------------
python=${PYTHON:-python3}
[ -x .venv-torch2/bin/python ] && ! "$python" -c 'import torch' 2>/dev/null && python=.venv-torch2/bin/python
torch_prefix=$("$python" -W ignore -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) ||
  die "$python has no torch; install PyTorch 2.x or set PYTHON"
prefixes="$torch_prefix"
[ -d deps/usr ] && prefixes="$root/deps/usr;$prefixes"
build=build-gpu-check
mkdir -p "$out"
report_dir=$(cd "$out" && pwd)
start=$(date +%s)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DGENCLI_BUILD_TESTS=OFF \
    -DCMAKE_PREFIX_PATH="$prefixes" -DCMAKE_INCLUDE_PATH="$root/deps/usr/include" > "$report_dir/cmake.log" 2>&1 ||
    { tail -20 "$report_dir/cmake.log" >&2; die "cmake failed (log: $report_dir/cmake.log)"; }
fi
cmake --build "$build" --parallel "$(nproc)" --target gencli > "$report_dir/build.log" 2>&1 ||
  { tail -30 "$report_dir/build.log" >&2; die "the build failed (log: $report_dir/build.log)"; }
build_s=$(( $(date +%s) - start ))
gencli=$root/$build/gencli
[ -d deps/usr/lib ] && export LD_LIBRARY_PATH="$root/deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$gencli" info > "$report_dir/info.txt"
echo "gpu_check: built in ${build_s} s"; sed -n '1,6p' "$report_dir/info.txt"

precisions="fp32 bf16"
if grep -q '^CUDA *available' "$report_dir/info.txt"; then
  device=cuda
  steps=${steps:-300}
else
  device=cpu
  steps=${steps:-20}
  echo "gpu_check: no CUDA GPU here; running the same checks on the CPU ($steps steps)"
fi

# --- every family's main config ------------------------------------------------------------
families=(gan:gan_mnist vae:vae_mnist diffusion:ddpm_mnist pixelcnn:pixelcnn_mnist wavenet:wavenet_speech
  gpt:gpt_char classifier:classifier_mnist linreg:linreg)
compare_steps=5
runs=$report_dir/runs
rm -rf "$runs"
mkdir -p "$runs"
: > "$report_dir/runs.jsonl"
: > "$report_dir/data_parallel.jsonl"
common=(--set train.log_every=1 --set train.sample_every=0 --set train.eval_every=0)
for entry in "${families[@]}"; do
  family=${entry%%:*} config=configs/${entry#*:}.json
  # The CPU's first steps, the reference for the device's.
  "$gencli" train --config "$config" --out "$runs/$family-cpu" --device cpu "${common[@]}" \
    --set train.steps=$compare_steps > "$runs/$family-cpu.log" 2>&1 || true
  for precision in $precisions; do
    name=$family-$device-$precision
    t0=$EPOCHREALTIME
    rc=0
    timeout 240 "$gencli" train --config "$config" --out "$runs/$name" --device $device "${common[@]}" \
      --set train.steps="$steps" --set train.checkpoint_every="$steps" --set train.precision="$precision" \
      > "$runs/$name.log" 2>&1 || rc=$?
    train_s=$("$python" -c "print($EPOCHREALTIME - $t0)")
    sample_rc=0 sample_out=""
    if [ $rc -eq 0 ]; then
      case $family in
        classifier|linreg)  # they do not generate: check inference with eval instead
          sample_out=$runs/$name.eval.json
          sample_args=() ;;
        wavenet) sample_out=$runs/$name.wav
                 sample_args=(--out "$sample_out" --seconds 0.5 --num 2) ;;
        gpt) sample_out=$runs/$name.txt
             sample_args=(--out "$sample_out") ;;
        *) sample_out=$runs/$name.png
           sample_args=(--out "$sample_out") ;;
      esac
      [ $family = diffusion ] && sample_args+=(--sampler ddim --steps 50)
      if [ ${#sample_args[@]} -eq 0 ]; then
        timeout 120 "$gencli" eval --checkpoint "$runs/$name/checkpoints/last.pt" --device $device \
          --precision "$precision" --json > "$sample_out" 2> "$runs/$name.sample.log" || sample_rc=$?
      else
        timeout 120 "$gencli" sample --checkpoint "$runs/$name/checkpoints/last.pt" --device $device \
          --precision "$precision" "${sample_args[@]}" > "$runs/$name.sample.log" 2>&1 || sample_rc=$?
      fi
    fi
    "$python" - "$runs" "$family" "$config" "$device" "$precision" "$rc" "$sample_rc" "$sample_out" "$train_s" \
      "$compare_steps" >> "$report_dir/runs.jsonl" <<'PY'
import json, math, os, sys
runs, family, config, device, precision, rc, sample_rc, sample_out, train_s, k = sys.argv[1:]
name = f"{family}-{device}-{precision}"
def metrics(folder):
    path = os.path.join(runs, folder, "metrics.jsonl")
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []
def losses(rows):  # the family's training loss (a GAN's: the discriminator's)
    key = next((c for c in ("loss", "loss_d", "nll") if rows and c in rows[0]), None)
    return [r[key] for r in rows[:int(k)]] if key else []
dev, cpu = metrics(name), metrics(f"{family}-cpu")
r = {"family": family, "config": config, "device": device, "precision": precision, "train_rc": int(rc),
     "train_seconds": round(float(train_s), 1)}
if dev:
    tail = [x for x in dev if x["step"] > len(dev) // 5] or dev  # past the first steps' warm-up
    r["steps"] = dev[-1]["step"]
    r["steps_per_s"] = round((tail[-1]["step"] - tail[0]["step"]) / max(tail[-1]["time_s"] - tail[0]["time_s"], 1e-9), 2) if len(tail) > 1 else None
    r["final_loss"] = losses(dev[-1:])[0]
summary = os.path.join(runs, name, "summary.json")
if os.path.exists(summary):
    s = json.load(open(summary))
    r["peak_gpu_mb"] = round(s["peak_gpu_mb"], 1) if "peak_gpu_mb" in s else None
    r["peak_rss_mb"] = round(s["peak_rss_mb"], 1)
a, b = losses(cpu), losses(dev)
r["first_losses_cpu"], r["first_losses_device"] = a, b
if a and len(a) == len(b):
    # Same seed and weights, but noise drawn by another generator on a GPU and TF32 convolutions:
    # the mean of the first steps' losses agrees within 10 %, not bit for bit.
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    r["first_losses_rel_diff"] = round(abs(ma - mb) / max(abs(ma), 1e-9), 4)
    r["losses_match"] = bool(math.isfinite(mb) and r["first_losses_rel_diff"] <= 0.10)
else:
    r["losses_match"] = False
r["sample"] = sample_out if int(sample_rc) == 0 and sample_out and os.path.exists(sample_out) else None
r["sample_rc"] = int(sample_rc)
failed = []
if int(rc) != 0: failed.append(f"train exited {rc}")
if not r["losses_match"]: failed.append("first losses differ from the CPU's")
if r["sample"] is None: failed.append(f"sample exited {sample_rc}")
r["failed"] = failed
print(json.dumps(r))
PY
    tail -1 "$report_dir/runs.jsonl"
  done
done

# Data-parallel training on the GPUs: the MLP GAN as one plain process, as a process group of
# one (NCCL where the build has it), and across every visible GPU, one process each.
gpus=$([ "$device" = cuda ] && "$python" -c 'import torch; print(torch.cuda.device_count())' 2>/dev/null || echo 0)
for nproc in 0 1 $([ "${gpus:-0}" -ge 2 ] && echo "$gpus"); do
  name=data-parallel-$nproc
  rc=0
  timeout 240 "$gencli" train --config configs/gan_mnist.json --out "$runs/$name" --device $device "${common[@]}" \
    --set train.steps="$steps" --set train.checkpoint_every="$steps" $([ $nproc -gt 0 ] && echo --nproc $nproc) \
    > "$runs/$name.log" 2>&1 || rc=$?
  "$python" - "$runs" "$name" "$nproc" "$rc" >> "$report_dir/data_parallel.jsonl" <<'PY'
import json, os, re, sys
runs, name, nproc, rc = sys.argv[1:]
log = open(os.path.join(runs, name + ".log")).read()
rows = [json.loads(l) for l in open(os.path.join(runs, name, "metrics.jsonl"))] if int(rc) == 0 else []
tail = [x for x in rows if x["step"] > len(rows) // 5] or rows
backend = re.search(r"over (NCCL|Gloo)", log)
print(json.dumps({"processes": int(nproc), "train_rc": int(rc), "backend": backend.group(1) if backend else None,
                  "steps_per_s": round((tail[-1]["step"] - tail[0]["step"]) / max(tail[-1]["time_s"] - tail[0]["time_s"], 1e-9), 2) if len(tail) > 1 else None,
                  "final_loss_d": rows[-1]["loss_d"] if rows else None}))
PY
  tail -1 "$report_dir/data_parallel.jsonl"
done

total_s=$(( $(date +%s) - start ))
"$python" - "$report_dir" "$device" "$build_s" "$total_s" <<'PY'
import json, sys
d, device, build_s, total_s = sys.argv[1:]
runs = [json.loads(l) for l in open(f"{d}/runs.jsonl")]
info = open(f"{d}/info.txt").read().splitlines()
report = {"device": device, "gpu_available": device == "cuda", "info": info, "build_seconds": int(build_s),
          "total_seconds": int(total_s), "runs": runs,
          "data_parallel": [json.loads(l) for l in open(f"{d}/data_parallel.jsonl")],
          "failed": [f"{r['family']} {r['precision']}: {', '.join(r['failed'])}" for r in runs if r["failed"]]}
report["failed"] += [f"data-parallel with {r['processes']} processes: train exited {r['train_rc']}"
                     for r in report["data_parallel"] if r["train_rc"] != 0]
json.dump(report, open(f"{d}/report.json", "w"), indent=2)
print(f"\n{'family':11} {'precision':9} {'steps/s':>8} {'peak GPU MB':>11} {'loss diff':>9}  result")
for r in runs:
    gpu = r.get("peak_gpu_mb")
    print(f"{r['family']:11} {r['precision']:9} {r.get('steps_per_s') or 0:8.1f} {gpu if gpu is not None else '-':>11} "
          f"{r.get('first_losses_rel_diff', '-'):>9}  {'ok' if not r['failed'] else '; '.join(r['failed'])}")
for r in report["data_parallel"]:
    print(f"data-parallel {r['processes']} processes ({r['backend'] or 'no group'}): {r['steps_per_s']} steps/s, "
          f"exit {r['train_rc']}")
print(f"\ngpu_check: {len(runs) - len(report['failed'])} of {len(runs)} runs ok on {device} in {total_s} s; report {d}/report.json")
PY
