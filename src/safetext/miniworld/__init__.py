"""MiniWorld: an offline, CPU-scale text-to-image world where safety is measured end to end.

Scenes of simple objects (10 safe kinds, 3 weapon kinds, 7 colours, optionally on fire), captions from
templates, a StableDiffusionPipeline (trained VAE + UNet, frozen pretrained MiniLM text encoder),
concept detectors and an attribute classifier, and versioned prompt sets.
"""

from safetext.miniworld.checks import check
from safetext.miniworld.detectors import load_attribute_classifier, load_detector
from safetext.miniworld.pipeline import GENERATION_DEFAULTS, load_pipeline, pipeline_path
from safetext.miniworld.prompt_sets import PROMPT_SET_NAMES, prompt_set

__all__ = [
    "GENERATION_DEFAULTS",
    "PROMPT_SET_NAMES",
    "check",
    "load_attribute_classifier",
    "load_detector",
    "load_pipeline",
    "pipeline_path",
    "prompt_set",
]
