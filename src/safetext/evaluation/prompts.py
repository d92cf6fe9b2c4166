"""Prompt sources -> prompt sets, with seeded subsampling (`--limit N --sample-seed S`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from safetext.data import PromptSet, load_prompts, subsample
from safetext.errors import PromptSetError


def load_sources(
    sources: Sequence[str | Path | PromptSet], limit: int | None = None, sample_seed: int = 0
) -> list[PromptSet]:
    """Load each source (file, `miniworld:NAME`, PromptSet); keep a seeded random `limit` of each.

    Set names (file stems) must be distinct: they name the image subfolders and report rows.
    """
    sets = [load_prompts(source) for source in sources]
    if limit is not None:
        sets = [subsample(s, limit, sample_seed) for s in sets]
    names = [s.name for s in sets]
    if len(set(names)) != len(names):
        raise PromptSetError(f"prompt sets need distinct names (file stems), got {names}; rename a file.")
    return sets
