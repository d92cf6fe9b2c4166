"""One generic training loop (optimizer step, progress, JSONL log, checkpoint/resume)."""

from safetext.training.checkpoint import load_checkpoint, save_checkpoint
from safetext.training.loop import LoopSettings, batch_indices, train_loop

__all__ = ["LoopSettings", "batch_indices", "load_checkpoint", "save_checkpoint", "train_loop"]
