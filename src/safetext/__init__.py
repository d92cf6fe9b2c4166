"""SafeText: make text-to-image models safe by fine-tuning only their text encoder.

Public API (mirrors the CLI): `align`, `AlignConfig`, `generate`, `evaluate`, `EvalConfig`, `load_prompts`. Heavy modules are imported
on first use, so `import safetext` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "align": "safetext.alignment",
    "AlignConfig": "safetext.config",
    "AlignResult": "safetext.alignment",
    "load_prompts": "safetext.data",
    "PromptSet": "safetext.data",
    "generate": "safetext.evaluation",
    "evaluate": "safetext.evaluation",
    "EvalConfig": "safetext.evaluation",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'safetext' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
