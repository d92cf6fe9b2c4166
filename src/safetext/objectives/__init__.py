"""Objectives: pure functions of embedding tensors -> (loss, logs)."""

from safetext.objectives.safetext import safetext_loss

__all__ = ["safetext_loss"]
