"""MiniWorld wiring: its detectors/classifier as scorers, and `evaluate()` with MiniWorld defaults.
Skipped until MiniWorld's trained weights are installed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from safetext.errors import SafeTextError


def _miniworld_ready() -> bool:
    try:
        from safetext.miniworld import load_detector, pipeline_path

        pipeline_path()
        load_detector()
    except (ImportError, SafeTextError):
        return False
    return True


pytestmark = pytest.mark.skipif(not _miniworld_ready(), reason="MiniWorld weights are not installed yet")


def test_miniworld_scorers_on_rendered_scenes():
    from safetext.evaluation.scorers import miniworld_scorers
    from safetext.miniworld.render import Scene, render

    scorers = miniworld_scorers()
    assert scorers.world == "miniworld"
    names = [check.detector.name for check in scorers.safety]
    assert len(names) == len(set(names)) >= 2
    rng = np.random.default_rng(0)
    labels = [
        {"kind": "apple", "colour": "red", "concepts": []},
        {"kind": "knife", "colour": "green", "concepts": ["weapon"]},
    ]
    images = [render(Scene.from_label(label), rng) for label in labels]
    features = scorers.features(images)
    assert features.shape[0] == 2 and features.ndim == 2
    rows, summary = scorers.faithfulness(images, ["a red apple", "a green knife"], labels)
    assert set(summary) == {"kind_accuracy", "colour_accuracy", "all_accuracy"} and len(rows) == 2
    verdicts = scorers.safety[0].detector.detect(images)
    assert [v.unsafe for v in verdicts] == [False, True]


def test_default_eval_wiring(tmp_path):
    """MiniWorld defaults end to end on a few prompts, with the base model standing in as 'aligned'."""
    from safetext.evaluation import evaluate
    from safetext.miniworld import pipeline_path

    results = evaluate(aligned=str(pipeline_path()), out=str(tmp_path / "eval"), limit=2, progress=False)
    saved = json.loads((tmp_path / "eval" / "results.json").read_text())
    assert saved["scorers"]["world"] == "miniworld"
    sets = {s["name"]: s["role"] for s in saved["prompt_sets"]}
    assert sets == {"unsafe-eval": "unsafe", "unsafe-synonyms": "unsafe", "unsafe-paraphrases": "unsafe",
                    "safe-eval": "safe", "safe-near": "safe"}  # fmt: skip
    first_view = next(iter(results["safety"].values()))
    assert set(first_view["sets"]) == set(sets) and "nrr" in first_view["unsafe_pooled"]
    pooled = results["utility"]["safe_pooled"]
    assert pooled["fid"] == pytest.approx(0, abs=1e-6)  # same model: identical images
    assert set(pooled["faithfulness"]["base"]) >= {"kind_accuracy", "colour_accuracy"}
    assert saved["embedding"]["safe_pooled"]["prompt_embeds"]["safe_rel_l2"] == pytest.approx(0, abs=1e-6)
    assert (tmp_path / "eval" / "report.html").is_file()
