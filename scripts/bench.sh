#!/usr/bin/env bash
# Training speed of every family against its PyTorch twin (scripts/twins/, the same network,
# loss, optimizer, batch and data in one tensor, on the same LibTorch: Debian's python3-torch)
# and against this machine's peak (`gencli bench peak`).
#
# gencli runs with no flags beside --threads (`gencli bench train --json`); each twin runs in
# PyTorch's best environment here: OpenBLAS held to the same threads, the OPENBLAS_CORETYPE
# gencli's runtime tuning picks where it picks one, glibc's allocator holding on to freed
# memory as gencli's runtime tuning makes it (GLIBC_TUNABLES), and whichever OpenMP wait
# policy is faster for it (every round runs the twin with passive waits and with libgomp's
# default; the table takes the faster policy's median). Runs are interleaved (gencli, twin, next family)
# and repeated; the table shows medians, the ratio gencli/twin, gencli's achieved GFLOP/s
# and its share of the matching peak (convolution peak for convolutional families, matrix
# product peak for the rest), and both peak RSS figures.
#
# Usage: scripts/bench.sh [ROUNDS] [FAMILY...]   (defaults: 3 rounds, every family)
#   families: gan dcgan vae conv_vae gpt ddpm pixelcnn wavenet
#   BENCH_THREADS=2 (default) threads for both; BENCH_SCALE=1 multiplies the timed steps.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
threads=${BENCH_THREADS:-2}
scale=${BENCH_SCALE:-1}
out=bench-out
py=/usr/bin/python3

# family: config, timed steps, warm-up steps, twin script, which peak bounds it
declare -A config=([gan]=gan_mnist [dcgan]=dcgan_mnist [vae]=vae_mnist [conv_vae]=conv_vae_mnist
  [gpt]=gpt_char [ddpm]=ddpm_mnist [pixelcnn]=pixelcnn_mnist [wavenet]=wavenet_speech)
declare -A steps=([gan]=1000 [dcgan]=100 [vae]=400 [conv_vae]=100 [gpt]=100 [ddpm]=30 [pixelcnn]=40 [wavenet]=15)
declare -A warmup=([gan]=50 [dcgan]=5 [vae]=20 [conv_vae]=5 [gpt]=5 [ddpm]=3 [pixelcnn]=3 [wavenet]=2)
declare -A twin=([gan]=dcgan [dcgan]=dcgan [vae]=vae [conv_vae]=vae [gpt]=gpt [ddpm]=ddpm [pixelcnn]=pixelcnn
  [wavenet]=wavenet)
declare -A bound=([gan]=matmul [dcgan]=conv [vae]=matmul [conv_vae]=conv [gpt]=matmul [ddpm]=conv [pixelcnn]=conv
  [wavenet]=conv)
families=("$@")
[ ${#families[@]} -gt 0 ] || families=(gan dcgan vae conv_vae gpt ddpm pixelcnn wavenet)
for f in "${families[@]}"; do
  [ -n "${config[$f]:-}" ] || { echo "bench: unknown family '$f' (known: ${!config[*]})" >&2; exit 2; }
done

scripts/install_deps.sh python3-torch python3-numpy >/dev/null
scripts/build.sh gencli >/dev/null
[ -f data/mnist/SOURCE.txt ] || { scripts/fetch_digit_sheet.sh data/cache >/dev/null; build/gencli data prepare mnist --out data/mnist; }
for f in "${families[@]}"; do
  case $f in
    gpt) scripts/make_text_data.sh data/text >/dev/null ;;
    wavenet) scripts/make_speech_data.sh data/speech >/dev/null ;;
  esac
done
mkdir -p "$out"
echo "bench: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
build/gencli info | sed 's/^/bench: /'

results="$out/results.jsonl"
: > "$results"
build/gencli bench peak --threads "$threads" --json | tee -a "$results"
# The environment gencli's runtime tuning sets for itself, given to the twins too.
tuning=$(build/gencli bench train --config configs/gan_mnist.json --steps 1 --warmup 1 --no-peak --json --threads "$threads" 2>/dev/null |
  $py -c 'import json,sys; print(json.loads(sys.stdin.read())["tuning"])')
# OpenBLAS sizes its own pool from the environment when it loads, whatever
# torch.set_num_threads says later: the twin's thread count must reach it that way.
twin_env=(OPENBLAS_NUM_THREADS=$threads)
case $tuning in *OPENBLAS_CORETYPE=*) twin_env+=("OPENBLAS_CORETYPE=$(sed 's/.*OPENBLAS_CORETYPE=\([A-Za-z0-9]*\).*/\1/' <<<"$tuning")") ;; esac
# gencli's allocator settings (glibc reads them from the environment at start).
case $tuning in *GLIBC_TUNABLES=*) twin_env+=("GLIBC_TUNABLES=$(sed 's/.*GLIBC_TUNABLES=\([^,]*\).*/\1/' <<<"$tuning")") ;; esac
echo "bench: gencli's tuning: ${tuning:-none}; the twins run with ${twin_env[*]}, each with OMP_WAIT_POLICY=passive and unset"

tag() {  # family, round[, wait policy]: adds them to the JSON line on stdin
  $py -c 'import json,sys; r=json.loads(sys.stdin.read()); r["family"]=sys.argv[1]; r["round"]=int(sys.argv[2]); r["wait"]=(sys.argv[3:] or [""])[0]; print(json.dumps(r))' "$@"
}
for round in $(seq "$rounds"); do
  for f in "${families[@]}"; do
    n=$((steps[$f] * scale))
    build/gencli bench train --config "configs/${config[$f]}.json" --threads "$threads" --steps "$n" \
      --warmup "${warmup[$f]}" --no-peak --json 2>/dev/null | tag "$f" "$round" | tee -a "$results"
    for wait in passive default; do
      wait_env=()
      [ "$wait" = passive ] && wait_env=(OMP_WAIT_POLICY=passive)
      env -u OMP_WAIT_POLICY "${twin_env[@]}" "${wait_env[@]}" $py "scripts/twins/${twin[$f]}.py" \
        --config "configs/${config[$f]}.json" --threads "$threads" --steps "$n" --warmup "${warmup[$f]}" |
        tag "$f" "$round" "$wait" | tee -a "$results"
    done
  done
done

$py - "$results" "$(IFS=,; echo "${families[*]}")" "$(for f in "${families[@]}"; do printf '%s=%s,' "$f" "${bound[$f]}"; done)" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
families = sys.argv[2].split(",")
bound = dict(kv.split("=") for kv in sys.argv[3].strip(",").split(","))
peak = next(r for r in rows if r.get("bench") == "peak")
print()
print(f"peak, {peak['threads']} threads: matrix product {peak['matmul_gflops']:.1f} GFLOP/s, 3x3 convolution "
      f"{peak['conv_gflops']:.1f}" + (f", bf16 matrix product {peak['bf16_matmul_gflops']:.1f}" if peak['bf16_matmul_gflops'] else ""))
print()
print("| family | config | gencli steps/s | twin steps/s (its waits) | gencli/twin | gencli GFLOP/s | share of peak | "
      "gencli peak RSS MiB | twin peak RSS MiB |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for f in families:
    g = [r for r in rows if r.get("family") == f and r.get("bench") == "train"]
    # The twin's rows under its faster wait policy (by median).
    by_wait = {}
    for r in rows:
        if r.get("family") == f and r.get("impl") == "pytorch":
            by_wait.setdefault(r.get("wait", ""), []).append(r)
    t = max(by_wait.values(), key=lambda rs: statistics.median(r["steps_per_s"] for r in rs), default=[])
    if not g or not t:
        print(f"| {f} | (missing runs) |")
        continue
    gs, ts = statistics.median(r["steps_per_s"] for r in g), statistics.median(r["steps_per_s"] for r in t)
    gflops = g[0]["flops_per_step"] * gs / 1e9
    ceiling = peak["conv_gflops"] if bound[f] == "conv" else peak["matmul_gflops"]
    print(f"| {f} | {g[0]['config'].split('/')[-1]} | {gs:.2f} | {ts:.2f} ({t[0].get('wait') or '?'}) | {gs / ts:.2f}x | {gflops:.1f} | "
          f"{100 * gflops / ceiling:.0f} % of {bound[f]} | {max(r['peak_rss_mb'] for r in g):.0f} | "
          f"{max(r['peak_rss_mb'] for r in t):.0f} |")
rng = lambda rs: f"{min(r['steps_per_s'] for r in rs):.2f}-{max(r['steps_per_s'] for r in rs):.2f}"
print()
print("ranges over the rounds (steps/s): " + "; ".join(
    f"{f} gencli {rng([r for r in rows if r.get('family') == f and r.get('bench') == 'train'])}" + "".join(
        f", twin {w} {rng(rs)}" for w in ("passive", "default")
        if (rs := [r for r in rows if r.get('family') == f and r.get('impl') == 'pytorch' and r.get('wait') == w]))
    for f in families
    if any(r.get("family") == f for r in rows)))
PY
