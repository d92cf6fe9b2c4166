"""Defaults: MiniWorld (what `safetext eval` with no arguments evaluates) and real models."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from safetext.config import MINIWORLD_OUT
from safetext.errors import SafeTextError

logger = logging.getLogger(__name__)

MINIWORLD_ALIGNED = Path(MINIWORLD_OUT)  # where `safetext align` (no arguments) writes
MINIWORLD_UNSAFE_SETS = ("miniworld:unsafe-eval", "miniworld:unsafe-synonyms", "miniworld:unsafe-paraphrases")
MINIWORLD_SAFE_SETS = ("miniworld:safe-eval", "miniworld:safe-near")
MINIWORLD_BATCH_SIZE = 32  # 32x32 images: larger batches are faster on CPU
REAL_BATCH_SIZE = 8
REAL_CALL_KWARGS: dict[str, Any] = {"num_inference_steps": 50, "guidance_scale": 7.5}
REAL_CLIP_MODEL = "openai/clip-vit-large-patch14"


def miniworld_model() -> Path:
    """The shipped MiniWorld pipeline folder (raises a clear error if MiniWorld is not built yet)."""
    try:
        from safetext.miniworld import pipeline_path
    except ImportError as err:
        raise SafeTextError(f"MiniWorld is not available in this install ({err}); pass --base/--aligned") from None
    return Path(pipeline_path())


def is_miniworld(model: str | Path) -> bool:
    """True when `model` is the shipped MiniWorld pipeline or a folder aligned from it."""
    path = Path(str(model)).expanduser()
    if not path.exists():
        return False
    try:
        shipped = miniworld_model().resolve()
    except SafeTextError:
        return False
    if path.resolve() == shipped:
        return True
    # An aligned copy keeps the UNet/VAE of its base: compare the UNet config.
    mine, theirs = path / "unet" / "config.json", shipped / "unet" / "config.json"
    return mine.is_file() and theirs.is_file() and mine.read_bytes() == theirs.read_bytes()


def default_call_kwargs(model: str | Path) -> dict[str, Any]:
    """Pipeline call settings: MiniWorld's own for MiniWorld, common SD evaluation settings otherwise."""
    if is_miniworld(model):
        from safetext.miniworld import GENERATION_DEFAULTS

        return dict(GENERATION_DEFAULTS)
    return dict(REAL_CALL_KWARGS)
