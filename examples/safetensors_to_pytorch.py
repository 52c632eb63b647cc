#!/usr/bin/env python3
"""Decode latent vectors with a gencli model rebuilt in plain PyTorch.

gencli writes a model for Python with
    gencli export --checkpoint runs/gan_mnist/checkpoints/last.pt --format safetensors --out gan.safetensors
The file holds the weights under the names a PyTorch state_dict of the same modules carries
(generator.body.0.weight, ...) and, in its metadata, the resolved gencli config. This script
reads that config, builds the same network with torch.nn, loads the weights with
safetensors.torch.load_file, and decodes the latent vectors of a .npy file (N, latent_dim)
into images (N, C, H, W) in [0, 1], as `gencli sample --latents Z.npy --npy OUT.npy` does:

    python examples/safetensors_to_pytorch.py gan.safetensors z.npy images.npy

Networks covered: the GAN generator (arch mlp or dcgan) and the VAE decoder (arch mlp or
conv), unconditional. Needs torch, numpy and safetensors.
"""
import json
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn


def gan_generator(m):
    """The GAN family's generator body (src/models/gan/networks.cpp)."""
    c, s = m["image_channels"], m["image_size"]
    layers, width = [], m["latent_dim"]
    if m["arch"] == "mlp":
        for hidden in m["g_hidden"]:
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(m["leaky_slope"])]
            width = hidden
        layers += [nn.Linear(width, c * s * s), nn.Tanh(), nn.Unflatten(1, (c, s, s))]
    else:
        w, s4 = m["dcgan_width"], s // 4
        layers += [nn.Linear(width, 2 * w * s4 * s4), nn.Unflatten(1, (2 * w, s4, s4)), nn.BatchNorm2d(2 * w), nn.ReLU(),
                   nn.ConvTranspose2d(2 * w, w, 4, stride=2, padding=1), nn.BatchNorm2d(w), nn.ReLU(),
                   nn.ConvTranspose2d(w, c, 4, stride=2, padding=1), nn.Tanh()]
    return nn.Sequential(*layers), lambda x: (x + 1) / 2  # tanh range to [0, 1]


def vae_decoder(m):
    """The VAE family's decoder (src/models/vae/vae_networks.cpp): body, then upsampling."""
    c, s = m["image_channels"], m["image_size"]
    body, width = [], m["latent_dim"]
    for hidden in reversed(m["hidden"]):
        body += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    if m["arch"] == "mlp":
        body.append(nn.Linear(width, c * s * s))
        upsampling = [nn.Unflatten(1, (c, s, s))]
    else:
        channels = m["conv_channels"]
        side = s >> len(channels)
        body += [nn.Linear(width, channels[-1] * side * side), nn.ReLU()]
        upsampling = [nn.Unflatten(1, (channels[-1], side, side))]
        for i in reversed(range(len(channels))):
            upsampling.append(nn.ConvTranspose2d(channels[i], c if i == 0 else channels[i - 1], 4, stride=2, padding=1))
            if i != 0:
                upsampling.append(nn.ReLU())
    return VaeDecoder(body, upsampling), torch.sigmoid  # the Bernoulli mean, as gencli shows VAE samples


class VaeDecoder(nn.Module):
    def __init__(self, body, upsampling):
        super().__init__()
        self.body, self.upsampling = nn.Sequential(*body), nn.Sequential(*upsampling)

    def forward(self, z):
        return self.upsampling(self.body(z))


def rebuild(path):
    """The network the file's config describes, with the file's weights, and its output map."""
    with safe_open(path, framework="pt") as f:
        config = json.loads(f.metadata()["gencli.config"])
    m = config["model"]
    if m.get("conditional"):
        sys.exit(f"{path}: a conditional model; this example covers unconditional ones")
    builders = {"gan": ("generator.body.", gan_generator), "vae": ("decoder.", vae_decoder)}
    if m["type"] not in builders:
        sys.exit(f"{path}: model type {m['type']!r}; this example covers gan and vae")
    prefix, build = builders[m["type"]]
    network, to_image = build(m)
    weights = {k[len(prefix):]: v.float() for k, v in load_file(path).items() if k.startswith(prefix)}
    network.load_state_dict(weights, strict=True)  # every name and shape must match
    return network.eval(), to_image


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    network, to_image = rebuild(sys.argv[1])
    z = torch.from_numpy(np.load(sys.argv[2]).astype(np.float32))
    with torch.no_grad():
        images = to_image(network(z)).clamp(0, 1)
    np.save(sys.argv[3], images.numpy().astype(np.float32))
    print(f"{sys.argv[3]}: {tuple(images.shape)} images from {sys.argv[1]}")


if __name__ == "__main__":
    main()
