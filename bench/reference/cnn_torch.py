#!/usr/bin/env python3
"""PyTorch twin of the reference CNN (main/models/referenceCnn.ts); keep the two identical.

Trains it with Adam (lr 1e-3) on random data from a fixed seed, then runs inference, and prints ONE
JSON line on stdout: trainImagesPerSecond, inferImagesPerSecond, peakRssMiB, threads, torch.
`dgmw bench` runs it beside the tfjs backends so both are measured on the same machine at the same
time. Run it by hand with: /usr/bin/python3 bench/reference/cnn_torch.py --threads 2
"""

import argparse
import json
import resource
import sys
import time

import torch
from torch import nn


def build_model(classes: int = 10) -> nn.Sequential:
    # Same layers as buildReferenceCnn: 'valid' 3x3 convolutions, 2x2 max-pooling, ReLU.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),  # [B, 32, 26, 26]
        nn.ReLU(),
        nn.MaxPool2d(2),  # [B, 32, 13, 13]
        nn.Conv2d(32, 64, 3),  # [B, 64, 11, 11]
        nn.ReLU(),
        nn.MaxPool2d(2),  # [B, 64, 5, 5]
        nn.Flatten(),  # [B, 1600]
        nn.Linear(1600, 128),
        nn.ReLU(),
        nn.Linear(128, classes),  # logits
    )


def peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True, help="torch.set_num_threads")
    parser.add_argument("--steps", type=int, default=100, help="timed training steps")
    parser.add_argument("--warmup", type=int, default=5, help="untimed training steps first")
    parser.add_argument("--batch", type=int, default=64, help="training batch size")
    parser.add_argument("--infer-batch", type=int, default=256, help="inference batch size")
    parser.add_argument("--infer-batches", type=int, default=25, help="timed inference batches")
    parser.add_argument("--pool", type=int, default=8, help="distinct training batches to cycle")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    # Random data from a fixed seed, made before timing, like the tfjs side's batch pool.
    images = torch.rand(args.pool * args.batch, 1, 28, 28)
    labels = torch.randint(0, 10, (args.pool * args.batch,))
    batches = [
        (images[i * args.batch : (i + 1) * args.batch], labels[i * args.batch : (i + 1) * args.batch])
        for i in range(args.pool)
    ]

    def step(i: int) -> float:
        x, y = batches[i % len(batches)]
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        # .item() reads the loss back, as the tfjs side's dataSync does.
        return loss.item()

    model.train()
    for i in range(args.warmup):
        step(i)
    started = time.perf_counter()
    loss = float("nan")
    for i in range(args.steps):
        loss = step(i)
    train_seconds = time.perf_counter() - started

    model.eval()
    infer_input = torch.rand(args.infer_batch, 1, 28, 28)
    with torch.no_grad():
        model(infer_input).numpy()  # warm-up
        started = time.perf_counter()
        for _ in range(args.infer_batches):
            model(infer_input).numpy()
        infer_seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "trainImagesPerSecond": args.steps * args.batch / train_seconds,
                "inferImagesPerSecond": args.infer_batches * args.infer_batch / infer_seconds,
                "peakRssMiB": peak_rss_mib(),
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "steps": args.steps,
                "warmupSteps": args.warmup,
                "batchSize": args.batch,
                "inferBatchSize": args.infer_batch,
                "finalLoss": loss,
            }
        )
    )


if __name__ == "__main__":
    main()
