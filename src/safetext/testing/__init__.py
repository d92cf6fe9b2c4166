"""Tiny, randomly initialised pipelines built from configs: for tests, smoke checks and benchmarks."""

from safetext.testing.tiny import TINY_KINDS, tiny_clip_tokenizer, tiny_pipeline

__all__ = ["TINY_KINDS", "tiny_clip_tokenizer", "tiny_pipeline"]
