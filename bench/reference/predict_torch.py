"""Reference for `dgmw bench predict`: predict a folder of image files with PIL and PyTorch.

Does what `dgmw predict` does, minus what only the workbench does (the skip report, top-k, JSON):
decode each file with PIL in a pool of as many worker processes as the workbench has cores
(convert to greyscale, resize to 28×28 if needed), scale to [0, 1], and run the reference CNN
(cnn_torch.py's network; its weights do not change the time) in batches of 256 with as many torch
threads. Prints one JSON line: {"images", "seconds", "imagesPerSecond", "decodeSeconds", "workers",
"torch", "pil"}.
"""
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
import PIL
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
from cnn_torch import build_model  # noqa: E402


def decode(path):
    with Image.open(path) as image:
        image = image.convert("L")
        if image.size != (28, 28):
            image = image.resize((28, 28), Image.BILINEAR)
        return np.asarray(image, dtype=np.uint8).tobytes()


def main():
    list_file, workers = sys.argv[1], int(sys.argv[2])
    with open(list_file) as f:
        paths = [line.rstrip("\n") for line in f if line.strip()]
    torch.set_num_threads(workers)
    model = build_model(10).eval()
    start = time.perf_counter()
    with Pool(workers) as pool:
        pixels = b"".join(pool.imap(decode, paths, chunksize=256))
    decoded = time.perf_counter()
    x = torch.from_numpy(np.frombuffer(pixels, dtype=np.uint8).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    with torch.no_grad():
        probabilities = [torch.softmax(model(x[i:i + 256]), dim=1) for i in range(0, len(x), 256)]
    top1 = torch.cat(probabilities).argmax(dim=1)
    seconds = time.perf_counter() - start
    assert len(top1) == len(paths)
    print(json.dumps({"images": len(paths), "seconds": seconds, "imagesPerSecond": len(paths) / seconds,
                      "decodeSeconds": decoded - start, "workers": workers,
                      "torch": torch.__version__, "pil": PIL.__version__}))


if __name__ == "__main__":
    main()
