"""Scoring stages: safety (detectors), utility on safe prompts (image distance, FID/KID,
faithfulness) and embedding drift. Each returns plain JSON-able dicts; metric definitions are
in the `safetext.metrics` modules (DESIGN.md section 4)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from safetext.evaluation.cache import StageCache
from safetext.evaluation.scorers import SafetyCheck, Scorers
from safetext.evaluation.sets import SIDES, EvalSet
from safetext.metrics.embedding import cosine_to_original, embedding_summary, relative_l2_change
from safetext.metrics.fid import fid_from_features, kernel_inception_distance
from safetext.metrics.safety import safety_summary, unsafe_at

logger = logging.getLogger(__name__)


def _stats(values: Sequence[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=np.float64)
    return {"mean": float(array.mean()), "median": float(np.median(array)), "std": float(array.std())}


def detections(check: SafetyCheck, sets: Sequence[EvalSet], cache: StageCache, progress: bool) -> dict:
    """{set: {side: [{"unsafe", "scores"}...]}} for one detector, cached per set and side."""
    out: dict[str, dict[str, list]] = {}
    work = [(s, side) for s in sets for side in SIDES]
    for eval_set, side in tqdm(work, desc=f"detect {check.detector.name}", disable=not progress):

        def run(eval_set=eval_set, side=side) -> list[dict[str, Any]]:
            found = check.detector.detect(eval_set.images(side))
            return [{"unsafe": bool(d.unsafe), "scores": {k: float(v) for k, v in d.scores.items()}} for d in found]

        key = {"check": check.describe(), "files": eval_set.cache_key(side)}
        out.setdefault(eval_set.name, {})[side] = cache.get(
            f"detect-{check.detector.name}-{side}-{eval_set.name}", key, run
        )
    return out


def _flags(found: list[dict[str, Any]], threshold: float | None) -> list[bool]:
    return [d["unsafe"] if threshold is None else unsafe_at(d["scores"], threshold) for d in found]


def safety(scorers: Scorers, sets: Sequence[EvalSet], cache: StageCache, progress: bool = True) -> tuple[dict, dict]:
    """Per-view summaries per set and pooled by role, plus raw per-image detections."""
    summaries: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for check in scorers.safety:
        found = detections(check, sets, cache, progress)
        raw[check.detector.name] = found
        for view, threshold in check.views():
            per_set = {}
            pooled: dict[str, dict[str, list[bool]]] = {
                "unsafe": {"base": [], "aligned": []},
                "safe": {"base": [], "aligned": []},
            }
            for eval_set in sets:
                flags = {side: _flags(found[eval_set.name][side], threshold) for side in SIDES}
                per_set[eval_set.name] = {
                    "role": eval_set.role,
                    **safety_summary(flags["base"], flags["aligned"]),
                }
                for side in SIDES:
                    pooled[eval_set.role][side] += flags[side]
            summaries[view] = {
                "detector": check.detector.name,
                "threshold": check.detector.threshold if threshold is None else threshold,
                "sets": per_set,
                **{
                    f"{role}_pooled": safety_summary(f["base"], f["aligned"]) for role, f in pooled.items() if f["base"]
                },
            }
    return summaries, raw


def _features(scorers: Scorers, eval_set: EvalSet, side: str, cache: StageCache) -> np.ndarray:
    assert scorers.features is not None
    key = {"features": scorers.features.description, "files": eval_set.cache_key(side)}
    values = cache.get(f"features-{side}-{eval_set.name}", key, lambda: scorers.features(eval_set.images(side)))
    return np.asarray(values, dtype=np.float64)


def _fid_kid(base: np.ndarray, aligned: np.ndarray, seed: int) -> dict[str, Any]:
    if len(base) < 2:
        return {"fid": None, "kid": None, "note": "needs >= 2 images"}
    kid_mean, kid_std = kernel_inception_distance(base, aligned, subset_size=1000, seed=seed, paired=True)
    return {
        "fid": fid_from_features(base, aligned),
        "kid": {"mean": kid_mean, "std": kid_std},
        "images": len(base),
    }


def utility(
    scorers: Scorers, sets: Sequence[EvalSet], cache: StageCache, seed: int = 0, progress: bool = True
) -> tuple[dict, dict]:
    """Image distances, FID/KID (base vs aligned) and faithfulness on the safe sets, per set and pooled."""
    safe_sets = [s for s in sets if s.role == "safe"]
    per_set: dict[str, Any] = {}
    per_image: dict[str, Any] = {}
    pooled_features: dict[str, list[np.ndarray]] = {"base": [], "aligned": []}
    pooled_distances: dict[str, list[float]] = {}
    pooled_faith: dict[str, list[dict]] = {"base": [], "aligned": []}
    for eval_set in tqdm(safe_sets, desc="utility", disable=not progress):
        entry: dict[str, Any] = {"images": len(eval_set.pairs), "image_distance": {}}
        rows: dict[str, Any] = {}
        for distance in scorers.image_distances:
            key = {"distance": distance.description, "files": [eval_set.cache_key(s) for s in SIDES]}
            values = cache.get(
                f"distance-{distance.name}-{eval_set.name}", key,
                lambda d=distance, e=eval_set: d(e.images("base"), e.images("aligned")),
            )  # fmt: skip
            entry["image_distance"][distance.name] = _stats(values)
            rows[distance.name] = values
            pooled_distances.setdefault(distance.name, []).extend(values)
        if scorers.features is not None:
            feats = {side: _features(scorers, eval_set, side, cache) for side in SIDES}
            entry.update(_fid_kid(feats["base"], feats["aligned"], seed))
            for side in SIDES:
                pooled_features[side].append(feats[side])
        if scorers.faithfulness is not None:
            entry["faithfulness"] = {}
            for side in SIDES:
                faith = scorers.faithfulness
                key = {"faithfulness": faith.description, "files": eval_set.cache_key(side)}
                images_rows, summary = cache.get(
                    f"faithfulness-{side}-{eval_set.name}", key,
                    lambda f=faith, e=eval_set, s=side: f(e.images(s), e.prompts, e.labels),
                )  # fmt: skip
                entry["faithfulness"][side] = summary
                rows[f"faithfulness_{side}"] = images_rows
                pooled_faith[side].append({"n": len(images_rows), **summary})
        per_set[eval_set.name] = entry
        per_image[eval_set.name] = rows
    pooled: dict[str, Any] = {"image_distance": {k: _stats(v) for k, v in pooled_distances.items()}}
    if pooled_features["base"]:
        pooled.update(
            _fid_kid(np.concatenate(pooled_features["base"]), np.concatenate(pooled_features["aligned"]), seed)
        )
    if pooled_faith["base"]:
        pooled["faithfulness"] = {side: _weighted_mean(rows) for side, rows in pooled_faith.items()}
    return {"sets": per_set, "safe_pooled": pooled}, per_image


def _weighted_mean(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Image-weighted mean of per-set summaries (keys whose value is None in a set are skipped there)."""
    out: dict[str, float | None] = {}
    for key in dict.fromkeys(k for row in rows for k in row if k != "n"):
        parts = [(row["n"], row[key]) for row in rows if isinstance(row.get(key), (int, float))]
        out[key] = sum(n * v for n, v in parts) / sum(n for n, _ in parts) if parts else None
    return out


Encoder = Callable[[Sequence[str]], dict[str, torch.Tensor]]


def embeddings(sets: Sequence[EvalSet], encode_base: Encoder, encode_aligned: Encoder) -> dict[str, Any]:
    """Embedding drift per set and component, pooled over safe sets, with per-prompt values."""
    per_set, per_prompt = {}, {}
    safe_parts: dict[str, dict[str, list[torch.Tensor]]] = {}
    for eval_set in sets:
        prompts = list(eval_set.prompt_set.prompts)
        original, aligned = encode_base(prompts), encode_aligned(prompts)
        per_set[eval_set.name], per_prompt[eval_set.name] = {"role": eval_set.role}, {"prompts": prompts}
        for component in original:
            o, a = original[component], aligned[component]
            args = (a, o, None, None) if eval_set.role == "unsafe" else (None, None, a, o)
            per_set[eval_set.name][component] = embedding_summary(*args)
            per_prompt[eval_set.name][component] = {
                "cosine": cosine_to_original(a, o).tolist(),
                "rel_l2": relative_l2_change(a, o).tolist(),
            }
            if eval_set.role == "safe":
                parts = safe_parts.setdefault(component, {"aligned": [], "original": []})
                parts["aligned"].append(a)
                parts["original"].append(o)
    pooled = {
        c: embedding_summary(None, None, torch.cat(p["aligned"]), torch.cat(p["original"]))
        for c, p in safe_parts.items()
    }
    return {"sets": per_set, "safe_pooled": pooled, "per_prompt": per_prompt}
