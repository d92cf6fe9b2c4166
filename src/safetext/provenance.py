"""Provenance recorded with every output: the versions of Python and the packages behind the numbers."""

from __future__ import annotations

import platform
from importlib import metadata

PACKAGES = ("safetext-t2i", "torch", "diffusers", "transformers", "numpy", "scipy", "nudenet")


def versions() -> dict[str, str]:
    """Versions of Python and the packages that decide the numbers."""
    out = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out
