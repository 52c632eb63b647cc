"""What every PyTorch twin shares: its command line, the config it mirrors, the data in one
tensor, the timed loop and the one JSON line it prints.

A twin is the network, loss, optimizer and batch of one gencli config written the way a
careful PyTorch user would, run on the same LibTorch (Debian's python3-torch). scripts/bench.sh
runs it next to `gencli bench train --config C` and compares steps/s and peak memory.

  /usr/bin/python3 scripts/twins/<family>.py --config configs/C.json [--data DIR]
      [--steps 50] [--warmup 5] [--threads 2] [--seed 0]
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch


def parse_args(description, add_arguments=None):
    """The shared options; add_arguments(parser), if given, adds a twin's own."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--config", required=True, help="the gencli config this twin mirrors")
    ap.add_argument("--data", help="data folder (default: the config's data.root or data.path)")
    ap.add_argument("--steps", type=int, default=50, help="timed steps")
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps before them")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--seed", type=int, default=0)
    if add_arguments:
        add_arguments(ap)
    args = ap.parse_args()
    with open(args.config) as f:
        args.cfg = json.load(f)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    return args


def load_idx_images(data_dir, value_range):
    """MNIST-format training images as one float tensor (N, 1, 28, 28): "tanh" gives [-1, 1],
    "unit" gives [0, 1], as gencli's data.range."""
    for name in ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"):
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            continue
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as f:
            raw = f.read()
        magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
        if magic != 2051:
            sys.exit(f"error: {path}: bad IDX magic {magic}")
        pix = np.frombuffer(raw[16:16 + n * rows * cols], dtype=np.uint8)
        x = torch.from_numpy(pix.reshape(n, 1, rows, cols).astype(np.float32))
        if value_range == "tanh":
            return x.div_(127.5).sub_(1.0)  # in place: keeps peak RSS honest
        return x.div_(255.0)
    sys.exit(f"error: no train-images-idx3-ubyte[.gz] in {data_dir}")


def shuffled_batches(x, batch):
    """Batches of `batch` rows of x in a fresh random order each epoch (the last partial
    batch dropped), as gencli's batch source draws them."""
    n = x.shape[0]
    while True:
        perm = torch.randperm(n)
        for i in range(0, n - batch + 1, batch):
            yield x[perm[i:i + batch]]


def timed(args, step, batches, batch_size, family):
    """Runs args.warmup untimed steps, then args.steps timed ones, and prints the JSON line."""
    started = time.perf_counter()
    for i in range(args.warmup):
        step(next(batches), i)
    t0 = time.perf_counter()
    for i in range(args.steps):
        step(next(batches), args.warmup + i)
    dt = time.perf_counter() - t0
    print(json.dumps({
        "impl": "pytorch",
        "family": family,
        "config": os.path.basename(args.config),
        "threads": torch.get_num_threads(),
        "steps": args.steps,
        "steps_per_s": round(args.steps / dt, 3),
        "samples_per_s": round(args.steps * batch_size / dt, 1),
        "warmup_s": round(t0 - started, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "torch": torch.__version__,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "GLIBC_TUNABLES")},
    }))


def adam_for(cfg, params):
    """The optimizer of the config's optim section (adam or adamw), with its betas and decay."""
    o = cfg["optim"]
    betas = tuple(o.get("betas", [0.9, 0.999]))
    if o["name"] == "adamw":
        return torch.optim.AdamW(params, lr=o["lr"], betas=betas, weight_decay=o.get("weight_decay", 0.01))
    if o["name"] == "adam":
        return torch.optim.Adam(params, lr=o["lr"], betas=betas, weight_decay=o.get("weight_decay", 0.0))
    sys.exit(f"error: optim.name {o['name']}: this twin knows adam and adamw")
