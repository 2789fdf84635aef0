#!/usr/bin/env python3
"""The supervised baseline of the label-budget bench, in PyTorch, on exactly the workbench's images.

`dgmw bench label-budget` writes the labelled training images of one budget and seed and the test
split (raw uint8, N x H x W) with a JSON spec; this trains the reference CNN (cnn_torch.build_model,
the twin of the workbench's small-cnn preset) with Adam lr 1e-3 for the same epochs and batch size,
inputs scaled to [0, 1], then prints ONE JSON line: testAccuracy, seconds, steps, torch.
It checks that the workbench's baseline is a fair one, not handicapped by its engine.
Run by hand: /usr/bin/python3 bench/reference/label_budget_torch.py spec.json
"""

import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from cnn_torch import build_model  # noqa: E402


def load(path: str, count: int, height: int, width: int) -> torch.Tensor:
    pixels = np.fromfile(path, dtype=np.uint8).reshape(count, 1, height, width)
    return torch.from_numpy(pixels.astype(np.float32) / 255.0)


def main() -> None:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(spec["seed"])
    h, w = spec["height"], spec["width"]
    train_y = torch.tensor(spec["trainLabels"], dtype=torch.int64)
    test_y = torch.tensor(spec["testLabels"], dtype=torch.int64)
    train_x = load(spec["trainFile"], len(train_y), h, w)
    test_x = load(spec["testFile"], len(test_y), h, w)

    model = build_model(spec["classes"])
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    loss_fn = nn.CrossEntropyLoss()
    started = time.perf_counter()
    steps = 0
    generator = torch.Generator().manual_seed(spec["seed"])
    for _ in range(spec["epochs"]):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        for start in range(0, len(order), spec["batch"]):
            at = order[start : start + spec["batch"]]
            optimizer.zero_grad()
            loss_fn(model(train_x[at]), train_y[at]).backward()
            optimizer.step()
            steps += 1
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(test_y), 1000):
            logits = model(test_x[start : start + 1000])
            correct += int((logits.argmax(1) == test_y[start : start + 1000]).sum())
    print(
        json.dumps(
            {
                "testAccuracy": correct / len(test_y),
                "seconds": time.perf_counter() - started,
                "steps": steps,
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
