#!/usr/bin/env python3
"""Time to accuracy of the reference recipe on Fashion-MNIST with PyTorch.

The reference CNN (cnn_torch.build_model, the twin of main/models/referenceCnn.ts), Adam lr 1e-3,
batch 64, shuffled each epoch, inputs scaled to [0, 1], trained on all 60,000 training images; after
every epoch the 10,000 test images are evaluated. The clock runs from the first step and includes
the evaluations (as the tfjs side's does). Prints ONE JSON line: per-epoch test accuracy and
cumulative seconds, and the seconds at which test accuracy first reached --target.
Run by hand: /usr/bin/python3 bench/reference/fashion_torch.py --threads 2
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from cnn_torch import build_model  # noqa: E402


def read_idx(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--target", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    load = lambda name: read_idx(os.path.join(args.data, name))  # noqa: E731
    to_x = lambda a: torch.from_numpy(a.astype(np.float32) / 255.0).unsqueeze(1)  # noqa: E731
    train_x, train_y = to_x(load("train-images-idx3-ubyte.gz")), torch.from_numpy(load("train-labels-idx1-ubyte.gz").astype(np.int64))
    test_x, test_y = to_x(load("t10k-images-idx3-ubyte.gz")), torch.from_numpy(load("t10k-labels-idx1-ubyte.gz").astype(np.int64))

    model = build_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    epochs = []
    reached = None
    started = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), args.batch):
            index = order[i : i + args.batch]
            optimizer.zero_grad()
            loss = loss_fn(model(train_x[index]), train_y[index])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(test_x[i : i + 1000]).argmax(1) == test_y[i : i + 1000]).sum().item()
                for i in range(0, len(test_x), 1000)
            )
        accuracy = correct / len(test_x)
        seconds = time.perf_counter() - started
        epochs.append({"epoch": epoch + 1, "testAccuracy": accuracy, "seconds": seconds})
        if reached is None and accuracy >= args.target:
            reached = seconds
    print(
        json.dumps(
            {
                "recipe": f"reference CNN, Adam {args.lr}, batch {args.batch}, {args.epochs} epochs, 60k train",
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "epochs": epochs,
                "target": args.target,
                "secondsToTarget": reached,
            }
        )
    )


if __name__ == "__main__":
    main()
