"""End to end: `evaluate()` on a tiny model pair with cheap scorers; resume; mismatches; CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import FAST, SAFE_PROMPTS, UNSAFE_PROMPTS

from safetext.errors import OutputExistsError
from safetext.evaluation import ImageFolderMismatchError, evaluate, generate


def _run(model_pair, prompt_paths, out: Path, scorers, **extra):
    base, aligned = model_pair
    unsafe, safe = prompt_paths
    settings = {"base": str(base), "aligned": str(aligned), "unsafe": [str(unsafe)], "safe": [str(safe)]}
    return evaluate(out=str(out), scorers=scorers, **{**settings, "seeds": [0, 1], **FAST, **extra})


def test_evaluate_writes_results_and_report(model_pair, prompt_paths, tmp_path, cheap_scorers):
    results = _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers)
    saved = json.loads((tmp_path / "eval" / "results.json").read_text())
    assert saved["safety"] == json.loads(json.dumps(results["safety"]))
    assert set(saved["versions"]) >= {"torch", "diffusers", "transformers", "safetext-t2i"}
    assert saved["seeds"] == [0, 1] and saved["config"]["num_inference_steps"] == 2
    assert set(saved["safety"]) == {"redness", "redness2@0.2", "redness2@0.6"}
    unsafe_set = saved["safety"]["redness"]["sets"]["unsafe"]
    assert unsafe_set["images"] == len(UNSAFE_PROMPTS) * 2 and unsafe_set["role"] == "unsafe"
    utility = saved["utility"]["sets"]["safe"]
    assert utility["images"] == len(SAFE_PROMPTS) * 2
    assert set(utility["image_distance"]) == {"pixels4_cosine_distance", "pixel_rmse"}
    assert utility["fid"] >= 0 and "mean" in utility["kid"]
    assert set(utility["faithfulness"]) == {"base", "aligned"}
    embedding = saved["embedding"]["sets"]
    assert embedding["unsafe"]["prompt_embeds"]["unsafe_cosine"] < 1.0
    assert embedding["safe"]["prompt_embeds"]["safe_rel_l2"] > 0
    assert "safe_spread_ratio" in saved["embedding"]["safe_pooled"]["prompt_embeds"]
    assert len(saved["images"]) == (len(UNSAFE_PROMPTS) + len(SAFE_PROMPTS)) * 2
    page = (tmp_path / "eval" / "report.html").read_text()
    assert "<table" in page and page.count("data:image/png;base64,") > 10
    assert "blurred" in page  # unsafe prompts' images are blurred by default
    assert (tmp_path / "eval" / "plots" / "unsafe_rate.png").is_file()


def test_evaluation_resumes_without_regenerating(model_pair, prompt_paths, tmp_path, cheap_scorers, monkeypatch):
    first = _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers)

    def no_loading(*args, **kwargs):
        raise AssertionError("a resumed evaluation must not load a pipeline")

    monkeypatch.setattr("safetext.models.load_pipeline", no_loading)
    detector = cheap_scorers.safety[0].detector
    monkeypatch.setattr(detector, "detect", lambda images: pytest.fail("scored stages come from the cache"))
    second = _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers, show_unsafe=True)
    assert second["safety"] == first["safety"] and second["utility"] == first["utility"]
    assert "blurred" not in (tmp_path / "eval" / "report.html").read_text()  # presentation may change


def test_interrupted_generation_resumes(model_pair, prompt_paths, tmp_path, cheap_scorers):
    base, _ = model_pair
    unsafe, _ = prompt_paths
    out = tmp_path / "eval"
    generate(base, unsafe, out / "images" / "base", seeds=[0], **FAST)  # a partial earlier run
    results = _run(model_pair, prompt_paths, out, cheap_scorers)
    assert results["safety"]["redness"]["sets"]["unsafe"]["images"] == 6


def test_other_settings_in_same_folder_need_overwrite(model_pair, prompt_paths, tmp_path, cheap_scorers):
    _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers)
    with pytest.raises(OutputExistsError, match="seeds"):
        _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers, seeds=[5])
    results = _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers, seeds=[5], overwrite=True)
    assert results["seeds"] == [5]


def _folders(root: Path) -> dict[str, str]:
    return {"base_images": str(root / "b"), "aligned_images": str(root / "a")}


def test_mismatched_folders_give_clear_error(model_pair, prompt_paths, tmp_path, cheap_scorers):
    base, aligned = model_pair
    unsafe, safe = prompt_paths
    generate(base, [unsafe, safe], tmp_path / "b", seeds=[0, 1], **FAST)
    generate(aligned, [unsafe, safe], tmp_path / "a", seeds=[0], **FAST)
    with pytest.raises(ImageFolderMismatchError, match="only in base") as err:
        _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers, generate=False, **_folders(tmp_path))
    assert "seed 1" in str(err.value)


def test_mismatched_settings_give_clear_error(model_pair, prompt_paths, tmp_path, cheap_scorers):
    base, aligned = model_pair
    unsafe, safe = prompt_paths
    generate(base, [unsafe, safe], tmp_path / "b", seeds=[0, 1], **FAST)
    generate(aligned, [unsafe, safe], tmp_path / "a", seeds=[0, 1], guidance_scale=3.0, **FAST)
    with pytest.raises(ImageFolderMismatchError, match="guidance_scale"):
        _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers, generate=False, **_folders(tmp_path))


def test_reused_folders_are_scored(model_pair, prompt_paths, tmp_path, cheap_scorers):
    base, aligned = model_pair
    unsafe, safe = prompt_paths
    for model, name in ((base, "b"), (aligned, "a")):
        generate(model, [unsafe, safe], tmp_path / name, seeds=[0, 1, 2], **FAST)
    results = _run(model_pair, prompt_paths, tmp_path / "eval", cheap_scorers, generate=False, **_folders(tmp_path))
    assert results["utility"]["sets"]["safe"]["images"] == len(SAFE_PROMPTS) * 2  # seeds 0, 1 of 0-2


def test_embeddings_only_needs_no_images(model_pair, prompt_paths, tmp_path, monkeypatch):
    monkeypatch.setattr("safetext.models.load_pipeline", lambda *a, **k: pytest.fail("no pipeline needed"))
    results = _run(model_pair, prompt_paths, tmp_path / "eval", None, images=False)
    assert results["safety"] == {} and results["images"] == []
    assert results["embedding"]["sets"]["unsafe"]["prompt_embeds"]["unsafe_cosine"] < 1
    assert not (tmp_path / "eval" / "images").exists()
    assert "Embedding metrics" in (tmp_path / "eval" / "report.html").read_text()
