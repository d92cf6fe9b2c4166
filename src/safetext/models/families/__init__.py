"""Pipeline families: how each diffusers pipeline turns prompts into what its denoiser consumes.

Adding a family (e.g. SD3: CLIP-L + CLIP-G + T5; FLUX: CLIP-L pooled + T5) is one file with an
`EncoderFamily` subclass, registered in FAMILIES below.
"""

from __future__ import annotations

from safetext.models.families.base import EncoderFamily, EncoderSlot
from safetext.models.families.sd import StableDiffusionFamily
from safetext.models.families.sdxl import StableDiffusionXLFamily

FAMILIES: tuple[EncoderFamily, ...] = (StableDiffusionFamily(), StableDiffusionXLFamily())


def family_for(pipeline_class: str) -> EncoderFamily | None:
    """The family that handles `pipeline_class` (from model_index.json), or None."""
    return next((f for f in FAMILIES if pipeline_class in f.pipeline_classes), None)


def supported_pipelines() -> list[str]:
    return [name for family in FAMILIES for name in family.pipeline_classes]


__all__ = ["FAMILIES", "EncoderFamily", "EncoderSlot", "family_for", "supported_pipelines"]
