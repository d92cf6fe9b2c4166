"""`safetext generate`: seeded, batched, resumable image generation with a manifest."""

from __future__ import annotations

import argparse
import logging

logger = logging.getLogger(__name__)


def add_generation_arguments(parser: argparse.ArgumentParser) -> None:
    """Seeds, subsampling and pipeline call settings (shared by `generate` and `eval`)."""
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument(
        "--seeds",
        metavar="SEED",
        type=int,
        nargs="+",
        help="seeds; one image per prompt and seed (default: 0; eval: 0 1 2)",
    )
    seeds.add_argument("--num-seeds", type=int, metavar="N", help="use seeds 0..N-1")
    parser.add_argument("--limit", type=int, metavar="N", help="keep a random N prompts of each set")
    parser.add_argument(
        "--sample-seed", metavar="S", type=int, default=0, help="seed of the --limit subsample (default 0)"
    )
    parser.add_argument(
        "--steps", metavar="N", type=int, dest="num_inference_steps", help="inference steps (default: model's)"
    )
    parser.add_argument(
        "--guidance", metavar="G", type=float, dest="guidance_scale", help="guidance scale (default: model's)"
    )
    parser.add_argument("--height", metavar="PX", type=int, help="image height (default: model's)")
    parser.add_argument("--width", metavar="PX", type=int, help="image width (default: model's)")
    parser.add_argument(
        "--batch-size", metavar="N", type=int, help="images per pipeline call (default: 32 MiniWorld, else 8)"
    )
    parser.add_argument("--device", metavar="DEVICE", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--overwrite", action="store_true", help="replace an output folder of other settings")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")


def seeds_from(args: argparse.Namespace, default: list[int] | None = None) -> list[int]:
    if args.num_seeds is not None:
        return list(range(args.num_seeds))
    return list(args.seeds) if args.seeds else list(default or [0])


def run(args: argparse.Namespace) -> int:
    from safetext.evaluation import generate
    from safetext.evaluation.defaults import MINIWORLD_BATCH_SIZE, REAL_BATCH_SIZE, is_miniworld, miniworld_model
    from safetext.evaluation.prompts import load_sources

    model = args.model or str(miniworld_model())
    sets = load_sources(args.prompts, args.limit, args.sample_seed)
    result = generate(
        model,
        sets,
        args.out,
        seeds_from(args),
        num_inference_steps=args.num_inference_steps,
        guidance_scale=args.guidance_scale,
        height=args.height,
        width=args.width,
        negative_prompt=args.negative_prompt,
        batch_size=args.batch_size or (MINIWORLD_BATCH_SIZE if is_miniworld(model) else REAL_BATCH_SIZE),
        device=args.device,
        overwrite=args.overwrite,
        progress=args.progress,
    )
    print(f"{result.folder}: {result.generated} images generated, {result.skipped} already there")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="generate images for prompt sets (seeded, resumable)",
        description="One PNG per prompt and seed, listed in manifest.jsonl; a rerun skips existing images.",
    )
    parser.add_argument(
        "--model", metavar="MODEL", help="pipeline folder, hub id or .safetensors file (default: MiniWorld)"
    )
    parser.add_argument(
        "--prompts",
        metavar="SOURCE",
        nargs="+",
        required=True,
        help="prompt files (txt/csv/jsonl/I2P/COCO, with options as FILE?key=value&...) or miniworld:NAME",
    )
    parser.add_argument("--out", metavar="DIR", required=True, help="output folder")
    parser.add_argument("--negative-prompt", metavar="TEXT", help="negative prompt for every image")
    add_generation_arguments(parser)
    parser.set_defaults(func=run)
