"""PyTorch twin of gencli's VAE family (configs/vae_mnist.json, arch "mlp", and
configs/conv_vae_mnist.json, arch "conv"): the same encoder, decoder, loss, KL warm-up, optimizer
and batches as one `gencli train` step, in plain PyTorch.

  /usr/bin/python3 scripts/twins/vae.py --config configs/conv_vae_mnist.json [--data data/mnist]
      [--steps 50] [--threads 1]   (TWIN_VERBOSE=1: the parameter count and every loss on stderr)

How it maps to gencli:
  encoder   src/models/vae/vae_networks.cpp: conv only, per conv_channels entry a
            Conv2d(in, out, 4, stride 2, padding 1) -> ReLU; then Flatten; Linear -> ReLU through
            `hidden`; a head Linear to 2 * latent_dim, split into (mu, logvar).
  decoder   Linear -> ReLU through reversed `hidden`, then mlp: Linear to C*S*S and unflatten;
            conv: Linear to c_last * (S / 2^n)^2 -> ReLU, unflatten, then ConvTranspose2d(4, 2, 1)
            back through conv_channels (ReLU between, none after the last). Raw logits out.
            Every layer keeps LibTorch's default initialisation, which is PyTorch's. Defaults for
            omitted keys from vae_config.h. log_sigma is a registered parameter as in
            vae_model.cpp (trainable only for a learned Gaussian sigma), so both counts match.
  step      vae_model.cpp train_step: targets binarized afresh (u < x, u ~ U[0, 1)) for
            binarize "dynamic" (dequantized for "gaussian"); z = mu + exp(logvar / 2) * eps;
            recon = -log p(x | z) summed per image (vae_math.cpp), KL per dimension
            0.5 (mu^2 + exp(logvar) - 1 - logvar) summed per image (or the free-bits floor);
            loss = recon.mean() + beta_t * KL.mean(), beta_t = beta * min(1, (step + 1) /
            kl_warmup_steps). The metrics gencli reads every step are read here too
            (loss, neg_elbo, recon, kl).
  optimizer one part ("vae", the trainable parameters): torch.optim.Adam (gencli's FusedAdam
            computes its update), optim.grad_clip on the global norm (train/part_optimizers.cpp),
            the LR of train/optimizers.cpp learning_rate_at set before every step
            (train/training_loop.cpp), gradients dropped (set to None) before backward. No EMA
            (the VAE family keeps none).
  data      data/image_dataset.cpp: the IDX training images in [0, 1] (data.range "unit"), batches
            from a fresh permutation per epoch, the last partial batch dropped (twin_common).

Differences that remain: the batches and noise (permutation, binarization, eps) are not gencli's
random numbers (torch's global generator here, gencli's own example generator there); the initial
weights are gencli's with --seed 1234 (its train.seed default: both build the networks in the same
order from the same global generator); the Bernoulli log-likelihood is
F.binary_cross_entropy_with_logits, as a PyTorch user writes it, where gencli spells out
x log s(l) + (1 - x) log s(-l) with two log_sigmoid calls (the same value up to rounding, fewer
kernels here); model.conditional and data.limit are not mirrored; CPU only (twin_common has no
device option).

Checked (vae_mnist and conv_vae_mnist): 1,082,680 and 1,691,369 trainable parameters (of one more,
log_sigma) as gencli; gencli's exported weights loaded here give its decoder's samples for the same
latents and its reconstructions (sample --mode reconstruct --npy) bit for bit; at --seed 1234 the
initial weights equal gencli's and the first step's loss agrees to 0.1 % (634.4 vs 633.9 nats for
conv_vae_mnist, 545.5 vs 545.4 for vae_mnist).
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twin_common  # noqa: E402

# gencli's defaults for the model keys a config may omit (src/models/vae/vae_config.h).
DEFAULTS = {"arch": "mlp", "latent_dim": 20, "hidden": [512, 256], "conv_channels": [32, 64], "image_channels": 1,
            "image_size": 28, "likelihood": "bernoulli", "binarize": "dynamic", "variance": "learned",
            "sigma": 0.1, "beta": 1.0, "kl_warmup_steps": 0, "free_bits": 0.0, "conditional": False}
# gencli's optim defaults (src/core/config.h OptimConfig), which twin_common.adam_for does not know.
OPTIM_DEFAULTS = {"name": "adam", "lr": 2e-4, "betas": [0.5, 0.999], "eps": 1e-8, "weight_decay": 0.0,
                  "schedule": "constant", "warmup_steps": 0, "min_lr_ratio": 0.1, "decay_steps": 0, "grad_clip": 0.0}


def mlp(width, widths):
    """Linear -> ReLU through widths; returns the layers and the last width."""
    layers = []
    for w in widths:
        layers += [nn.Linear(width, w), nn.ReLU()]
        width = w
    return layers, width


class Encoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        c, s = m["image_channels"], m["image_size"]
        layers, features = [], c * s * s
        if m["arch"] == "conv":
            n_in = c
            for n_out in m["conv_channels"]:
                layers += [nn.Conv2d(n_in, n_out, 4, stride=2, padding=1), nn.ReLU()]
                n_in = n_out
            side = s >> len(m["conv_channels"])
            features = m["conv_channels"][-1] * side * side
        self.features = nn.Sequential(*layers, nn.Flatten())
        body, width = mlp(features, m["hidden"])
        self.body = nn.Sequential(*(body or [nn.Identity()]))  # gencli keeps an Identity when hidden is empty
        self.head = nn.Linear(width, 2 * m["latent_dim"])

    def forward(self, x):
        mu, logvar = self.head(self.body(self.features(x))).chunk(2, dim=1)
        return mu, logvar


class Decoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        c, s = m["image_channels"], m["image_size"]
        body, width = mlp(m["latent_dim"], list(reversed(m["hidden"])))
        if m["arch"] == "mlp":
            body.append(nn.Linear(width, c * s * s))
            up = [nn.Unflatten(1, (c, s, s))]
        else:
            channels = m["conv_channels"]
            side = s >> len(channels)
            body += [nn.Linear(width, channels[-1] * side * side), nn.ReLU()]
            up = [nn.Unflatten(1, (channels[-1], side, side))]
            for i in reversed(range(len(channels))):
                n_out = c if i == 0 else channels[i - 1]
                up.append(nn.ConvTranspose2d(channels[i], n_out, 4, stride=2, padding=1))
                if i != 0:
                    up.append(nn.ReLU())
        self.body = nn.Sequential(*body)
        self.upsampling = nn.Sequential(*up)

    def forward(self, z):
        return self.upsampling(self.body(z))  # Bernoulli logits, or the Gaussian mean before its sigmoid


class VAE(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.encoder, self.decoder = Encoder(m), Decoder(m)
        # Registered even when unused, as gencli does, so the parameter counts agree.
        learned = m["likelihood"] == "gaussian" and m["variance"] == "learned"
        self.log_sigma = nn.Parameter(torch.full((1,), math.log(m["sigma"])), requires_grad=learned)


def learning_rate_at(o, step, total_steps):
    """gencli's learning_rate_at (src/train/optimizers.cpp): linear warm-up, then cosine to a floor."""
    if o["schedule"] == "constant":
        return o["lr"]
    if o["decay_steps"] > 0:
        total_steps = o["decay_steps"]
    warmup = o["warmup_steps"]
    if step < warmup:
        return o["lr"] * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
    floor = o["lr"] * o["min_lr_ratio"]
    return floor + (o["lr"] - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def main():
    args = twin_common.parse_args(__doc__.splitlines()[0])
    cfg = args.cfg
    m = {**DEFAULTS, **cfg["model"]}
    if m["conditional"]:
        sys.exit("error: this twin mirrors the unconditional VAE only")
    o = {**OPTIM_DEFAULTS, **cfg.get("optim", {})}
    train = cfg.get("train", {})
    data = cfg.get("data", {})
    images = twin_common.load_idx_images(args.data or data.get("root", "data/mnist"), data.get("range", "unit"))

    model = VAE(m)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = twin_common.adam_for({**cfg, "optim": o}, params)  # adam_for with gencli's defaults filled in
    for group in optimizer.param_groups:
        group["eps"] = o["eps"]  # adam_for leaves eps at PyTorch's 1e-8; gencli reads optim.eps
    total_steps = train.get("steps", 10000)
    batch_size = train.get("batch_size", 64)
    gaussian = m["likelihood"] == "gaussian"
    dynamic = not gaussian and m["binarize"] == "dynamic"
    log_2pi = math.log(2 * math.pi)
    verbose = bool(os.environ.get("TWIN_VERBOSE"))  # diagnostics on stderr, for checking against gencli
    if verbose:
        total = sum(p.numel() for p in model.parameters())
        print(f"vae twin: trainable parameters {sum(p.numel() for p in params)} of {total}, "
              f"{images.shape[0]} training images", file=sys.stderr)

    def beta_at(i):
        if m["kl_warmup_steps"] == 0:
            return m["beta"]
        return m["beta"] * min(1.0, (i + 1) / m["kl_warmup_steps"])

    def step(x, i):
        lr = learning_rate_at(o, i, total_steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        if gaussian:  # uniform dequantization of the 8-bit pixels (vae_math.cpp)
            x = (torch.round(x * 255) + torch.rand_like(x)) / 256
        elif dynamic:  # a fresh binary image per step (discrete_pixels.cpp binarize)
            x = (torch.rand_like(x) < x).to(x.dtype)
        mu, logvar = model.encoder(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # reparameterisation
        out = model.decoder(z)
        if gaussian:
            ls = model.log_sigma
            ll = -0.5 * log_2pi - ls - 0.5 * (x - torch.sigmoid(out)).square() * torch.exp(-2 * ls)
            recon = -ll.flatten(1).sum(1)
        else:
            recon = F.binary_cross_entropy_with_logits(out, x, reduction="none").flatten(1).sum(1)  # (B) nats
        kl_per_dim = 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar)
        kl = kl_per_dim.sum(1)
        # Free bits: each dimension's batch-mean KL below the floor costs nothing.
        kl_penalty = kl_per_dim.mean(0).clamp_min(m["free_bits"]).sum() if m["free_bits"] > 0 else kl.mean()
        beta = beta_at(i)
        loss = recon.mean() + beta * kl_penalty
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if o["grad_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(params, o["grad_clip"])
        optimizer.step()
        # The metrics gencli logs (and checks are finite) every step.
        metrics = {"loss": loss.item(), "neg_elbo": (recon + kl).mean().item(), "recon": recon.mean().item(),
                   "kl": kl.mean().item(), "beta": beta}
        if gaussian:
            metrics["sigma"] = model.log_sigma.exp().item()
        if verbose:
            print(f"step {i + 1} " + " ".join(f"{k} {v:.4g}" for k, v in metrics.items()) + f" lr {lr:.3g}",
                  file=sys.stderr)

    batches = twin_common.shuffled_batches(images, batch_size)
    twin_common.timed(args, step, batches, batch_size, "vae")


if __name__ == "__main__":
    main()
