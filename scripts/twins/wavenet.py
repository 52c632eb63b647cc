"""PyTorch twin of gencli's WaveNet (model.type "wavenet"), e.g. configs/wavenet_speech.json.

  /usr/bin/python3 scripts/twins/wavenet.py --config configs/wavenet_speech.json [--steps 50 ...]

Data: the config's data.root (or --data), an audio_folder of mono 16-bit PCM WAV files, read
with Python's wave module exactly as gencli reads it (no random stand-in windows are used).
scripts/make_speech_data.sh data/speech makes the spoken-digit set the config names.

How it maps to gencli:
  - model section and defaults: src/models/wavenet/wavenet_config.h
  - network: src/models/wavenet/wavenet_network.cpp (WaveNetImpl::forward): an embedding of the
    mu-law codes, input shifted right by one, per layer a kernel-2 dilated conv (left padding =
    dilation, dilations 1 .. 2^(n-1) per stack), a bias-free Linear class bias on the one-hot
    label when conditional, gate tanh * sigmoid, 1x1 skip and 1x1 residual; the skip sum goes
    through ReLU -> 1x1 -> ReLU -> 1x1 to `levels` logits
  - the training step: src/models/wavenet/wavenet_model.cpp (train_step, nll): mu-law encode the
    batch's clips (src/data/mu_law.cpp), one uniformly random window of model.window samples per
    clip, loss = cross-entropy over every position, averaged (nats per sample)
  - the data: src/data/audio_folder.cpp and src/data/labelled_folder.cpp (sorted class folders
    are the labels, files sorted, every round(1/test_fraction)-th file held out, each file cut to
    its loudest clip_seconds window or padded with silence, samples int16 / 32768); batches as
    src/data/image_dataset.cpp ShuffledBatches (twin_common.shuffled_batches over clip indices)
  - optimizer and clipping: src/train/optimizers.cpp, src/train/part_optimizers.cpp (gradients
    dropped to None, backward, clip_grad_norm_ to optim.grad_clip, Adam step)

Differences from gencli:
  - gencli's "adam" is its own FusedAdam (src/train/fused_adam.cpp: the same update in one pass
    over memory); this twin uses torch.optim.Adam, as a PyTorch user would.
  - gencli cuts the windows with one narrow per clip (and an .item() each); the twin gathers
    them with one indexing op. Same windows, negligible cost either way.
  - gencli's training loop also logs, times and checkpoints; this twin only trains.
  - with --seed equal to gencli's train.seed (1234 unless set) the initial weights are the same;
    data order and window starts come from other streams, so losses agree closely, not exactly.

Set TWIN_LOG_LOSSES=1 to print each step's loss to stderr (the JSON line stays alone on stdout).
"""
import math
import os
import sys
import wave

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twin_common  # noqa: E402


def list_audio_folder(root):
    """(path, label) pairs in gencli's order: sorted class sub-folders are labels 0..K-1, files
    sorted within each; without sub-folders (or with WAVs at the top) everything is label 0."""
    def wavs_under(d):
        out = []
        for dirpath, dirnames, filenames in os.walk(d, followlinks=True):
            dirnames[:] = [n for n in dirnames if not n.startswith(".")]
            out += [os.path.join(dirpath, f) for f in filenames
                    if not f.startswith(".") and f.lower().endswith(".wav")]
        return sorted(out)

    entries = [e for e in sorted(os.listdir(root)) if not e.startswith(".")]
    subfolders = [e for e in entries if os.path.isdir(os.path.join(root, e))]
    top_wavs = any(e.lower().endswith(".wav") and os.path.isfile(os.path.join(root, e)) for e in entries)
    if top_wavs or not subfolders:
        return [(p, 0) for p in wavs_under(root)], 0
    files = []
    for label, name in enumerate(subfolders):
        files += [(p, label) for p in wavs_under(os.path.join(root, name))]
    return files, len(subfolders)


def fit_clip(samples, length):
    """The loudest `length`-sample window (earliest on ties), or the samples padded with silence."""
    if len(samples) <= length:
        return np.pad(samples, (0, length - len(samples)))
    energy = np.concatenate([[0], np.cumsum(samples.astype(np.int64) ** 2)])
    start = int(np.argmax(energy[length:] - energy[:-length]))
    return samples[start:start + length]


def load_audio_folder(data):
    """Training clips (N, 1, 1, L) float in [-1, 1) and labels (N) int64."""
    root = data.get("root", "data/mnist")
    rate = data.get("sample_rate", 16000)
    length = round(data.get("clip_seconds", 1.0) * rate)
    files, classes = list_audio_folder(root)
    if classes and classes != data.get("num_classes", 10):
        sys.exit(f"error: {root} has {classes} class folders, but data.num_classes is {data.get('num_classes', 10)}")
    every = max(1, round(1.0 / data.get("test_fraction", 0.1)))
    files = [f for i, f in enumerate(files) if i % every != 0]  # every k-th file is the test split
    if data.get("limit", 0) > 0:
        files = files[: data["limit"]]
    clips = np.empty((len(files), length), dtype=np.int16)
    for i, (path, _) in enumerate(files):
        with wave.open(path, "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != rate:
                sys.exit(f"error: {path}: need mono 16-bit PCM at {rate} Hz")
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        clips[i] = fit_clip(samples, length)
    x = torch.from_numpy(clips).float().div_(32768.0).view(len(files), 1, 1, length)
    return x, torch.tensor([label for _, label in files], dtype=torch.long)


def mu_law_encode(audio, levels):
    """[-1, 1] -> integer codes 0..levels-1, uniform in sign(x) ln(1 + mu |x|) / ln(1 + mu)."""
    mu = levels - 1
    x = audio.clamp(-1.0, 1.0)
    companded = x.sign() * torch.log1p(mu * x.abs()) / math.log1p(mu)
    return ((companded + 1.0) * (mu / 2.0)).round().long()


def gate(x):
    f, g = x.chunk(2, dim=1)
    return torch.tanh(f) * torch.sigmoid(g)


class WaveNet(nn.Module):
    def __init__(self, levels, residual_channels, skip_channels, layers_per_stack, stacks, num_classes):
        super().__init__()
        r, s = residual_channels, skip_channels
        self.embedding = nn.Embedding(levels, r)
        self.dilations = [2 ** l for _ in range(stacks) for l in range(layers_per_stack)]
        self.dilated = nn.ModuleList()
        self.residual = nn.ModuleList()
        self.skip = nn.ModuleList()
        self.class_bias = nn.ModuleList()
        # Built in gencli's order, so that one seed gives the same initial weights.
        for d in self.dilations:
            self.dilated.append(nn.Conv1d(r, 2 * r, 2, dilation=d))
            self.residual.append(nn.Conv1d(r, r, 1))
            self.skip.append(nn.Conv1d(r, s, 1))
            if num_classes:
                self.class_bias.append(nn.Linear(num_classes, 2 * r, bias=False))
        self.head_hidden = nn.Conv1d(s, s, 1)
        self.head_out = nn.Conv1d(s, levels, 1)

    def forward(self, codes, one_hot=None):
        """codes (B, T) -> logits (B, levels, T); position t sees only codes before t."""
        emb = self.embedding(codes).transpose(1, 2)
        x = F.pad(emb, (1, 0))[:, :, : emb.shape[2]]  # shift right: nothing sees its own target
        skips = 0
        for l, d in enumerate(self.dilations):
            pre = self.dilated[l](F.pad(x, (d, 0)))  # left padding by d keeps it causal, same length
            if one_hot is not None:
                pre = pre + self.class_bias[l](one_hot).unsqueeze(2)
            z = gate(pre)
            skips = skips + self.skip[l](z)
            x = x + self.residual[l](z)
        return self.head_out(F.relu(self.head_hidden(F.relu(skips))))


def main():
    args = twin_common.parse_args(__doc__.splitlines()[0])
    cfg = args.cfg
    m = cfg["model"]
    data = dict(cfg.get("data", {}))
    if args.data:
        data["root"] = args.data
    # gencli's defaults (wavenet_config.h, core/config.h) for keys the config leaves out.
    levels = m.get("levels", 256)
    window = m.get("window", 4000)
    conditional = m.get("conditional", False)
    num_classes = data.get("num_classes", 10)
    net = WaveNet(levels, m.get("residual_channels", 32), m.get("skip_channels", 64),
                  m.get("layers_per_stack", 10), m.get("stacks", 2), num_classes if conditional else 0)
    opt = twin_common.adam_for(cfg, net.parameters())
    grad_clip = cfg["optim"].get("grad_clip", 0.0)
    params = list(net.parameters())
    print(f"wavenet twin: trainable parameters {sum(p.numel() for p in params)}", file=sys.stderr)

    clips, labels = load_audio_folder(data)
    length = clips.shape[-1]
    if length < window:
        sys.exit(f"error: model.window {window} is longer than the clips ({length} samples)")
    batch_size = cfg["train"].get("batch_size", 64)
    log_losses = os.environ.get("TWIN_LOG_LOSSES") == "1"

    def batches():
        for index in twin_common.shuffled_batches(torch.arange(clips.shape[0]), batch_size):
            yield clips[index], labels[index]

    offsets = torch.arange(window)

    def step(batch, i):
        audio, y = batch
        codes = mu_law_encode(audio.flatten(1), levels)
        # One random window per clip, its start uniform in [0, length - window].
        starts = torch.randint(length - window + 1, (codes.shape[0],))
        windows = codes.gather(1, starts[:, None] + offsets)
        one_hot = F.one_hot(y, num_classes).float() if conditional else None
        loss = F.cross_entropy(net(windows, one_hot), windows)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, grad_clip)
        opt.step()
        nats = loss.item()  # gencli reads the loss every step as well
        if log_losses:
            print(f"step {i + 1} nll {nats:.4g}", file=sys.stderr)

    twin_common.timed(args, step, batches(), batch_size, "wavenet")


if __name__ == "__main__":
    main()
