"""PyTorch twin of gencli's GAN family (configs/dcgan_mnist.json, arch "dcgan"; also
configs/gan_mnist.json, arch "mlp"): the same networks, losses, update order, optimizers, EMA and
batches as one `gencli train` step, in plain PyTorch.

  /usr/bin/python3 scripts/twins/dcgan.py --config configs/dcgan_mnist.json [--data data/mnist]
      [--steps 50] [--threads 1]   (TWIN_VERBOSE=1: the parameter count and every loss on stderr)

How it maps to gencli:
  networks  src/models/gan/networks.cpp. DCGAN generator: Linear(latent, 2w*(S/4)^2) -> unflatten
            to (2w, S/4, S/4) -> BatchNorm2d -> ReLU -> ConvTranspose2d(2w, w, 4, stride 2, pad 1)
            -> BatchNorm2d -> ReLU -> ConvTranspose2d(w, C, 4, 2, 1) -> Tanh. DCGAN discriminator
            (no BatchNorm): Conv2d(C, w, 4, 2, 1) -> LeakyReLU -> Conv2d(w, 2w, 4, 2, 1) ->
            LeakyReLU -> Flatten -> Linear(2w*(S/4)^2, 1). MLP: Linear+LeakyReLU through g_hidden,
            Linear to C*S*S, Tanh; Linear+LeakyReLU through d_hidden, Linear to 1. All layers have
            biases and keep LibTorch's default initialisation, which is PyTorch's (no DCGAN N(0, 0.02)
            init). Defaults for omitted keys from gan_config.h. Module names follow gencli's
            (generator.body.N, discriminator.body.N).
  step      gan_model.cpp train_step, critic_steps times: a fresh real batch, z ~ N(0, I), the fake
            batch (with a graph only on the last pass), then the discriminator update on real and
            detached fake in ONE forward pass (cat: the critic has no BatchNorm), loss
            gan_losses.cpp ("bce": softplus(-real).mean() + softplus(fake).mean()), gradients
            dropped (None), backward, update; then the generator update on that last fake batch
            with the discriminator's weights frozen (requires_grad off), loss softplus(-D(fake)).mean().
            The metrics gencli reads every step are read here too (loss_d, d_real, d_fake, loss_g).
  optimizer src/train/part_optimizers.cpp: one optimizer per network, both from the optim section
            (gencli's FusedAdam computes torch.optim.Adam's update, L2 weight decay included),
            optim.grad_clip per network (global norm), the LR of train/optimizers.cpp
            learning_rate_at set on both before every step (train/training_loop.cpp).
  EMA       train/ema.cpp: after every step the generator's EMA copy does
            lerp(ema, weights, 1 - train.ema_decay) on the parameters and copies the buffers
            (BatchNorm running statistics).
  data      data/image_dataset.cpp: the IDX training images in [-1, 1] (data.range "tanh"), batches
            from a fresh permutation per epoch, the last partial batch dropped (twin_common).

Differences that remain: the batches and noise (permutation, z) are not gencli's random numbers
(torch's global generator here, gencli's own example generator there); the initial weights are
gencli's with --seed 1234 (its train.seed default: both build the networks in the same order from
the same global generator); model.conditional, loss "wgan-gp" and data.limit are not mirrored;
CPU only (twin_common has no device option).

Checked (dcgan_mnist and gan_mnist): 386,754 and 1,093,137 trainable parameters as gencli; gencli's
exported weights (export --format safetensors) loaded here give its generator's samples for the
same latents (sample --latents --npy) and its eval d_real_test bit for bit; at --seed 1234 the
initial weights equal gencli's and the first step's losses agree to the third digit
(loss_d 1.385 vs 1.388, loss_g 0.708 vs 0.707 for dcgan_mnist).
"""
import copy
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twin_common  # noqa: E402

# gencli's defaults for the model keys a config may omit (src/models/gan/gan_config.h).
DEFAULTS = {"arch": "mlp", "latent_dim": 100, "g_hidden": [256, 512], "d_hidden": [512, 256], "dcgan_width": 64,
            "leaky_slope": 0.2, "image_channels": 1, "image_size": 28, "conditional": False, "loss": "bce",
            "critic_steps": 1, "gp_weight": 10.0, "weight_clip": 0.0}
# gencli's optim defaults (src/core/config.h OptimConfig), which twin_common.adam_for does not know.
OPTIM_DEFAULTS = {"name": "adam", "lr": 2e-4, "betas": [0.5, 0.999], "eps": 1e-8, "weight_decay": 0.0,
                  "schedule": "constant", "warmup_steps": 0, "min_lr_ratio": 0.1, "decay_steps": 0, "grad_clip": 0.0}


class Generator(nn.Module):
    def __init__(self, m):
        super().__init__()
        c, s = m["image_channels"], m["image_size"]
        layers, width = [], m["latent_dim"]
        if m["arch"] == "mlp":
            for h in m["g_hidden"]:
                layers += [nn.Linear(width, h), nn.LeakyReLU(m["leaky_slope"])]
                width = h
            layers += [nn.Linear(width, c * s * s), nn.Tanh(), nn.Unflatten(1, (c, s, s))]
        else:
            w, s4 = m["dcgan_width"], s // 4
            layers = [nn.Linear(width, 2 * w * s4 * s4), nn.Unflatten(1, (2 * w, s4, s4)),
                      nn.BatchNorm2d(2 * w), nn.ReLU(),
                      nn.ConvTranspose2d(2 * w, w, 4, stride=2, padding=1), nn.BatchNorm2d(w), nn.ReLU(),
                      nn.ConvTranspose2d(w, c, 4, stride=2, padding=1), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, z):
        return self.body(z)


class Discriminator(nn.Module):
    def __init__(self, m):
        super().__init__()
        c, s, slope = m["image_channels"], m["image_size"], m["leaky_slope"]
        self.mlp = m["arch"] == "mlp"
        layers = []
        if self.mlp:
            width = c * s * s
            for h in m["d_hidden"]:
                layers += [nn.Linear(width, h), nn.LeakyReLU(slope)]
                width = h
            layers.append(nn.Linear(width, 1))
        else:
            w, s4 = m["dcgan_width"], s // 4
            layers = [nn.Conv2d(c, w, 4, stride=2, padding=1), nn.LeakyReLU(slope),
                      nn.Conv2d(w, 2 * w, 4, stride=2, padding=1), nn.LeakyReLU(slope),
                      nn.Flatten(), nn.Linear(2 * w * s4 * s4, 1)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x.flatten(1) if self.mlp else x).view(-1)  # (B) logits or critic values


def discriminator_loss(loss, real, fake):
    if loss == "bce":  # -log sigmoid(real) - log(1 - sigmoid(fake)), written stably
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if loss == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    return fake.mean() - real.mean()  # wasserstein


def generator_loss(loss, fake):
    return F.softplus(-fake).mean() if loss == "bce" else -fake.mean()  # non-saturating for bce


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
    if m["conditional"] or m["loss"] == "wgan-gp":
        sys.exit("error: this twin mirrors unconditional GANs with loss bce, hinge or wasserstein")
    o = {**OPTIM_DEFAULTS, **cfg.get("optim", {})}
    train = cfg.get("train", {})
    data = cfg.get("data", {})
    images = twin_common.load_idx_images(args.data or data.get("root", "data/mnist"), data.get("range", "tanh"))

    generator, discriminator = Generator(m), Discriminator(m)
    generator.train()
    discriminator.train()
    # The EMA copy of the generator: frozen, averaged after every step (train/ema.cpp).
    ema_decay = train.get("ema_decay", 0.0)
    ema = copy.deepcopy(generator).requires_grad_(False) if ema_decay > 0 else None

    g_params, d_params = list(generator.parameters()), list(discriminator.parameters())
    opt_cfg = {**cfg, "optim": o}  # adam_for with gencli's defaults filled in
    opt_g, opt_d = twin_common.adam_for(opt_cfg, g_params), twin_common.adam_for(opt_cfg, d_params)
    for opt in (opt_g, opt_d):
        for group in opt.param_groups:
            group["eps"] = o["eps"]  # adam_for leaves eps at PyTorch's 1e-8; gencli reads optim.eps
    total_steps = train.get("steps", 10000)
    batch_size = train.get("batch_size", 64)
    latent, loss_name, clip = m["latent_dim"], m["loss"], o["grad_clip"]
    verbose = bool(os.environ.get("TWIN_VERBOSE"))  # diagnostics on stderr, for checking against gencli
    if verbose:
        n_params = sum(p.numel() for p in g_params + d_params)
        print(f"gan twin: trainable parameters {n_params} (generator {sum(p.numel() for p in g_params)}), "
              f"{images.shape[0]} training images", file=sys.stderr)

    batches = twin_common.shuffled_batches(images, batch_size)

    def step(real, i):
        lr = learning_rate_at(o, i, total_steps)
        for opt in (opt_g, opt_d):
            for group in opt.param_groups:
                group["lr"] = lr
        for k in range(m["critic_steps"]):
            if k > 0:
                real = next(batches)  # gencli draws a fresh real batch for every critic update
            b = real.size(0)
            z = torch.randn(b, latent)
            # Only the last fake batch is reused by the generator update, so only it keeps a graph.
            with torch.set_grad_enabled(k + 1 == m["critic_steps"]):
                fake = generator(z)
            scores = discriminator(torch.cat([real, fake.detach()]))  # one pass: no BatchNorm in D
            real_scores, fake_scores = scores[:b], scores[b:]
            loss_d = discriminator_loss(loss_name, real_scores, fake_scores)
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            if clip > 0:
                torch.nn.utils.clip_grad_norm_(d_params, clip)
            opt_d.step()
            if m["weight_clip"] > 0:
                with torch.no_grad():
                    for p in d_params:
                        p.clamp_(-m["weight_clip"], m["weight_clip"])
            # The metrics gencli logs (and checks are finite) every step.
            as_prob = torch.sigmoid if loss_name == "bce" else (lambda t: t)
            metrics = {"loss_d": loss_d.item(), "d_real": as_prob(real_scores).mean().item(),
                       "d_fake": as_prob(fake_scores).mean().item()}
        # Generator update: the critic's weights frozen so backward skips their gradients.
        discriminator.requires_grad_(False)
        loss_g = generator_loss(loss_name, discriminator(fake))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(g_params, clip)
        opt_g.step()
        discriminator.requires_grad_(True)
        metrics["loss_g"] = loss_g.item()
        if ema is not None:
            with torch.no_grad():
                for e, p in zip(ema.parameters(), g_params):
                    e.lerp_(p, 1.0 - ema_decay)
                for e, buf in zip(ema.buffers(), generator.buffers()):
                    e.copy_(buf)
        if verbose:
            print(f"step {i + 1} " + " ".join(f"{k} {v:.4g}" for k, v in metrics.items()) + f" lr {lr:.3g}",
                  file=sys.stderr)

    twin_common.timed(args, step, batches, batch_size, "gan")


if __name__ == "__main__":
    main()
