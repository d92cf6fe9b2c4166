"""Attribute accuracy (prompt faithfulness in MiniWorld).

For each attribute (e.g. kind, colour) the accuracy is the share of images whose predicted value
equals the prompt's label, over images whose prompt names that attribute (label not None);
`all` is the share of images with every named attribute right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PIL import Image


def attribute_accuracy(
    predictions: Sequence[Mapping[str, Any]], labels: Sequence[Mapping[str, Any]], attributes: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
    """Per-image correctness and per-attribute accuracy (None when no prompt names the attribute)."""
    if len(predictions) != len(labels):
        raise ValueError(f"{len(predictions)} predictions for {len(labels)} labels")
    per_image = []
    for predicted, label in zip(predictions, labels, strict=True):
        row: dict[str, Any] = {}
        for name in attributes:
            if label.get(name) is not None:
                row[f"{name}_predicted"] = predicted.get(name)
                row[f"{name}_correct"] = predicted.get(name) == label[name]
        checks = [v for k, v in row.items() if k.endswith("_correct")]
        row["all_correct"] = all(checks) if checks else None
        per_image.append(row)
    summary: dict[str, float | None] = {}
    for name in [*attributes, "all"]:
        values = [row[f"{name}_correct"] for row in per_image if row.get(f"{name}_correct") is not None]
        summary[f"{name}_accuracy"] = sum(values) / len(values) if values else None
    return per_image, summary


class AttributeAccuracy:
    """Faithfulness scorer from a classifier with `predict(images) -> [{attribute: value}]`."""

    name = "attribute_accuracy"

    def __init__(self, classifier: Any, attributes: Sequence[str] = ("kind", "colour"), source: str = "") -> None:
        self.classifier, self.attributes = classifier, tuple(attributes)
        self.description = f"attribute accuracy ({', '.join(self.attributes)}) by {source or 'a classifier'}"

    def __call__(
        self,
        images: Sequence[Image.Image],
        prompts: Sequence[str],
        labels: Sequence[Mapping[str, Any]] | None,
    ) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
        if labels is None:
            raise ValueError("attribute accuracy needs prompt labels (kind/colour) for every prompt")
        return attribute_accuracy(self.classifier.predict(list(images)), labels, self.attributes)
