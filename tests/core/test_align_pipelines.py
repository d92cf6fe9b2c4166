"""End to end: align tiny SD1/SD2/SDXL pipelines through the CLI, reload them, generate."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import torch
from diffusers import DiffusionPipeline

from safetext.cli import main
from safetext.metrics.embedding import cosine_to_original, relative_l2_change
from safetext.models import load_text_side
from tests.conftest import HELD_OUT_SAFE, UNSAFE

FAST = ["--steps", "60", "--lr", "2e-3", "--lambda", "2", "--batch-size", "8", "--train", "all", "--no-progress"]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("kind", ["sd1", "sd2", "sdxl"])
def test_cli_aligns_reloads_and_generates(kind, tiny_model_dir, prompt_files, tmp_path):
    base = tiny_model_dir(kind)
    out = tmp_path / "aligned"
    unsafe, safe = prompt_files
    args = ["align", "--model", str(base), "--unsafe", str(unsafe), "--safe", str(safe), "--out", str(out)]
    assert main(args + FAST) == 0

    before, after = load_text_side(base), load_text_side(out)
    for component in before.encode(UNSAFE):
        cos = cosine_to_original(after.encode(UNSAFE)[component], before.encode(UNSAFE)[component]).mean()
        unsafe_change = relative_l2_change(after.encode(UNSAFE)[component], before.encode(UNSAFE)[component])
        safe_change = relative_l2_change(
            after.encode(HELD_OUT_SAFE)[component], before.encode(HELD_OUT_SAFE)[component]
        )
        assert cos <= -0.5, (component, float(cos))
        assert safe_change.mean() * 10 <= unsafe_change.mean(), (
            component,
            safe_change.mean(),
            unsafe_change.mean(),
        )

    for component in ("unet", "vae", "scheduler"):
        assert _digest(base / component) == _digest(out / component)

    pipe = DiffusionPipeline.from_pretrained(out)
    assert type(pipe).__name__ == json.loads((base / "model_index.json").read_text())["_class_name"]
    image = pipe("cat a", num_inference_steps=2, height=32, width=32, generator=torch.manual_seed(0)).images[0]
    assert image.size == (32, 32)

    config = json.loads((out / "safetext_config.json").read_text())
    assert config["prompt_sets"]["unsafe"]["count"] == len(UNSAFE)
    assert config["metrics"]
    assert len((out / "training_log.jsonl").read_text().splitlines()) == 60
    card = (out / "README.md").read_text()
    assert "L_u - lambda * L_e" in card and config["prompt_sets"]["safe"]["sha256"][:16] in card
    assert not out.with_name(out.name + ".partial").exists()


def test_sdxl_can_train_one_encoder(tiny_model_dir, prompt_files, tmp_path):
    base, out = tiny_model_dir("sdxl"), tmp_path / "aligned"
    unsafe, safe = prompt_files
    args = ["align", "--model", str(base), "--unsafe", str(unsafe), "--safe", str(safe), "--out", str(out)]
    assert main(args + FAST + ["--encoders", "text_encoder_2"]) == 0
    assert _digest(base / "text_encoder") == _digest(out / "text_encoder")
    assert _digest(base / "text_encoder_2") != _digest(out / "text_encoder_2")
