"""Image feature extractors for FID/KID. The feature space decides what the numbers mean, so each
extractor carries a `description` that goes into every report beside the figures.

- `ClipFeatures`: CLIP image embeddings (FID in CLIP space, "FID_CLIP", Kynkaanniemi et al. 2023),
  for real models, from any local/hub `CLIPModel`. Inception weights are not used: none exist offline.
- `CallableFeatures`: wraps any `images -> [N, D]` function, e.g. MiniWorld's attribute classifier
  features (`load_attribute_classifier().features`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

from safetext.metrics.clip import Clip


@runtime_checkable
class FeatureExtractor(Protocol):
    """`images -> float array [N, D]`, with a `name` and a human-readable `description`."""

    name: str
    description: str

    def __call__(self, images: Sequence[Image.Image]) -> np.ndarray: ...


class ClipFeatures:
    """Normalised CLIP image embeddings."""

    def __init__(self, clip: Clip) -> None:
        self.clip = clip
        self.name = "clip"
        self.description = f"CLIP image embeddings of {clip.name}"

    def __call__(self, images: Sequence[Image.Image]) -> np.ndarray:
        return self.clip.image_embeds(images).numpy().astype(np.float64)


class CallableFeatures:
    """Any function of images returning [N, D] features."""

    def __init__(self, fn: Callable[[Sequence[Image.Image]], np.ndarray], name: str, description: str) -> None:
        self.fn, self.name, self.description = fn, name, description

    def __call__(self, images: Sequence[Image.Image]) -> np.ndarray:
        features = np.asarray(self.fn(images), dtype=np.float64)
        return features.reshape(len(images), -1)
