"""PyTorch twin of gencli's PixelCNN (model.type "pixelcnn", arch "gated", bernoulli likelihood),
e.g. configs/pixelcnn_mnist.json.

  /usr/bin/python3 scripts/twins/pixelcnn.py --config configs/pixelcnn_mnist.json [--steps 50 ...]

How it maps to gencli:
  - model section and defaults: src/models/pixelcnn/pixelcnn_config.h
  - masked convolutions: src/models/pixelcnn/masked_conv.cpp (a full kernel times a fixed 0/1 mask on
    every forward; the masked weights still exist, so the parameter count matches)
  - gated network and output head: src/models/pixelcnn/pixelcnn_networks.cpp (GatedPixelCnnImpl,
    OutputHeadImpl)
  - the training step: src/models/pixelcnn/pixelcnn_model.cpp (train_step, log_likelihood):
    dynamic binarisation u < x with fresh uniform noise each step, network input 2 * target - 1,
    loss = per-image sum of binary cross-entropy with logits, averaged over the batch (nats)
  - optimizer and clipping: src/train/optimizers.cpp, src/train/part_optimizers.cpp (gradients
    dropped to None, backward, clip_grad_norm_ to optim.grad_clip, Adam step)
  - batches: src/data/image_dataset.cpp ShuffledBatches (twin_common.shuffled_batches)

Differences from gencli:
  - gencli's "adam" is its own FusedAdam (src/train/fused_adam.cpp: the same update in one pass
    over memory); this twin uses torch.optim.Adam, as a PyTorch user would.
  - gencli's training loop also logs, times and checkpoints; this twin only trains.
  - only what the mirrored config uses: arch "gated", likelihood "bernoulli", unconditional
    (anything else exits with an error rather than training a different network).
  - with --seed equal to gencli's train.seed (1234 unless set) the initial weights are the
    same (same modules, created in the same order, from the same default generator); the data
    order and the binarisation noise come from other streams, so losses agree closely, not exactly.

Set TWIN_LOG_LOSSES=1 to print each step's loss to stderr (the JSON line stays alone on stdout).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twin_common  # noqa: E402


class MaskedConv2d(nn.Conv2d):
    """A same-size convolution whose weight is multiplied by a fixed 0/1 mask on every forward,
    so each output only sees pixels already generated in raster order."""

    def __init__(self, in_ch, out_ch, kernel, kind):
        row = kind in ("row_a", "row_b")
        kh, kw = (1, kernel) if row else (kernel, kernel)
        super().__init__(in_ch, out_ch, (kh, kw), padding=(kh // 2, kw // 2))
        mask = torch.zeros(kh, kw)
        if kind == "vertical":          # rows above and the centre row, every column
            mask[: kh // 2 + 1] = 1
        elif kind == "row_a":           # 1 x k: columns left of the centre (first layer)
            mask[0, : kw // 2] = 1
        else:                           # row_b: columns left of and at the centre
            mask[0, : kw // 2 + 1] = 1
        self.register_buffer("mask", mask.view(1, 1, kh, kw))

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


def gate(x):
    f, g = x.chunk(2, dim=1)
    return torch.tanh(f) * torch.sigmoid(g)


def shift_down(x):
    """Row i gets row i-1's features (the top row zeros): the vertical stack at row i has seen
    row i itself, so the horizontal stack may only read it one row lower."""
    return F.pad(x, (0, 0, 1, 0))[:, :, : x.shape[2]]


class GatedPixelCNN(nn.Module):
    def __init__(self, image_channels, channels, layers, kernel, head_channels, outputs):
        super().__init__()
        p = channels
        self.vertical = nn.ModuleList()
        self.horizontal = nn.ModuleList()
        self.vertical_to_horizontal = nn.ModuleList()
        self.horizontal_out = nn.ModuleList()
        for layer in range(layers):
            cin = image_channels if layer == 0 else p
            self.vertical.append(MaskedConv2d(cin, 2 * p, kernel, "vertical"))
            self.horizontal.append(MaskedConv2d(cin, 2 * p, kernel, "row_a" if layer == 0 else "row_b"))
            self.vertical_to_horizontal.append(nn.Conv2d(2 * p, 2 * p, 1))
            self.horizontal_out.append(nn.Conv2d(p, p, 1))
        # Output head: ReLU -> 1x1 -> ReLU -> 1x1.
        self.head_hidden = nn.Conv2d(p, head_channels, 1)
        self.head_out = nn.Conv2d(head_channels, outputs, 1)

    def forward(self, x):
        v = h = x
        for layer, (vconv, hconv, v2h, hout) in enumerate(
                zip(self.vertical, self.horizontal, self.vertical_to_horizontal, self.horizontal_out)):
            v_pre = vconv(v)
            h_pre = hconv(h) + v2h(shift_down(v_pre))
            v = gate(v_pre)
            h_out = hout(gate(h_pre))
            h = h_out if layer == 0 else h + h_out  # the first layer's input has other channels
        return self.head_out(F.relu(self.head_hidden(F.relu(h))))


def main():
    args = twin_common.parse_args(__doc__.splitlines()[0])
    cfg = args.cfg
    m = cfg["model"]
    # gencli's defaults (pixelcnn_config.h) for keys the config leaves out.
    arch = m.get("arch", "gated")
    likelihood = m.get("likelihood", "bernoulli")
    if arch != "gated" or likelihood != "bernoulli" or m.get("conditional", False):
        sys.exit("error: this twin mirrors the unconditional gated PixelCNN with a bernoulli likelihood")
    image_channels = m.get("image_channels", 1)
    net = GatedPixelCNN(image_channels, m.get("channels", 64), m.get("layers", 8), m.get("kernel", 3),
                        m.get("head_channels", 128), outputs=image_channels)
    opt = twin_common.adam_for(cfg, net.parameters())
    grad_clip = cfg["optim"].get("grad_clip", 0.0)
    params = list(net.parameters())
    print(f"pixelcnn twin: trainable parameters {sum(p.numel() for p in params)}", file=sys.stderr)

    data = cfg.get("data", {})
    images = twin_common.load_idx_images(args.data or data.get("root", "data/mnist"), data.get("range", "unit"))
    if data.get("limit", 0) > 0:
        images = images[: data["limit"]]
    batch_size = cfg["train"].get("batch_size", 64)
    log_losses = os.environ.get("TWIN_LOG_LOSSES") == "1"

    def step(x, i):
        # Dynamic binarisation: a pixel is 1 with its intensity as probability, drawn anew each step.
        target = (torch.rand_like(x) < x).to(x.dtype)
        logits = net(target * 2 - 1)
        nll = F.binary_cross_entropy_with_logits(logits, target, reduction="none").flatten(1).sum(1).mean()
        opt.zero_grad(set_to_none=True)
        nll.backward()
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, grad_clip)
        opt.step()
        loss = nll.item()  # gencli reads the loss every step as well
        if log_losses:
            print(f"step {i + 1} nll {loss:.4g}", file=sys.stderr)

    twin_common.timed(args, step, twin_common.shuffled_batches(images, batch_size), batch_size, "pixelcnn")


if __name__ == "__main__":
    main()
