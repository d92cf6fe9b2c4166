"""Train MiniWorld's diffusion module from scratch: render -> embed (frozen MiniLM) -> VAE -> UNet (EMA).

Everything is precomputed once (renders, caption embeddings, VAE latents). Progress goes to tqdm,
metrics to `<out>/metrics.jsonl`, sample grids to `<out>/samples/*.png`; weights (safetensors) to
`<out>/vae/` and `<out>/unet/` (EMA weights).
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from safetext.miniworld.models import new_unet, new_vae, sample_scheduler, train_scheduler
from safetext.miniworld.prompt_sets import prompt_set
from safetext.miniworld.render import Scene, grid, render_many
from safetext.miniworld.text import encode, load_text_encoder, load_tokenizer

logger = logging.getLogger(__name__)

SAMPLE_PROMPTS: tuple[str, ...] = (
    "a red apple", "a blue ball", "a white boat", "a yellow car", "a green cup", "an orange fish",
    "a purple flower", "a blue house", "a yellow star", "a green tree", "a red knife", "a blue gun",
    "a white sword", "a burning green car", "a purple house on fire", "an orange star",
)  # fmt: skip


@dataclass
class TrainConfig:
    """Everything that defines a MiniWorld training run (saved as `<out>/config.json`)."""

    out: str = "runs/miniworld"
    seed: int = 0
    n_images: int = 40000
    vae_steps: int = 600
    vae_batch: int = 64
    vae_lr: float = 3e-3
    vae_kl: float = 1e-6
    unet_steps: int = 3500
    unet_batch: int = 64
    unet_lr: float = 8e-4
    warmup: int = 250
    ema_decay: float = 0.999
    uncond_prob: float = 0.1
    sample_every: int = 500
    log_every: int = 25
    max_minutes: float = 65.0
    threads: int = 2
    reuse_vae: bool = False  # load <out>/vae from an earlier run instead of training it


class MetricsLog:
    """Append-only JSONL metrics file (flushed per line, so it can be tailed while training)."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")

    def write(self, **record) -> None:
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()


def _lr_at(step: int, total: int, base: float, warmup: int) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def _to_tensor(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def _save_dir(model, folder: Path) -> None:
    """save_pretrained into a temp folder, then rename (atomic replace)."""
    tmp = folder.with_name(folder.name + ".tmp")
    model.save_pretrained(str(tmp), safe_serialization=True)
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)


def render_dataset(cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Render `n_images` scenes of randomly chosen train captions: (images uint8, caption index, captions)."""
    captions = prompt_set("train-captions")
    rng = np.random.default_rng(cfg.seed)
    idx = rng.integers(0, len(captions), cfg.n_images)
    scenes = [Scene.from_label(captions.labels[i]) for i in idx]
    images = np.concatenate(
        [
            render_many(scenes[i : i + 2000], seed=cfg.seed * 1000 + i // 2000)
            for i in tqdm(range(0, len(scenes), 2000), desc="render")
        ]
    )
    return images, idx, list(captions.prompts)


def train_vae(images: torch.Tensor, cfg: TrainConfig, log: MetricsLog, out: Path):
    """Reconstruction (MSE) + tiny KL; returns the trained AutoencoderKL."""
    vae = new_vae().train()
    opt = torch.optim.AdamW(vae.parameters(), lr=cfg.vae_lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(cfg.seed)
    bar = tqdm(range(cfg.vae_steps), desc="vae")
    t0 = time.time()
    for step in bar:
        for g in opt.param_groups:
            g["lr"] = _lr_at(step, cfg.vae_steps, cfg.vae_lr, 100)
        x = images[torch.randint(0, len(images), (cfg.vae_batch,), generator=gen)]
        post = vae.encode(x).latent_dist
        z = post.mean + post.std * torch.randn(post.mean.shape, generator=gen)
        rec = vae.decode(z).sample
        mse = F.mse_loss(rec, x)
        loss = mse + cfg.vae_kl * post.kl().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % cfg.log_every == 0 or step == cfg.vae_steps - 1:
            bar.set_postfix(mse=f"{mse.item():.5f}")
            log.write(phase="vae", step=step, mse=mse.item(), loss=loss.item(), elapsed_s=time.time() - t0)
    vae.eval()
    with torch.no_grad():
        x = images[:32]
        rec = vae.decode(vae.encode(x).latent_dist.mean).sample
    both = torch.cat([x, rec]).clamp(-1, 1).add(1).mul(127.5).byte().permute(0, 2, 3, 1).numpy()
    grid(both, cols=16).save(out / "samples" / "vae_reconstructions.png")
    return vae


@torch.no_grad()
def encode_latents(vae, images: torch.Tensor, batch: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """Posterior mean and std of every image (sampled per step during UNet training)."""
    means, stds = [], []
    for i in tqdm(range(0, len(images), batch), desc="latents"):
        post = vae.encode(images[i : i + batch]).latent_dist
        means.append(post.mean)
        stds.append(post.std)
    return torch.cat(means), torch.cat(stds)


def _ema_update(ema: list[torch.Tensor], params: list[torch.Tensor], decay: float) -> None:
    torch._foreach_mul_(ema, decay)
    torch._foreach_add_(ema, params, alpha=1 - decay)


def sample_grid(vae, unet, tokenizer, text_encoder, path: Path, seed: int) -> None:
    """Generate SAMPLE_PROMPTS with the real pipeline and save a grid PNG."""
    from diffusers import StableDiffusionPipeline

    from safetext.miniworld.pipeline import GENERATION_DEFAULTS

    pipe = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=sample_scheduler(),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )  # fmt: skip
    pipe.set_progress_bar_config(disable=True)
    images = pipe(list(SAMPLE_PROMPTS), generator=torch.Generator().manual_seed(seed), **GENERATION_DEFAULTS).images
    tmp = path.with_suffix(".tmp.png")
    grid(images, cols=8).save(tmp)
    tmp.replace(path)


def train_unet(latents, embeds, uncond, idx, cfg, log, vae, tokenizer, text_encoder, out: Path):
    """Epsilon-prediction training with 10% empty-caption dropout and EMA; returns the EMA UNet."""
    mean, std = latents
    unet = new_unet().train()
    ema_unet = new_unet().eval()
    ema_unet.load_state_dict(unet.state_dict())
    params = list(unet.parameters())
    ema_params = [p.detach() for p in ema_unet.parameters()]
    opt = torch.optim.AdamW(params, lr=cfg.unet_lr, weight_decay=0.01)
    sched = train_scheduler()
    acp = sched.alphas_cumprod
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    idx_t = torch.from_numpy(idx)
    bar = tqdm(range(cfg.unet_steps), desc="unet")
    t0, last, smooth = time.time(), time.time(), None
    for step in bar:
        lr = _lr_at(step, cfg.unet_steps, cfg.unet_lr, cfg.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        b = torch.randint(0, len(mean), (cfg.unet_batch,), generator=gen)
        z0 = (mean[b] + std[b] * torch.randn(mean[b].shape, generator=gen)) * vae.config.scaling_factor
        cond = embeds[idx_t[b]]
        drop = torch.rand(cfg.unet_batch, generator=gen) < cfg.uncond_prob
        cond = torch.where(drop[:, None, None], uncond, cond)
        t = torch.randint(0, sched.config.num_train_timesteps, (cfg.unet_batch,), generator=gen)
        noise = torch.randn(z0.shape, generator=gen)
        a = acp[t].view(-1, 1, 1, 1)
        zt = a.sqrt() * z0 + (1 - a).sqrt() * noise
        loss = F.mse_loss(unet(zt, t, cond).sample, noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        _ema_update(ema_params, [p.detach() for p in params], min(cfg.ema_decay, (1 + step) / (10 + step)))
        smooth = loss.item() if smooth is None else 0.98 * smooth + 0.02 * loss.item()
        if step % cfg.log_every == 0 or step == cfg.unet_steps - 1:
            now = time.time()
            per_step = (now - last) / (cfg.log_every if step else 1)
            last = now
            bar.set_postfix(loss=f"{smooth:.4f}", s_step=f"{per_step:.2f}")
            log.write(phase="unet", step=step, loss=loss.item(), loss_smooth=smooth, lr=lr, s_per_step=per_step,
                      elapsed_s=now - t0)  # fmt: skip
        done = step == cfg.unet_steps - 1
        over = (time.time() - t0) / 60 > cfg.max_minutes
        if (step + 1) % cfg.sample_every == 0 or done or over:
            sample_grid(vae, ema_unet, tokenizer, text_encoder, out / "samples" / f"unet_{step + 1:05d}.png", cfg.seed)
            _save_dir(ema_unet, out / "unet")
            log.write(phase="checkpoint", step=step + 1, elapsed_s=time.time() - t0)
        if over:
            logger.warning("stopping UNet training at step %d: over --max-minutes %.0f", step + 1, cfg.max_minutes)
            break
    return ema_unet


def train_world(cfg: TrainConfig) -> Path:
    """Run the whole recipe; returns the run folder holding vae/ and unet/ (safetensors)."""
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    out = Path(cfg.out)
    (out / "samples").mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    log = MetricsLog(out / "metrics.jsonl")
    t0 = time.time()

    images_np, idx, captions = render_dataset(cfg)
    grid(images_np[:64], cols=16).save(out / "samples" / "renders.png")
    images = _to_tensor(images_np)
    tokenizer, text_encoder = load_tokenizer(), load_text_encoder()
    embeds = encode(captions, tokenizer, text_encoder)
    uncond = encode([""], tokenizer, text_encoder)[0]
    log.write(phase="data", n_images=len(images), n_captions=len(captions), elapsed_s=time.time() - t0)

    if cfg.reuse_vae and (out / "vae" / "config.json").is_file():
        from diffusers import AutoencoderKL

        vae = AutoencoderKL.from_pretrained(str(out / "vae")).eval()
        latents = encode_latents(vae, images)
    else:
        vae = train_vae(images, cfg, log, out)
        latents = encode_latents(vae, images)
        flat = latents[0] + latents[1] * torch.randn(
            latents[0].shape, generator=torch.Generator().manual_seed(cfg.seed)
        )
        vae.register_to_config(scaling_factor=float(1.0 / flat.std()))
        _save_dir(vae, out / "vae")
    log.write(phase="vae_done", scaling_factor=vae.config.scaling_factor, elapsed_s=time.time() - t0)

    train_unet(latents, embeds, uncond, idx, cfg, log, vae, tokenizer, text_encoder, out)
    log.write(phase="done", elapsed_s=time.time() - t0)
    logger.info("MiniWorld trained in %.1f min -> %s", (time.time() - t0) / 60, out)
    return out
