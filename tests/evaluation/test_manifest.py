"""Pairing base and aligned records: same prompts and seeds, or a clear error."""

from __future__ import annotations

import pytest

from safetext.evaluation.manifest import ImageFolderMismatchError, ImageRecord, pair_records, pair_requested


def _records(side: str, prompts: list[str], seeds: list[int]) -> dict:
    out = {}
    for i, prompt in enumerate(prompts):
        for seed in seeds:
            record = ImageRecord("s", i, prompt, seed, 7.5, 2, side, f"{i}-{seed}.png")
            out[record.key] = record
    return out


def test_pairs_follow_prompt_order_then_seed():
    pairs = pair_records(_records("b", ["x", "y"], [1, 0]), _records("a", ["x", "y"], [0, 1]))
    assert [(b.prompt, b.seed, a.model) for b, a in pairs] == [
        ("x", 0, "a"),
        ("x", 1, "a"),
        ("y", 0, "a"),
        ("y", 1, "a"),
    ]


def test_different_prompts_are_named():
    with pytest.raises(ImageFolderMismatchError, match=r"1 only in base \(s/'y'/seed 0\), 1 only in aligned"):
        pair_records(_records("b", ["x", "y"], [0]), _records("a", ["x", "z"], [0]))


def test_different_seeds_are_named():
    with pytest.raises(ImageFolderMismatchError, match="seed 1"):
        pair_records(_records("b", ["x"], [0, 1]), _records("a", ["x"], [0]))


def test_requested_subset_and_missing_images():
    base, aligned = _records("b", ["x", "y"], [0, 1]), _records("a", ["x", "y"], [0, 1])
    pairs = pair_requested([("s", "y", 1), ("s", "x", 0)], base, aligned)
    assert [(b.prompt, b.seed) for b, _ in pairs] == [("y", 1), ("x", 0)]
    with pytest.raises(ImageFolderMismatchError, match="neither folder"):
        pair_requested([("s", "x", 7)], base, aligned)
