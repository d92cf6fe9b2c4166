"""A CLIP model (transformers `CLIPModel`) with its preprocessing, loaded from a path or hub id.

Preprocessing follows CLIP: resize the short side to the model's image size (bicubic), centre
crop, normalise with the model's mean/std (OpenAI CLIP values unless the folder's
`preprocessor_config.json` says otherwise).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image

from safetext.errors import ModelLoadError
from safetext.metrics._images import batches, to_tensor

logger = logging.getLogger(__name__)

OPENAI_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def _pooled(output: object) -> torch.Tensor:
    # transformers 4.x returns the projected tensor, 5.x an output whose pooler_output is it.
    return output if isinstance(output, torch.Tensor) else output.pooler_output  # type: ignore[attr-defined]


@dataclass
class Clip:
    """A CLIP model and tokenizer; `name` records which weights were used."""

    model: torch.nn.Module
    tokenizer: object
    name: str
    mean: tuple[float, float, float] = OPENAI_CLIP_MEAN
    std: tuple[float, float, float] = OPENAI_CLIP_STD
    batch_size: int = 32

    @property
    def image_size(self) -> int:
        return int(self.model.config.vision_config.image_size)

    def preprocess(self, images: Sequence[Image.Image]) -> torch.Tensor:
        size = self.image_size
        prepared = []
        for image in images:
            image = image.convert("RGB")
            scale = size / min(image.size)
            w, h = max(size, round(image.width * scale)), max(size, round(image.height * scale))
            image = image.resize((w, h), Image.Resampling.BICUBIC)
            left, top = (w - size) // 2, (h - size) // 2
            prepared.append(image.crop((left, top, left + size, top + size)))
        pixels = to_tensor(prepared)
        mean, std = torch.tensor(self.mean).view(1, 3, 1, 1), torch.tensor(self.std).view(1, 3, 1, 1)
        return (pixels - mean) / std

    @torch.no_grad()
    def image_embeds(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """L2-normalised projected image embeddings [N, P]."""
        out = [
            _pooled(self.model.get_image_features(pixel_values=self.preprocess(b)))
            for b in batches(images, self.batch_size)
        ]
        return torch.nn.functional.normalize(torch.cat(out).float(), dim=-1)

    @torch.no_grad()
    def text_embeds(self, prompts: Sequence[str]) -> torch.Tensor:
        """L2-normalised projected text embeddings [N, P] (prompts truncated to the model's length)."""
        max_length = int(self.model.config.text_config.max_position_embeddings)
        out = []
        for batch in batches(list(prompts), self.batch_size):
            tokens = self.tokenizer(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            out.append(_pooled(self.model.get_text_features(**tokens)))
        return torch.nn.functional.normalize(torch.cat(out).float(), dim=-1)


def load_clip(path_or_id: str | Path) -> Clip:
    """Load `CLIPModel` + tokenizer from a local folder or a hub id (offline: local cache only)."""
    from transformers import AutoTokenizer, CLIPModel

    try:
        model = CLIPModel.from_pretrained(str(path_or_id)).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(path_or_id))
    except (OSError, ValueError) as err:
        raise ModelLoadError(
            f"cannot load a CLIP model from {str(path_or_id)!r}: {err}. Pass a local CLIPModel folder "
            "(config.json, weights, tokenizer files) or a reachable hub id."
        ) from err
    mean, std = OPENAI_CLIP_MEAN, OPENAI_CLIP_STD
    processor_config = Path(path_or_id) / "preprocessor_config.json"
    if processor_config.is_file():
        config = json.loads(processor_config.read_text())
        mean, std = tuple(config.get("image_mean", mean)), tuple(config.get("image_std", std))
    logger.info("loaded CLIP model %s", path_or_id)
    return Clip(model=model, tokenizer=tokenizer, name=str(path_or_id), mean=mean, std=std)
