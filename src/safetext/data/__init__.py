"""Prompt sets: readers for txt/csv/jsonl/I2P/COCO files and the built-in MiniWorld sets."""

from safetext.data.promptset import PromptSet

__all__ = ["PromptSet"]
