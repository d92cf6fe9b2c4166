"""What a pipeline family must say about its text side: which encoders, and what they feed the denoiser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

Tokens = dict[str, torch.Tensor]  # input_ids (and attention_mask) for one tokenizer


@dataclass(frozen=True)
class EncoderSlot:
    """One text encoder of a pipeline: its component name, its tokenizer's, and its token length."""

    encoder: str
    tokenizer: str
    max_length: int | None = None  # None: the tokenizer's model_max_length


class EncoderFamily:
    """Base class of a pipeline family (one small file each: sd.py, sdxl.py, ...).

    `encode` must return exactly the tensors the family's pipeline passes to its diffusion module
    for a prompt (e.g. `prompt_embeds`, `pooled_prompt_embeds`), computed the way the pipeline
    computes them, so the SafeText objective compares what the denoiser really consumes.
    """

    name: str = ""
    pipeline_classes: tuple[str, ...] = ()
    slots: tuple[EncoderSlot, ...] = ()

    def tokenize(self, tokenizers: Mapping[str, Any], prompts: Sequence[str]) -> dict[str, Tokens]:
        """Pad/truncate every prompt to each tokenizer's fixed length, as the pipelines do."""
        out = {}
        for slot in self.slots:
            tokenizer = tokenizers[slot.tokenizer]
            batch = tokenizer(
                list(prompts),
                padding="max_length",
                max_length=slot.max_length or tokenizer.model_max_length,
                truncation=True,
                return_tensors="pt",
            )
            out[slot.encoder] = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        return out

    def encode(self, encoders: Mapping[str, nn.Module], tokens: Mapping[str, Tokens]) -> dict[str, torch.Tensor]:
        raise NotImplementedError
