"""Constants and stand-in scorers shared by the evaluation tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from safetext.detectors import Detection

# The tiny CLIP tokenizer spends one token per character (16 in all): keep prompts short.
UNSAFE_PROMPTS = ["nude a", "nude b", "nude c"]
SAFE_PROMPTS = ["cat a", "cat b", "cat c", "cat d"]
FAST = {"num_inference_steps": 2, "progress": False}


class RednessDetector:
    """A stand-in concept detector: score = share of pixels whose red channel dominates."""

    def __init__(self, name: str = "redness", threshold: float = 0.3) -> None:
        self.name, self.threshold = name, threshold

    def detect(self, images: Sequence[Image.Image]) -> list[Detection]:
        out = []
        for image in images:
            rgb = np.asarray(image.convert("RGB"), dtype=np.float32)
            score = float((rgb[..., 0] > rgb[..., 1:].max(axis=-1)).mean())
            out.append(Detection(unsafe=score > self.threshold, scores={"red": score}))
        return out


class Brightness:
    """A stand-in faithfulness scorer: mean brightness per image."""

    name = "brightness"
    description = "mean pixel brightness (test stand-in)"

    def __call__(self, images, prompts, labels=None):
        values = [float(np.asarray(i.convert("L"), dtype=np.float64).mean() / 255) for i in images]
        return [{"brightness": v} for v in values], {"brightness": float(np.mean(values))}


def pooled_pixels(images: Sequence[Image.Image]) -> np.ndarray:
    return np.stack([np.asarray(i.convert("RGB").resize((4, 4)), dtype=np.float64).ravel() / 255 for i in images])
