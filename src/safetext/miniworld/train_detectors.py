"""Train MiniWorld's concept detectors and attribute classifier on rendered images with ground truth.

Half of the training renders go through the trained VAE (reconstructions look like generated images)
and all get mild noise, so the models judge generated images as they judge renders. Accuracy is measured
on held-out renders (a different seed), raw and VAE-reconstructed, and stored beside the weights.
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
    epochs: int = 4
    batch: int = 128
    lr: float = 3e-3
    threads: int = 1


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
    """Train weapon, fire and attributes models; write them to `cfg.out`; return held-out accuracies."""
    from diffusers import AutoencoderKL

    torch.set_num_threads(cfg.threads)
    t0 = time.time()
    vae = AutoencoderKL.from_pretrained(cfg.vae).eval()
    rng = np.random.default_rng(cfg.seed)
    train_scenes, test_scenes = random_scenes(cfg.n_train, rng), random_scenes(cfg.n_test, rng)
    x = to_batch(render_many(train_scenes, seed=10_000 + cfg.seed))
    half = len(x) // 2
    x[:half] = reconstruct(vae, x[:half], cfg.seed)
    y = targets(train_scenes)
    x_test = to_batch(render_many(test_scenes, seed=20_000 + cfg.seed))
    x_test_rec = reconstruct(vae, x_test, cfg.seed + 1)
    y_test = targets(test_scenes)
    results: dict[str, dict[str, float]] = {}
    for name in ("weapon", "fire", "attributes"):
        model = _fit(name, x, y, cfg)
        acc = {
            "renders": accuracy(name, model, x_test, y_test),
            "reconstructions": accuracy(name, model, x_test_rec, y_test),
        }
        results[name] = acc
        meta = {"name": name, "threshold": 0.5, "heldout_accuracy": acc, "n_train": cfg.n_train, "seed": cfg.seed}
        save_model(model, Path(cfg.out), name, meta)
        logger.info("%s: held-out accuracy %s", name, acc)
    logger.info("detectors trained in %.1f min", (time.time() - t0) / 60)
    return results
