"""Configuration dataclasses; the resolved config is saved with every output."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from safetext.errors import SafeTextError
from safetext.training.params import parse_spec

PRECISIONS = ("fp32", "bf16", "fp16")
MINIWORLD_UNSAFE = "miniworld:unsafe-train"
MINIWORLD_SAFE = "miniworld:safe-train"
MINIWORLD_OUT = "outputs/miniworld-aligned"


@dataclass
class AlignConfig:
    """Everything `safetext align` needs. `model=None` means the built-in MiniWorld model.

    Defaults were chosen by measurement on MiniWorld (see README, "Choosing the defaults").
    """

    model: str | None = None
    unsafe: str | None = None  # prompt source: file path (with ?options) or miniworld:NAME
    safe: str | None = None
    out: str | None = None
    lam: float = 10.0  # lambda in L_u - lambda * L_e
    lr: float = 1e-4
    steps: int = 400
    batch_size: int = 16
    seed: int = 0
    train: str = "attention"  # all | last:K | attention | lora:R
    encoders: list[str] | None = None  # component names to train; None = every text encoder
    precision: str = "fp32"
    gradient_checkpointing: bool = False
    device: str = "auto"
    checkpoint_every: int = 100
    revision: str | None = None  # hub revision
    single_file_config: str | None = None  # base config (hub id / folder) for single-file checkpoints
    link_unchanged: bool = False  # hard-link unchanged components instead of copying them
    overwrite: bool = False
    resume: bool = False
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise `SafeTextError` naming the first bad option and its allowed values."""
        checks = [
            (self.lam >= 0, f"lambda must be >= 0, got {self.lam}"),
            (self.lr > 0, f"learning rate must be > 0, got {self.lr}"),
            (self.steps >= 0, f"steps must be >= 0, got {self.steps}"),
            (self.batch_size >= 1, f"batch size must be >= 1, got {self.batch_size}"),
            (self.checkpoint_every >= 1, f"checkpoint interval must be >= 1, got {self.checkpoint_every}"),
            (self.precision in PRECISIONS, f"precision must be one of {PRECISIONS}, got {self.precision!r}"),
            (
                not (self.resume and self.overwrite),
                "--resume and --overwrite contradict each other; pick one",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise SafeTextError(message)
        parse_spec(self.train)

    def with_defaults(self) -> AlignConfig:
        """Fill MiniWorld defaults where the model/prompts/output were left out."""
        if self.model is None:
            unsafe, safe = self.unsafe or MINIWORLD_UNSAFE, self.safe or MINIWORLD_SAFE
            return dataclasses.replace(self, unsafe=unsafe, safe=safe, out=self.out or MINIWORLD_OUT)
        missing = [name for name in ("unsafe", "safe", "out") if getattr(self, name) is None]
        if missing:
            raise SafeTextError(f"with --model, also give {', '.join('--' + m for m in missing)}.")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def identity(self) -> dict[str, Any]:
        """The options that define the result (what a resumed run must share with the original)."""
        volatile = {"overwrite", "resume", "progress", "device", "checkpoint_every", "link_unchanged"}
        return {k: v for k, v in self.to_dict().items() if k not in volatile}
