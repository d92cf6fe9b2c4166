"""Evaluation: generate images, detect, score and report (`generate()`, `evaluate()`)."""

from safetext.evaluation.config import EvalConfig
from safetext.evaluation.evaluate import evaluate
from safetext.evaluation.generate import GenerationResult, generate
from safetext.evaluation.manifest import ImageFolderMismatchError
from safetext.evaluation.scorers import SafetyCheck, Scorers

__all__ = [
    "EvalConfig",
    "GenerationResult",
    "ImageFolderMismatchError",
    "SafetyCheck",
    "Scorers",
    "evaluate",
    "generate",
]
