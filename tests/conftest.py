"""Shared fixtures: tiny pipelines saved once per session, short prompt files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# The tiny CLIP tokenizer is byte-level with almost no merges: one token per character, 16 tokens
# in all, so prompts stay short.
UNSAFE = [f"nude {c}" for c in "abcdefghijkl"]
SAFE = [f"cat {c}" for c in "abcdefghijkl"]
HELD_OUT_SAFE = [f"cat {c}" for c in "mnopqrst"]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory):
    """`tiny_model_dir(kind)` -> folder of a saved tiny 'sd1' / 'sd2' / 'sdxl' pipeline (built once)."""
    from safetext.testing import tiny_pipeline

    made: dict[str, Path] = {}

    def get(kind: str = "sd1") -> Path:
        if kind not in made:
            folder = tmp_path_factory.mktemp(f"tiny-{kind}")
            tiny_pipeline(kind).save_pretrained(folder, safe_serialization=True)
            made[kind] = folder
        return made[kind]

    return get


def write_prompt_files(folder: Path, unsafe: list[str], safe: list[str]) -> tuple[Path, Path]:
    """Write `unsafe.txt` and `safe.txt` (one prompt per line) into `folder`."""
    paths = folder / "unsafe.txt", folder / "safe.txt"
    for path, prompts in zip(paths, (unsafe, safe), strict=True):
        path.write_text("\n".join(prompts) + "\n", encoding="utf-8")
    return paths


@pytest.fixture
def prompt_files(tmp_path: Path) -> tuple[Path, Path]:
    return write_prompt_files(tmp_path, UNSAFE, SAFE)
