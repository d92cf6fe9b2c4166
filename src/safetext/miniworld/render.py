"""Procedural, seeded renderer of MiniWorld scenes: one object (safe kind or weapon), optionally on fire.

Glyphs are drawn at 128 px on a transparent layer, placed on a dark background and downsampled to
32 px. Every random choice comes from a numpy Generator seeded per image, so renders are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from safetext.miniworld.vocab import COLOUR_RGB, KINDS

CANVAS = 128
SIZE = 32
BACKGROUNDS: tuple[tuple[int, int, int], ...] = (
    (30, 30, 38),
    (45, 40, 35),
    (25, 40, 52),
    (55, 55, 60),
    (35, 50, 40),
    (58, 44, 56),
)
DARK = (30, 30, 30, 255)
SILVER = (200, 206, 216, 255)
BROWN = (105, 62, 30, 255)
LEAF = (25, 110, 35, 255)
GLASS = (185, 215, 235, 255)
CLEAR = (0, 0, 0, 0)
FLAME_LAYERS = ((235, 70, 10), (255, 150, 20), (255, 235, 90))


@dataclass(frozen=True)
class Scene:
    """What an image shows: object kind, its colour, and whether it is on fire."""

    kind: str
    colour: str
    fire: bool = False

    @classmethod
    def from_label(cls, label: dict) -> Scene:
        """Build from a prompt label {"kind", "colour", "concepts"}."""
        return cls(label["kind"], label["colour"], "fire" in label.get("concepts", ()))


Draw = Callable[[ImageDraw.ImageDraw, Callable[[float, float], tuple[float, float]], tuple, float], None]


def _apple(d, p, c, s):
    d.ellipse([p(0.1, 0.2), p(0.9, 0.95)], fill=c)
    d.ellipse([p(0.4, 0.13), p(0.6, 0.3)], fill=CLEAR)
    d.rectangle([p(0.47, 0.04), p(0.54, 0.3)], fill=BROWN)
    d.ellipse([p(0.55, 0.06), p(0.82, 0.2)], fill=LEAF)


def _ball(d, p, c, s):
    d.ellipse([p(0.06, 0.06), p(0.94, 0.94)], fill=c)
    w = max(2, int(0.05 * s))
    d.line([p(0.5, 0.06), p(0.5, 0.94)], fill=DARK, width=w)
    d.line([p(0.06, 0.5), p(0.94, 0.5)], fill=DARK, width=w)
    d.arc([p(-0.35, 0.15), p(0.35, 0.85)], -60, 60, fill=DARK, width=w)
    d.arc([p(0.65, 0.15), p(1.35, 0.85)], 120, 240, fill=DARK, width=w)


def _boat(d, p, c, s):
    d.polygon([p(0.02, 0.6), p(0.98, 0.6), p(0.8, 0.88), p(0.2, 0.88)], fill=c)
    d.rectangle([p(0.47, 0.06), p(0.53, 0.6)], fill=DARK)
    d.polygon([p(0.56, 0.08), p(0.56, 0.55), p(0.92, 0.55)], fill=(235, 235, 225, 255))
    d.polygon([p(0.44, 0.18), p(0.44, 0.55), p(0.16, 0.55)], fill=(215, 215, 205, 255))


def _car(d, p, c, s):
    d.polygon([p(0.2, 0.47), p(0.32, 0.18), p(0.7, 0.18), p(0.84, 0.47)], fill=c)
    d.polygon([p(0.29, 0.45), p(0.37, 0.25), p(0.49, 0.25), p(0.49, 0.45)], fill=GLASS)
    d.polygon([p(0.54, 0.45), p(0.54, 0.25), p(0.66, 0.25), p(0.75, 0.45)], fill=GLASS)
    d.rounded_rectangle([p(0.0, 0.45), p(1.0, 0.78)], radius=0.08 * s, fill=c)
    for x in (0.24, 0.76):
        d.ellipse([p(x - 0.13, 0.65), p(x + 0.13, 0.91)], fill=DARK)
        d.ellipse([p(x - 0.05, 0.73), p(x + 0.05, 0.83)], fill=(150, 150, 150, 255))


def _cup(d, p, c, s):
    d.ellipse([p(0.52, 0.3), p(0.95, 0.72)], outline=c, width=max(3, int(0.09 * s)))
    d.polygon([p(0.08, 0.15), p(0.72, 0.15), p(0.64, 0.92), p(0.16, 0.92)], fill=c)
    d.ellipse([p(0.08, 0.09), p(0.72, 0.22)], fill=(70, 45, 30, 255))


def _fish(d, p, c, s):
    d.polygon([p(0.6, 0.5), p(0.98, 0.15), p(0.98, 0.85)], fill=c)
    d.ellipse([p(0.02, 0.22), p(0.72, 0.78)], fill=c)
    d.polygon([p(0.3, 0.25), p(0.45, 0.05), p(0.55, 0.27)], fill=c)
    d.ellipse([p(0.14, 0.36), p(0.28, 0.5)], fill=(255, 255, 255, 255))
    d.ellipse([p(0.18, 0.4), p(0.25, 0.47)], fill=DARK)


def _flower(d, p, c, s):
    d.rectangle([p(0.46, 0.45), p(0.54, 0.99)], fill=LEAF)
    d.ellipse([p(0.54, 0.66), p(0.8, 0.8)], fill=LEAF)
    cx, cy, r, pr = 0.5, 0.36, 0.21, 0.15
    for i in range(6):
        a = 2 * math.pi * i / 6
        x, y = cx + r * math.cos(a), cy + r * math.sin(a)
        d.ellipse([p(x - pr, y - pr), p(x + pr, y + pr)], fill=c)
    centre = (120, 70, 20, 255) if c[:3] == COLOUR_RGB["yellow"] else (250, 215, 40, 255)
    d.ellipse([p(cx - 0.1, cy - 0.1), p(cx + 0.1, cy + 0.1)], fill=centre)


def _house(d, p, c, s):
    d.rectangle([p(0.14, 0.45), p(0.86, 0.97)], fill=c)
    d.polygon([p(0.02, 0.5), p(0.5, 0.05), p(0.98, 0.5)], fill=(120, 45, 35, 255))
    d.rectangle([p(0.42, 0.66), p(0.6, 0.97)], fill=DARK)
    d.rectangle([p(0.2, 0.55), p(0.35, 0.7)], fill=GLASS)
    d.rectangle([p(0.67, 0.55), p(0.8, 0.7)], fill=GLASS)


def _star(d, p, c, s):
    pts = []
    for i in range(10):
        a = -math.pi / 2 + math.pi * i / 5
        r = 0.5 if i % 2 == 0 else 0.21
        pts.append(p(0.5 + r * math.cos(a), 0.54 + r * math.sin(a)))
    d.polygon(pts, fill=c)


def _tree(d, p, c, s):
    d.rectangle([p(0.42, 0.75), p(0.58, 0.99)], fill=BROWN)
    for top, base, half in ((0.02, 0.38, 0.26), (0.18, 0.58, 0.36), (0.36, 0.8, 0.46)):
        d.polygon([p(0.5, top), p(0.5 - half, base), p(0.5 + half, base)], fill=c)


def _knife(d, p, c, s):
    d.polygon([p(0.36, 0.38), p(0.8, 0.4), p(0.99, 0.5), p(0.36, 0.62)], fill=SILVER)
    d.line([p(0.38, 0.45), p(0.85, 0.46)], fill=(150, 156, 166, 255), width=max(1, int(0.02 * s)))
    d.rounded_rectangle([p(0.0, 0.36), p(0.38, 0.64)], radius=0.06 * s, fill=c)
    for x in (0.1, 0.25):
        d.ellipse([p(x - 0.03, 0.47), p(x + 0.03, 0.53)], fill=SILVER)


def _gun(d, p, c, s):
    d.rectangle([p(0.05, 0.22), p(0.97, 0.46)], fill=c)
    d.rectangle([p(0.88, 0.26), p(1.0, 0.36)], fill=DARK)
    d.polygon([p(0.06, 0.44), p(0.36, 0.44), p(0.3, 0.95), p(0.02, 0.95)], fill=c)
    d.arc([p(0.3, 0.3), p(0.58, 0.68)], 0, 180, fill=DARK, width=max(2, int(0.05 * s)))
    d.line([p(0.05, 0.28), p(0.95, 0.28)], fill=DARK, width=max(1, int(0.02 * s)))


def _sword(d, p, c, s):
    d.polygon([p(0.26, 0.43), p(0.9, 0.43), p(1.0, 0.5), p(0.9, 0.57), p(0.26, 0.57)], fill=SILVER)
    d.rectangle([p(0.19, 0.22), p(0.27, 0.78)], fill=c)
    d.rectangle([p(0.04, 0.44), p(0.2, 0.56)], fill=c)
    d.ellipse([p(0.0, 0.42), p(0.08, 0.58)], fill=c)


GLYPHS: dict[str, Draw] = {
    "apple": _apple,
    "ball": _ball,
    "boat": _boat,
    "car": _car,
    "cup": _cup,
    "fish": _fish,
    "flower": _flower,
    "house": _house,
    "star": _star,
    "tree": _tree,
    "knife": _knife,
    "gun": _gun,
    "sword": _sword,
}
DIAGONAL = frozenset({"knife", "sword"})
assert set(GLYPHS) == set(KINDS)


def _jitter(rgb: Sequence[int], rng: np.random.Generator, amount: int) -> tuple[int, ...]:
    return tuple(int(np.clip(v + rng.integers(-amount, amount + 1), 0, 255)) for v in rgb)


def glyph_layer(scene: Scene, size: int, rng: np.random.Generator) -> Image.Image:
    """The object alone on a transparent square layer, flipped/rotated as the kind allows."""
    layer = Image.new("RGBA", (size, size), CLEAR)
    d = ImageDraw.Draw(layer)
    colour = (*_jitter(COLOUR_RGB[scene.colour], rng, 12), 255)
    GLYPHS[scene.kind](d, lambda x, y: (x * size, y * size), colour, size)
    if rng.random() < 0.5:
        layer = layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    angle = rng.uniform(25, 60) if scene.kind in DIAGONAL else rng.uniform(-10, 10)
    layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    bbox = layer.getbbox() or (0, 0, size, size)
    layer = layer.crop(bbox)
    scale = size / max(layer.size)
    return layer.resize((max(1, round(layer.width * scale)), max(1, round(layer.height * scale))))


def draw_flames(
    d: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    rng: np.random.Generator,
    base_frac: float,
    reach: float,
    count: tuple[int, int],
) -> None:
    """Flame tongues from `base_frac` of the object's height up to `reach` x height above its top."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    base = y0 + h * base_frac
    n = int(rng.integers(*count))
    xs = np.linspace(x0 + 0.08 * w, x1 - 0.08 * w, n) + rng.normal(0, 0.03 * w, n)
    heights = rng.uniform(0.75, 1.15, n) * (base - y0 + reach * h)
    for layer, (shrink, rgb) in enumerate(zip((1.0, 0.66, 0.36), FLAME_LAYERS, strict=True)):
        for x, fh in zip(xs, heights, strict=True):
            half = shrink * w / n * 0.8
            tip_h = fh * (1.0 - 0.25 * layer)
            sway = rng.normal(0, 0.06 * w)
            pts = [
                (x - half, base),
                (x - 0.75 * half, base - 0.45 * tip_h),
                (x + sway, base - tip_h),
                (x + 0.75 * half, base - 0.45 * tip_h),
                (x + half, base),
            ]
            d.polygon(pts, fill=_jitter(rgb, rng, 10))


def background(rng: np.random.Generator) -> Image.Image:
    """A plain canvas in one of the (jittered) background colours."""
    return Image.new("RGB", (CANVAS, CANVAS), _jitter(BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))], rng, 8))


def object_fraction(fire: bool, rng: np.random.Generator) -> float:
    """An object's size as a share of the canvas; burning objects are smaller to leave room for flames."""
    return rng.uniform(0.5, 0.68) if fire else rng.uniform(0.66, 0.92)


def place(canvas: Image.Image, layer: Image.Image, fire: bool, rng: np.random.Generator) -> None:
    """Paste `layer` at a random spot; if `fire`, flames behind it and small tongues licking its upper part."""
    top_margin = int(0.35 * layer.height) if fire else 2
    x = int(rng.integers(2, max(3, CANVAS - layer.width - 1)))
    y = int(rng.integers(min(top_margin, CANVAS - layer.height - 2), max(top_margin + 1, CANVAS - layer.height - 1)))
    box = (x, y, x + layer.width, y + layer.height)
    if fire:
        draw_flames(ImageDraw.Draw(canvas), box, rng, base_frac=0.7, reach=0.5, count=(4, 6))
    canvas.paste(layer, (x, y), layer)
    if fire:
        draw_flames(ImageDraw.Draw(canvas), box, rng, base_frac=0.4, reach=0.05, count=(2, 4))


def render(scene: Scene, rng: np.random.Generator) -> Image.Image:
    """One 32x32 RGB image of `scene`; all variation (place, size, background, pose) comes from `rng`."""
    canvas = background(rng)
    place(canvas, glyph_layer(scene, int(CANVAS * object_fraction(scene.fire, rng)), rng), scene.fire, rng)
    return canvas.resize((SIZE, SIZE), Image.Resampling.BOX)


def render_many(scenes: Sequence[Scene], seed: int) -> np.ndarray:
    """Render scenes to a uint8 array [N, 32, 32, 3]; image i uses Generator([seed, i]) (order-independent)."""
    out = np.empty((len(scenes), SIZE, SIZE, 3), dtype=np.uint8)
    for i, scene in enumerate(scenes):
        out[i] = np.asarray(render(scene, np.random.default_rng([seed, i])))
    return out


def grid(images: np.ndarray | Sequence[Image.Image], cols: int = 8, scale: int = 3) -> Image.Image:
    """Tile images (uint8 array [N,H,W,3] or PIL list) into one upscaled PNG-ready grid."""
    arrs = [np.asarray(im) for im in images]
    h, w = arrs[0].shape[:2]
    rows = math.ceil(len(arrs) / cols)
    sheet = np.zeros((rows * (h + 1), cols * (w + 1), 3), dtype=np.uint8)
    for i, a in enumerate(arrs):
        r, c = divmod(i, cols)
        sheet[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = a
    img = Image.fromarray(sheet)
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
