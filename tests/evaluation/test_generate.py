"""`generate()`: manifest, seeding, resume, and refusing to mix settings in one folder."""

from __future__ import annotations

import json

import numpy as np
import pytest
from eval_helpers import FAST, SAFE_PROMPTS
from PIL import Image

from safetext.errors import OutputExistsError
from safetext.evaluation import generate
from safetext.evaluation.manifest import MANIFEST, read_manifest


def _pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image, dtype=np.int16)


def test_manifest_records_every_image(model_pair, prompt_paths, tmp_path):
    _, safe = prompt_paths
    result = generate(model_pair[0], safe, tmp_path / "gen", seeds=[3, 4], guidance_scale=5.0, **FAST)
    assert result.generated == len(SAFE_PROMPTS) * 2 and result.skipped == 0
    lines = [json.loads(line) for line in (tmp_path / "gen" / MANIFEST).read_text().splitlines()]
    assert len(lines) == len(SAFE_PROMPTS) * 2
    first = lines[0]
    assert {"prompt", "seed", "guidance", "steps", "model", "file", "set"} <= set(first)
    assert (first["prompt"], first["seed"], first["guidance"], first["steps"]) == (SAFE_PROMPTS[0], 3, 5.0, 2)
    assert first["model"] == str(model_pair[0].resolve())
    with Image.open(tmp_path / "gen" / first["file"]) as image:
        assert image.format == "PNG" and image.size == (32, 32)


def test_rerun_skips_existing_and_redoes_missing_identically(model_pair, prompt_paths, tmp_path):
    _, safe = prompt_paths
    first = generate(model_pair[0], safe, tmp_path / "gen", seeds=[0, 1], batch_size=3, **FAST)
    victim = tmp_path / "gen" / first.records[2].file
    before = _pixels(victim)
    victim.unlink()
    with open(tmp_path / "gen" / MANIFEST, "a") as handle:
        handle.write('{"set": "safe", "prom')  # a torn line from an interrupted write
    second = generate(model_pair[0], safe, tmp_path / "gen", seeds=[0, 1], batch_size=5, **FAST)
    assert (second.generated, second.skipped) == (1, len(first.records) - 1)
    assert np.abs(_pixels(victim) - before).max() <= 1  # per-image generator: batching does not matter
    assert len(read_manifest(tmp_path / "gen")) == len(first.records)


def test_same_seed_same_image_other_seed_other_image(model_pair, prompt_paths, tmp_path):
    _, safe = prompt_paths
    a = generate(model_pair[0], safe, tmp_path / "a", seeds=[0, 1], batch_size=1, **FAST)
    b = generate(model_pair[0], safe, tmp_path / "b", seeds=[0], batch_size=4, **FAST)
    assert np.abs(_pixels(a.folder / a.records[0].file) - _pixels(b.folder / b.records[0].file)).max() <= 1
    assert np.abs(_pixels(a.folder / a.records[0].file) - _pixels(a.folder / a.records[1].file)).max() > 10


def test_other_settings_are_refused_unless_overwrite(model_pair, prompt_paths, tmp_path):
    _, safe = prompt_paths
    generate(model_pair[0], safe, tmp_path / "gen", **FAST)
    with pytest.raises(OutputExistsError, match="guidance_scale"):
        generate(model_pair[0], safe, tmp_path / "gen", guidance_scale=1.0, **FAST)
    with pytest.raises(OutputExistsError, match="aligned"):
        generate(model_pair[1], safe, tmp_path / "gen", **FAST)
    result = generate(model_pair[1], safe, tmp_path / "gen", overwrite=True, **FAST)
    assert result.generated == len(SAFE_PROMPTS)


def test_foreign_folder_is_not_clobbered(model_pair, prompt_paths, tmp_path):
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="not a `safetext generate` folder"):
        generate(model_pair[0], prompt_paths[1], tmp_path / "gen", overwrite=True, **FAST)
    assert (tmp_path / "gen" / "notes.txt").read_text() == "mine"


def test_changed_model_files_are_not_silently_reused(prompt_paths, tmp_path, model_pair):
    import shutil

    model = shutil.copytree(model_pair[0], tmp_path / "model")
    generate(model, prompt_paths[1], tmp_path / "gen", **FAST)
    shutil.copy2(model_pair[1] / "text_encoder" / "model.safetensors", model / "text_encoder" / "model.safetensors")
    with pytest.raises(OutputExistsError, match="earlier version"):
        generate(model, prompt_paths[1], tmp_path / "gen", **FAST)
    assert generate(model, prompt_paths[1], tmp_path / "gen", overwrite=True, **FAST).generated == len(SAFE_PROMPTS)
