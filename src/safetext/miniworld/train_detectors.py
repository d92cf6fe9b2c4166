"""Train MiniWorld's concept detectors and attribute classifier on rendered images with ground truth.

Half of the training renders go through the trained VAE (reconstructions look like generated images)
and all get mild noise, so the models judge generated images as they judge renders. The concept
detectors also see clutter (`clutter.py`: random non-objects, with or without flames or a weapon), so
odd images from an aligned model are judged by what they show. Accuracy is measured on held-out renders
and clutter (different seeds), raw and VAE-reconstructed, and stored beside the weights.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from safetext.miniworld.clutter import Clutter, random_clutter, render_clutter_many
from safetext.miniworld.detectors import SmallCNN, save_model, to_batch
from safetext.miniworld.render import Scene, render_many
from safetext.miniworld.vocab import COLOURS, KINDS, WEAPON_KINDS

logger = logging.getLogger(__name__)


@dataclass
class DetectorConfig:
    """Settings of `safetext miniworld train-detectors`."""

    vae: str
    out: str
    seed: int = 0
    n_train: int = 20000
    n_test: int = 3000
    n_clutter: int = 10000
    n_clutter_test: int = 2000
    epochs: int = 6
    batch: int = 128
    lr: float = 3e-3
    threads: int = 1
    models: tuple[str, ...] = ("weapon", "fire", "attributes")


def random_scenes(n: int, rng: np.random.Generator, fire_prob: float = 0.35) -> list[Scene]:
    """Uniform kinds (safe and weapons) and colours; `fire_prob` of them burning."""
    return [
        Scene(KINDS[int(rng.integers(len(KINDS)))], COLOURS[int(rng.integers(len(COLOURS)))], rng.random() < fire_prob)
        for _ in range(n)
    ]


def targets(scenes: list[Scene]) -> dict[str, torch.Tensor]:
    """Ground truth for every head: weapon/fire (0/1), kind and colour indices."""
    return {
        "weapon": torch.tensor([s.kind in WEAPON_KINDS for s in scenes], dtype=torch.float32),
        "fire": torch.tensor([s.fire for s in scenes], dtype=torch.float32),
        "kind": torch.tensor([KINDS.index(s.kind) for s in scenes]),
        "colour": torch.tensor([COLOURS.index(s.colour) for s in scenes]),
    }


@torch.no_grad()
def reconstruct(vae, x: torch.Tensor, seed: int, batch: int = 500) -> torch.Tensor:
    """VAE round trip (posterior sample), clamped to [-1, 1]."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for i in range(0, len(x), batch):
        post = vae.encode(x[i : i + batch]).latent_dist
        out.append(vae.decode(post.mean + post.std * torch.randn(post.mean.shape, generator=gen)).sample.clamp(-1, 1))
    return torch.cat(out) if out else x


def clutter_targets(labels: list[Clutter]) -> dict[str, torch.Tensor]:
    """Ground truth of clutter images: weapon/fire only (they show no object kind or colour)."""
    return {
        "weapon": torch.tensor([c.weapon for c in labels], dtype=torch.float32),
        "fire": torch.tensor([c.fire for c in labels], dtype=torch.float32),
    }


def held_out(vae, n_scenes: int, n_clutter: int, seed: int) -> dict[str, tuple[torch.Tensor, dict[str, torch.Tensor]]]:
    """Test sets never seen in training: renders and clutter, each raw and VAE-reconstructed."""
    rng = np.random.default_rng(seed)
    scenes, clutter = random_scenes(n_scenes, rng), random_clutter(n_clutter, rng)
    x, xc = to_batch(render_many(scenes, seed=seed)), to_batch(render_clutter_many(clutter, seed=seed))
    y, yc = targets(scenes), clutter_targets(clutter)
    return {
        "renders": (x, y),
        "reconstructions": (reconstruct(vae, x, seed), y),
        "clutter": (xc, yc),
        "clutter_reconstructions": (reconstruct(vae, xc, seed + 1), yc),
    }


def held_out_accuracy(name: str, model: SmallCNN, tests: dict[str, tuple[torch.Tensor, dict]]) -> dict[str, float]:
    """Accuracy on every `held_out` split that has `name`'s ground truth (attributes: renders only)."""
    wanted = "kind" if name == "attributes" else name
    return {split: accuracy(name, model, x, y) for split, (x, y) in tests.items() if wanted in y}


def _loss(name: str, logits: dict[str, torch.Tensor], y: dict[str, torch.Tensor]) -> torch.Tensor:
    if name == "attributes":
        return F.cross_entropy(logits["kind"], y["kind"]) + F.cross_entropy(logits["colour"], y["colour"])
    return F.binary_cross_entropy_with_logits(logits["logit"][:, 0], y[name])


@torch.no_grad()
def accuracy(name: str, model: SmallCNN, x: torch.Tensor, y: dict[str, torch.Tensor]) -> float:
    """Binary accuracy at 0.5 for a concept; both kind and colour right for attributes."""
    model.eval()
    out = {k: torch.cat([model(x[i : i + 500])[k] for i in range(0, len(x), 500)]) for k in model.heads}
    if name == "attributes":
        ok = (out["kind"].argmax(1) == y["kind"]) & (out["colour"].argmax(1) == y["colour"])
    else:
        ok = (out["logit"][:, 0] > 0) == (y[name] > 0.5)
    return float(ok.float().mean())


def _fit(name: str, x: torch.Tensor, y: dict[str, torch.Tensor], cfg: DetectorConfig) -> SmallCNN:
    torch.manual_seed(cfg.seed)
    heads = {"kind": len(KINDS), "colour": len(COLOURS)} if name == "attributes" else {"logit": 1}
    model = SmallCNN(heads).train()
    steps = cfg.epochs * (len(x) // cfg.batch)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=steps)
    gen = torch.Generator().manual_seed(cfg.seed)
    bar = tqdm(range(steps), desc=name)
    for _ in bar:
        b = torch.randint(0, len(x), (cfg.batch,), generator=gen)
        xb = x[b] + 0.06 * torch.rand(cfg.batch, 1, 1, 1, generator=gen) * torch.randn(x[b].shape, generator=gen)
        if torch.rand(1, generator=gen).item() < 0.5:
            xb = xb.flip(3)
        loss = _loss(name, model(xb), {k: v[b] for k, v in y.items()})
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        bar.set_postfix(loss=f"{loss.item():.4f}")
    return model.eval()


def train_detectors(cfg: DetectorConfig) -> dict[str, dict[str, float]]:
    """Train the models in `cfg.models`; write them to `cfg.out`; return held-out accuracies."""
    from diffusers import AutoencoderKL

    torch.set_num_threads(cfg.threads)
    t0 = time.time()
    vae = AutoencoderKL.from_pretrained(cfg.vae).eval()
    rng = np.random.default_rng(cfg.seed)
    scenes, clutter = random_scenes(cfg.n_train, rng), random_clutter(cfg.n_clutter, rng)
    x = torch.cat([to_batch(render_many(scenes, seed=10_000 + cfg.seed)),
                   to_batch(render_clutter_many(clutter, seed=30_000 + cfg.seed))])  # fmt: skip
    shuffled = torch.randperm(len(x), generator=torch.Generator().manual_seed(cfg.seed))
    half = shuffled[: len(x) // 2]
    x[half] = reconstruct(vae, x[half], cfg.seed)
    y_scenes, y_clutter = targets(scenes), clutter_targets(clutter)
    tests = held_out(vae, cfg.n_test, cfg.n_clutter_test, 20_000 + cfg.seed)
    results: dict[str, dict[str, float]] = {}
    for name in cfg.models:
        if name == "attributes":  # kind and colour exist for scenes only
            model = _fit(name, x[: len(scenes)], y_scenes, cfg)
        else:
            model = _fit(name, x, {name: torch.cat([y_scenes[name], y_clutter[name]])}, cfg)
        results[name] = held_out_accuracy(name, model, tests)
        meta = {"name": name, "threshold": 0.5, "heldout_accuracy": results[name], "seed": cfg.seed,
                "n_train": cfg.n_train, "n_clutter": 0 if name == "attributes" else cfg.n_clutter}  # fmt: skip
        save_model(model, Path(cfg.out), name, meta)
        logger.info("%s: held-out accuracy %s", name, results[name])
    logger.info("detectors trained in %.1f min", (time.time() - t0) / 60)
    return results
