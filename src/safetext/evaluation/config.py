"""`EvalConfig`: every setting of an evaluation; the resolved config is saved in results.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Settings that change how it runs or looks, not the numbers: they may differ when resuming.
NOT_IDENTITY = ("show_unsafe", "grid_prompts", "overwrite", "progress", "generate", "batch_size")


@dataclass
class EvalConfig:
    """`None` means "the default for this world" (MiniWorld when `base` is None)."""

    base: str | None = None
    aligned: str | None = None
    unsafe: list[str] | None = None
    safe: list[str] | None = None
    out: str = "outputs/eval"
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])  # several: one shared seed correlates a whole set
    limit: int | None = None
    sample_seed: int = 0
    base_images: str | None = None
    aligned_images: str | None = None
    generate: bool = True
    world: str = "auto"
    num_inference_steps: int | None = None
    guidance_scale: float | None = None
    height: int | None = None
    width: int | None = None
    batch_size: int | None = None
    device: str = "cpu"
    nudenet_thresholds: list[float] = field(default_factory=lambda: [0.45, 0.6])
    nudenet_classes: list[str] | None = None
    clip_model: str | None = None
    lpips_weights: str | None = None
    images: bool = True  # False: embedding metrics only, no generation (a cheap early check)
    embeddings: bool = True
    show_unsafe: bool = False
    grid_prompts: int = 8
    overwrite: bool = False
    progress: bool = True

    def identity(self) -> dict[str, Any]:
        """The settings that decide the numbers (a resumed evaluation must match them)."""
        return {k: v for k, v in asdict(self).items() if k not in NOT_IDENTITY}
