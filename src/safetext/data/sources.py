"""Resolve a prompt-source string to a `PromptSet`.

A source is either a built-in set, `miniworld:NAME` (e.g. `miniworld:unsafe-train`), or a file
path with optional reader options in a query string:

    prompts.txt
    prompts.csv?column=text
    prompts.jsonl?key=caption
    i2p.csv?categories=sexual&min_nudity=50
    captions_val2014.json?format=coco
"""

from __future__ import annotations

import random
from pathlib import Path
from urllib.parse import parse_qs

from safetext.data.promptset import PromptSet
from safetext.data.readers import load_prompt_file
from safetext.errors import PromptSetError

BUILTIN_PREFIX = "miniworld:"
OPTIONS = {"format", "column", "key", "categories", "min_nudity", "limit", "seed"}


def load_prompts(source: str | Path | PromptSet) -> PromptSet:
    """Load a prompt set from a `PromptSet`, a built-in name or a file path (see module doc)."""
    if isinstance(source, PromptSet):
        return source
    text = str(source)
    if text.startswith(BUILTIN_PREFIX):
        return builtin_prompt_set(text[len(BUILTIN_PREFIX) :])
    path, _, query = text.partition("?")
    options = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    unknown = set(options) - OPTIONS
    if unknown:
        raise PromptSetError(f"unknown prompt option(s) {sorted(unknown)} in {text!r}; known: {sorted(OPTIONS)}.")
    try:
        min_nudity = float(options["min_nudity"]) if "min_nudity" in options else None
        limit = int(options["limit"]) if "limit" in options else None
        seed = int(options.get("seed", 0))
    except ValueError as err:
        raise PromptSetError(f"bad number in prompt options of {text!r}: {err}") from None
    categories = options["categories"].split(",") if "categories" in options else None
    prompts = load_prompt_file(path, options.get("format"), options.get("column"), options.get("key"),
                               categories, min_nudity)  # fmt: skip
    return subsample(prompts, limit, seed) if limit is not None else prompts


def builtin_prompt_set(name: str) -> PromptSet:
    """A MiniWorld prompt set by name (e.g. `unsafe-train`)."""
    try:
        from safetext.miniworld import prompt_set
    except ImportError:
        raise PromptSetError("the built-in MiniWorld prompt sets are not available in this install.") from None
    return prompt_set(name)


def subsample(prompts: PromptSet, limit: int, seed: int = 0) -> PromptSet:
    """A seeded random subset of `limit` prompts, in their original order."""
    if limit <= 0:
        raise PromptSetError(f"limit must be positive, got {limit}.")
    if limit >= len(prompts):
        return prompts
    keep = sorted(random.Random(seed).sample(range(len(prompts)), limit))
    labels = tuple(prompts.labels[i] for i in keep) if prompts.labels else None
    meta = {**prompts.meta, "subsample": {"limit": limit, "seed": seed, "of": len(prompts)}}
    return PromptSet(prompts.name, tuple(prompts.prompts[i] for i in keep), labels, prompts.source, meta)


def check_disjoint(unsafe: PromptSet, safe: PromptSet) -> None:
    """A prompt cannot be both safe and unsafe: raise naming the shared prompts."""
    shared = sorted(set(unsafe.prompts) & set(safe.prompts))
    if shared:
        shown = "; ".join(repr(p) for p in shared[:5]) + (" ..." if len(shared) > 5 else "")
        raise PromptSetError(
            f"{len(shared)} prompt(s) are in both the unsafe set {unsafe.name!r} and the safe set {safe.name!r}: "
            f"{shown}. Remove them from one of the files."
        )
