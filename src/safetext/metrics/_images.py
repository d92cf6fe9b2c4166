"""PIL images -> float tensors, the one conversion every model-backed metric uses."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image


def to_tensor(images: Sequence[Image.Image]) -> torch.Tensor:
    """RGB images of one size -> float tensor [N, 3, H, W] in [0, 1]."""
    arrays = [np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0 for image in images]
    if len({a.shape for a in arrays}) > 1:
        raise ValueError("images must all have the same size")
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def batches(items: Sequence, size: int):
    """Consecutive slices of `items` of at most `size` elements."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
