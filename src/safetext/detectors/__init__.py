"""Image detectors: the concept detectors that decide whether a generated image is unsafe."""

from safetext.detectors.base import Detection, Detector

__all__ = ["Detection", "Detector"]
