"""Prompt sets: readers for txt/csv/jsonl/I2P/COCO files and the built-in MiniWorld sets."""

from safetext.data.promptset import PromptSet
from safetext.data.readers import FORMATS, load_prompt_file
from safetext.data.sources import check_disjoint, load_prompts, subsample

__all__ = ["FORMATS", "PromptSet", "check_disjoint", "load_prompt_file", "load_prompts", "subsample"]
