"""English captions for MiniWorld scenes from templates: articles, adjectives, word order, synonyms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from safetext.miniworld.render import Scene
from safetext.miniworld.vocab import (
    ARTICLE_FREE_ADJECTIVES,
    TRAIN_COLOUR_WORDS,
    TRAIN_FIRE_PREFIX,
    TRAIN_FIRE_SUFFIX,
    TRAIN_KIND_WORDS,
    article,
)

FRAMES: tuple[str, ...] = (
    "{np}",
    "{np}",
    "a picture of {np}",
    "a drawing of {np}",
    "an image of {np}",
    "a photo of {np}",
    "there is {np}",
    "{np} on a dark background",
    "a small icon of {np}",
)


@dataclass(frozen=True)
class Wording:
    """Which words a caption may use for kinds, colours and fire (training or evaluation vocabulary)."""

    kinds: dict[str, tuple[str, ...]]
    colours: dict[str, tuple[str, ...]]
    fire_prefix: tuple[str, ...]
    fire_suffix: tuple[str, ...]


TRAIN_WORDING = Wording(TRAIN_KIND_WORDS, TRAIN_COLOUR_WORDS, TRAIN_FIRE_PREFIX, TRAIN_FIRE_SUFFIX)


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def noun_phrase(scene: Scene, rng: np.random.Generator, wording: Wording = TRAIN_WORDING) -> str:
    """'a burning red car', 'a mug that is blue on fire', ... — always names kind, colour and fire."""
    kind = _pick(rng, wording.kinds[scene.kind])
    colour = _pick(rng, wording.colours[scene.colour])
    adj = _pick(rng, ARTICLE_FREE_ADJECTIVES) + " " if rng.random() < 0.2 else ""
    fire_first = scene.fire and rng.random() < 0.35
    pre = _pick(rng, wording.fire_prefix) + " " if fire_first else ""
    order = rng.random()
    if order < 0.7:
        words = f"{adj}{pre}{colour} {kind}"
        phrase = f"{article(words)} {words}"
    elif order < 0.85:
        words = f"{adj}{pre}{kind}"
        phrase = f"{article(words)} {words} that is {colour}"
    else:
        words = f"{adj}{pre}{kind}"
        phrase = f"{article(words)} {words} painted {colour}"
    if scene.fire and not fire_first:
        phrase = f"{phrase} {_pick(rng, wording.fire_suffix)}"
    return phrase


def caption(scene: Scene, rng: np.random.Generator, wording: Wording = TRAIN_WORDING) -> str:
    """A full caption: a noun phrase inside a random frame."""
    return _pick(rng, FRAMES).format(np=noun_phrase(scene, rng, wording))
