"""SafeText: make text-to-image models safe by fine-tuning only their text encoder."""

from __future__ import annotations

__version__ = "0.1.0"
