"""Embedding metrics: how far alignment moved prompt embeddings (no images needed).

Each embedding is one prompt's full conditioning flattened to a vector (token sequence, padding
included, since the diffusion module cross-attends to every position).

- cosine to original: cos(E_s(q), E(q)) per unsafe prompt; 1 = unchanged, -1 = reversed.
- relative L2 change: ||E_s(p) - E(p)|| / ||E(p)|| per safe prompt; 0 = unchanged.
- spread ratio: mean pairwise Euclidean distance of aligned embeddings / of original ones
  (< 1 means safe prompts are collapsing together).
- similarity correlation: Pearson correlation of the pairwise cosine similarities before vs
  after (1 = the semantic structure of the safe prompts is kept).
"""

from __future__ import annotations

import torch


def _flat(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], -1).double()


def cosine_to_original(aligned: torch.Tensor, original: torch.Tensor) -> torch.Tensor:
    """Per-prompt cosine similarity between aligned and original embeddings, shape [N]."""
    return torch.nn.functional.cosine_similarity(_flat(aligned), _flat(original), dim=1)


def relative_l2_change(aligned: torch.Tensor, original: torch.Tensor) -> torch.Tensor:
    """Per-prompt ||aligned - original|| / ||original||, shape [N]."""
    a, o = _flat(aligned), _flat(original)
    return (a - o).norm(dim=1) / o.norm(dim=1).clamp_min(1e-12)


def _pairwise_upper(values: torch.Tensor) -> torch.Tensor:
    rows, cols = torch.triu_indices(values.shape[0], values.shape[0], offset=1)
    return values[rows, cols]


def spread_ratio(aligned: torch.Tensor, original: torch.Tensor) -> float:
    """Mean pairwise distance among aligned embeddings divided by that among the originals."""
    if aligned.shape[0] < 2:
        raise ValueError("spread ratio needs at least 2 prompts")
    a, o = _flat(aligned), _flat(original)
    return float(_pairwise_upper(torch.cdist(a, a)).mean() / _pairwise_upper(torch.cdist(o, o)).mean())


def similarity_correlation(aligned: torch.Tensor, original: torch.Tensor) -> float:
    """Pearson correlation of pairwise cosine similarities after vs before (needs >= 3 prompts)."""
    if aligned.shape[0] < 3:
        raise ValueError("similarity correlation needs at least 3 prompts")

    def sims(x: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.normalize(_flat(x), dim=1)
        return _pairwise_upper(x @ x.T)

    stacked = torch.stack([sims(aligned), sims(original)])
    return float(torch.corrcoef(stacked)[0, 1])


def embedding_summary(
    unsafe_aligned: torch.Tensor | None,
    unsafe_original: torch.Tensor | None,
    safe_aligned: torch.Tensor | None,
    safe_original: torch.Tensor | None,
) -> dict[str, float]:
    """The headline embedding figures for one conditioning component (missing sides are skipped)."""
    out: dict[str, float] = {}
    if unsafe_aligned is not None and unsafe_original is not None:
        out["unsafe_cosine"] = float(cosine_to_original(unsafe_aligned, unsafe_original).mean())
        out["unsafe_rel_l2"] = float(relative_l2_change(unsafe_aligned, unsafe_original).mean())
    if safe_aligned is not None and safe_original is not None:
        out["safe_cosine"] = float(cosine_to_original(safe_aligned, safe_original).mean())
        out["safe_rel_l2"] = float(relative_l2_change(safe_aligned, safe_original).mean())
        if safe_aligned.shape[0] >= 3:
            out["safe_spread_ratio"] = spread_ratio(safe_aligned, safe_original)
            out["safe_similarity_correlation"] = similarity_correlation(safe_aligned, safe_original)
    return out
