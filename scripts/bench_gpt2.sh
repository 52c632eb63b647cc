#!/usr/bin/env bash
# Cached generation speed of a 124M-shaped GPT-2 (12 layers, 768 wide, GPT-2's 50,257-token
# vocabulary; random weights, which cost the same as real ones) on this CPU: gencli reading the
# Hugging Face folder, against transformers' generate() on the same folder, same threads, greedy,
# a KV cache on both sides. Rounds are interleaved; the table shows medians.
# Usage: scripts/bench_gpt2.sh [NEW_TOKENS] [ROUNDS] [THREADS]   (defaults 200, 3, all cores)
# gencli runs from build/ (LibTorch 1.13) and, when it exists, build-torch2/ (the wheel's 2.x,
# the same LibTorch transformers runs on).
set -euo pipefail
cd "$(dirname "$0")/.."
tokens=${1:-200}
rounds=${2:-3}
threads=${3:-$(nproc)}
out=bench-out/gpt2
py=$(scripts/install_python_tools.sh)
scripts/fetch_gpt2_vocab.sh data/gpt2 >/dev/null
mkdir -p "$out"
model="$out/gpt2-124m-random"
if [ ! -f "$model/model.safetensors" ]; then
  "$py" -W ignore - "$model" <<'PY'
import shutil, sys, torch
from transformers import GPT2Config, GPT2LMHeadModel
torch.manual_seed(0)
GPT2LMHeadModel(GPT2Config(bos_token_id=None, eos_token_id=None)).save_pretrained(sys.argv[1])
for f in ("vocab.json", "merges.txt"):
    shutil.copy("data/gpt2/" + f, sys.argv[1])
PY
fi
prompt="Once upon a time"
echo "bench_gpt2: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $threads threads, $tokens new tokens"

gencli_rate() {  # binary: tokens/s from its log line "... in S s (R tokens/s, KV cache)"
  OMP_NUM_THREADS=$threads "$1" sample --checkpoint "$model" --prompt "$prompt" --temperature 0 \
    --max-new-tokens "$tokens" 2>&1 >/dev/null | sed -n 's/.*s (\([0-9.]*\) tokens\/s, KV cache).*/\1/p'
}
transformers_rate() {
  "$py" -W ignore - "$model" "$prompt" "$tokens" "$threads" <<'PY'
import sys, time, torch
from transformers import GPT2LMHeadModel, GPT2TokenizerFast
path, prompt, n, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
model = GPT2LMHeadModel.from_pretrained(path).eval()
ids = GPT2TokenizerFast.from_pretrained(path)(prompt, return_tensors="pt")["input_ids"]
with torch.inference_mode():
    model.generate(ids, max_new_tokens=8, min_new_tokens=8, do_sample=False, pad_token_id=0)  # warm-up
    start = time.perf_counter()
    out = model.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=0, use_cache=True)
    seconds = time.perf_counter() - start
assert out.shape[1] - ids.shape[1] == n
print(f"{n / seconds:.2f}")
PY
}

runs=()
names=("gencli (LibTorch 1.13)")
[ -x build-torch2/gencli ] && names+=("gencli (LibTorch $("$py" -c 'import torch; print(torch.__version__.split("+")[0])'))")
names+=("transformers $("$py" -W ignore -c 'import transformers; print(transformers.__version__)') generate()")
for round in $(seq "$rounds"); do
  runs[0]+="$(gencli_rate build/gencli) "
  i=1
  if [ -x build-torch2/gencli ]; then runs[1]+="$(gencli_rate build-torch2/gencli) "; i=2; fi
  runs[$i]+="$(transformers_rate) "
  echo "bench_gpt2: round $round done"
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
reference=$(median "${runs[$(( ${#names[@]} - 1 ))]}")
printf '\n%-36s %12s %10s\n' "implementation" "tokens/s" "vs HF"
for i in "${!names[@]}"; do
  m=$(median "${runs[$i]}")
  printf '%-36s %12s %9.2fx\n' "${names[$i]}" "$m" "$(awk -v a="$m" -v b="$reference" 'BEGIN {print a / b}')"
done
