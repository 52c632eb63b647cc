#!/usr/bin/env bash
# Hugging Face GPT-2 against the real tools (pip's transformers and tokenizers, from
# scripts/install_python_tools.sh; skipped when they are absent):
#  - a byte-level BPE trained by `tokenizers` encodes a held-out text (emoji, runs of spaces,
#    non-Latin scripts, <|endoftext|>) to exactly the ids `tokenizers` gives;
#  - a tiny random GPT-2 saved by `transformers` (2 layers, 64 wide) runs from its folder: the
#    same logits within 1e-4 of their scale, the same greedy continuation, eval on a text, LoRA on top of it;
#  - a GPT trained by gencli (arch gpt2, gpt2-bpe) exported with --format hf loads with
#    from_pretrained and gives the same logits; a BPE gencli trains (model.tokenizer bpe)
#    loads in `tokenizers` and encodes as gencli does;
#  - where a real GPT-2 vocabulary is present ($GENCLI_GPT2_DIR), "Hello world" is [15496, 995].
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_python_tools transformers tokenizers torch
py() { "$TOOLS" -W ignore "$@"; }

CORPUS="$SOURCE_DIR/data/text/fortunes.txt"
if [ ! -f "$CORPUS" ]; then
  say "no data/text/fortunes.txt (scripts/make_text_data.sh): training the tokenizer on a generated text"
  CORPUS="$WORK/corpus.txt"
  py -c "
import random
r = random.Random(5)
words = 'the a cat dog sun moon runs sleeps over under quickly red green blue old new'.split()
with open('$CORPUS', 'w') as f:
    for _ in range(20000): f.write(' '.join(r.choice(words) for _ in range(r.randint(3, 12))) + '.\n')"
fi
head -c 300000 "$CORPUS" > train.txt
HELD_OUT=$'Hello   world! It\'s 2024, isn\'t it?\n\n  Tabs\there; emoji \U0001F600\U0001F680 and caf\u00e9 na\u00efve.\nПривет, мир. 你好，世界。 مرحبا \u0663\u0664<|endoftext|>The end.   '
printf '%s' "$HELD_OUT" > held_out.txt

say "tokenizers: a byte-level BPE of 2000 tokens trained on $(basename "$CORPUS")"
py - <<'PY'
from tokenizers import ByteLevelBPETokenizer
tok = ByteLevelBPETokenizer()
tok.train(["train.txt"], vocab_size=2000, min_frequency=2, special_tokens=["<|endoftext|>"], show_progress=False)
import os
os.makedirs("tok", exist_ok=True)
tok.save_model("tok")
tok.save("tok/tokenizer.json")
PY

check "a model on that tokenizer: gencli's ids for the held-out text are tokenizers'"
py - <<'PY'
import torch
from transformers import GPT2Config, GPT2LMHeadModel
from tokenizers import Tokenizer
vocab = Tokenizer.from_file("tok/tokenizer.json").get_vocab_size()
torch.manual_seed(0)
model = GPT2LMHeadModel(GPT2Config(vocab_size=vocab, n_positions=128, n_embd=64, n_layer=2, n_head=4,
                                   bos_token_id=None, eos_token_id=None))
with torch.no_grad():  # livelier than the 0.02-std init, so greedy choices are not near-ties
    for p in model.parameters():
        p.mul_(4)
model.save_pretrained("hf")
import shutil
for f in ("vocab.json", "merges.txt"):
    shutil.copy(f"tok/{f}", f"hf/{f}")
PY
ok ids "$GENCLI" tokenize --checkpoint hf --file held_out.txt
py - "$WORK/ids.out" <<'PY'
import json, sys
from tokenizers import Tokenizer
want = Tokenizer.from_file("tok/tokenizer.json").encode(open("held_out.txt", encoding="utf-8").read()).ids
got = json.loads(open(sys.argv[1]).read())
assert got == want, f"gencli {got}\n tokenizers {want}"
print(f"    {len(got)} ids, all equal")
PY

PROMPT="Once upon a time, the"
check "logits of \"$PROMPT\" within 1e-4 of transformers' (relative to their scale); the same greedy continuation"
ok logits "$GENCLI" tokenize --checkpoint hf --text "$PROMPT" --logits hf_logits.npy
ok greedy "$GENCLI" sample --checkpoint hf --prompt "$PROMPT" --temperature 0 --max-new-tokens 40 --out greedy.txt
py - "$PROMPT" <<'PY'
import sys, numpy as np, torch
from transformers import GPT2LMHeadModel
from tokenizers import Tokenizer
tok = Tokenizer.from_file("tok/tokenizer.json")
model = GPT2LMHeadModel.from_pretrained("hf").eval()
ids = tok.encode(sys.argv[1]).ids
with torch.no_grad():
    want = model(torch.tensor([ids])).logits[0].numpy()
got = np.load("hf_logits.npy")
diff = float(np.abs(got - want).max())
# Relative to the logits' scale: the two implementations order their float32 sums differently,
# and on some CPUs their kernels part by ~2.5e-5 of the scale (seen in CI); a misread weight
# moves logits by whole units.
assert got.shape == want.shape and diff <= 1e-4 * max(1.0, float(np.abs(want).max())), (got.shape, want.shape, diff)
print(f"    logits {got.shape}: largest difference {diff:.2e} (scale {np.abs(want).max():.2f})")
out = model.generate(torch.tensor([ids]), max_new_tokens=40, do_sample=False, pad_token_id=0)
# The continuation as bytes (a random model's tokens need not end on whole characters): GPT-2's
# byte-to-unicode map, inverted.
printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
chars = printable + [256 + i for i in range(256 - len(printable))]
byte_of = {chr(c): b for c, b in zip(chars, printable + [b for b in range(256) if b not in printable])}
vocab = {i: t for t, i in tok.get_vocab().items()}
want = b"".join(vocab[i].encode() if vocab[i] == "<|endoftext|>" else bytes(byte_of[c] for c in vocab[i])
                for i in out[0].tolist())
mine = open("greedy.txt", "rb").read().rstrip(b"\n")
assert mine == want, f"gencli: {mine!r}\n transformers: {want!r}"
print(f"    greedy, 40 tokens: {mine[:60]!r}...")
PY

check "eval on a text, and LoRA on top of the folder"
ok eval "$GENCLI" eval --checkpoint hf --data-root "$WORK/train.txt" --test-limit 2000 --json
assert_contains "$WORK/eval.out" "bits_per_token" "eval's JSON"
ok lora "$GENCLI" train --config "$SOURCE_DIR/configs/gpt_lora.json" --set init.from="$WORK/hf" \
  --set data.path="$WORK/train.txt" --set model.lora_rank=4 --set train.batch_size=4 --set train.steps=6 \
  --set train.log_every=3 --set train.eval_every=0 --set train.checkpoint_every=6 --set optim.warmup_steps=1 \
  --threads 1 --device cpu --out L
ok lora-sample "$GENCLI" sample --checkpoint L/checkpoints/last.pt --prompt "$PROMPT" --max-new-tokens 10 --seed 3

check "a gencli GPT-2 (arch gpt2, gpt2-bpe) exported with --format hf: from_pretrained gives the same logits"
ok train "$GENCLI" train --config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/train.txt" \
  --set model.arch=gpt2 --set model.bias=true --set model.tokenizer=gpt2-bpe --set model.tokenizer_dir="$WORK/tok" \
  --set model.n_layer=2 --set model.n_head=2 --set model.n_embd=32 --set model.block_size=32 --set train.batch_size=4 \
  --set train.steps=10 --set train.log_every=5 --set train.eval_every=0 --set optim.warmup_steps=1 \
  --threads 1 --device cpu --out G
ok export "$GENCLI" export --checkpoint G/checkpoints/last.pt --format hf --out exported
ok exported-logits "$GENCLI" tokenize --checkpoint G/checkpoints/last.pt --text "$PROMPT" --logits g_logits.npy
py - "$PROMPT" <<'PY'
import sys, numpy as np, torch
from transformers import GPT2LMHeadModel, GPT2TokenizerFast
model = GPT2LMHeadModel.from_pretrained("exported").eval()
tok = GPT2TokenizerFast.from_pretrained("exported")
ids = tok(sys.argv[1])["input_ids"]
with torch.no_grad():
    want = model(torch.tensor([ids])).logits[0].numpy()
diff = float(np.abs(np.load("g_logits.npy") - want).max())
assert diff <= 1e-4 * max(1.0, float(np.abs(want).max())), diff
print(f"    {len(ids)} tokens through GPT2TokenizerFast, logits within {diff:.2e}")
PY

check "gencli's own BPE (model.tokenizer bpe): tokenizers reads the exported files and gives gencli's ids"
ok bpe-train "$GENCLI" train --config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/train.txt" \
  --set model.arch=gpt2 --set model.bias=true --set model.tokenizer=bpe --set model.bpe_vocab_size=600 \
  --set model.n_layer=1 --set model.n_head=2 --set model.n_embd=16 --set model.block_size=32 --set train.batch_size=4 \
  --set train.steps=4 --set train.log_every=2 --set train.eval_every=0 --set optim.warmup_steps=1 \
  --threads 1 --device cpu --out B
assert_contains "$WORK/bpe-train.err" "tokenizer: a byte-level BPE of" "the training log"
ok bpe-export "$GENCLI" export --checkpoint B/checkpoints/last.pt --format hf --out B-hf
ok bpe-ids "$GENCLI" tokenize --checkpoint B/checkpoints/last.pt --file held_out.txt
py - "$WORK/bpe-ids.out" <<'PY'
import json, sys
from tokenizers import ByteLevelBPETokenizer
tok = ByteLevelBPETokenizer("B-hf/vocab.json", "B-hf/merges.txt")
tok.add_special_tokens(["<|endoftext|>"])
want = tok.encode(open("held_out.txt", encoding="utf-8").read()).ids
got = json.loads(open(sys.argv[1]).read())
assert got == want, f"gencli {got}\n tokenizers {want}"
print(f"    vocabulary of {tok.get_vocab_size()}; {len(got)} ids, all equal")
PY

GPT2_VOCAB=${GENCLI_GPT2_DIR:-$SOURCE_DIR/data/gpt2}
if [ -f "$GPT2_VOCAB/vocab.json" ] && [ -f "$GPT2_VOCAB/merges.txt" ]; then
  check "GPT-2's own vocabulary ($GPT2_VOCAB): \"Hello world\" is [15496, 995], and a text as GPT2TokenizerFast has it"
  ok hello "$GENCLI" tokenize --tokenizer-dir "$GPT2_VOCAB" --text "Hello world"
  assert_contains "$WORK/hello.out" "[15496,995]" "the ids"
  ok gpt2-held-out "$GENCLI" tokenize --tokenizer-dir "$GPT2_VOCAB" --file held_out.txt
  py - "$GPT2_VOCAB" "$WORK/gpt2-held-out.out" <<'PY'
import json, sys
from transformers import GPT2TokenizerFast
tok = GPT2TokenizerFast.from_pretrained(sys.argv[1])
want = tok(open("held_out.txt", encoding="utf-8").read())["input_ids"]
got = json.loads(open(sys.argv[2]).read())
assert got == want, f"gencli {got}\n transformers {want}"
print(f"    {len(got)} ids of GPT-2's vocabulary, all equal")
PY
else
  say "no GPT-2 vocabulary at $GPT2_VOCAB (scripts/fetch_gpt2_vocab.sh): the [15496, 995] check is skipped"
fi

check "a folder that is not GPT-2: one line naming the file"
mkdir bert && echo '{"model_type": "bert"}' > bert/config.json
expect_exit 2 bert "$GENCLI" sample --checkpoint bert --prompt hi
assert_error "$WORK/bert.err" "bert/config.json: model_type is \"bert\""
finish
