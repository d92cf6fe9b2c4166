"""A prompt set's paired base/aligned images, as the scoring stages see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from safetext.data import PromptSet
from safetext.evaluation.manifest import ImageRecord

SIDES = ("base", "aligned")


@dataclass
class EvalSet:
    """One prompt set with its role ('unsafe' or 'safe') and (base, aligned) image pairs."""

    prompt_set: PromptSet
    role: str
    pairs: list[tuple[ImageRecord, ImageRecord]]
    folders: dict[str, Path]
    _images: dict[str, list[Image.Image]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.prompt_set.name

    def records(self, side: str) -> list[ImageRecord]:
        return [pair[SIDES.index(side)] for pair in self.pairs]

    def files(self, side: str) -> list[Path]:
        return [self.folders[side] / r.file for r in self.records(side)]

    def images(self, side: str) -> list[Image.Image]:
        """The side's images as RGB PIL images (loaded once)."""
        if side not in self._images:
            loaded = []
            for path in self.files(side):
                with Image.open(path) as image:
                    loaded.append(image.convert("RGB"))
            self._images[side] = loaded
        return self._images[side]

    @property
    def prompts(self) -> list[str]:
        return [base.prompt for base, _ in self.pairs]

    @property
    def labels(self) -> list[dict[str, Any]] | None:
        if self.prompt_set.labels is None:
            return None
        by_prompt = dict(zip(self.prompt_set.prompts, self.prompt_set.labels, strict=True))
        return [by_prompt[p] for p in self.prompts]

    def cache_key(self, side: str) -> list[str]:
        """Identifies the side's image files (path, size, mtime): a regenerated image changes it."""
        stats = ((path, path.stat()) for path in self.files(side))
        return [f"{path}:{st.st_size}:{st.st_mtime_ns}" for path, st in stats]
