"""Load only the text side of a pipeline (tokenizers + text encoders) and encode prompts with it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import transformers
from torch import nn

from safetext.errors import ModelLoadError
from safetext.models.families import EncoderFamily, family_for, supported_pipelines
from safetext.models.families.base import Tokens
from safetext.models.resolve import read_model_index, resolve_model

logger = logging.getLogger(__name__)

Embeddings = dict[str, torch.Tensor]


def _component_class(index: dict[str, Any], name: str, folder: Path) -> type:
    entry = index.get(name)
    if not isinstance(entry, list) or len(entry) != 2 or entry[1] is None:
        raise ModelLoadError(f"pipeline at {folder} has no `{name}` component; SafeText aligns text encoders.")
    library, class_name = entry
    cls = getattr(transformers, class_name, None) if library == "transformers" else None
    if cls is None:
        raise ModelLoadError(f"`{name}` of {folder} is {library}.{class_name}, not a transformers class.")
    return cls


def _load_component(cls: type, folder: Path, name: str, **kwargs: Any) -> Any:
    sub = folder / name
    if not sub.is_dir():
        raise ModelLoadError(f"pipeline at {folder} lists `{name}` but the folder {sub} is missing.")
    try:
        return cls.from_pretrained(sub, **kwargs)
    except OSError as err:
        hint = " (SafeText reads safetensors weights only)" if "safetensors" in str(err).lower() else ""
        raise ModelLoadError(f"cannot load {name} from {sub}: {err}{hint}") from None


def _check_pair(name: str, tokenizer: Any, encoder: nn.Module, max_length: int) -> None:
    config = encoder.config
    vocab = getattr(config, "vocab_size", None)
    positions = getattr(config, "max_position_embeddings", None)
    if vocab is not None and len(tokenizer) > vocab:
        raise ModelLoadError(
            f"tokenizer for {name} has {len(tokenizer)} tokens but the encoder's vocabulary is {vocab}: "
            "they do not belong together."
        )
    if positions is not None and max_length > positions:
        raise ModelLoadError(
            f"tokenizer for {name} pads to {max_length} tokens but the encoder has {positions} positions: "
            "set the tokenizer's model_max_length to at most that."
        )


@dataclass
class TextSide:
    """The tokenizers and text encoders of one pipeline, with its family's encode rule."""

    folder: Path
    pipeline_class: str
    family: EncoderFamily
    tokenizers: dict[str, Any]
    encoders: dict[str, nn.Module]

    @property
    def device(self) -> torch.device:
        return next(next(iter(self.encoders.values())).parameters()).device

    def tokenize(self, prompts: Sequence[str]) -> dict[str, Tokens]:
        return self.family.tokenize(self.tokenizers, prompts)

    def forward(self, tokens: dict[str, Tokens]) -> Embeddings:
        """Encode pre-tokenized prompts (with gradients if enabled)."""
        return self.family.encode(self.encoders, tokens)

    def count_truncated(self, prompts: Sequence[str]) -> int:
        """How many prompts are longer than some tokenizer's limit (they get cut)."""
        cut = set()
        for slot in self.family.slots:
            tokenizer = self.tokenizers[slot.tokenizer]
            limit = slot.max_length or tokenizer.model_max_length
            lengths = [len(ids) for ids in tokenizer(list(prompts))["input_ids"]]
            cut.update(i for i, n in enumerate(lengths) if n > limit)
        return len(cut)

    @torch.no_grad()
    def encode(self, prompts: Sequence[str], batch_size: int = 32) -> Embeddings:
        """Embeddings of `prompts` as float32 CPU tensors, one entry per conditioning component."""
        parts: list[Embeddings] = []
        for start in range(0, len(prompts), batch_size):
            out = self.forward(self.tokenize(prompts[start : start + batch_size]))
            parts.append({k: v.detach().float().cpu() for k, v in out.items()})
        return {k: torch.cat([p[k] for p in parts]) for k in parts[0]}


def load_text_side(
    model: str | Path,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    **resolve_kwargs: Any,
) -> TextSide:
    """Load only the tokenizers and text encoders of `model` (folder, hub id or single file); no UNet/VAE."""
    folder = resolve_model(model, **resolve_kwargs)
    index = read_model_index(folder)
    pipeline_class = str(index.get("_class_name", ""))
    family = family_for(pipeline_class)
    if family is None:
        raise ModelLoadError(
            f"{folder} is a {pipeline_class or 'unknown'} pipeline; SafeText supports {supported_pipelines()}."
        )
    tokenizers, encoders = {}, {}
    for slot in family.slots:
        tokenizer = _load_component(_component_class(index, slot.tokenizer, folder), folder, slot.tokenizer)
        encoder = _load_component(
            _component_class(index, slot.encoder, folder),
            folder,
            slot.encoder,
            use_safetensors=True,
            dtype=dtype,
        )
        _check_pair(slot.encoder, tokenizer, encoder, slot.max_length or tokenizer.model_max_length)
        tokenizers[slot.tokenizer] = tokenizer
        encoders[slot.encoder] = encoder.to(device).eval()
    return TextSide(folder, pipeline_class, family, tokenizers, encoders)


def load_pipeline(model: str | Path, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32) -> Any:
    """Load a whole diffusers pipeline (folder, hub id or single file) with safetensors weights only."""
    from diffusers import DiffusionPipeline

    folder = resolve_model(model)
    read_model_index(folder)
    try:
        pipeline = DiffusionPipeline.from_pretrained(folder, torch_dtype=dtype, use_safetensors=True)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"cannot load the pipeline at {folder}: {err}") from None
    pipeline.set_progress_bar_config(disable=True)
    return pipeline.to(device)
