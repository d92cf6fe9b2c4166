"""CLIP score (prompt faithfulness for real models).

CLIP score = 100 * max(cos(E_image, E_text), 0) per image/prompt pair (Hessel et al. 2021, the
torchmetrics convention); report the model used beside it (e.g. openai/clip-vit-large-patch14).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from safetext.metrics.clip import Clip


def clip_score_from_embeds(image_embeds: np.ndarray, text_embeds: np.ndarray) -> np.ndarray:
    """Per-pair 100 * max(cos, 0) of row-aligned image and text embeddings."""
    a, b = np.asarray(image_embeds, np.float64), np.asarray(text_embeds, np.float64)
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)).clip(min=1e-12)
    return 100.0 * np.maximum(cos, 0.0)


class ClipScore:
    """Faithfulness scorer: per-image CLIP score of each image against its own prompt."""

    def __init__(self, clip: Clip) -> None:
        self.clip = clip
        self.name = "clip_score"
        self.description = f"CLIP score = 100 * max(cos(image, prompt), 0) with {clip.name}"

    def __call__(
        self,
        images: Sequence[Image.Image],
        prompts: Sequence[str],
        labels: Sequence[dict[str, Any]] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, float]]:
        scores = clip_score_from_embeds(self.clip.image_embeds(images).numpy(), self.clip.text_embeds(prompts).numpy())
        return [{"clip_score": float(s)} for s in scores], {"clip_score": float(scores.mean())}
