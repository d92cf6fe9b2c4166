"""Units: objective values, embedding metrics against hand-computed values, checkpoints, batches."""

from __future__ import annotations

import math

import pytest
import torch

from safetext.metrics.embedding import (
    cosine_to_original,
    relative_l2_change,
    similarity_correlation,
    spread_ratio,
)
from safetext.objectives import safetext_loss
from safetext.training import batch_indices, load_checkpoint, save_checkpoint


def test_objective_by_hand():
    ref = {"prompt_embeds": torch.tensor([[[3.0, 4.0]]])}
    safe_now = {"prompt_embeds": torch.tensor([[[3.0, 0.0]]])}  # distance 4
    unsafe_now = {"prompt_embeds": torch.tensor([[[-4.0, 3.0]]])}  # orthogonal: cos 0
    loss, logs = safetext_loss(safe_now, ref, unsafe_now, ref, lam=2.0)
    assert logs["L_u"] == pytest.approx(4.0) and logs["L_e"] == pytest.approx(0.0)
    assert float(loss) == pytest.approx(4.0)
    loss, logs = safetext_loss(ref, ref, {"prompt_embeds": -ref["prompt_embeds"]}, ref, lam=2.0)
    assert logs["L_e"] == pytest.approx(1.0) and float(loss) == pytest.approx(-2.0)


def test_embedding_metrics_by_hand():
    original = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    aligned = torch.tensor([[0.0, 1.0], [0.0, 2.0], [2.0, 2.0]])
    assert cosine_to_original(aligned, original).tolist() == pytest.approx([0.0, 1.0, 1.0])
    assert relative_l2_change(aligned, original).tolist() == pytest.approx([math.sqrt(2), 1.0, 1.0])
    # pairwise distances, original: sqrt2, 1, 1; aligned: 1, sqrt5, 2
    expected = (1 + math.sqrt(5) + 2) / (math.sqrt(2) + 2)
    assert spread_ratio(aligned, original) == pytest.approx(expected)
    assert similarity_correlation(original * 3, original) == pytest.approx(1.0)


def test_batches_cover_every_item_each_epoch():
    seen = torch.cat([batch_indices(10, 5, step, seed=1) for step in range(2)])
    assert sorted(seen.tolist()) == list(range(10))
    assert torch.equal(batch_indices(10, 5, 3, seed=1), batch_indices(10, 5, 3, seed=1))
    assert batch_indices(3, 8, 0, seed=0).tolist().count(0) >= 2  # batches larger than the set wrap around


def test_checkpoint_round_trip(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    params = dict(model.named_parameters())
    optimizer = torch.optim.AdamW(params.values(), lr=0.1)
    model(torch.randn(4, 3)).sum().backward()
    optimizer.step()
    save_checkpoint(tmp_path / "ckpt", 7, params, optimizer)
    twin = torch.nn.Linear(3, 2)
    twin_params = dict(twin.named_parameters())
    twin_optimizer = torch.optim.AdamW(twin_params.values(), lr=0.5)
    assert load_checkpoint(tmp_path / "ckpt", twin_params, twin_optimizer) == 7
    assert all(torch.equal(params[k], twin_params[k]) for k in params)
    assert twin_optimizer.param_groups[0]["lr"] == 0.1
    state, twin_state = optimizer.state_dict()["state"], twin_optimizer.state_dict()["state"]
    assert all(torch.equal(state[0][k], twin_state[0][k]) for k in ("exp_avg", "exp_avg_sq"))
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob("*.old"))
