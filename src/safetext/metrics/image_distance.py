"""Per-pair image distances between base and aligned images of the same prompt and seed.

- `PixelRMSE`: root mean squared difference of RGB values in [0, 1] (model-free reference).
- `FeatureCosineDistance`: 1 - cos(f(a), f(b)) in a feature space, e.g. MiniWorld's classifier.
- LPIPS (real models) lives in `safetext.metrics.lpips`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

from safetext.metrics._images import to_tensor
from safetext.metrics.features import FeatureExtractor


@runtime_checkable
class ImageDistance(Protocol):
    """`(images_a, images_b) -> distances [N]` for row-paired images; `name`, `description` are reported."""

    name: str
    description: str

    def __call__(self, images_a: Sequence[Image.Image], images_b: Sequence[Image.Image]) -> np.ndarray: ...


def _check_paired(images_a: Sequence[Image.Image], images_b: Sequence[Image.Image]) -> None:
    if len(images_a) != len(images_b):
        raise ValueError(f"{len(images_a)} vs {len(images_b)} images: distances need paired images")


class PixelRMSE:
    name = "pixel_rmse"
    description = "RMS difference of RGB pixel values in [0, 1]"

    def __call__(self, images_a: Sequence[Image.Image], images_b: Sequence[Image.Image]) -> np.ndarray:
        _check_paired(images_a, images_b)
        diff = to_tensor(images_a).double() - to_tensor(images_b).double()
        return diff.pow(2).flatten(1).mean(dim=1).sqrt().numpy()


def cosine_distance(features_a: np.ndarray, features_b: np.ndarray) -> np.ndarray:
    """Per-row 1 - cosine similarity."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)).clip(min=1e-12)
    return 1.0 - cos


class FeatureCosineDistance:
    """1 - cos of the two images' features under `extractor`."""

    def __init__(self, extractor: FeatureExtractor) -> None:
        self.extractor = extractor
        self.name = f"{extractor.name}_cosine_distance"
        self.description = f"1 - cosine similarity of {extractor.description}"

    def __call__(self, images_a: Sequence[Image.Image], images_b: Sequence[Image.Image]) -> np.ndarray:
        _check_paired(images_a, images_b)
        return cosine_distance(self.extractor(images_a), self.extractor(images_b))
