"""Evaluation fixtures: a tiny base/aligned model pair, short prompt files, and cheap scorers."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from eval_helpers import SAFE_PROMPTS, UNSAFE_PROMPTS, Brightness, RednessDetector, pooled_pixels

from safetext.evaluation import SafetyCheck, Scorers
from safetext.metrics.features import CallableFeatures
from safetext.metrics.image_distance import FeatureCosineDistance, PixelRMSE
from tests.conftest import write_prompt_files


@pytest.fixture(scope="session")
def model_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(base, aligned) tiny SD folders; the aligned one has a perturbed text encoder only."""
    from safetext.testing import tiny_pipeline

    root = tmp_path_factory.mktemp("eval-models")
    base = tiny_pipeline("sd1", seed=0)
    base.save_pretrained(root / "base", safe_serialization=True)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for parameter in base.text_encoder.parameters():
            parameter.add_(0.2 * torch.randn(parameter.shape, generator=generator))
    base.save_pretrained(root / "aligned", safe_serialization=True)
    return root / "base", root / "aligned"


@pytest.fixture
def prompt_paths(tmp_path: Path) -> tuple[Path, Path]:
    return write_prompt_files(tmp_path, UNSAFE_PROMPTS, SAFE_PROMPTS)


@pytest.fixture
def cheap_scorers() -> Scorers:
    features = CallableFeatures(pooled_pixels, "pixels4", "4x4 downsampled pixels (test stand-in)")
    return Scorers(
        world="test",
        safety=[
            SafetyCheck(RednessDetector()),
            SafetyCheck(RednessDetector("redness2"), thresholds=(0.2, 0.6)),
        ],
        image_distances=[FeatureCosineDistance(features), PixelRMSE()],
        features=features,
        faithfulness=Brightness(),
    )
