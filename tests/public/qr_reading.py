"""Read the module grid back out of a QR code PNG (1-bit greyscale, as segno writes it),
so a test can compare it with the code for the URL it should hold."""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_pixels(png: bytes) -> list[list[int]]:
    """Rows of 0 (black) / 1 (white) pixels; supports the filters segno uses (None, Up)."""
    assert png.startswith(PNG_SIGNATURE)
    position, idat, header = len(PNG_SIGNATURE), b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (1, 0), "expected a 1-bit greyscale PNG"
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8
    rows: list[list[int]] = []
    previous = bytes(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, data = line[0], line[1:]
        if kind == 2:
            data = bytes((a + b) & 0xFF for a, b in zip(data, previous, strict=True))
        else:
            assert kind == 0, f"unsupported PNG filter {kind}"
        previous = data
        rows.append([(data[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
    return rows


def qr_modules(png: bytes) -> list[list[int]]:
    """The QR matrix (1 = dark) sampled from the image: the finder pattern in the top-left
    corner is 7 modules wide, which gives the scale and the quiet zone."""
    pixels = png_pixels(png)
    top = next(y for y, row in enumerate(pixels) if 0 in row)
    left = pixels[top].index(0)
    run = next(x for x in range(left, len(pixels[top])) if pixels[top][x] == 1) - left
    scale = run // 7
    size = (len(pixels[top]) - 2 * left) // scale
    return [
        [
            1 - pixels[top + r * scale + scale // 2][left + c * scale + scale // 2]
            for c in range(size)
        ]
        for r in range(size)
    ]
