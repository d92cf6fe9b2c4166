"""Alignment semantics: zero steps, resume, trainable subsets, reference caching."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import safetext.training.loop as loop_module
from safetext.alignment import align
from safetext.config import AlignConfig
from safetext.models import load_text_side


def _config(model: Path, prompt_files, out: Path, **kw) -> AlignConfig:
    unsafe, safe = prompt_files
    options = dict(lr=2e-3, lam=2.0, batch_size=8, train="all", progress=False, checkpoint_every=5)
    options.update(kw)
    return AlignConfig(model=str(model), unsafe=str(unsafe), safe=str(safe), out=str(out), **options)


def _weights(folder: Path, name: str = "text_encoder") -> dict[str, torch.Tensor]:
    return load_file(folder / name / "model.safetensors")


def test_zero_steps_leave_encoder_bit_identical(tiny_model_dir, prompt_files, tmp_path):
    base = tiny_model_dir("sd1")
    align(_config(base, prompt_files, tmp_path / "out", steps=0))
    before, after = _weights(base), _weights(tmp_path / "out")
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_resume_equals_uninterrupted(tiny_model_dir, prompt_files, tmp_path, monkeypatch):
    base = tiny_model_dir("sd1")
    align(_config(base, prompt_files, tmp_path / "full", steps=12))

    real_step = torch.optim.AdamW.step
    calls = {"n": 0}

    def crash_after_seven(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 7:
            raise KeyboardInterrupt
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", crash_after_seven)
    with pytest.raises(KeyboardInterrupt):
        align(_config(base, prompt_files, tmp_path / "resumed", steps=12))
    monkeypatch.undo()
    assert not (tmp_path / "resumed").exists()
    assert (tmp_path / "resumed.partial" / "checkpoint").is_dir()
    align(_config(base, prompt_files, tmp_path / "resumed", steps=12, resume=True))

    full, resumed = _weights(tmp_path / "full"), _weights(tmp_path / "resumed")
    assert all(torch.equal(full[k], resumed[k]) for k in full)
    log = (tmp_path / "resumed" / "training_log.jsonl").read_text().splitlines()
    assert log == (tmp_path / "full" / "training_log.jsonl").read_text().splitlines()


@pytest.mark.parametrize("spec", ["last:1", "attention", "lora:16"])
def test_trainable_subsets(spec, tiny_model_dir, prompt_files, tmp_path):
    base = tiny_model_dir("sd1")
    result = align(_config(base, prompt_files, tmp_path / "out", steps=20, train=spec, lr=1e-2))
    before, after = _weights(base), _weights(tmp_path / "out")
    assert before.keys() == after.keys()  # LoRA is merged: a plain encoder is saved
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed
    if spec == "last:1":
        assert all(".layers.2." in k for k in changed)
    if spec == "attention":
        assert all("self_attn" in k for k in changed)
    if spec == "lora:16":
        assert all(k.endswith(".weight") for k in changed)
    assert result.metrics["prompt_embeds/unsafe_cosine"] < 0.99


def test_frozen_encoder_is_not_run_inside_the_loop(tiny_model_dir, prompt_files, tmp_path, monkeypatch):
    """Reference embeddings are computed once: the loop runs only the trained encoder, 2 passes a step."""
    calls = {"forward": 0}
    real = loop_module.train_loop

    def counting_loop(params, optimizer, loss_fn, settings, resume=False):
        def counted(step):
            calls["forward"] += 1
            return loss_fn(step)

        return real(params, optimizer, counted, settings, resume)

    monkeypatch.setattr("safetext.alignment.train_loop", counting_loop)
    text_side_calls = {"n": 0}
    import safetext.models.text_side as ts

    real_forward = ts.TextSide.forward

    def forward(self, tokens):
        text_side_calls["n"] += 1
        return real_forward(self, tokens)

    monkeypatch.setattr(ts.TextSide, "forward", forward)
    align(_config(tiny_model_dir("sd1"), prompt_files, tmp_path / "out", steps=6))
    # 2 reference encodes (unsafe, safe: one batch each) + 2 per step + 2 for the final metrics
    assert calls["forward"] == 6
    assert text_side_calls["n"] == 2 + 2 * 6 + 2


def test_encode_matches_pipeline_encode_prompt(tiny_model_dir):
    from diffusers import DiffusionPipeline

    for kind in ("sd1", "sdxl"):
        folder = tiny_model_dir(kind)
        pipe = DiffusionPipeline.from_pretrained(folder)
        prompts = ["cat a", "nude b"]
        ours = load_text_side(folder).encode(prompts)
        theirs = pipe.encode_prompt(prompts, device="cpu", num_images_per_prompt=1, do_classifier_free_guidance=False)
        assert torch.allclose(ours["prompt_embeds"], theirs[0], atol=1e-6)
        if kind == "sdxl":
            assert torch.allclose(ours["pooled_prompt_embeds"], theirs[2], atol=1e-6)


def test_bf16_mixed_precision_runs(tiny_model_dir, prompt_files, tmp_path):
    result = align(_config(tiny_model_dir("sd1"), prompt_files, tmp_path / "out", steps=3, precision="bf16"))
    assert (tmp_path / "out" / "text_encoder" / "model.safetensors").exists()
    assert result.config["precision"] == "bf16"
