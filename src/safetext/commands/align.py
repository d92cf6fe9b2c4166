"""`safetext align`: fine-tune a pipeline's text encoder(s) with SafeText and save a drop-in pipeline."""

from __future__ import annotations

import argparse

from safetext.config import MINIWORLD_OUT, AlignConfig

DEFAULTS = AlignConfig()


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "align",
        help="align a text-to-image model's text encoder(s)",
        description=__doc__ + " With no --model, aligns the built-in MiniWorld model on its own prompt sets.",
    )
    p.add_argument("--model", help="diffusers pipeline folder, hub id (org/name) or single-file .safetensors")
    p.add_argument("--unsafe", help="unsafe prompts: file (.txt/.csv/.jsonl/I2P/COCO, '?key=value' options) "
                   "or miniworld:NAME")  # fmt: skip
    p.add_argument("--safe", help="safe prompts, same forms as --unsafe")
    p.add_argument("--out", help=f"output pipeline folder (MiniWorld default: {MINIWORLD_OUT})")
    p.add_argument("--lambda", dest="lam", type=float, default=DEFAULTS.lam, help="weight of L_e (default %(default)s)")
    p.add_argument("--lr", type=float, default=DEFAULTS.lr, help="AdamW learning rate (default %(default)s)")
    p.add_argument("--steps", type=int, default=DEFAULTS.steps, help="optimizer steps (default %(default)s)")
    p.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size,
                   help="unsafe and safe prompts per step, each (default %(default)s)")  # fmt: skip
    p.add_argument("--seed", type=int, default=DEFAULTS.seed)
    p.add_argument("--train", default=DEFAULTS.train, help="all | last:K | attention | lora:R (default %(default)s)")
    p.add_argument("--encoders", nargs="+", help="text encoder components to train, e.g. text_encoder_2 "
                   "(default: all)")  # fmt: skip
    p.add_argument("--precision", choices=("fp32", "bf16", "fp16"), default=DEFAULTS.precision,
                   help="autocast precision (default fp32; bf16/fp16 for GPUs)")  # fmt: skip
    p.add_argument("--gradient-checkpointing", action="store_true", help="trade compute for memory")
    p.add_argument("--device", default=DEFAULTS.device, help="cpu, cuda, cuda:N or auto (default)")
    p.add_argument("--checkpoint-every", type=int, default=DEFAULTS.checkpoint_every, help="steps between checkpoints")
    p.add_argument("--revision", help="hub revision (branch, tag or commit)")
    p.add_argument("--single-file-config", help="base config (hub id or folder) for converting a single-file model")
    p.add_argument("--link-unchanged", action="store_true", help="hard-link unchanged components instead of copying")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder / interrupted run")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run into the same --out")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from safetext.alignment import align

    options = {f: getattr(args, f) for f in AlignConfig.__dataclass_fields__ if hasattr(args, f)}
    result = align(AlignConfig(**options))
    print(format_summary(result.metrics))
    print(f"aligned pipeline written to {result.out}")
    return 0


def format_summary(metrics: dict[str, float]) -> str:
    """Before/after table of the headline embedding figures, per conditioning component."""
    lines = [f"{'component':<22} {'metric':<32} {'before':>8} {'after':>8}"]
    before = {"unsafe_cosine": 1.0, "unsafe_rel_l2": 0.0, "safe_cosine": 1.0, "safe_rel_l2": 0.0,
              "safe_spread_ratio": 1.0, "safe_similarity_correlation": 1.0}  # fmt: skip
    for key, value in metrics.items():
        component, name = key.split("/", 1)
        lines.append(f"{component:<22} {name:<32} {before.get(name, float('nan')):>8.4f} {value:>8.4f}")
    return "\n".join(lines)
