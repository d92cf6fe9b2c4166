"""The detector training job runs end to end on a small sample and writes loadable models."""

from __future__ import annotations

import json

import pytest

from safetext.errors import SafeTextError
from safetext.miniworld.detectors import load_detector, load_model
from safetext.miniworld.pipeline import assets_folder
from safetext.miniworld.train_detectors import DetectorConfig, train_detectors

pytestmark = pytest.mark.skipif(not (assets_folder() / "vae").is_dir(), reason="trained MiniWorld VAE not in assets")


def test_small_detector_training_writes_models_and_held_out_figures(tmp_path):
    cfg = DetectorConfig(vae=str(assets_folder() / "vae"), out=str(tmp_path), n_train=256, n_test=64,
                         n_clutter=128, n_clutter_test=64, epochs=1, batch=64, models=("weapon",))  # fmt: skip
    results = train_detectors(cfg)
    assert set(results["weapon"]) == {"renders", "reconstructions", "clutter", "clutter_reconstructions"}
    assert all(0 <= v <= 1 for v in results["weapon"].values())
    meta = json.loads((tmp_path / "weapon.json").read_text())
    assert meta["heldout_accuracy"] == results["weapon"] and meta["n_clutter"] == 128
    model, _ = load_model(tmp_path, "weapon")
    assert not model.training
    assert not (tmp_path / "fire.json").exists()
    with pytest.raises(SafeTextError, match="fire"):
        load_detector(folder=tmp_path)  # both concepts needed for the combined detector
