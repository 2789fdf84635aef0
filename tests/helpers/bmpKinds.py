"""Writes one BMP of every common kind, and PIL's pixels for each, for tests/main/datasets/bmpDecode.test.ts.

Usage: python3 bmpKinds.py OUT_DIR SEED. For each kind it writes OUT_DIR/KIND.bmp, OUT_DIR/KIND.rgb
(PIL's Image.open(f).convert('RGB') bytes) and, for grey kinds, OUT_DIR/KIND.l (convert('L')), and
prints a JSON list of {kind, width, height, grey, writer} on stdout. PIL (Debian's python3-pil) is the
reference decoder; the kinds PIL cannot write are written here byte by byte from the BMP spec, and
PIL only reads them. Two PIL 9.4 quirks are kept out of the files (not the decoder's business): its
RLE4 reader drops the last pixel of an odd-length absolute run, and its RLE delta escape reads the
wrong bytes, so the RLE4 file has even absolute runs only and no file uses a delta.
"""

import io
import json
import random
import struct
import sys

from PIL import Image

SIDE = 37  # odd, and wider than 32: every bit depth gets row padding, 1-bit rows span two words

out_dir, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
kinds = []


def random_palette(count):
    return [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(count)]


def pad_row(row):
    return row + b"\0" * (-len(row) % 4)


def pack_indices(indices, bits):
    """One row of palette indices at 1, 4 or 8 bits each, most significant bits first, padded."""
    per_byte = 8 // bits
    out = bytearray()
    for start in range(0, len(indices), per_byte):
        byte = 0
        for i, index in enumerate(indices[start : start + per_byte]):
            byte |= index << (8 - bits * (i + 1))
        out.append(byte)
    return pad_row(bytes(out))


def bmp_file(width, height, bits, pixel_data, palette=(), compression=0, header=40, masks=(), colours_used=0):
    """A complete file. header: 12 (OS/2 core), 40 (masks after it), 108 (V4) or 124 (V5)."""
    entry = "<BBB" if header == 12 else "<BBBx"
    table = b"".join(struct.pack(entry, b, g, r) for r, g, b in palette)
    if header == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
    else:
        info = struct.pack(
            "<IiiHHIIiiII", header, width, height, 1, bits, compression, len(pixel_data), 2835, 2835, colours_used, 0
        )
        mask_bytes = struct.pack("<%dI" % len(masks), *masks)
        if header == 40:
            info += mask_bytes
        else:
            extra = mask_bytes.ljust(16, b"\0") + struct.pack("<I", 0x73524742)  # masks, then 'sRGB'
            info += extra.ljust(header - 40, b"\0")
    offset = 14 + len(info) + len(table)
    head = b"BM" + struct.pack("<IHHI", offset + len(pixel_data), 0, 0, offset)
    return head + info + table + pixel_data


def save(kind, data, writer, grey=False):
    with open(f"{out_dir}/{kind}.bmp", "wb") as f:
        f.write(data)
    with Image.open(f"{out_dir}/{kind}.bmp") as image:
        image.load()
        width, height = image.size
        with open(f"{out_dir}/{kind}.rgb", "wb") as f:
            f.write(image.convert("RGB").tobytes())
        if grey:
            with open(f"{out_dir}/{kind}.l", "wb") as f:
                f.write(image.convert("L").tobytes())
    kinds.append({"kind": kind, "width": width, "height": height, "grey": grey, "writer": writer})


def pil_bmp(image):
    buffer = io.BytesIO()
    image.save(buffer, "BMP")
    return buffer.getvalue()


def random_image(mode, channels):
    return Image.frombytes(mode, (SIDE, SIDE), bytes(rng.randrange(256) for _ in range(SIDE * SIDE * channels)))


def indices(count):
    """Bottom-up rows of random palette indices below count."""
    return [[rng.randrange(count) for _ in range(SIDE)] for _ in range(SIDE)]


def palette_file(bits, palette, rows, colours_used=0, header=40):
    data = b"".join(pack_indices(row, bits) for row in rows)
    return bmp_file(SIDE, SIDE, bits, data, palette, header=header, colours_used=colours_used)


# Written by PIL itself.
save("1bit-black-white", pil_bmp(random_image("L", 1).convert("1", dither=Image.Dither.NONE)), "PIL", grey=True)
save("8bit-grey", pil_bmp(random_image("L", 1)), "PIL", grey=True)
paletted = random_image("L", 1).convert("P")
paletted.putpalette([v for colour in random_palette(256) for v in colour])
save("8bit-palette", pil_bmp(paletted), "PIL")
save("24bit", pil_bmp(random_image("RGB", 3)), "PIL")
save("32bit-bgra", pil_bmp(random_image("RGBA", 4)), "PIL")

# Palettes PIL does not write.
save("1bit-colour-palette", palette_file(1, random_palette(2), indices(2)), "by hand")
save("4bit-palette", palette_file(4, random_palette(16), indices(16)), "by hand")
save("8bit-palette-20-colours", palette_file(8, random_palette(20), indices(20), colours_used=20), "by hand")
inverted = [(255 - v, 255 - v, 255 - v) for v in range(256)]
save("8bit-grey-inverted-palette", palette_file(8, inverted, indices(256)), "by hand", grey=True)
save("os2-8bit-palette", palette_file(8, random_palette(256), indices(256), header=12), "by hand")

# 16-bit: RGB555 (BI_RGB, the top bit random so it must be ignored) and RGB565 (BI_BITFIELDS).
def words():
    row = lambda: pad_row(struct.pack("<%dH" % SIDE, *[rng.randrange(65536) for _ in range(SIDE)]))
    return b"".join(row() for _ in range(SIDE))


save("16bit-rgb555", bmp_file(SIDE, SIDE, 16, words()), "by hand")
rgb565 = bmp_file(SIDE, SIDE, 16, words(), compression=3, masks=(0xF800, 0x7E0, 0x1F))
save("16bit-rgb565-bitfields", rgb565, "by hand")

# 24-bit top-down: PIL's 24-bit file with its rows reversed and a negative height.
bottom_up = pil_bmp(random_image("RGB", 3))
offset = struct.unpack_from("<I", bottom_up, 10)[0]
stride = (SIDE * 3 + 3) & ~3
rows = [bottom_up[offset + r * stride : offset + (r + 1) * stride] for r in range(SIDE)]
top_down = bytearray(bottom_up[:offset] + b"".join(reversed(rows)))
struct.pack_into("<i", top_down, 22, -SIDE)
save("24bit-top-down", bytes(top_down), "PIL, rows flipped by hand")
bgr_rows = b"".join(pad_row(bytes(rng.randrange(256) for _ in range(SIDE * 3))) for _ in range(SIDE))
save("os2-24bit", bmp_file(SIDE, SIDE, 24, bgr_rows, header=12), "by hand")

# 32-bit BI_BITFIELDS: a V5 header with an alpha mask (what GIMP and Windows write) and a 40-byte
# header with three masks after it.
bgra = lambda: bytes(rng.randrange(256) for _ in range(SIDE * SIDE * 4))
v5 = bmp_file(SIDE, SIDE, 32, bgra(), compression=3, header=124, masks=(0xFF0000, 0xFF00, 0xFF, 0xFF000000))
save("32bit-bitfields-v5-bgra", v5, "by hand")
bgrx = bmp_file(SIDE, SIDE, 32, bgra(), compression=3, masks=(0xFF0000, 0xFF00, 0xFF))
save("32bit-bitfields-bgrx", bgrx, "by hand")


def rle_file(bits):
    """RLE8 (bits 8) or RLE4 (bits 4): per row, runs (encoded mode) and literals (absolute mode)."""
    out = bytearray()
    for row in range(SIDE):
        x = 0
        while x < SIDE:
            left = SIDE - x
            if left >= 4 and rng.random() < 0.4:  # absolute mode: 3..255 literal pixels
                count = min(left, rng.randrange(3, 14))
                if bits == 4:
                    count -= count % 2  # PIL 9.4 drops the last pixel of an odd literal
                    count = max(count, 4)  # (a literal of 2 would be the delta escape)
                pixels = [rng.randrange(1 << bits) for _ in range(count)]
                packed = bytes(pixels) if bits == 8 else bytes(a << 4 | b for a, b in zip(pixels[::2], pixels[1::2]))
                out += bytes([0, count]) + packed + b"\0" * (len(packed) % 2)
            else:  # encoded mode: a run of one pixel (RLE4: two alternating pixels)
                count = min(left, rng.randrange(1, 20))
                value = rng.randrange(256) if bits == 8 else rng.randrange(16) << 4 | rng.randrange(16)
                out += bytes([count, value])
            x += count
        out += b"\0\0"  # end of line
    out += b"\0\1"  # end of bitmap
    return bmp_file(SIDE, SIDE, bits, bytes(out), random_palette(1 << bits), compression=1 if bits == 8 else 2)


save("rle8", rle_file(8), "by hand")
save("rle4", rle_file(4), "by hand")

print(json.dumps(kinds))
