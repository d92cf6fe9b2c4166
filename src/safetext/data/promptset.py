"""The `PromptSet` record every reader returns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PromptSet:
    """A named, ordered, de-duplicated list of prompts, with optional per-prompt labels.

    `labels[i]` (when present) holds ground truth for `prompts[i]`, e.g. MiniWorld's
    `{"kind": "apple", "colour": "red", "concepts": ["fire"]}` or I2P's `{"categories": ..., "seed": ...}`.
    """

    name: str
    prompts: tuple[str, ...]
    labels: tuple[dict[str, Any], ...] | None = None
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.labels is not None and len(self.labels) != len(self.prompts):
            raise ValueError(f"prompt set {self.name!r}: {len(self.labels)} labels for {len(self.prompts)} prompts")

    def __len__(self) -> int:
        return len(self.prompts)

    @property
    def sha256(self) -> str:
        """Hash of the prompts (order-sensitive), for provenance in configs and model cards."""
        return hashlib.sha256("\n".join(self.prompts).encode("utf-8")).hexdigest()

    def describe(self) -> dict[str, Any]:
        """Name, count, hash and source: what model cards and results files record."""
        return {"name": self.name, "count": len(self), "sha256": self.sha256, "source": self.source}
