"""PyTorch twin of gencli's GPT family (configs/gpt_char.json): the same network, loss, optimizer,
schedule and batches as one `gencli train` step, in plain PyTorch.

  /usr/bin/python3 scripts/twins/gpt.py --config configs/gpt_char.json [--steps 50] [--threads 1]
  (TWIN_VERBOSE=1: the parameter count and every step's loss on stderr)

How it maps to gencli:
  network   src/models/gpt/gpt_network.cpp: token + position embeddings (N(0, 0.02)), n_layer
            pre-LayerNorm blocks, a final LayerNorm, the head tied to the token embedding
            (logits = h @ wte^T). LayerNorms have a bias only with model.bias (eps 1e-5).
            Linear layers: N(0, 0.02) weights, zero biases (lora_linear.cpp); the two
            projections into the residual stream (attn c_proj, mlp_proj) are scaled by
            1/sqrt(2 n_layer). MLP 4x wide with the exact (erf) GELU (model.arch "gencli").
  attention src/models/gpt/attention.cpp: (q k^T) / sqrt(head_dim), future masked to -inf,
            softmax, times v. "naive" spells that out; "sdpa" is torch's fused
            F.scaled_dot_product_attention where torch has it (2.0 on) and the same spelled-out
            attention where it does not (1.13), as a careful user of that torch would write it.
            (gencli's "sdpa" on LibTorch 1.13 is its own fused CPU kernel.)
  loss      gpt_model.cpp GptModel::loss: mean cross-entropy of tokens 1..T from 0..T-1 of
            windows of block_size + 1 tokens.
  optimizer gpt_model.cpp optimized_parts: two parts, "decay" (every parameter of dim >= 2:
            embeddings and linear weights) with optim.weight_decay and "no_decay" (norm gains,
            biases) with 0 (train/part_optimizers.cpp); AdamW (train/optimizers.cpp).
            optim.grad_clip clips each part's gradient norm separately (PartOptimizers::update
            clips per part), so here each param group is clipped on its own.
  schedule  train/optimizers.cpp learning_rate_at, set before every step (training_loop.cpp),
            with train.steps (or optim.decay_steps) as the cosine's end.
  gradients dropped (set to None) before backward, as gencli's drop_gradients.
  data      data/tokenizer.cpp vocabulary_of: the file's distinct characters sorted by code
            point; data/text_corpus.cpp: the whole file encoded, the first
            round((1 - test_fraction) * n) tokens for training, each batch batch_size windows of
            block_size + 1 tokens at uniformly random offsets (TextWindows::next).
  step      GptModel::train_step: forward, backward, clip + step, then loss.item() (gencli
            reads the loss every step to log it and check it is finite).

Differences that remain: the random numbers (initial weights, batch offsets) are not gencli's
(torch's global generator seeded with --seed); the causal mask is built once as a buffer
(gencli builds it from two aranges in every attention call, a few tiny ops per layer); only
tokenizer "char", attention "naive" or "sdpa", no LoRA; CPU only (twin_common has no device option).

Checked: 809,216 parameters as gencli; a gencli checkpoint's weights (export --format
safetensors) loaded here give bit-identical logits to `gencli tokenize --logits`.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twin_common  # noqa: E402

# gencli's defaults for the model keys a config may omit (src/models/gpt/gpt_config.h).
DEFAULTS = {"arch": "gencli", "tokenizer": "char", "n_layer": 4, "n_head": 4, "n_embd": 128, "block_size": 64,
            "dropout": 0.0, "bias": False, "attention": "naive", "lora_rank": 0}


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (torch 1.13's nn.LayerNorm always has one)."""

    def __init__(self, n, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.bias = nn.Parameter(torch.zeros(n)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


def gpt2_linear(n_in, n_out, bias, scale=1.0):
    """GPT-2's initialisation as gencli's LoraLinear: N(0, 0.02) (times scale), zero bias."""
    layer = nn.Linear(n_in, n_out, bias=bias)
    with torch.no_grad():
        layer.weight.normal_(0.0, 0.02).mul_(scale)
        if bias:
            layer.bias.zero_()
    return layer


class CausalSelfAttention(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.n_head = m["n_head"]
        self.fused = m["attention"] == "sdpa" and hasattr(F, "scaled_dot_product_attention")
        residual_scale = 1.0 / math.sqrt(2.0 * m["n_layer"])
        self.c_attn = gpt2_linear(m["n_embd"], 3 * m["n_embd"], m["bias"])
        self.c_proj = gpt2_linear(m["n_embd"], m["n_embd"], m["bias"], residual_scale)
        self.resid_dropout = nn.Dropout(m["dropout"])
        t = m["block_size"]
        # True where query i must not see key j > i.
        self.register_buffer("future", torch.ones(t, t, dtype=torch.bool).triu(1), persistent=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (y.view(b, t, self.n_head, c // self.n_head).transpose(1, 2) for y in (q, k, v))  # (B, H, T, D)
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
            scores = scores.masked_fill(self.future[:t, :t], float("-inf"))
            y = torch.softmax(scores, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(b, t, c)
        return self.resid_dropout(self.c_proj(y))


class Block(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.ln_1 = LayerNorm(m["n_embd"], m["bias"])
        self.attn = CausalSelfAttention(m)
        self.ln_2 = LayerNorm(m["n_embd"], m["bias"])
        self.c_fc = gpt2_linear(m["n_embd"], 4 * m["n_embd"], m["bias"])
        self.mlp_proj = gpt2_linear(4 * m["n_embd"], m["n_embd"], m["bias"], 1.0 / math.sqrt(2.0 * m["n_layer"]))
        self.mlp_dropout = nn.Dropout(m["dropout"])
        self.gelu = "tanh" if m["arch"] == "gpt2" else "none"

    def forward(self, x):
        h = x + self.attn(self.ln_1(x))
        return h + self.mlp_dropout(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(h)), approximate=self.gelu)))


class GPT(nn.Module):
    def __init__(self, m, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, m["n_embd"])
        self.wpe = nn.Embedding(m["block_size"], m["n_embd"])
        with torch.no_grad():
            self.wte.weight.normal_(0.0, 0.02)
            self.wpe.weight.normal_(0.0, 0.02)
        self.drop = nn.Dropout(m["dropout"])
        self.blocks = nn.ModuleList(Block(m) for _ in range(m["n_layer"]))
        self.ln_f = LayerNorm(m["n_embd"], m["bias"])

    def forward(self, tokens):
        positions = torch.arange(tokens.size(1), device=tokens.device)
        x = self.drop(self.wte(tokens) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)  # tied head


def learning_rate_at(o, step, total_steps):
    """gencli's learning_rate_at (src/train/optimizers.cpp): linear warm-up, then cosine to a floor."""
    if o.get("schedule", "constant") == "constant":
        return o["lr"]
    if o.get("decay_steps", 0) > 0:
        total_steps = o["decay_steps"]
    warmup = o.get("warmup_steps", 0)
    if step < warmup:
        return o["lr"] * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
    floor = o["lr"] * o.get("min_lr_ratio", 0.1)
    return floor + (o["lr"] - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def load_tokens(path, test_fraction):
    """The training part of the char-encoded file, as gencli's text data (bytes decoded as UTF-8,
    no newline translation)."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    vocabulary = sorted(set(text))  # code point order
    index = {ch: i for i, ch in enumerate(vocabulary)}
    ids = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    cut = math.floor((1.0 - test_fraction) * len(ids) + 0.5)  # std::llround, not Python's banker's round
    return ids[:cut].clone(), len(vocabulary)


def random_windows(tokens, batch, length):
    """batch windows of `length` consecutive tokens at uniformly random offsets (TextWindows::next)."""
    offsets = torch.arange(length).unsqueeze(0)
    while True:
        starts = torch.randint(tokens.size(0) - length + 1, (batch, 1))
        yield tokens[starts + offsets]


def main():
    args = twin_common.parse_args(__doc__.splitlines()[0])
    cfg = args.cfg
    m = {**DEFAULTS, **cfg["model"]}
    if m["tokenizer"] != "char" or m["attention"] not in ("naive", "sdpa") or m["lora_rank"] != 0:
        sys.exit("error: this twin mirrors tokenizer char, attention naive or sdpa, and no LoRA")
    data = cfg.get("data", {})
    train_tokens, vocab_size = load_tokens(args.data or data.get("path", "data/text/fortunes.txt"),
                                           data.get("test_fraction", 0.1))
    model = GPT(m, vocab_size)
    model.train()

    # nanoGPT's grouping, as gencli's optimized_parts: matrices decay, gains and biases do not.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer = twin_common.adam_for(cfg, [g for g in groups if g["params"]])
    o = cfg["optim"]
    grad_clip = o.get("grad_clip", 0.0)
    total_steps = cfg["train"]["steps"]
    batch_size = cfg["train"].get("batch_size", 64)
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    verbose = bool(os.environ.get("TWIN_VERBOSE"))  # diagnostics on stderr, for checking against gencli
    if verbose:
        print(f"gpt twin: trainable parameters {n_params}, vocabulary {vocab_size}, "
              f"{train_tokens.numel()} training tokens", file=sys.stderr)

    def step(windows, i):
        lr = learning_rate_at(o, i, total_steps)
        for g in optimizer.param_groups:
            g["lr"] = lr
        logits = model(windows[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), windows[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip > 0:
            for g in optimizer.param_groups:  # gencli clips each part on its own
                torch.nn.utils.clip_grad_norm_(g["params"], grad_clip)
        optimizer.step()
        value = loss.item()  # gencli reads every step's loss (to log it and check it is finite)
        if verbose:
            print(f"step {i + 1} loss {value:.4f} lr {lr:.3g}", file=sys.stderr)

    batches = random_windows(train_tokens, batch_size, m["block_size"] + 1)
    twin_common.timed(args, step, batches, batch_size, "gpt")


if __name__ == "__main__":
    main()
