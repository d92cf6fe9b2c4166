"""Cost of one SafeText training step on a full-size SD 1.5 text encoder, with and without cached references.

CLIP ViT-L/14 text config (123M parameters, random weights), 77 tokens, batch 8 unsafe + 8 safe
prompts, AdamW on all weights. "cached" is what `safetext align` does: reference embeddings are
computed once before training. "recomputed" runs a frozen copy of the encoder inside every step.

    python benchmarks/align_cost.py [--steps 3] [--batch-size 8] [--device cpu]
"""

from __future__ import annotations

import argparse
import copy
import time

import torch
from transformers import CLIPTextConfig, CLIPTextModel

from safetext.objectives import safetext_loss

SD15_TEXT = dict(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                 num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu")  # fmt: skip


def embed(encoder: torch.nn.Module, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    return {"prompt_embeds": encoder(ids)[0]}


def time_steps(step, steps: int) -> float:
    step()  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.manual_seed(0)
    encoder = CLIPTextModel(CLIPTextConfig(**SD15_TEXT)).to(args.device).eval()
    frozen = copy.deepcopy(encoder).requires_grad_(False)
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=1e-5)
    ids_u, ids_s = (torch.randint(0, 49408, (args.batch_size, 77), device=args.device) for _ in range(2))
    with torch.no_grad():
        cached_u, cached_s = embed(frozen, ids_u), embed(frozen, ids_s)

    def step(recompute: bool) -> None:
        if recompute:
            with torch.no_grad():
                ref_u, ref_s = embed(frozen, ids_u), embed(frozen, ids_s)
        else:
            ref_u, ref_s = cached_u, cached_s
        optimizer.zero_grad()
        loss, _ = safetext_loss(embed(encoder, ids_s), ref_s, embed(encoder, ids_u), ref_u, lam=1.0)
        loss.backward()
        optimizer.step()

    params = sum(p.numel() for p in encoder.parameters()) / 1e6
    print(f"CLIP ViT-L/14 text encoder: {params:.1f}M parameters, batch {args.batch_size}+{args.batch_size}, "
          f"{args.device}, {torch.get_num_threads()} threads")  # fmt: skip
    cached = time_steps(lambda: step(False), args.steps)
    recomputed = time_steps(lambda: step(True), args.steps)
    print(f"step with cached references:     {cached:.3f} s")
    print(f"step recomputing references:     {recomputed:.3f} s")
    print(f"ratio recomputed / cached:       {recomputed / cached:.2f}x")


if __name__ == "__main__":
    main()
