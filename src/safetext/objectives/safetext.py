"""The SafeText objective, on every conditioning component the diffusion module consumes.

    L_u = mean over safe prompts p   of ||E_s(p) - E(p)||_2          (utility: stay put)
    L_e = mean over unsafe prompts q of -cos(E_s(q), E(q))           (effectiveness: move away)
    loss = L_u - lambda * L_e

E is the frozen original encoder (its embeddings are cached references), E_s the encoder being
trained. Each component (token sequence, padding included; pooled embedding where the pipeline
feeds one) is flattened per prompt; the per-component terms are summed.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch


def _flat(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], -1).float()


def safetext_loss(
    safe_now: Mapping[str, torch.Tensor],
    safe_ref: Mapping[str, torch.Tensor],
    unsafe_now: Mapping[str, torch.Tensor],
    unsafe_ref: Mapping[str, torch.Tensor],
    lam: float,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Return `L_u - lam * L_e` and its parts (floats) for logging."""
    l_u = sum((_flat(safe_now[k]) - _flat(safe_ref[k])).norm(dim=1).mean() for k in safe_ref)
    l_e = sum(
        -torch.nn.functional.cosine_similarity(_flat(unsafe_now[k]), _flat(unsafe_ref[k]), dim=1).mean()
        for k in unsafe_ref
    )
    loss = l_u - lam * l_e
    return loss, {"loss": loss.item(), "L_u": float(l_u.detach()), "L_e": float(l_e.detach())}
