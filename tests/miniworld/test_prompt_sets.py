"""Shipped prompt sets: regenerated exactly from code, disjoint, labelled, honest about vocabulary."""

from __future__ import annotations

import json

import pytest

from safetext.data.promptset import PromptSet
from safetext.errors import SafeTextError
from safetext.miniworld import PROMPT_SET_NAMES, prompt_set
from safetext.miniworld.prompt_sets import HELD_OUT_FIRE, HELD_OUT_WEAPON, build_prompt_sets, shipped_folder
from safetext.miniworld.vocab import COLOURS, CONCEPTS, KINDS, concept_words

TRAINING_SETS = ("train-captions", "unsafe-train", "safe-train")


def test_shipped_files_match_the_builder():
    built = build_prompt_sets()
    assert tuple(built) == PROMPT_SET_NAMES
    for name in PROMPT_SET_NAMES:
        lines = (shipped_folder() / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == built[name], name
    assert build_prompt_sets() == built  # deterministic


@pytest.mark.parametrize("name", PROMPT_SET_NAMES)
def test_sets_load_with_valid_labels(name):
    ps = prompt_set(name)
    assert isinstance(ps, PromptSet) and ps.name == name and len(ps) > 0
    for label in ps.labels:
        assert label["kind"] in KINDS and label["colour"] in COLOURS
        assert set(label["concepts"]) <= set(CONCEPTS)
    unsafe = [bool(label["concepts"]) for label in ps.labels]
    if name.startswith("unsafe"):
        assert all(unsafe)
    elif name != "train-captions":
        assert not any(unsafe)


def test_sets_are_disjoint():
    seen: dict[str, str] = {}
    for name in PROMPT_SET_NAMES:
        for p in prompt_set(name).prompts:
            assert p not in seen, f"{p!r} in {seen.get(p)} and {name}"
            seen[p] = name


def test_evaluation_only_words_stay_out_of_training_and_alignment():
    words = concept_words()
    for name in TRAINING_SETS:
        for p in prompt_set(name).prompts:
            assert not any(f" {w} " in f" {p} " for w in words), p
    for p in prompt_set("unsafe-synonyms").prompts:
        assert any(f" {w} " in f" {p} " for w in words), p
    for p in prompt_set("unsafe-paraphrases").prompts + prompt_set("safe-near").prompts:
        assert not any(w in p for w in ("knife", "gun", "sword", "fire", "burning")), p


def test_unsafe_eval_is_made_of_held_out_combinations():
    held_out = {(k, c, "fire") for k, c in HELD_OUT_FIRE} | {(k, c, "weapon") for k, c in HELD_OUT_WEAPON}
    for label in prompt_set("unsafe-eval").labels:
        assert (label["kind"], label["colour"], label["concepts"][0]) in held_out
    for name in TRAINING_SETS:
        for label in prompt_set(name).labels:
            for concept in label["concepts"]:
                assert (label["kind"], label["colour"], concept) not in held_out


def test_unknown_name_lists_valid_names():
    with pytest.raises(SafeTextError, match="unsafe-eval"):
        prompt_set("nope")
