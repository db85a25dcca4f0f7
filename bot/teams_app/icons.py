"""The Teams app icons, drawn in code: a 192×192 colour icon and a 32×32 white outline icon.

Both show the same glyph, three rising bars on a base line (a portfolio at a glance), drawn
on a 16-unit grid. The colour icon is the glyph in white on the accent colour, filling the
whole square (Teams rounds the corners itself); the glyph sits in the middle 96×96, inside
the safe area Teams asks for. The outline icon is the glyph in opaque white on a fully
transparent background, as Teams requires.

`png` writes a minimal PNG (IHDR, one IDAT, IEND; 8 bits a channel, no filtering) with
`zlib` and `struct` only, so the icons are the same bytes on every run.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

COLOR_SIZE = 192
OUTLINE_SIZE = 32
GRID = 16
SIGNATURE = b"\x89PNG\r\n\x1a\n"
RGB, RGBA = 2, 6  # PNG colour types

# The glyph on the 16-unit grid: (left, top, right, bottom), right and bottom exclusive.
GLYPH: tuple[tuple[int, int, int, int], ...] = (
    (2, 9, 5, 13),     # short bar
    (6, 6, 9, 13),     # middle bar
    (10, 3, 13, 13),   # tall bar
    (1, 13, 15, 14),   # base line
)
WHITE = (255, 255, 255)


def png(width: int, height: int, rows: Sequence[bytes], colour_type: int) -> bytes:
    """A PNG image of `rows` (each `width` pixels of 3 (RGB) or 4 (RGBA) bytes)."""
    channels = {RGB: 3, RGBA: 4}[colour_type]
    if len(rows) != height or any(len(row) != width * channels for row in rows):
        raise ValueError(f"rows do not make a {width}×{height} image of {channels} channels")
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    pixels = b"".join(b"\x00" + row for row in rows)  # filter type 0 (none) on every row
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(pixels, 9))
            + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _glyph_mask(size: int, scale: int) -> list[list[bool]]:
    """Which pixels of a `size`×`size` square the glyph covers, scaled and centred."""
    offset = (size - GRID * scale) // 2
    mask = [[False] * size for _ in range(size)]
    for left, top, right, bottom in GLYPH:
        for y in range(offset + top * scale, offset + bottom * scale):
            for x in range(offset + left * scale, offset + right * scale):
                mask[y][x] = True
    return mask


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """`#rrggbb` as three bytes."""
    value = colour.removeprefix("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    number = int(value, 16)
    return (number >> 16) & 0xFF, (number >> 8) & 0xFF, number & 0xFF


def color_icon(accent: str) -> bytes:
    """The 192×192 full-colour icon: the white glyph on `accent` (`#rrggbb`)."""
    background, foreground = bytes(hex_rgb(accent)), bytes(WHITE)
    mask = _glyph_mask(COLOR_SIZE, 6)
    rows = [b"".join(foreground if covered else background for covered in line) for line in mask]
    return png(COLOR_SIZE, COLOR_SIZE, rows, RGB)


def outline_icon() -> bytes:
    """The 32×32 outline icon: the glyph in opaque white, every other pixel transparent."""
    opaque, clear = bytes((*WHITE, 255)), bytes((*WHITE, 0))
    mask = _glyph_mask(OUTLINE_SIZE, 2)
    rows = [b"".join(opaque if covered else clear for covered in line) for line in mask]
    return png(OUTLINE_SIZE, OUTLINE_SIZE, rows, RGBA)
