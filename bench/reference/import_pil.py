"""Reference for `dgmw bench import`: decode + resize + cache an ImageFolder with PIL and numpy.

Does what the workbench import does, minus what only the workbench does (content hashes, the
cleaning report, SQLite): walk root/<class>/*.png in sorted order, open each with PIL, convert to
the channel count, resize to SIZE×SIZE, and write the uint8 pixels into one cache file. Uses a
multiprocessing pool with as many workers as the workbench has cores, so both sides use the machine.
Prints one JSON line: {"images", "seconds", "imagesPerSecond", "workers", "pil"}.
"""
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
import PIL
from PIL import Image

SIZE = int(os.environ.get("SIZE", "28"))
MODE = "L" if os.environ.get("CHANNELS", "1") == "1" else "RGB"


def decode(path):
    with Image.open(path) as image:
        image = image.convert(MODE)
        if image.size != (SIZE, SIZE):
            image = image.resize((SIZE, SIZE), Image.BILINEAR)
        return np.asarray(image, dtype=np.uint8).tobytes()


def main():
    root, out_path, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    paths = []
    for cls in sorted(c for c in os.listdir(root) if not c.startswith(".")):
        folder = os.path.join(root, cls)
        paths.extend(os.path.join(folder, name) for name in sorted(os.listdir(folder)))
    start = time.perf_counter()
    with Pool(workers) as pool, open(out_path, "wb") as out:
        for pixels in pool.imap(decode, paths, chunksize=256):
            out.write(pixels)
    seconds = time.perf_counter() - start
    print(json.dumps({"images": len(paths), "seconds": seconds, "imagesPerSecond": len(paths) / seconds,
                      "workers": workers, "pil": PIL.__version__}))


if __name__ == "__main__":
    main()
