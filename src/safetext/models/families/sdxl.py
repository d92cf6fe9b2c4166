"""SDXL: two CLIP encoders; penultimate hidden states concatenated, plus the pooled projection of the second."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from safetext.models.families.base import EncoderFamily, EncoderSlot, Tokens


class StableDiffusionXLFamily(EncoderFamily):
    name = "sdxl"
    pipeline_classes = (
        "StableDiffusionXLPipeline",
        "StableDiffusionXLImg2ImgPipeline",
        "StableDiffusionXLInpaintPipeline",
    )
    slots = (EncoderSlot("text_encoder", "tokenizer"), EncoderSlot("text_encoder_2", "tokenizer_2"))

    def encode(self, encoders: Mapping[str, nn.Module], tokens: Mapping[str, Tokens]) -> dict[str, torch.Tensor]:
        sequences = []
        pooled = None
        for slot in self.slots:
            encoder = encoders[slot.encoder]
            ids = tokens[slot.encoder]["input_ids"].to(next(encoder.parameters()).device)
            output = encoder(ids, output_hidden_states=True)
            if output[0].ndim == 2:  # CLIPTextModelWithProjection: text_embeds
                pooled = output[0]
            sequences.append(output.hidden_states[-2])
        embeds = {"prompt_embeds": torch.cat(sequences, dim=-1)}
        if pooled is not None:
            embeds["pooled_prompt_embeds"] = pooled
        return embeds
