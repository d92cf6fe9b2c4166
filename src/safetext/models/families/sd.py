"""Stable Diffusion 1.x / 2.x: one text encoder; the UNet cross-attends to its last hidden state."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from safetext.models.families.base import EncoderFamily, EncoderSlot, Tokens


def uses_attention_mask(encoder: nn.Module) -> bool:
    """diffusers passes the attention mask only to encoders whose config sets `use_attention_mask`."""
    return bool(getattr(encoder.config, "use_attention_mask", False))


class StableDiffusionFamily(EncoderFamily):
    name = "sd"
    pipeline_classes = (
        "StableDiffusionPipeline",
        "StableDiffusionImg2ImgPipeline",
        "StableDiffusionInpaintPipeline",
    )
    slots = (EncoderSlot("text_encoder", "tokenizer"),)

    def encode(self, encoders: Mapping[str, nn.Module], tokens: Mapping[str, Tokens]) -> dict[str, torch.Tensor]:
        encoder, batch = encoders["text_encoder"], tokens["text_encoder"]
        device = next(encoder.parameters()).device
        mask = batch["attention_mask"].to(device) if uses_attention_mask(encoder) else None
        return {"prompt_embeds": encoder(batch["input_ids"].to(device), attention_mask=mask)[0]}
