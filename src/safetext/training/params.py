"""Choose what to train in a text encoder: all weights, the last k layers, attention only, or LoRA.

Spec strings (CLI `--train`): `all`, `last:K`, `attention`, `lora:R` (rank R adapters on the
attention and MLP linear layers, merged back into the weights when saving).
"""

from __future__ import annotations

import re

from torch import nn

from safetext.errors import SafeTextError

SPEC = re.compile(r"^(all|attention|last:(\d+)|lora:(\d+))$")
ATTENTION_WORDS = ("attn", "attention")


def parse_spec(spec: str) -> tuple[str, int]:
    """`'last:4'` -> ('last', 4); `'all'` -> ('all', 0). Raises on anything else."""
    match = SPEC.match(spec)
    if not match:
        raise SafeTextError(f"unknown trainable-parameter spec {spec!r}; use all, attention, last:K or lora:R.")
    kind = spec.split(":")[0]
    return kind, int(match.group(2) or match.group(3) or 0)


def layer_list(encoder: nn.Module) -> nn.ModuleList:
    """The encoder's stack of transformer layers (the longest ModuleList: CLIP, BERT, T5 alike)."""
    lists = [m for m in encoder.modules() if isinstance(m, nn.ModuleList)]
    if not lists:
        raise SafeTextError(f"{type(encoder).__name__} has no layer stack; use --train all or attention.")
    return max(lists, key=len)


def select_trainable(encoder: nn.Module, spec: str) -> nn.Module:
    """Set `requires_grad` per `spec`; returns the module to train (a peft model for LoRA)."""
    kind, k = parse_spec(spec)
    if kind == "lora":
        return _add_lora(encoder, k)
    encoder.requires_grad_(kind == "all")
    if kind == "attention":
        for name, param in encoder.named_parameters():
            param.requires_grad_(any(word in name for word in ATTENTION_WORDS))
    elif kind == "last":
        layers = layer_list(encoder)
        if not 0 < k <= len(layers):
            raise SafeTextError(f"last:{k} is out of range: the encoder has {len(layers)} layers.")
        for layer in layers[-k:]:
            layer.requires_grad_(True)
    return encoder


def _add_lora(encoder: nn.Module, rank: int) -> nn.Module:
    if rank <= 0:
        raise SafeTextError("lora rank must be positive, e.g. lora:8.")
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=rank, lora_alpha=rank, target_modules="all-linear", lora_dropout=0.0)
    return get_peft_model(encoder, config)


def merged(module: nn.Module) -> nn.Module:
    """The plain encoder to save: LoRA adapters merged into the weights, anything else as is."""
    return module.merge_and_unload() if hasattr(module, "merge_and_unload") else module
