"""Turn a model argument (local folder, hub id, single-file checkpoint) into a local diffusers folder.

Only safetensors weights are ever read: pickle-based checkpoints (.ckpt, .bin, .pt) are refused,
and hub downloads skip them. `trust_remote_code` is never used.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from safetext.errors import ModelLoadError

logger = logging.getLogger(__name__)

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
PICKLE_SUFFIXES = {".ckpt", ".bin", ".pt", ".pth", ".pkl"}
HUB_PATTERNS = ["*.json", "*.txt", "*.model", "**/*.json", "**/*.txt", "**/*.model", "**/*.safetensors"]


def read_model_index(folder: Path) -> dict[str, Any]:
    index = folder / "model_index.json"
    if not index.is_file():
        raise ModelLoadError(
            f"{folder} is not a diffusers pipeline folder (no model_index.json). Give the folder that "
            "`pipeline.save_pretrained()` wrote, a hub id such as `org/model`, or a .safetensors checkpoint."
        )
    try:
        return json.loads(index.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelLoadError(f"{index} is not valid JSON ({err}); the pipeline folder is damaged.") from None


def _download(repo_id: str, revision: str | None) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import GatedRepoError, LocalEntryNotFoundError, RepositoryNotFoundError

    try:
        return Path(snapshot_download(repo_id, revision=revision, allow_patterns=HUB_PATTERNS))
    except GatedRepoError:
        raise ModelLoadError(f"hub model {repo_id} is gated: accept its licence on the hub and log in.") from None
    except RepositoryNotFoundError:
        raise ModelLoadError(f"hub model {repo_id} does not exist (or is private: log in first).") from None
    except LocalEntryNotFoundError:
        raise ModelLoadError(
            f"cannot reach the hub to fetch {repo_id}, and it is not in the local cache. Connect to the "
            "internet, unset HF_HUB_OFFLINE, or pass a local pipeline folder."
        ) from None
    except OSError as err:
        raise ModelLoadError(f"could not download {repo_id}: {err}") from None


def convert_single_file(path: Path, cache_dir: Path, config: str | None = None) -> Path:
    """Convert a single-file SD/SDXL .safetensors checkpoint into a diffusers folder (cached by file name)."""
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline
    from diffusers.loaders.single_file_utils import infer_diffusers_model_type, load_single_file_checkpoint

    target = cache_dir / f"{path.stem}-{path.stat().st_size}"
    if (target / "model_index.json").is_file():
        return target
    try:
        checkpoint = load_single_file_checkpoint(str(path))
        is_xl = infer_diffusers_model_type(checkpoint).startswith("xl")
        cls = StableDiffusionXLPipeline if is_xl else StableDiffusionPipeline
        pipeline = cls.from_single_file(str(path), config=config)
    except Exception as err:  # diffusers raises many kinds here; the message is what the user needs
        raise ModelLoadError(
            f"could not load single-file checkpoint {path}: {err}. Converting needs the base model's configs: "
            "pass `config` (a hub id or local diffusers folder of the same architecture)."
        ) from None
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    pipeline.save_pretrained(tmp, safe_serialization=True)
    os.replace(tmp, target)
    return target


def resolve_model(model: str | os.PathLike[str], revision: str | None = None, config: str | None = None) -> Path:
    """A local diffusers folder for `model`: itself, a hub snapshot, or a converted single file."""
    text = os.fspath(model)
    path = Path(text).expanduser()
    if path.is_dir():
        read_model_index(path)
        return path
    if path.is_file():
        if path.suffix.lower() in PICKLE_SUFFIXES:
            raise ModelLoadError(
                f"{path} is a pickle checkpoint; SafeText loads safetensors only (pickles can run code). "
                "Convert it to .safetensors first, or give a diffusers folder."
            )
        if path.suffix.lower() != ".safetensors":
            raise ModelLoadError(f"{path} is not a model: give a diffusers folder, hub id or .safetensors file.")
        cache = Path(os.environ.get("SAFETEXT_CACHE", Path.home() / ".cache" / "safetext")) / "single_file"
        return convert_single_file(path, cache, config)
    if HUB_ID.match(text) and not text.startswith((".", "/", "~")):
        return _download(text, revision)
    raise ModelLoadError(f"model not found: {text!r} is neither an existing path nor a hub id like `org/name`.")
