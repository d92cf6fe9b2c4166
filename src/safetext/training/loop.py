"""The training loop. It knows nothing about models: it gets named parameters and a loss function.

`loss_fn(step)` must build its own batch from the step number (see `batch_indices`), so that a
resumed run sees exactly the batches an uninterrupted run would have seen.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from safetext.training.checkpoint import load_checkpoint, save_checkpoint

logger = logging.getLogger(__name__)

LossFn = Callable[[int], tuple[torch.Tensor, dict[str, float]]]


@dataclass(frozen=True)
class LoopSettings:
    steps: int
    run_dir: Path  # receives log.jsonl and checkpoint/
    checkpoint_every: int = 100
    grad_clip: float | None = 1.0
    progress: bool = True
    autocast_dtype: torch.dtype | None = None  # bf16/fp16 mixed precision; None = full precision
    device_type: str = "cpu"


def batch_indices(n: int, batch: int, step: int, seed: int) -> torch.Tensor:
    """Indices of the `step`-th batch of size `batch` drawn from `n` items, epoch by epoch, seeded."""
    positions = torch.arange(step * batch, (step + 1) * batch)
    out = torch.empty(batch, dtype=torch.long)
    for epoch in positions.div(n, rounding_mode="floor").unique().tolist():
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))
        mask = positions.div(n, rounding_mode="floor") == epoch
        out[mask] = order[positions[mask] % n]
    return out


def _truncate_log(log: Path, start: int) -> None:
    if log.exists():
        lines = [line for line in log.read_text(encoding="utf-8").splitlines() if json.loads(line)["step"] < start]
        log.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def train_loop(
    params: dict[str, torch.nn.Parameter],
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    settings: LoopSettings,
    resume: bool = False,
) -> dict[str, float]:
    """Run steps [start, settings.steps); log every step to JSONL, checkpoint every N; return last logs."""
    checkpoint_dir, log = settings.run_dir / "checkpoint", settings.run_dir / "log.jsonl"
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    start = load_checkpoint(checkpoint_dir, params, optimizer) if resume and checkpoint_dir.exists() else 0
    if start:
        logger.info("resuming from step %d of %d", start, settings.steps)
    _truncate_log(log, start)
    logs: dict[str, float] = {}
    # fp16 gradients underflow without loss scaling; bf16 and fp32 need none.
    scaler = torch.amp.GradScaler(settings.device_type, enabled=settings.autocast_dtype == torch.float16)
    bar = tqdm(range(start, settings.steps), initial=start, total=settings.steps, desc="align",
               disable=not settings.progress)  # fmt: skip
    with log.open("a", encoding="utf-8") as log_file:
        for step in bar:
            optimizer.zero_grad(set_to_none=True)
            autocast = (
                torch.autocast(settings.device_type, dtype=settings.autocast_dtype)
                if settings.autocast_dtype
                else contextlib.nullcontext()
            )
            with autocast:
                loss, logs = loss_fn(step)
            scaler.scale(loss).backward()
            if settings.grad_clip:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(list(params.values()), settings.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            log_file.write(json.dumps({"step": step, **logs}) + "\n")
            log_file.flush()
            bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()})
            if (step + 1) % settings.checkpoint_every == 0 or step + 1 == settings.steps:
                save_checkpoint(checkpoint_dir, step + 1, params, optimizer)
    return logs
