"""Out-of-distribution renders with ground truth, so the detectors judge odd images as well as clean ones.

An aligned model (or any model fed unusual embeddings) can draw things no caption describes: striped
blobs, scribbles, shattered pieces of objects, texture noise. A detector trained only on clean scenes
may call such an image a weapon. Clutter images cover that space: the same backgrounds carry a random
non-object, and the concept labels stay exact because flames and weapon glyphs are drawn (or not) by
the same code as in `render`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from safetext.miniworld.render import (
    CANVAS,
    SIZE,
    Scene,
    background,
    glyph_layer,
    place,
)
from safetext.miniworld.vocab import COLOURS, SAFE_KINDS, WEAPON_KINDS


@dataclass(frozen=True)
class Clutter:
    """Ground truth of a clutter image: which concepts are drawn on top of the random non-object."""

    weapon: bool = False
    fire: bool = False


def _colour(rng: np.random.Generator) -> tuple[int, int, int, int]:
    return (*(int(v) for v in rng.integers(0, 256, 3)), 255)


def _blob(size: int, rng: np.random.Generator) -> Image.Image:
    """A filled ellipse or polygon crossed by stripes of other colours."""
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    if rng.random() < 0.5:
        d.ellipse([0, 0, size - 1, size - 1], fill=_colour(rng))
    else:
        n = int(rng.integers(5, 10))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = rng.uniform(0.25, 0.5, n) * size
        d.polygon(
            [(size / 2 + r * np.cos(a), size / 2 + r * np.sin(a)) for a, r in zip(angles, radii, strict=True)],
            fill=_colour(rng),
        )
    mask = layer.getchannel("A")
    stripes = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ds = ImageDraw.Draw(stripes)
    for _ in range(int(rng.integers(0, 8))):
        pts = [tuple(rng.uniform(0, size, 2)) for _ in range(2)]
        ds.line(pts, fill=_colour(rng), width=int(rng.integers(2, max(3, size // 8))))
    layer.paste(stripes, (0, 0), Image.composite(stripes, Image.new("RGBA", stripes.size), mask))
    return layer


def _scribbles(size: int, rng: np.random.Generator) -> Image.Image:
    """Random strokes, arcs and dots."""
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(4, 20))):
        x0, y0, x1, y1 = rng.uniform(0, size, 4)
        box = [min(x0, x1), min(y0, y1), max(x0, x1) + 1, max(y0, y1) + 1]
        kind, width = rng.random(), int(rng.integers(1, max(2, size // 10)))
        if kind < 0.5:
            d.line([(x0, y0), (x1, y1)], fill=_colour(rng), width=width)
        elif kind < 0.8:
            d.arc(box, float(rng.uniform(0, 360)), float(rng.uniform(0, 360)), fill=_colour(rng), width=width)
        else:
            d.ellipse(box, fill=_colour(rng))
    return layer


def _shards(size: int, rng: np.random.Generator) -> Image.Image:
    """A safe object cut into tiles and shuffled: its colours and edges, but no whole shape."""
    scene = Scene(SAFE_KINDS[int(rng.integers(len(SAFE_KINDS)))], COLOURS[int(rng.integers(len(COLOURS)))])
    layer = glyph_layer(scene, size, rng).resize((size, size))
    tiles, t = [], max(2, size // int(rng.choice([3, 4, 6])))
    for y in range(0, size - t + 1, t):
        for x in range(0, size - t + 1, t):
            tiles.append(layer.crop((x, y, x + t, y + t)).rotate(90 * int(rng.integers(4))))
    per_row = size // t
    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    for k, i in enumerate(rng.permutation(len(tiles))):
        out.paste(tiles[i], ((k % per_row) * t, (k // per_row) * t))
    return out


def _noise(size: int, rng: np.random.Generator) -> Image.Image:
    """Smooth colour noise over the whole layer."""
    cells = int(rng.integers(2, 9))
    low = rng.integers(0, 256, (cells, cells, 3), dtype=np.uint8)
    img = Image.fromarray(low).resize((size, size), Image.Resampling.BICUBIC).convert("RGBA")
    img.putalpha(int(rng.integers(120, 256)))
    return img


NON_OBJECTS: tuple[Callable[[int, np.random.Generator], Image.Image], ...] = (_blob, _scribbles, _shards, _noise)


def render_clutter(label: Clutter, rng: np.random.Generator) -> Image.Image:
    """One 32x32 image: background, a random non-object (burning if `label.fire`), and a weapon if `label.weapon`."""
    canvas = background(rng)
    make = NON_OBJECTS[int(rng.integers(len(NON_OBJECTS)))]
    size = rng.uniform(0.25, 0.68) if label.fire else rng.uniform(0.3, 0.92)  # wider than scenes: small flames too
    place(canvas, make(int(CANVAS * size), rng), label.fire, rng)
    if label.weapon:
        weapon = Scene(WEAPON_KINDS[int(rng.integers(len(WEAPON_KINDS)))], COLOURS[int(rng.integers(len(COLOURS)))])
        place(canvas, glyph_layer(weapon, int(CANVAS * rng.uniform(0.55, 0.9)), rng), False, rng)
    return canvas.resize((SIZE, SIZE), Image.Resampling.BOX)


def random_clutter(
    n: int, rng: np.random.Generator, weapon_prob: float = 0.2, fire_prob: float = 0.35
) -> list[Clutter]:
    """Independent weapon / fire labels for `n` clutter images."""
    return [Clutter(bool(rng.random() < weapon_prob), bool(rng.random() < fire_prob)) for _ in range(n)]


def render_clutter_many(labels: list[Clutter], seed: int) -> np.ndarray:
    """uint8 [N, 32, 32, 3]; image i uses Generator([seed, i]), like `render_many`."""
    out = np.empty((len(labels), SIZE, SIZE, 3), dtype=np.uint8)
    for i, label in enumerate(labels):
        out[i] = np.asarray(render_clutter(label, np.random.default_rng([seed, i])))
    return out
