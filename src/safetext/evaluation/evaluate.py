"""`evaluate()`: generate with base and aligned models on the same prompts and seeds, score
safety, utility and embedding drift, and write `results.json` + `report.html`.

Resumable: images already generated, and stages already scored (`cache/`), are reused when the
same evaluation is run again into the same folder.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from safetext.data import PromptSet
from safetext.errors import ModelLoadError, OutputExistsError, PromptSetError, SafeTextError
from safetext.evaluation import defaults, scoring
from safetext.evaluation.cache import StageCache
from safetext.evaluation.config import EvalConfig
from safetext.evaluation.generate import generate, model_id, requested_keys
from safetext.evaluation.io import json_safe, read_json, write_json
from safetext.evaluation.manifest import GENERATION, check_pairable, pair_requested, read_manifest
from safetext.evaluation.prompts import load_sources
from safetext.evaluation.report import write_report
from safetext.evaluation.scorers import Scorers, miniworld_scorers, real_scorers
from safetext.evaluation.sets import SIDES, EvalSet
from safetext.provenance import versions

logger = logging.getLogger(__name__)

CONFIG_FILE = "eval-config.json"


def resolve_config(config: EvalConfig) -> EvalConfig:
    """Fill MiniWorld / real-model defaults and check the models exist."""
    c = dataclasses.replace(config)
    if c.base is None:
        c.base = str(defaults.miniworld_model())
    if c.world == "auto":
        c.world = "miniworld" if defaults.is_miniworld(c.base) else "real"
    if c.world not in ("miniworld", "real"):
        raise SafeTextError(f"unknown world {c.world!r}; choose auto, miniworld or real")
    if c.aligned is None:
        if c.world != "miniworld":
            raise SafeTextError("--aligned is required: the aligned model folder written by `safetext align`")
        c.aligned = str(defaults.MINIWORLD_ALIGNED)
        if not Path(c.aligned).exists():
            raise ModelLoadError(
                f"the aligned MiniWorld model {c.aligned} does not exist: run `safetext align` first "
                "(with no arguments it aligns MiniWorld and writes there), or pass --aligned PATH."
            )
    if c.world == "miniworld":
        c.unsafe = c.unsafe or list(defaults.MINIWORLD_UNSAFE_SETS)
        c.safe = c.safe or list(defaults.MINIWORLD_SAFE_SETS)
    else:
        if not c.unsafe and not c.safe:
            raise PromptSetError("give prompt sets to evaluate on: --unsafe FILE... and/or --safe FILE...")
        c.clip_model = defaults.REAL_CLIP_MODEL if c.clip_model is None else c.clip_model
    if c.batch_size is None:
        c.batch_size = defaults.MINIWORLD_BATCH_SIZE if c.world == "miniworld" else defaults.REAL_BATCH_SIZE
    if c.clip_model in ("", "none"):
        c.clip_model = None
    c.unsafe, c.safe = list(c.unsafe or []), list(c.safe or [])
    if not c.images and not c.embeddings:
        raise SafeTextError("--embeddings-only with --no-embeddings leaves nothing to evaluate; drop one")
    c.seeds = [int(s) for s in c.seeds]
    if not c.seeds or len(set(c.seeds)) != len(c.seeds):
        raise SafeTextError(f"seeds must be distinct and at least one, got {c.seeds}")
    return c


def load_sets(config: EvalConfig) -> list[tuple[PromptSet, str]]:
    """(prompt set, role) for every source, subsampled to `limit` with `sample_seed`."""
    sources = [*(config.unsafe or []), *(config.safe or [])]
    roles = ["unsafe"] * len(config.unsafe or []) + ["safe"] * len(config.safe or [])
    return list(zip(load_sources(sources, config.limit, config.sample_seed), roles, strict=True))


def _prepare_out(out: Path, config: EvalConfig) -> None:
    """Resume an evaluation of the same settings; refuse other settings unless `overwrite`,
    which also drops cached stage results (detectors or images may have changed)."""
    out.mkdir(parents=True, exist_ok=True)
    path, identity = out / CONFIG_FILE, json_safe(config.identity())
    if not config.overwrite:
        if path.is_file() and (stored := read_json(path)) != identity:
            changed = sorted(k for k in set(stored) | set(identity) if stored.get(k) != identity.get(k))
            raise OutputExistsError(
                f"{out} holds an evaluation with other settings ({', '.join(changed)} differ). Use another "
                "--out, the same settings to resume, or --overwrite to replace it."
            )
        if not path.is_file() and (out / "results.json").exists():
            raise OutputExistsError(f"{out} holds results of an unknown evaluation; use another --out or --overwrite.")
    else:
        for cached in (out / "cache").glob("*.json"):
            cached.unlink()
    write_json(path, identity)


def _build_scorers(config: EvalConfig) -> Scorers:
    if config.world == "miniworld":
        return miniworld_scorers()
    return real_scorers(config.nudenet_thresholds, config.nudenet_classes, config.clip_model, config.lpips_weights)


def _images(config: EvalConfig, out: Path, sets: Sequence[PromptSet]) -> dict[str, Path]:
    folders = {
        "base": Path(config.base_images) if config.base_images else out / "images" / "base",
        "aligned": Path(config.aligned_images) if config.aligned_images else out / "images" / "aligned",
    }
    if config.generate:
        call_kwargs = defaults.default_call_kwargs(config.base)  # the base model's, for both sides
        for side, model in (("base", config.base), ("aligned", config.aligned)):
            generate(
                model, sets, folders[side], config.seeds, call_kwargs=call_kwargs,
                num_inference_steps=config.num_inference_steps, guidance_scale=config.guidance_scale,
                height=config.height, width=config.width, batch_size=config.batch_size, device=config.device,
                overwrite=config.overwrite, progress=config.progress,
            )  # fmt: skip
    for side, folder in folders.items():
        if not (folder / GENERATION).is_file():
            raise SafeTextError(f"{folder} is not a `safetext generate` folder ({side} images); generate it first.")
    check_pairable(folders["base"], folders["aligned"])
    return folders


def _encoder(model: str, device: str):
    from safetext.models import load_text_side

    return load_text_side(model, device=device).encode


def _image_rows(sets: Sequence[EvalSet], raw_safety: dict, per_image_utility: dict, out: Path) -> list[dict]:
    rows = []
    for eval_set in sets:
        files = {side: eval_set.files(side) for side in SIDES}
        utility_rows = per_image_utility.get(eval_set.name, {})
        for i, (base, _) in enumerate(eval_set.pairs):
            row: dict[str, Any] = {
                "set": eval_set.name, "role": eval_set.role, "prompt": base.prompt, "seed": base.seed,
                **{f"{side}_file": _relative(files[side][i], out) for side in SIDES},
                "detections": {name: {side: found[eval_set.name][side][i] for side in SIDES}
                               for name, found in raw_safety.items()},
            }  # fmt: skip
            for name, values in utility_rows.items():
                row[name] = values[i]
            rows.append(row)
    return rows


def _relative(path: Path, out: Path) -> str:
    try:
        return str(path.resolve().relative_to(out.resolve()))
    except ValueError:
        return str(path.resolve())


def _paired_sets(config: EvalConfig, out: Path, prompt_sets: list[tuple[PromptSet, str]]) -> list[EvalSet]:
    """Generate (or reuse) both sides' images and pair them per set; no images with `images=False`."""
    if not config.images:
        return [EvalSet(prompt_set, role, [], {}) for prompt_set, role in prompt_sets]
    folders = _images(config, out, [s for s, _ in prompt_sets])
    manifests = {side: read_manifest(folder) for side, folder in folders.items()}
    sets = []
    for prompt_set, role in prompt_sets:
        keys = [key for _, _, key in requested_keys([prompt_set], config.seeds)]
        sets.append(EvalSet(prompt_set, role, pair_requested(keys, manifests["base"], manifests["aligned"]), folders))
    return sets


def evaluate(config: EvalConfig | None = None, *, scorers: Scorers | None = None, **overrides: Any) -> dict[str, Any]:
    """Run a whole evaluation (see module doc); returns the results written to `<out>/results.json`.

    Settings are `EvalConfig` fields, given as a config and/or keyword overrides, e.g.
    `evaluate(base="sd", aligned="outputs/sd-aligned", unsafe=["i2p.csv?categories=sexual"],
    safe=["coco.json?limit=500"], out="outputs/eval-sd")`. With no settings: MiniWorld defaults.
    `scorers` replaces the world's default detectors/metrics (tests, custom worlds).
    """
    config = resolve_config(dataclasses.replace(config or EvalConfig(), **overrides))
    out = Path(config.out)
    timing: dict[str, float] = {}
    clock = time.perf_counter()
    prompt_sets = load_sets(config)
    _prepare_out(out, config)
    sets = _paired_sets(config, out, prompt_sets)
    timing["generate"] = time.perf_counter() - clock

    if config.images:
        scorers = scorers or _build_scorers(config)
    else:
        scorers = Scorers(config.world, safety=[], image_distances=[], notes=["No images: embedding metrics only."])
    cache = StageCache(out / "cache")
    clock = time.perf_counter()
    safety, raw_safety = scoring.safety(scorers, sets, cache, config.progress)
    timing["safety"] = time.perf_counter() - clock
    clock = time.perf_counter()
    utility, per_image_utility = scoring.utility(scorers, sets, cache, config.sample_seed, config.progress)
    timing["utility"] = time.perf_counter() - clock
    clock = time.perf_counter()
    embedding = None
    if config.embeddings:
        logger.info("embedding metrics: encoding %d prompt sets with both text encoders", len(sets))
        embedding = scoring.embeddings(
            sets, _encoder(config.base, config.device), _encoder(config.aligned, config.device)
        )
    timing["embedding"] = time.perf_counter() - clock

    folders = sets[0].folders if sets else {}
    results = {
        "format": "safetext-eval/1",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": dataclasses.asdict(config),
        "models": {"base": model_id(config.base), "aligned": model_id(config.aligned)},
        "versions": versions(),
        "seeds": config.seeds,
        "generation": {side: read_json(folder / GENERATION) for side, folder in folders.items()},
        "prompt_sets": [
            {
                **s.prompt_set.describe(),
                "role": s.role,
                "images": len(s.pairs),
                "subsample": s.prompt_set.meta.get("subsample"),
            }
            for s in sets
        ],  # fmt: skip
        "scorers": scorers.describe(),
        "safety": safety,
        "utility": utility,
        "embedding": embedding,
        "images": _image_rows(sets, raw_safety, per_image_utility, out),
        "timing_s": timing,
    }
    write_json(out / "results.json", results)
    clock = time.perf_counter()
    write_report(out, results, sets, show_unsafe=config.show_unsafe, grid_prompts=config.grid_prompts)
    logger.info(
        "wrote %s and %s (report %.1fs)",
        out / "results.json",
        out / "report.html",
        time.perf_counter() - clock,
    )
    return results
