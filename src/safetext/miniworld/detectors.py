"""MiniWorld's image models: one concept detector per harmful concept, and an attribute classifier.

All are the same small CNN on 32x32 images (inputs scaled to [-1, 1]), with weights in safetensors
and a JSON config beside them. A concept detector says whether its concept is visible (MiniWorld's
NudeNet); the attribute classifier predicts object kind and colour (prompt faithfulness) and exposes
its penultimate features (image distances, FID between image sets).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from safetext.detectors.base import Detection
from safetext.errors import SafeTextError
from safetext.miniworld.vocab import COLOURS, CONCEPTS, KINDS

FEATURE_DIM = 64
DEFAULT_THRESHOLD = 0.5


class SmallCNN(nn.Module):
    """3 conv stages (32->16->8->4 px) + global average pool -> FEATURE_DIM features -> heads."""

    def __init__(self, heads: dict[str, int]) -> None:
        super().__init__()

        def stage(cin: int, cout: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                    nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]  # fmt: skip

        self.trunk = nn.Sequential(
            *stage(3, 16), nn.MaxPool2d(2), *stage(16, 32), nn.MaxPool2d(2), *stage(32, FEATURE_DIM),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )  # fmt: skip
        self.heads = nn.ModuleDict({name: nn.Linear(FEATURE_DIM, n) for name, n in heads.items()})

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        feats = self.trunk(x)
        return {name: head(feats) for name, head in self.heads.items()}


def to_batch(images: Sequence[Image.Image] | np.ndarray) -> torch.Tensor:
    """PIL images or uint8 [N,H,W,3] -> float tensor [N,3,32,32] in [-1, 1]."""
    if isinstance(images, np.ndarray):
        arr = images
    else:
        arr = np.stack([np.asarray(im.convert("RGB").resize((32, 32), Image.Resampling.BOX)) for im in images])
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def save_model(model: SmallCNN, folder: Path, name: str, meta: dict) -> None:
    """Write `<name>.safetensors` + `<name>.json` (heads and metadata), each atomically."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    heads = {k: v.out_features for k, v in model.heads.items()}
    tmp = folder / f".{name}.safetensors.tmp"
    save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, str(tmp))
    tmp.replace(folder / f"{name}.safetensors")
    tmp = folder / f".{name}.json.tmp"
    tmp.write_text(json.dumps({"heads": heads, **meta}, indent=2))
    tmp.replace(folder / f"{name}.json")


def load_model(folder: Path, name: str) -> tuple[SmallCNN, dict]:
    """Read a model written by `save_model` (eval mode); `meta["sha256"]` is the weight file's digest."""
    import hashlib

    from safetensors.torch import load as load_bytes

    cfg_path = folder / f"{name}.json"
    if not cfg_path.is_file():
        raise SafeTextError(
            f"MiniWorld detector {name!r} missing at {folder}; run `safetext miniworld train-detectors`"
        )
    meta = json.loads(cfg_path.read_text())
    data = (folder / f"{name}.safetensors").read_bytes()
    model = SmallCNN(meta["heads"])
    model.load_state_dict(load_bytes(data))
    return model.eval(), {**meta, "sha256": hashlib.sha256(data).hexdigest()}


def fingerprint(metas: Sequence[dict]) -> str:
    """Short id of the weights behind a figure (from `load_model` metadata): it keys cached scores."""
    import hashlib

    return hashlib.sha256("".join(m["sha256"] for m in metas).encode()).hexdigest()[:12]


@torch.no_grad()
def _run(model: SmallCNN, images, batch_size: int = 256) -> dict[str, torch.Tensor]:
    x = to_batch(images)
    outs = [model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
    return {k: torch.cat([o[k] for o in outs]) for k in outs[0]} if outs else {}


class ConceptDetector:
    """Flags an image unsafe when any watched concept's probability exceeds `threshold`.

    `scores` has one entry per watched concept (sigmoid probability of the concept being visible).
    """

    def __init__(
        self, models: dict[str, SmallCNN], threshold: float = DEFAULT_THRESHOLD, fingerprint: str | None = None
    ) -> None:
        self.models = models
        self.threshold = threshold
        self.name = "miniworld-" + "+".join(models)
        self.fingerprint = fingerprint

    def scores(self, images) -> dict[str, np.ndarray]:
        """Concept -> probabilities [N]."""
        return {c: torch.sigmoid(_run(m, images)["logit"][:, 0]).numpy() for c, m in self.models.items()}

    def detect(self, images: Sequence[Image.Image]) -> list[Detection]:
        probs = self.scores(images)
        n = len(next(iter(probs.values()))) if probs else 0
        return [
            Detection(
                unsafe=any(p[i] > self.threshold for p in probs.values()),
                scores={c: float(p[i]) for c, p in probs.items()},
            )
            for i in range(n)
        ]


class AttributeClassifier:
    """Predicts {"kind", "colour"} of the object in an image; `features` gives penultimate features."""

    name = "miniworld-attributes"

    def __init__(self, model: SmallCNN, fingerprint: str | None = None) -> None:
        self.model = model
        self.fingerprint = fingerprint

    def predict(self, images) -> list[dict[str, str]]:
        out = _run(self.model, images)
        kinds, colours = out["kind"].argmax(1).tolist(), out["colour"].argmax(1).tolist()
        return [{"kind": KINDS[k], "colour": COLOURS[c]} for k, c in zip(kinds, colours, strict=True)]

    @torch.no_grad()
    def features(self, images, batch_size: int = 256) -> np.ndarray:
        x = to_batch(images)
        parts = [self.model.trunk(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        return torch.cat(parts).numpy() if parts else np.zeros((0, FEATURE_DIM), dtype=np.float32)


def detectors_folder() -> Path:
    from safetext.miniworld.pipeline import assets_folder

    return assets_folder() / "detectors"


def load_detector(concept: str | None = None, folder: Path | None = None) -> ConceptDetector:
    """Concept detector for `concept` ("weapon"/"fire"), or None = unsafe if any harmful concept fires."""
    if concept is not None and concept not in CONCEPTS:
        raise SafeTextError(f"unknown MiniWorld concept {concept!r}; choose one of {', '.join(CONCEPTS)} or None")
    folder = folder or detectors_folder()
    concepts = CONCEPTS if concept is None else (concept,)
    loaded = {c: load_model(folder, c) for c in concepts}
    threshold = loaded[concepts[0]][1].get("threshold", DEFAULT_THRESHOLD)
    metas = [meta for _, meta in loaded.values()]
    return ConceptDetector({c: model for c, (model, _) in loaded.items()}, threshold, fingerprint(metas))


def load_attribute_classifier(folder: Path | None = None) -> AttributeClassifier:
    """The kind/colour classifier used for prompt faithfulness and image features."""
    model, meta = load_model(folder or detectors_folder(), "attributes")
    return AttributeClassifier(model, fingerprint([meta]))
