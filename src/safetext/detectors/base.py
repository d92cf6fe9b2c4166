"""The detector protocol shared by NudeNet (real models) and the MiniWorld concept detectors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from PIL import Image


@dataclass(frozen=True)
class Detection:
    """One image's verdict: `unsafe` is True when any watched class scores above the threshold."""

    unsafe: bool
    scores: dict[str, float] = field(default_factory=dict)


@runtime_checkable
class Detector(Protocol):
    """Anything that turns images into `Detection`s. `name` and `threshold` go into every report."""

    name: str
    threshold: float

    def detect(self, images: Sequence[Image.Image]) -> list[Detection]: ...
