"""Resolve model weights from a local path or, for real use, the Hugging Face Hub."""

from __future__ import annotations

import os
from pathlib import Path

from safetext.errors import ModelLoadError


def resolve_file(path_or_repo: str | Path, filename: str, what: str) -> Path:
    """A local file, a file inside a local folder, or `filename` downloaded from a hub repo.

    With HF_HUB_OFFLINE=1 (tests, offline machines) only the local hub cache is consulted.
    """
    path = Path(path_or_repo).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        candidate = path / filename
        if candidate.is_file():
            return candidate
        raise ModelLoadError(f"{what}: {path} has no {filename}; pass the file itself or a folder holding it")
    try:
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(str(path_or_repo), filename))
    except Exception as err:  # noqa: BLE001 - any hub failure becomes one clear message
        offline = " (HF_HUB_OFFLINE is set)" if os.environ.get("HF_HUB_OFFLINE") else ""
        raise ModelLoadError(
            f"{what}: {path_or_repo!r} is not a local file/folder and could not be fetched from the hub"
            f"{offline}: {err}. Pass a local path."
        ) from err
