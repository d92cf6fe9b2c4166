"""Pipeline assembly and loading: offline, atomic, BERT text encoder padded as the UNet was trained."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from safetext.errors import ModelLoadError
from safetext.miniworld import GENERATION_DEFAULTS, load_pipeline, pipeline_path
from safetext.miniworld.models import UNET_CONFIG, VAE_CONFIG
from safetext.miniworld.pipeline import assemble, assets_folder
from safetext.miniworld.text import MAX_LENGTH, encode

HAS_WEIGHTS = (assets_folder() / "unet" / "diffusion_pytorch_model.safetensors").is_file()


@pytest.fixture(scope="module")
def random_world(tmp_path_factory):
    """A pipeline folder assembled from tiny random VAE/UNet of the MiniWorld layout (no trained weights)."""
    from diffusers import AutoencoderKL, UNet2DConditionModel

    root = tmp_path_factory.mktemp("world")
    torch.manual_seed(0)
    AutoencoderKL(**{**VAE_CONFIG, "block_out_channels": (8, 16), "norm_num_groups": 4}).save_pretrained(root / "vae")
    tiny_unet = {**UNET_CONFIG, "block_out_channels": (8, 16, 16), "norm_num_groups": 4, "attention_head_dim": 4}
    UNet2DConditionModel(**tiny_unet).save_pretrained(root / "unet")
    return assemble(root / "vae", root / "unet", root / "pipe")


def test_assembled_folder_loads_and_generates(random_world):
    assert not list(random_world.parent.glob(".pipe.*")), "temporary folder left behind"
    pipe = load_pipeline(random_world)
    assert pipe.tokenizer.model_max_length == MAX_LENGTH
    assert pipe.unet.config.cross_attention_dim == pipe.text_encoder.config.hidden_size == 384
    out = pipe(["a red apple", "a blue car"], generator=torch.Generator().manual_seed(0),
               **{**GENERATION_DEFAULTS, "num_inference_steps": 2})  # fmt: skip
    assert len(out.images) == 2 and out.images[0].size == (32, 32)


def test_training_embeddings_equal_what_the_pipeline_feeds_the_unet(random_world):
    pipe = load_pipeline(random_world)
    prompts = ["a burning red car", ""]
    ours = encode(prompts, pipe.tokenizer, pipe.text_encoder)
    theirs, _ = pipe.encode_prompt(prompts, "cpu", 1, False)
    assert ours.shape == (2, MAX_LENGTH, 384)
    torch.testing.assert_close(ours, theirs)


def test_bad_path_names_the_fix(tmp_path):
    with pytest.raises(ModelLoadError, match="model_index.json"):
        load_pipeline(tmp_path)


@pytest.mark.skipif(not HAS_WEIGHTS, reason="trained MiniWorld weights not in assets")
def test_shipped_pipeline_assembles_into_cache_and_generates(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFETEXT_CACHE", str(tmp_path))
    path = pipeline_path()
    assert path.parent == tmp_path / "miniworld" and (path / "model_index.json").is_file()
    assert pipeline_path() == path  # second call reuses the folder
    pipe = load_pipeline()
    gen = torch.Generator().manual_seed(1)
    a = np.asarray(pipe(["a red apple"], generator=gen, **GENERATION_DEFAULTS).images[0])
    gen = torch.Generator().manual_seed(1)
    b = np.asarray(pipe(["a red apple"], generator=gen, **GENERATION_DEFAULTS).images[0])
    assert a.shape == (32, 32, 3) and np.array_equal(a, b)


def test_shipped_weights_fit_the_size_budget():
    if not HAS_WEIGHTS:
        pytest.skip("trained MiniWorld weights not in assets")
    size = sum(f.stat().st_size for part in ("vae", "unet") for f in (assets_folder() / part).iterdir())
    assert size <= 25 * 2**20
