#!/usr/bin/env bash
# The GPT family from the command line on a small text: training lowers the validation loss
# and keeps best.pt, sampling streams the prompt's continuation and draws the same text with
# and without the key/value cache, eval's figures agree, a LoRA run on a second text trains
# only its adapters on the frozen base and merges into a plain checkpoint that samples the
# same, a text with characters outside the base's vocabulary fails, or skips or replaces them
# as model.unknown_chars says, and a changed base or a prompt outside the vocabulary fails with
# one clear line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "texts: 40 KB of simple sentences, and a second text of rhymes"
"$PYTHON" - <<'EOF2'
import random
r = random.Random(3)
subjects = ["the cat", "a dog", "my friend", "the old man", "a small bird"]
verbs = ["sees", "likes", "finds", "eats", "wants"]
objects = ["the red ball", "a fish", "the warm sun", "some bread", "a green tree"]
with open("main.txt", "w") as f:
    while f.tell() < 40000:
        f.write(f"{r.choice(subjects)} {r.choice(verbs)} {r.choice(objects)}.\n")
with open("rhymes.txt", "w") as f:
    while f.tell() < 12000:
        f.write(r.choice(["the cat sat on the mat.\n", "the dog ate the log.\n", "a bird in the word.\n"]))
EOF2
GPT=(--config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/main.txt" --set model.n_layer=1
  --set model.n_head=2 --set model.n_embd=32 --set model.block_size=32 --set train.batch_size=8 --set train.log_every=25
  --set train.eval_every=50 --set train.checkpoint_every=50 --set optim.lr=0.005 --set optim.warmup_steps=10
  --threads 1 --device cpu)
ok train "$GENCLI" train "${GPT[@]}" --set train.steps=150 --out G
assert_file G/checkpoints/best.pt
check "validation loss logged every 50 steps, falling by 15% or more"
"$PYTHON" - G/metrics.jsonl <<'EOF2'
import json, sys
vals = [(r["step"], r["val_loss"]) for r in map(json.loads, open(sys.argv[1])) if "val_loss" in r]
print("    val_loss", ", ".join(f"{v:.3f} at {s}" for s, v in vals))
if [s for s, _ in vals] != [50, 100, 150] or not vals[-1][1] < 0.85 * vals[0][1]:
    sys.exit("validation losses missing or not falling")
EOF2
cp G/checkpoints/best.pt base.pt

check "sampling streams the prompt and its continuation; cache and no cache give the same text"
ok greedy "$GENCLI" sample --checkpoint base.pt --prompt "the cat" --max-new-tokens 60 --temperature 0
ok greedy-nc "$GENCLI" sample --checkpoint base.pt --prompt "the cat" --max-new-tokens 60 --temperature 0 --no-cache
head -c 7 "$WORK/greedy.out" | grep -qx "the cat" || fail "stdout does not start with the prompt"
cmp -s "$WORK/greedy.out" "$WORK/greedy-nc.out" || fail "greedy text differs with --no-cache"
ok seeded "$GENCLI" sample --checkpoint base.pt --prompt "a" --max-new-tokens 80 --temperature 0.9 --top-k 10 --seed 3 --out s.txt
ok seeded-nc "$GENCLI" sample --checkpoint base.pt --prompt "a" --max-new-tokens 80 --temperature 0.9 --top-k 10 --seed 3 --no-cache
cmp -s "$WORK/seeded.out" "$WORK/seeded-nc.out" || fail "seeded text differs with --no-cache"
cmp -s s.txt "$WORK/seeded.out" || fail "--out s.txt differs from what was streamed"
echo "    greedy: $(head -n 2 "$WORK/greedy.out" | tr '\n' '|')"

ok eval "$GENCLI" eval --checkpoint base.pt --json
"$PYTHON" - "$WORK/eval.out" <<'EOF2'
import json, math, sys
j = json.load(open(sys.argv[1]))["metrics"]
nats = j["val_loss_nats_per_token"]
print(f"    val loss {nats:.3f} nats/token, {j['bits_per_character']:.3f} bits/char, perplexity {j['perplexity']:.2f}")
if abs(j["bits_per_character"] - nats / math.log(2)) > 1e-9 or abs(j["perplexity"] - math.exp(nats)) > 1e-6 * j["perplexity"]:
    sys.exit("eval figures disagree")
if not nats < 1.5:
    sys.exit("the model did not learn the sentences")
EOF2

say "LoRA on the rhymes, base = base.pt"
LORA=(--config "$SOURCE_DIR/configs/gpt_lora.json" --set data.path="$WORK/rhymes.txt" --set init.from="$WORK/base.pt"
  --set model.lora_rank=4 --set train.batch_size=8 --set train.log_every=20 --set train.eval_every=40
  --set train.checkpoint_every=40 --set optim.lr=0.01 --set optim.warmup_steps=5 --threads 1 --device cpu)
ok lora "$GENCLI" train "${LORA[@]}" --set train.steps=80 --out L
check "the adapter checkpoint is a fraction of the base's size, and records the base's SHA-256"
base_size=$(stat -c %s base.pt) lora_size=$(stat -c %s L/checkpoints/last.pt)
echo "    base.pt $base_size bytes, adapter checkpoint $lora_size bytes"
[ "$lora_size" -lt $((base_size / 2)) ] || fail "the LoRA checkpoint is not smaller than half the base"
grep -q "$(sha256_of base.pt)" L/config.json || fail "L/config.json does not record base.pt's SHA-256"
ok lora-sample "$GENCLI" sample --checkpoint L/checkpoints/last.pt --prompt "the" --max-new-tokens 60 --temperature 0
ok merge "$GENCLI" export --checkpoint L/checkpoints/last.pt --merge-lora --out merged.pt
ok merged-sample "$GENCLI" sample --checkpoint merged.pt --prompt "the" --max-new-tokens 60 --temperature 0
check "the merged checkpoint samples the same greedy text as base + adapters"
cmp -s "$WORK/lora-sample.out" "$WORK/merged-sample.out" || fail "merged and adapter samples differ"
echo "    lora: $(head -n 2 "$WORK/lora-sample.out" | tr '\n' '|')"

check "a text with characters outside the base's vocabulary: an error by default, or skipped or replaced and counted"
"$PYTHON" -c "open('odd.txt','w').write('the cat is 100% sure.\n' * 200)"
ODD=("${LORA[@]}" --set data.path="$WORK/odd.txt" --set train.steps=2 --set train.eval_every=0)
expect_exit 2 odd-error "$GENCLI" train "${ODD[@]}" --out O1
assert_error "$WORK/odd-error.err" "odd.txt: the character \"1\" (U+0031) is not in the model's vocabulary"
ok odd-skip "$GENCLI" train "${ODD[@]}" --set model.unknown_chars=skip --out O2
assert_contains "$WORK/odd-skip.err" "odd.txt: 800 characters outside the vocabulary skipped: \"0\" (U+0030) x400" "the log"
ok odd-replace "$GENCLI" train "${ODD[@]}" --set model.unknown_chars=replace --set model.unknown_replacement=. --out O3
assert_contains "$WORK/odd-replace.err" "800 characters outside the vocabulary replaced" "the log"
expect_exit 2 odd-bad "$GENCLI" train "${ODD[@]}" --set model.unknown_chars=replace --set model.unknown_replacement=% --out O4
assert_error "$WORK/odd-bad.err" "model.unknown_replacement"

check "a changed base, a prompt outside the vocabulary, an image mode: exit 2 naming the cause"
cp G/checkpoints/step-00000100.pt base.pt
expect_exit 2 changed "$GENCLI" sample --checkpoint L/checkpoints/last.pt --prompt "the"
assert_error "$WORK/changed.err" "has changed since this run started"
expect_exit 2 badprompt "$GENCLI" sample --checkpoint merged.pt --prompt "xyz€"
assert_error "$WORK/badprompt.err" "--prompt"
[ ! -s "$WORK/badprompt.out" ] || fail "a rejected prompt still printed text"
expect_exit 2 mode "$GENCLI" sample --checkpoint merged.pt --mode complete
assert_error "$WORK/mode.err" "complete"
check "gencli bench attention runs each mode"
for mode in naive chunked sdpa; do
  ok "bench-$mode" "$GENCLI" bench attention --mode "$mode" --length 48 --batch 1 --repeats 1 --backward
  assert_contains "$WORK/bench-$mode.out" "mode $mode"
done
say "pass"
