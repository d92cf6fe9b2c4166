"""Load pipelines and their text side, and write aligned pipelines."""

from safetext.models.resolve import resolve_model
from safetext.models.text_side import Embeddings, TextSide, load_pipeline, load_text_side

__all__ = ["Embeddings", "TextSide", "load_pipeline", "load_text_side", "resolve_model"]
