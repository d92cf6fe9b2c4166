"""Seeded, batched, resumable image generation: `generate()` and the `safetext generate` command.

Every image gets its own `torch.Generator` seeded with its seed, so an image depends only on
(model, prompt, seed, call settings), never on batching or on what ran before: a rerun into the
same folder skips the images already in its manifest and produces identical new ones.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from safetext.data import PromptSet
from safetext.errors import OutputExistsError
from safetext.evaluation.defaults import default_call_kwargs
from safetext.evaluation.io import json_safe, read_json, save_png, write_json
from safetext.evaluation.manifest import (
    GENERATION,
    MANIFEST,
    ImageRecord,
    Key,
    append_records,
    image_file,
    read_manifest,
)
from safetext.evaluation.prompts import load_sources
from safetext.provenance import versions

logger = logging.getLogger(__name__)

PromptSource = str | Path | PromptSet


@dataclass
class GenerationResult:
    """The folder, the records of the requested images (in request order) and what was done."""

    folder: Path
    records: list[ImageRecord]
    generated: int
    skipped: int


def model_id(model: str | Path) -> str:
    """How a model is recorded: an absolute path for local folders/files, else the hub id as given."""
    path = Path(str(model)).expanduser()
    return str(path.resolve()) if path.exists() else str(model)


def model_fingerprint(model: str | Path) -> str | None:
    """Changes when a local model's files change (names, sizes, mtimes); None for hub ids.

    Stops a re-aligned model written to the same folder from reusing the old model's images.
    """
    path = Path(str(model)).expanduser()
    if not path.exists():
        return None
    files = sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())
    digest = hashlib.sha1()
    for file in files:
        stat = file.stat()
        name = file.name if file == path else file.relative_to(path).as_posix()
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def requested_keys(sets: Sequence[PromptSet], seeds: Sequence[int]) -> list[tuple[PromptSet, int, Key]]:
    """(set, prompt index, key) for every prompt x seed, sets and prompts in order."""
    return [(s, i, (s.name, p, int(seed))) for s in sets for i, p in enumerate(s.prompts) for seed in seeds]


def prepare_folder(folder: Path, settings: dict[str, Any], overwrite: bool) -> None:
    """Create the folder or check it holds images of the same model and settings (else clear error)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / GENERATION
    if config.is_file():
        stored = read_json(config)
        wanted = json_safe(settings)
        differs = [k for k in wanted if stored.get(k) != wanted[k]]
        if not differs:
            return
        if not overwrite and differs == ["fingerprint"]:
            raise OutputExistsError(
                f"{folder} holds images of an earlier version of {settings['model']!r} (its files changed "
                "since). Use --overwrite to regenerate them, or another output folder."
            )
        if not overwrite:
            raise OutputExistsError(
                f"{folder} holds images of model {stored.get('model')!r} with settings "
                f"{stored.get('call_kwargs')}, not {settings['model']!r} with {settings['call_kwargs']}. "
                "Use another output folder, the same settings to resume, or --overwrite to replace them."
            )
        for record in read_manifest(folder).values():
            (folder / record.file).unlink(missing_ok=True)
        (folder / MANIFEST).unlink(missing_ok=True)
    elif any(folder.iterdir()):
        raise OutputExistsError(
            f"{folder} exists, is not empty and is not a `safetext generate` folder (no {GENERATION}); "
            "choose a new or empty output folder."
        )
    write_json(config, {**settings, "versions": versions()})


def _load_pipeline(model: str | Path, device: str) -> Any:
    from safetext.models import load_pipeline

    pipeline = load_pipeline(model, device=device)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def generate(
    model: str | Path,
    prompts: PromptSource | Sequence[PromptSource],
    out: str | Path,
    seeds: Sequence[int] = (0,),
    *,
    num_inference_steps: int | None = None,
    guidance_scale: float | None = None,
    height: int | None = None,
    width: int | None = None,
    negative_prompt: str | None = None,
    call_kwargs: dict[str, Any] | None = None,
    batch_size: int = 16,
    device: str = "cpu",
    overwrite: bool = False,
    pipeline: Any = None,
    progress: bool = True,
) -> GenerationResult:
    """Generate one PNG per (prompt, seed) of each prompt set into `out`, resuming what is there.

    `model` is a pipeline folder, hub id or single file (recorded in the manifest); pass an already
    loaded `pipeline` to skip loading. Pipeline call settings: `call_kwargs` if given, else
    MiniWorld's for MiniWorld and 50 steps / guidance 7.5 otherwise; the named arguments override
    them. Returns the records of all requested images.
    """
    sets = load_sources([prompts] if isinstance(prompts, (str, Path, PromptSet)) else list(prompts))
    call_kwargs = dict(call_kwargs) if call_kwargs is not None else default_call_kwargs(model)
    given = {"num_inference_steps": num_inference_steps, "guidance_scale": guidance_scale, "height": height,
             "width": width, "negative_prompt": negative_prompt}  # fmt: skip
    call_kwargs.update({k: v for k, v in given.items() if v is not None})
    folder = Path(out)
    settings = {"model": model_id(model), "fingerprint": model_fingerprint(model), "call_kwargs": call_kwargs}
    prepare_folder(folder, settings, overwrite)

    done = read_manifest(folder)
    todo = [item for item in requested_keys(sets, seeds) if item[2] not in done]
    total = len(requested_keys(sets, seeds))
    logger.info("%s: %d images requested, %d already there", folder, total, total - len(todo))
    if todo and pipeline is None:
        pipeline = _load_pipeline(model, device)
    bar = tqdm(total=len(todo), desc=f"generate {folder.name}", unit="img", disable=not progress or not todo)
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        generators = [torch.Generator("cpu").manual_seed(key[2]) for _, _, key in batch]
        negative = call_kwargs.get("negative_prompt")
        kwargs = {**call_kwargs, "negative_prompt": [negative] * len(batch) if negative is not None else None}
        with torch.no_grad():
            images = pipeline(prompt=[key[1] for _, _, key in batch], generator=generators, **kwargs).images
        records = []
        for (_, index, (set_name, prompt, seed)), image in zip(batch, images, strict=True):
            record = ImageRecord(
                set=set_name, prompt_index=index, prompt=prompt, seed=seed,
                guidance=call_kwargs.get("guidance_scale"), steps=call_kwargs.get("num_inference_steps"),
                model=settings["model"], file=image_file(set_name, prompt, seed),
            )  # fmt: skip
            save_png(folder / record.file, image)
            records.append(record)
        append_records(folder, records)
        done.update((r.key, r) for r in records)
        bar.update(len(batch))
    bar.close()
    ordered = [done[key] for _, _, key in requested_keys(sets, seeds)]
    return GenerationResult(folder, ordered, generated=len(todo), skipped=total - len(todo))
