#!/usr/bin/env python3
"""Reference "plain Python PyTorch loop" for the classic MLP GAN.

Measures training steps/s to compare with gencli's C++ loop. One step is one
D update plus one G update on a batch. Prints a single JSON line at the end.

  /usr/bin/python3 scripts/bench_pytorch_gan.py [--data DIR] [--steps 1000]
      [--warmup 50] [--threads T] [--batch 64] [--seed 0]

--data DIR reads DIR/train-images-idx3-ubyte[.gz] (MNIST IDX); without it,
random data of shape 60000x784 is used (speed does not depend on content).
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
from torch import nn


def load_idx_images(data_dir):
    for name in ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                raw = f.read()
            magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
            if magic != 2051:
                sys.exit(f"error: {path}: bad IDX magic {magic}")
            pix = np.frombuffer(raw[16:16 + n * rows * cols], dtype=np.uint8)
            x = torch.from_numpy(pix.reshape(n, rows * cols).astype(np.float32))
            return x.div_(127.5).sub_(1.0)  # in place: keeps peak RSS honest
    sys.exit(f"error: no train-images-idx3-ubyte[.gz] in {data_dir}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="MNIST directory (default: random data)")
    ap.add_argument("--steps", type=int, default=1000, help="timed steps")
    ap.add_argument("--warmup", type=int, default=50, help="untimed steps")
    ap.add_argument("--threads", type=int, help="torch.set_num_threads")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    if args.data:
        x = load_idx_images(args.data)
    else:
        x = torch.rand(60000, 784).mul_(2).sub_(1)
    n, zdim, bs = x.shape[0], 100, args.batch

    G = nn.Sequential(nn.Linear(zdim, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 784), nn.Tanh())
    D = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 1))  # logits
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(bs, 1), torch.zeros(bs, 1)

    def batches():
        while True:
            perm = torch.randperm(n)
            for i in range(0, n - bs + 1, bs):  # drop the last partial batch
                yield x[perm[i:i + bs]]

    def step(real):
        z = torch.randn(bs, zdim)
        fake = G(z)
        loss_d = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(D(fake), ones)  # non-saturating
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

    data = batches()
    for _ in range(args.warmup):
        step(next(data))
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step(next(data))
    dt = time.perf_counter() - t0

    print(json.dumps({
        "impl": "pytorch",
        "threads": torch.get_num_threads(),
        "steps": args.steps,
        "steps_per_s": round(args.steps / dt, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "torch": torch.__version__,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "GLIBC_TUNABLES")},
    }))


if __name__ == "__main__":
    main()
