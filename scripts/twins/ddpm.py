"""PyTorch twin of gencli's diffusion family with the U-Net (configs/ddpm_mnist.json): the same
network, loss, optimizer, schedule, EMA and batches as one `gencli train` step, in plain PyTorch.

  /usr/bin/python3 scripts/twins/ddpm.py --config configs/ddpm_mnist.json [--data data/mnist]
      [--steps 50] [--threads 1]   (TWIN_VERBOSE=1: the parameter count and every loss on stderr)

How it maps to gencli:
  embedding src/models/diffusion/denoiser.cpp: sinusoidal timestep embedding of width
            4 * base_channels (sin half, then cos half, frequencies 10000^(-i/half)), then
            Linear -> SiLU -> Linear. No class or text conditioning (not mirrored).
  U-Net     src/models/diffusion/unet.cpp: 3x3 input conv; per level res_blocks ResBlocks of
            base_channels * channel_mult[i], then (not at the last level) a stride-2 3x3 conv;
            every block output, downsample output and the input conv are skips. Middle:
            ResBlock, single-head self-attention (model.attention), ResBlock. Up path per level
            (deepest first): res_blocks + 1 ResBlocks on cat(h, skip), then (not at level 0)
            nearest 2x upsampling and a 3x3 conv. Out: GroupNorm -> SiLU -> 3x3 conv.
            ResBlock: GN -> SiLU -> conv, + Linear(SiLU(emb)), GN -> SiLU -> dropout -> conv,
            plus the input (1x1 conv when widths differ). GroupNorm with model.groups groups.
            Every layer keeps LibTorch's default initialisation, which is PyTorch's.
  schedule  noise_schedule.cpp: linear betas beta_start..beta_end (or the cosine schedule),
            alpha_bar = cumprod(1 - beta) in float64, used as float32.
  loss      diffusion_model.cpp train_step: t uniform in [0, T), eps ~ N(0, I),
            x_t = sqrt(a) x0 + sqrt(1 - a) eps, MSE(net(x_t, t), eps) (or v with prediction "v").
  optimizer one part ("denoiser"): Adam (gencli's FusedAdam computes torch.optim.Adam's update),
            optim.grad_clip on the global norm (train/part_optimizers.cpp), the LR of
            train/optimizers.cpp learning_rate_at set before every step (training_loop.cpp),
            gradients dropped (set to None) before backward.
  EMA       train/ema.cpp: after every step ema = lerp(ema, weights, 1 - train.ema_decay)
            (the U-Net has no buffers to copy).
  data      data/image_dataset.cpp: the IDX training images in data.range, batches from a
            fresh permutation per epoch, the last partial batch dropped (twin_common).
  step      loss.item() every step, as gencli reads it to log it and check it is finite.

Differences that remain: the random numbers (weights, permutation, t, eps) are not gencli's
(torch's global generator seeded with --seed); alpha_bar is cast to float32 once (gencli casts
its 1000 float64 values every step, one tiny op); data.limit, conditional, text_conditional,
latent_autoencoder and arch "mlp" are not mirrored; CPU only (twin_common has no device option).

Checked: 270,385 parameters as gencli; a gencli checkpoint's weights (export --format
safetensors) loaded here reproduce `gencli eval`'s per-timestep test losses bit for bit.
"""
import copy
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twin_common  # noqa: E402

# gencli's defaults for the model keys a config may omit (src/models/diffusion/diffusion_config.h).
DEFAULTS = {"arch": "unet", "image_channels": 1, "image_size": 28, "base_channels": 32, "channel_mult": [1, 2, 2],
            "res_blocks": 1, "attention": True, "groups": 8, "dropout": 0.0, "timesteps": 1000,
            "schedule": "linear", "beta_start": 1e-4, "beta_end": 0.02, "prediction": "epsilon",
            "conditional": False, "text_conditional": False, "latent_autoencoder": ""}


def conv3x3(n_in, n_out, stride=1):
    return nn.Conv2d(n_in, n_out, 3, stride=stride, padding=1)


class ResBlock(nn.Module):
    def __init__(self, n_in, n_out, embedding, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, n_in)
        self.conv1 = conv3x3(n_in, n_out)
        self.embedding_projection = nn.Linear(embedding, n_out)
        self.norm2 = nn.GroupNorm(groups, n_out)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = conv3x3(n_out, n_out)
        self.skip = nn.Conv2d(n_in, n_out, 1) if n_in != n_out else None

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.embedding_projection(F.silu(emb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return h + (self.skip(x) if self.skip is not None else x)


class SelfAttention(nn.Module):
    """Single-head attention over the pixels, residual (unet.cpp SelfAttentionImpl)."""

    def __init__(self, channels, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.projection = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).view(b, 3, c, h * w).unbind(1)  # each (B, C, N)
        weights = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(c), dim=-1)  # (B, N, N)
        attended = torch.bmm(v, weights.transpose(1, 2))  # (B, C, N)
        return x + self.projection(attended.view(b, c, h, w))


class UNet(nn.Module):
    def __init__(self, m, embedding):
        super().__init__()
        base, mult, groups, p = m["base_channels"], m["channel_mult"], m["groups"], m["dropout"]
        self.input = conv3x3(m["image_channels"], base)
        skips = [base]  # widths the down path hands to the up path, in push order
        width = base
        self.down_blocks, self.downsample = nn.ModuleList(), nn.ModuleList()
        for i, k in enumerate(mult):
            blocks = nn.ModuleList()
            for _ in range(m["res_blocks"]):
                blocks.append(ResBlock(width, base * k, embedding, groups, p))
                width = base * k
                skips.append(width)
            self.down_blocks.append(blocks)
            last = i + 1 == len(mult)
            self.downsample.append(nn.Identity() if last else conv3x3(width, width, stride=2))
            if not last:
                skips.append(width)
        self.middle1 = ResBlock(width, width, embedding, groups, p)
        self.middle_attention = SelfAttention(width, groups) if m["attention"] else None
        self.middle2 = ResBlock(width, width, embedding, groups, p)
        self.up_blocks, self.upsample = nn.ModuleList(), nn.ModuleList()
        for i in reversed(range(len(mult))):
            blocks = nn.ModuleList()
            for _ in range(m["res_blocks"] + 1):
                blocks.append(ResBlock(width + skips.pop(), base * mult[i], embedding, groups, p))
                width = base * mult[i]
            self.up_blocks.append(blocks)
            self.upsample.append(conv3x3(width, width) if i > 0 else nn.Identity())
        self.output_norm = nn.GroupNorm(groups, width)
        self.output = conv3x3(width, m["image_channels"])

    def forward(self, x, emb):
        h = self.input(x)
        skips = [h]
        for blocks, down in zip(self.down_blocks, self.downsample):
            for block in blocks:
                h = block(h, emb)
                skips.append(h)
            if not isinstance(down, nn.Identity):
                h = down(h)
                skips.append(h)
        h = self.middle1(h, emb)
        if self.middle_attention is not None:
            h = self.middle_attention(h)
        h = self.middle2(h, emb)
        for blocks, up in zip(self.up_blocks, self.upsample):
            for block in blocks:
                h = block(torch.cat([h, skips.pop()], dim=1), emb)
            if not isinstance(up, nn.Identity):
                h = up(F.interpolate(h, size=(2 * h.size(2), 2 * h.size(3)), mode="nearest"))
        return self.output(F.silu(self.output_norm(h)))


def timestep_embedding(t, width):
    """(B) -> (B, width): sin in the first half, cos in the second (denoiser.cpp)."""
    half = width // 2
    frequencies = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = t.float()[:, None] * frequencies[None, :]
    emb = torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
    return F.pad(emb, (0, 1)) if width % 2 else emb


class Denoiser(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.width = 4 * m["base_channels"]
        self.time_hidden = nn.Linear(self.width, self.width)
        self.time_out = nn.Linear(self.width, self.width)
        self.unet = UNet(m, self.width)

    def forward(self, x, t):
        emb = self.time_out(F.silu(self.time_hidden(timestep_embedding(t, self.width))))
        return self.unet(x, emb)


def alpha_bars(m):
    """Cumulative products of 1 - beta (noise_schedule.cpp), in float64 as gencli computes them."""
    T = m["timesteps"]
    if m["schedule"] == "cosine":
        f = lambda s: math.cos((s / T + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
        betas = [min(1.0 - f(s + 1) / f(s), 0.999) for s in range(T)]
    else:
        betas = [m["beta_start"] + (m["beta_end"] - m["beta_start"]) * s / (T - 1) for s in range(T)]
    return torch.cumprod(1.0 - torch.tensor(betas, dtype=torch.float64), 0)


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


def main():
    args = twin_common.parse_args(__doc__.splitlines()[0], lambda ap: ap.add_argument(
        "--sample", type=int, default=0, metavar="N",
        help="instead of training: time DDIM sampling of N images in --steps denoising steps"))
    cfg = args.cfg
    m = {**DEFAULTS, **cfg["model"]}
    if m["arch"] != "unet" or m["conditional"] or m["text_conditional"] or m["latent_autoencoder"]:
        sys.exit("error: this twin mirrors the unconditional pixel-space U-Net only")
    data = cfg.get("data", {})
    images = twin_common.load_idx_images(args.data or data.get("root", "data/mnist"), data.get("range", "tanh"))
    model = Denoiser(m)
    model.train()
    # The EMA copy: a frozen clone averaged after every step (train/ema.cpp).
    ema_decay = cfg["train"].get("ema_decay", 0.0)
    ema = copy.deepcopy(model).requires_grad_(False) if ema_decay > 0 else None
    ema_params = list(ema.parameters()) if ema else []
    params = list(model.parameters())

    optimizer = twin_common.adam_for(cfg, params)
    o = cfg["optim"]
    grad_clip = o.get("grad_clip", 0.0)
    total_steps = cfg["train"]["steps"]
    batch_size = cfg["train"].get("batch_size", 64)
    a_bar = alpha_bars(m).float()
    T = m["timesteps"]
    verbose = bool(os.environ.get("TWIN_VERBOSE"))  # diagnostics on stderr, for checking against gencli
    if verbose:
        n_params = sum(p.numel() for p in params if p.requires_grad)
        print(f"ddpm twin: trainable parameters {n_params}, {images.shape[0]} training images", file=sys.stderr)

    def step(x0, i):
        lr = learning_rate_at(o, i, total_steps)
        for g in optimizer.param_groups:
            g["lr"] = lr
        b = x0.size(0)
        t = torch.randint(T, (b,))
        noise = torch.randn_like(x0)
        a = a_bar[t].view(b, 1, 1, 1)
        x_t = a.sqrt() * x0 + (1 - a).sqrt() * noise
        target = a.sqrt() * noise - (1 - a).sqrt() * x0 if m["prediction"] == "v" else noise
        loss = F.mse_loss(model(x_t, t), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, grad_clip)
        optimizer.step()
        value = loss.item()  # gencli reads every step's loss (to log it and check it is finite)
        if ema is not None:
            with torch.no_grad():
                for e, p in zip(ema_params, params):
                    e.lerp_(p, 1.0 - ema_decay)
        if verbose:
            print(f"step {i + 1} loss {value:.4f} lr {lr:.3g}", file=sys.stderr)

    if args.sample:
        return time_ddim_sampling(model, a_bar, T, args)
    batches = twin_common.shuffled_batches(images, batch_size)
    twin_common.timed(args, step, batches, batch_size, "diffusion")


def time_ddim_sampling(model, a_bar, T, args):
    """Deterministic DDIM (eta 0) from noise, as `gencli bench sample --sampler ddim --steps S`:
    S network evaluations on evenly spaced timesteps, x0 clipped to [-1, 1]. Prints one JSON line."""
    model.eval()
    steps = args.steps
    ts = [int(round(t)) for t in torch.linspace(T - 1, 0, steps).tolist()]
    with torch.no_grad():
        x = torch.randn(args.sample, 1, 28, 28)
        model(x, torch.full((args.sample,), T - 1))  # warm-up: first-call allocation
        t0 = time.perf_counter()
        for k, t in enumerate(ts):
            a = a_bar[t]
            a_next = a_bar[ts[k + 1]] if k + 1 < len(ts) else torch.tensor(1.0)
            eps = model(x, torch.full((args.sample,), t))
            x0 = ((x - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)
            eps = (x - a.sqrt() * x0) / (1 - a).sqrt()
            x = a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps
        dt = time.perf_counter() - t0
    print(json.dumps({"impl": "pytorch", "bench": "sample", "family": "diffusion", "sampler": "ddim",
                      "steps": steps, "images": args.sample, "seconds": round(dt, 3),
                      "images_per_s": round(args.sample / dt, 3), "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
