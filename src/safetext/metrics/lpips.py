"""LPIPS image distance (Zhang et al. 2018) with an injectable feature network.

    LPIPS(x, y) = sum_l mean_{h,w} sum_c w_{l,c} * (f_l(x)_c / ||f_l(x)|| - f_l(y)_c / ||f_l(y)||)^2

where f_l are the tapped feature maps of a fixed network (unit-normalised along channels) and
w_l >= 0 the learned per-channel weights. Inputs are scaled to [-1, 1], then shifted/scaled as in
the reference implementation. `AlexNetFeatures` re-creates torchvision's AlexNet `features`
(parameter names included) without importing torchvision, so real weights load from one
safetensors file holding torchvision's `features.*` tensors plus the lpips package's
`lin{k}.model.1.weight` tensors, e.g.:

    sd = {k: v for k, v in torchvision.models.alexnet(weights="IMAGENET1K_V1").state_dict().items()
          if k.startswith("features.")}
    sd |= torch.load("lpips/weights/v0.1/alex.pth")
    safetensors.torch.save_file(sd, "lpips_alex.safetensors")
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from safetext.metrics._images import to_tensor
from safetext.metrics._weights import resolve_file

LPIPS_SHIFT = (-0.030, -0.088, -0.188)
LPIPS_SCALE = (0.458, 0.448, 0.450)
ALEX_CHANNELS = (64, 192, 384, 256, 256)


class AlexNetFeatures(nn.Module):
    """torchvision AlexNet's `features` stack, returning the five ReLU outputs LPIPS taps."""

    taps = (1, 4, 7, 9, 11)
    channels = ALEX_CHANNELS

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outputs = []
        for index, layer in enumerate(self.features):
            x = layer(x)
            if index in self.taps:
                outputs.append(x)
        return outputs


def _unit(x: torch.Tensor, eps: float = 1e-10) -> torch.Tensor:
    return x / (x.pow(2).sum(dim=1, keepdim=True).sqrt() + eps)


class LPIPS(nn.Module):
    """LPIPS distance; `features(x)` returns a list of [N, C_l, H_l, W_l] maps; `weights[l]` is [C_l]
    (None = all ones, the unweighted "baseline" variant)."""

    def __init__(
        self,
        features: nn.Module,
        weights: Sequence[torch.Tensor] | None = None,
        shift: Sequence[float] = LPIPS_SHIFT,
        scale: Sequence[float] = LPIPS_SCALE,
        description: str = "LPIPS",
    ) -> None:
        super().__init__()
        self.features = features.eval().requires_grad_(False)
        self.weights = None if weights is None else [w.detach().reshape(1, -1, 1, 1).float() for w in weights]
        self.register_buffer("shift", torch.tensor(shift, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32).view(1, 3, 1, 1))
        self.description = description

    @torch.no_grad()
    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Distances [N] between image tensors in [-1, 1] of shape [N, 3, H, W]."""
        fx, fy = self.features((x - self.shift) / self.scale), self.features((y - self.shift) / self.scale)
        if self.weights is not None and len(self.weights) != len(fx):
            raise ValueError(f"{len(self.weights)} LPIPS weights for {len(fx)} feature layers")
        total = torch.zeros(x.shape[0])
        for layer, (a, b) in enumerate(zip(fx, fy, strict=True)):
            squared = (_unit(a) - _unit(b)).pow(2)
            if self.weights is not None:
                squared = squared * self.weights[layer]
            total = total + squared.sum(dim=1).mean(dim=(1, 2))
        return total

    @classmethod
    def from_pretrained(cls, path_or_repo: str | Path, filename: str = "lpips_alex.safetensors") -> LPIPS:
        """AlexNet LPIPS from a safetensors file (local file/folder or hub repo), format in the module doc."""
        from safetensors.torch import load_file

        file = resolve_file(path_or_repo, filename, "LPIPS weights")
        state = load_file(str(file))
        features = AlexNetFeatures()
        missing = [k for k in features.state_dict() if k not in state]
        lin_keys = [f"lin{i}.model.1.weight" for i in range(len(ALEX_CHANNELS))]
        missing += [k for k in lin_keys if k not in state]
        if missing:
            raise ValueError(f"{file} is not an AlexNet LPIPS weight file: missing {missing[:4]}")
        features.load_state_dict({k: state[k] for k in features.state_dict()})
        weights = [state[k].reshape(-1) for k in lin_keys]
        return cls(features, weights, description=f"LPIPS (AlexNet, {file.name})")


class LpipsDistance:
    """`ImageDistance` over PIL images (scaled to [-1, 1]) using an `LPIPS` module."""

    name = "lpips"

    def __init__(self, lpips: LPIPS, batch_size: int = 16) -> None:
        self.lpips, self.batch_size = lpips, batch_size
        self.description = lpips.description

    def __call__(self, images_a: Sequence[Image.Image], images_b: Sequence[Image.Image]) -> np.ndarray:
        if len(images_a) != len(images_b):
            raise ValueError(f"{len(images_a)} vs {len(images_b)} images: LPIPS needs paired images")
        out = [torch.zeros(0)]
        for start in range(0, len(images_a), self.batch_size):
            a = to_tensor(images_a[start : start + self.batch_size]) * 2 - 1
            b = to_tensor(images_b[start : start + self.batch_size]) * 2 - 1
            out.append(self.lpips(a, b))
        return torch.cat(out).double().numpy()
