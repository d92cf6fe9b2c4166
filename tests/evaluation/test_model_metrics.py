"""Model-backed metrics with small injected networks: LPIPS, CLIP score/features (never downloads)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file
from torch import nn

from safetext.errors import ModelLoadError
from safetext.metrics.clip import load_clip
from safetext.metrics.clip_score import ClipScore
from safetext.metrics.features import ClipFeatures
from safetext.metrics.lpips import ALEX_CHANNELS, LPIPS, AlexNetFeatures, LpipsDistance


class Identity(nn.Module):
    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return [x]


def _identity_lpips(weights=None) -> LPIPS:
    return LPIPS(Identity(), weights, shift=(0.0, 0.0, 0.0), scale=(1.0, 1.0, 1.0))


def test_lpips_hand_computed():
    x = torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1)
    y = torch.tensor([0.0, 2.0, 0.0]).view(1, 3, 1, 1)
    # unit vectors (1,0,0) and (0,1,0): squared difference per channel (1, 1, 0)
    assert _identity_lpips()(x, y).item() == pytest.approx(2.0)
    weighted = _identity_lpips([torch.tensor([0.5, 0.25, 0.0])])
    assert weighted(x, y).item() == pytest.approx(0.75)
    assert _identity_lpips()(x, 3 * x).item() == pytest.approx(0.0)  # scale-invariant per position


def test_lpips_averages_over_positions():
    x = torch.zeros(1, 3, 1, 2)
    x[0, 0, 0, :] = 1.0
    y = x.clone()
    y[0, :, 0, 1] = torch.tensor([0.0, 1.0, 0.0])  # second position differs: 2, first: 0
    assert _identity_lpips()(x, y).item() == pytest.approx(1.0)


def test_lpips_loads_alexnet_weights_from_safetensors(tmp_path):
    torch.manual_seed(0)
    state = {k: v.clone() for k, v in AlexNetFeatures().state_dict().items()}
    state |= {f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate(ALEX_CHANNELS)}
    save_file(state, str(tmp_path / "lpips_alex.safetensors"))
    lpips = LPIPS.from_pretrained(tmp_path)  # a folder holding the file
    distance = LpipsDistance(lpips)
    rng = np.random.default_rng(0)
    a = [Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)) for _ in range(2)]
    b = [Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)) for _ in range(2)]
    values = distance(a, b)
    assert values.shape == (2,) and (values > 0).all()
    np.testing.assert_allclose(distance(a, a), 0, atol=1e-6)
    del state["lin0.model.1.weight"]
    save_file(state, str(tmp_path / "broken.safetensors"))
    with pytest.raises(ValueError, match="lin0"):
        LPIPS.from_pretrained(tmp_path / "broken.safetensors")
    with pytest.raises(ModelLoadError, match="no lpips_alex.safetensors"):
        LPIPS.from_pretrained(tmp_path / "..", "lpips_alex.safetensors")


@pytest.fixture(scope="module")
def tiny_clip_dir(tmp_path_factory):
    from transformers import CLIPConfig, CLIPModel

    from safetext.testing import tiny_clip_tokenizer

    tokenizer = tiny_clip_tokenizer()
    text = {"vocab_size": len(tokenizer), "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
            "num_attention_heads": 2, "max_position_embeddings": tokenizer.model_max_length,
            "bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id}  # fmt: skip
    vision = {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
              "image_size": 32, "patch_size": 8}  # fmt: skip
    torch.manual_seed(0)
    model = CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=8))
    folder = tmp_path_factory.mktemp("tiny-clip")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_clip_score_and_features_with_tiny_clip(tiny_clip_dir):
    clip = load_clip(tiny_clip_dir)
    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)) for _ in range(3)]
    rows, summary = ClipScore(clip)(images, ["a cat", "the car", "a tree"])
    scores = [r["clip_score"] for r in rows]
    assert len(scores) == 3 and all(0 <= s <= 100 for s in scores)
    assert summary["clip_score"] == pytest.approx(np.mean(scores))
    features = ClipFeatures(clip)(images)
    assert features.shape == (3, 8)
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), 1, rtol=1e-5)
    assert str(tiny_clip_dir) in ClipFeatures(clip).description


def test_missing_clip_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="CLIP"):
        load_clip(tmp_path / "nothing-here")
