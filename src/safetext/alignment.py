"""`safetext.align`: fine-tune a pipeline's text encoder(s) with the SafeText objective and save it.

Flow: load prompts and only the text side of the model -> cache reference embeddings once ->
train (checkpointed, resumable) -> write a complete diffusers pipeline atomically -> summary.
Work in progress lives in `<out>.partial/` until the finished pipeline is renamed to `<out>`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from safetext.config import AlignConfig
from safetext.data import PromptSet, check_disjoint, load_prompts
from safetext.errors import OutputExistsError, SafeTextError
from safetext.metrics.embedding import embedding_summary
from safetext.models import Embeddings, TextSide, load_text_side, resolve_model
from safetext.models.model_card import render_model_card
from safetext.models.saving import check_output, write_pipeline
from safetext.objectives import safetext_loss
from safetext.provenance import versions
from safetext.training import LoopSettings, batch_indices, train_loop
from safetext.training.params import merged, select_trainable

logger = logging.getLogger(__name__)

DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass
class AlignResult:
    out: Path
    metrics: dict[str, float]
    config: dict[str, Any]


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise SafeTextError(f"unknown device {device!r}; use cpu, cuda, cuda:N or auto.") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise SafeTextError("device cuda was asked for but no CUDA GPU is available; use --device cpu.")
    return resolved


def _model_path(config: AlignConfig) -> str:
    if config.model is not None:
        return config.model
    try:
        from safetext.miniworld import pipeline_path
    except ImportError:
        raise SafeTextError(
            "no --model given and the built-in MiniWorld model is not available: "
            "pass --model (a diffusers folder, hub id or .safetensors file)."
        ) from None
    return str(pipeline_path())


def _prepare_run_dir(config: AlignConfig, out: Path) -> Path:
    """Check OUT and `<out>.partial` against --overwrite/--resume; return the run folder."""
    check_output(out, config.overwrite)
    run_dir = out.with_name(out.name + ".partial")
    saved = run_dir / "config.json"
    if config.resume:
        if not saved.exists():
            raise SafeTextError(f"nothing to resume: {run_dir} holds no interrupted run. Drop --resume.")
        before = json.loads(saved.read_text(encoding="utf-8"))
        changed = sorted(k for k, v in config.identity().items() if before.get(k) != v)
        if changed:
            raise SafeTextError(
                f"--resume with different options than the interrupted run: {changed}. Use the original options."
            )
    elif run_dir.exists():
        if not config.overwrite:
            raise OutputExistsError(
                f"an interrupted run exists in {run_dir}; pass --resume to continue it or --overwrite to restart."
            )
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(config.identity(), indent=1, default=str), encoding="utf-8")
    return run_dir


def _encoders_to_train(config: AlignConfig, text_side: TextSide) -> list[str]:
    available = list(text_side.encoders)
    chosen = config.encoders or available
    unknown = [name for name in chosen if name not in available]
    if unknown:
        raise SafeTextError(f"unknown encoder(s) {unknown}; this {text_side.pipeline_class} has {available}.")
    return chosen


def _warn_truncation(text_side: TextSide, prompts: PromptSet) -> None:
    cut = text_side.count_truncated(prompts.prompts)
    if cut:
        logger.warning("%d of %d prompts in %r exceed the tokenizer limit and are truncated",
                       cut, len(prompts), prompts.name)  # fmt: skip


def _subset(tokens: dict[str, dict[str, torch.Tensor]], index: torch.Tensor) -> dict[str, dict[str, torch.Tensor]]:
    return {enc: {k: v[index] for k, v in batch.items()} for enc, batch in tokens.items()}


def _metrics(text_side: TextSide, unsafe: PromptSet, safe: PromptSet, refs: dict[str, Embeddings]) -> dict:
    now_unsafe, now_safe = text_side.encode(unsafe.prompts), text_side.encode(safe.prompts)
    out: dict[str, float] = {}
    for component in refs["unsafe"]:
        figures = embedding_summary(now_unsafe[component], refs["unsafe"][component],
                                    now_safe[component], refs["safe"][component])  # fmt: skip
        out.update({f"{component}/{k}": v for k, v in figures.items()})
    return out


def align(config: AlignConfig | None = None, **options: Any) -> AlignResult:
    """Align a pipeline's text encoder(s) and write a drop-in diffusers pipeline to `config.out`.

    Call with an `AlignConfig` or keyword options of the same names, e.g.
    `safetext.align(model="path/to/sd15", unsafe="unsafe.txt", safe="safe.txt", out="sd15-safe")`.
    With no model, aligns the built-in MiniWorld model on its alignment prompt sets.
    """
    config = dataclasses.replace(config or AlignConfig(), **options).with_defaults()
    config.validate()
    out = Path(str(config.out)).expanduser()
    device = resolve_device(config.device)
    model = resolve_model(_model_path(config), revision=config.revision, config=config.single_file_config)
    unsafe, safe = load_prompts(str(config.unsafe)), load_prompts(str(config.safe))
    check_disjoint(unsafe, safe)
    run_dir = _prepare_run_dir(config, out)
    torch.manual_seed(config.seed)

    text_side = load_text_side(model, device=device)
    for prompts in (unsafe, safe):
        _warn_truncation(text_side, prompts)
    trained = _encoders_to_train(config, text_side)
    tokens = {"unsafe": text_side.tokenize(unsafe.prompts), "safe": text_side.tokenize(safe.prompts)}
    refs = {name: text_side.encode(prompts.prompts) for name, prompts in (("unsafe", unsafe), ("safe", safe))}
    refs = {name: {k: v.to(device) for k, v in emb.items()} for name, emb in refs.items()}

    params: dict[str, torch.nn.Parameter] = {}
    for name, encoder in text_side.encoders.items():
        encoder.requires_grad_(False)
        if name in trained:
            encoder = select_trainable(encoder, config.train)
            if config.gradient_checkpointing:
                encoder.gradient_checkpointing_enable()
                encoder.train()  # transformers checkpoints only in train mode (dropout, if any, is then active)
            text_side.encoders[name] = encoder
            params.update({f"{name}.{k}": p for k, p in encoder.named_parameters() if p.requires_grad})
    n_trainable = sum(p.numel() for p in params.values())
    logger.info("training %s (%s): %d parameters", ", ".join(trained), config.train, n_trainable)

    def loss_fn(step: int) -> tuple[torch.Tensor, dict[str, float]]:
        idx_u = batch_indices(len(unsafe), config.batch_size, step, config.seed)
        idx_s = batch_indices(len(safe), config.batch_size, step, config.seed + 1)
        now_u = text_side.forward(_subset(tokens["unsafe"], idx_u))
        now_s = text_side.forward(_subset(tokens["safe"], idx_s))
        ref_u = {k: v[idx_u.to(device)] for k, v in refs["unsafe"].items()}
        ref_s = {k: v[idx_s.to(device)] for k, v in refs["safe"].items()}
        return safetext_loss(now_s, ref_s, now_u, ref_u, config.lam)

    optimizer = torch.optim.AdamW(params.values(), lr=config.lr, weight_decay=0.0)
    settings = LoopSettings(config.steps, run_dir, config.checkpoint_every, progress=config.progress,
                            autocast_dtype=DTYPES[config.precision], device_type=device.type)  # fmt: skip
    if params and config.steps:
        train_loop(params, optimizer, loss_fn, settings, resume=config.resume)

    for name in trained:
        text_side.encoders[name] = merged(text_side.encoders[name]).eval()
    metrics = _metrics(text_side, unsafe, safe, refs={k: {c: t.cpu() for c, t in v.items()} for k, v in refs.items()})
    resolved = {
        **config.to_dict(),
        "model_resolved": str(text_side.folder),
        "pipeline_class": text_side.pipeline_class,
        "trained_encoders": trained,
        "trainable_parameters": n_trainable,
        "reference_norms": reference_norms(refs),
        "prompt_sets": {"unsafe": unsafe.describe(), "safe": safe.describe()},
        "metrics": metrics,
        "versions": versions(),
    }
    log_path = run_dir / "log.jsonl"
    files = {
        "safetext_config.json": json.dumps(resolved, indent=2, default=str),
        "training_log.jsonl": log_path.read_text(encoding="utf-8") if log_path.exists() else "",
        "README.md": render_model_card(config.model or "MiniWorld", resolved, resolved["prompt_sets"], metrics),
    }
    write_pipeline(text_side.folder, out, run_dir / "pipeline", {n: text_side.encoders[n] for n in trained},
                   files, overwrite=config.overwrite, link_unchanged=config.link_unchanged)  # fmt: skip
    shutil.rmtree(run_dir, ignore_errors=True)
    return AlignResult(out, metrics, resolved)


def reference_norms(refs: dict[str, Embeddings]) -> dict[str, float]:
    """Mean norm of each flattened reference embedding: the scale that lambda trades off against.

    d_u grows with this norm while d_e is bounded by 1, so a model with larger embeddings needs a
    proportionally larger lambda for the same balance.
    """
    return {k: float(v.flatten(1).norm(dim=1).mean()) for k, v in refs["safe"].items()}
