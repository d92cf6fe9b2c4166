"""`safetext miniworld ...`: train the world and its detectors, check gates, list prompt sets, render."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from safetext.errors import OutputExistsError, SafeTextError


def _train(args: argparse.Namespace) -> int:
    # On shared CPUs spinning OpenMP threads slow training several-fold; this helps only if torch is not yet
    # loaded, so the documented command also sets OMP_WAIT_POLICY=PASSIVE in the shell.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from safetext.miniworld.train import TrainConfig, train_world

    out = Path(args.out)
    if (out / "unet").exists() and not args.overwrite and not args.reuse_vae:
        raise OutputExistsError(f"{out} already holds a trained UNet; pass --overwrite or choose another --out")
    cfg = TrainConfig(out=str(out), seed=args.seed, unet_steps=args.steps, vae_steps=args.vae_steps,
                      n_images=args.n_images, max_minutes=args.max_minutes, threads=args.threads,
                      reuse_vae=args.reuse_vae)  # fmt: skip
    train_world(cfg)
    print(f"trained MiniWorld -> {out}/vae, {out}/unet (samples in {out}/samples, metrics in {out}/metrics.jsonl)")
    return 0


def _train_detectors(args: argparse.Namespace) -> int:
    from safetext.miniworld.pipeline import assets_folder
    from safetext.miniworld.train_detectors import DetectorConfig, train_detectors

    vae = Path(args.vae) if args.vae else assets_folder() / "vae"
    if not (vae / "config.json").is_file():
        raise SafeTextError(f"no VAE at {vae}; pass --vae RUN/vae from `safetext miniworld train`")
    unknown = set(args.models) - set(DetectorConfig.models)
    if unknown:
        raise SafeTextError(f"unknown --models {sorted(unknown)}; choose from {', '.join(DetectorConfig.models)}")
    existing = [m for m in args.models if (Path(args.out) / f"{m}.safetensors").exists()]
    if existing and not args.overwrite:
        raise SafeTextError(f"{args.out} already holds {', '.join(existing)}; pass --overwrite or another --out")
    cfg = DetectorConfig(vae=str(vae), out=args.out, seed=args.seed, threads=args.threads, models=tuple(args.models))
    results = train_detectors(cfg)
    print(json.dumps(results, indent=2))
    return 0


def _check(args: argparse.Namespace) -> int:
    from safetext.miniworld.checks import check, format_report

    results = check(model=args.model, base=args.base)
    print(format_report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0 if all(g["pass"] for g in results["gates"].values()) else 1


def _sets(args: argparse.Namespace) -> int:
    from safetext.miniworld.prompt_sets import PROMPT_SET_NAMES, prompt_set, shipped_folder, write_prompt_sets

    if args.write:
        write_prompt_sets(shipped_folder())
    for name in PROMPT_SET_NAMES:
        ps = prompt_set(name)
        print(f"{name:20s} {len(ps):5d}  sha256 {ps.sha256[:12]}  e.g. {ps.prompts[0]!r}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from safetext.miniworld.prompt_sets import prompt_set
    from safetext.miniworld.render import Scene, grid, render_many

    ps = prompt_set(args.prompt_set)
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise OutputExistsError(f"{out} exists; pass --overwrite or choose another --out")
    scenes = [Scene.from_label(lab) for lab in ps.labels[: args.n]]
    grid(render_many(scenes, seed=args.seed)).save(out)
    print(f"wrote {len(scenes)} renders of {args.prompt_set} to {out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `miniworld` with its sub-commands."""
    parser = subparsers.add_parser("miniworld", help="the offline CPU-scale text-to-image world")
    sub = parser.add_subparsers(dest="miniworld_command", required=True)

    p = sub.add_parser("train", help="train the world's VAE and UNet from scratch (~45 min on 2 cores)")
    p.add_argument("--out", default="runs/miniworld", help="run folder (weights, samples, metrics.jsonl)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=3500, help="UNet steps")
    p.add_argument("--vae-steps", type=int, default=600)
    p.add_argument("--n-images", type=int, default=40000, help="rendered training images")
    p.add_argument("--max-minutes", type=float, default=65.0, help="stop UNet training (and save) after this")
    p.add_argument("--reuse-vae", action="store_true", help="load OUT/vae of an earlier run instead of training it")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_train)

    p = sub.add_parser("train-detectors", help="train concept detectors + attribute classifier")
    p.add_argument("--vae", help="VAE folder for reconstructions (default: shipped VAE)")
    p.add_argument("--out", default="runs/miniworld/detectors")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--models", type=lambda v: v.split(","), default=["weapon", "fire", "attributes"],
                   help="comma-separated subset of weapon,fire,attributes to (re)train")  # fmt: skip
    p.add_argument("--overwrite", action="store_true", help="replace models already in --out")
    p.set_defaults(func=_train_detectors)

    p = sub.add_parser("check", help="measure gates on generated images (fixed seeds)")
    p.add_argument("--model", help="pipeline folder to measure (e.g. an aligned model); base is also measured")
    p.add_argument("--base", help="base pipeline folder (default: the shipped MiniWorld)")
    p.add_argument("--json", help="also write all figures to this JSON file")
    p.set_defaults(func=_check)

    p = sub.add_parser("sets", help="list the shipped prompt sets")
    p.add_argument("--write", action="store_true", help="regenerate the shipped files from code first")
    p.set_defaults(func=_sets)

    p = sub.add_parser("render", help="render the ground truth of a prompt set to a PNG grid")
    p.add_argument("prompt_set")
    p.add_argument("--out", default="renders.png")
    p.add_argument("-n", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_render)
