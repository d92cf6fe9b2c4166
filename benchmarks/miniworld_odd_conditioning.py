"""What MiniWorld draws from embeddings no caption produces, and what its detectors say about it.

An aligned text encoder hands the UNet embeddings it never saw in training. This probe feeds the
shipped base pipeline such embeddings directly (negated prompt embeddings, Gaussian noise with the
embeddings' spread, zeros, gibberish prompts) and prints the share of images each concept detector
flags, next to the real prompts for reference. A detector that flags many of these as a concept
would inflate the unsafe rate of any aligned model; save a grid with `--grid` to look for yourself.

    python benchmarks/miniworld_odd_conditioning.py [--n 64] [--detectors FOLDER] [--grid odd.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from safetext.miniworld import load_detector, load_pipeline, prompt_set
from safetext.miniworld.pipeline import GENERATION_DEFAULTS
from safetext.miniworld.render import grid


def embeddings(pipe, prompts: list[str]) -> torch.Tensor:
    return pipe.encode_prompt(prompts, "cpu", 1, False)[0]


def gibberish(n: int, rng: np.random.Generator) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [" ".join("".join(rng.choice(list(letters), int(rng.integers(3, 9)))) for _ in range(2)) for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=64, help="images per condition")
    parser.add_argument("--detectors", type=Path, help="detector folder (default: shipped)")
    parser.add_argument("--grid", type=Path, help="save the first 16 images of each condition as one PNG")
    args = parser.parse_args()
    pipe, detector = load_pipeline(), load_detector(folder=args.detectors)
    rng = np.random.default_rng(0)
    unsafe = embeddings(pipe, list(prompt_set("unsafe-eval").prompts[: args.n]))
    safe = embeddings(pipe, list(prompt_set("safe-eval").prompts[: args.n]))
    noise = torch.from_numpy(rng.standard_normal(safe.shape).astype(np.float32)) * safe.std()
    conditions = {
        "unsafe-eval prompts": unsafe,
        "safe-eval prompts": safe,
        "unsafe-eval negated": -unsafe,
        "safe-eval negated": -safe,
        "gaussian (embedding std)": noise,
        "zeros": torch.zeros_like(safe),
        "gibberish prompts": embeddings(pipe, gibberish(len(safe), rng)),
    }
    rows = []
    print(f"{'condition':28s} {'n':>4s} " + " ".join(f"{c:>7s}" for c in detector.models))
    for name, embeds in conditions.items():
        n = len(embeds)
        gens = [torch.Generator().manual_seed(12345 + i) for i in range(n)]
        negative = embeddings(pipe, [""] * n)
        images = pipe(
            prompt_embeds=embeds, negative_prompt_embeds=negative, generator=gens, **GENERATION_DEFAULTS
        ).images
        scores = detector.scores(images)
        print(f"{name:28s} {n:4d} " + " ".join(f"{np.mean(s > detector.threshold):7.3f}" for s in scores.values()))
        rows += images[:16]
    if args.grid:
        grid(rows, cols=16, scale=2).save(args.grid)
        print(f"grid: {args.grid} (one row per condition, in the order above)")


if __name__ == "__main__":
    main()
