"""Write an aligned pipeline: the base folder with its text encoder(s) replaced, built off to the side.

The unchanged components are copied (or hard-linked) from the base, never modified; aligned
encoders are saved as safetensors. The folder is assembled in `staging` and renamed into place,
so `out` is either absent, the previous content, or the complete new pipeline.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from torch import nn

from safetext.errors import OutputExistsError


def check_output(out: Path, overwrite: bool) -> None:
    if out.exists() and not overwrite:
        raise OutputExistsError(f"output folder {out} already exists; choose another --out or pass --overwrite.")


def _copy_tree(base: Path, staging: Path, skip: set[str], link: bool) -> None:
    def copy(src: str, dst: str) -> None:
        if link:
            try:
                os.link(os.path.realpath(src), dst)
                return
            except OSError:
                pass
        shutil.copy2(src, dst)

    def ignore(directory: str, names: list[str]) -> list[str]:
        skipped = {".cache"} | (skip if Path(directory) == base else set())
        return [name for name in names if name in skipped]

    shutil.copytree(base, staging, ignore=ignore, copy_function=copy)


def write_pipeline(
    base: Path,
    out: Path,
    staging: Path,
    encoders: Mapping[str, nn.Module],
    files: Mapping[str, str],
    overwrite: bool = False,
    link_unchanged: bool = False,
) -> Path:
    """Assemble base + aligned `encoders` + extra text `files` in `staging`, then move it to `out`."""
    check_output(out, overwrite)
    shutil.rmtree(staging, ignore_errors=True)
    _copy_tree(base, staging, set(encoders), link_unchanged)
    for name, encoder in encoders.items():
        encoder.save_pretrained(staging / name, safe_serialization=True)
    for name, text in files.items():
        (staging / name).write_text(text, encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    trash = out.with_name(f".{out.name}.replaced-{os.getpid()}")
    if out.exists():
        os.replace(out, trash)
    os.replace(staging, out)
    shutil.rmtree(trash, ignore_errors=True)
    return out
