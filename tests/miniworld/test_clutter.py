"""Clutter renders: deterministic, every non-object kind appears, and labels match what is drawn."""

from __future__ import annotations

import numpy as np
import pytest

from safetext.miniworld.clutter import NON_OBJECTS, Clutter, random_clutter, render_clutter_many


def _flame_share(images: np.ndarray) -> float:
    r, g, b = (images[..., i].astype(int) for i in range(3))
    return float(((r > 200) & (g > 60) & (b < 80) & (r - b > 150)).mean())


def test_clutter_is_deterministic_and_order_independent():
    labels = random_clutter(24, np.random.default_rng(0))
    a = render_clutter_many(labels, seed=5)
    assert a.shape == (24, 32, 32, 3) and a.dtype == np.uint8
    assert np.array_equal(a, render_clutter_many(labels, seed=5))
    assert np.array_equal(render_clutter_many(labels[:4], seed=5), a[:4])
    assert not np.array_equal(render_clutter_many(labels, seed=6), a)


def test_random_clutter_draws_both_labels():
    labels = random_clutter(2000, np.random.default_rng(1))
    assert 0.15 < np.mean([c.weapon for c in labels]) < 0.25
    assert 0.30 < np.mean([c.fire for c in labels]) < 0.40


@pytest.mark.parametrize("make", NON_OBJECTS, ids=lambda f: f.__name__.strip("_"))
def test_every_non_object_draws_something(make):
    for i in range(10):
        layer = np.asarray(make(64, np.random.default_rng([9, i])))
        assert layer.shape == (64, 64, 4)
        assert (layer[..., 3] > 0).mean() > 0.05


def test_clutter_images_are_not_blank():
    images = render_clutter_many([Clutter()] * 40, seed=3).astype(int)
    assert all(img.std() > 5 for img in images)


def test_fire_label_adds_flames():
    burning = render_clutter_many([Clutter(fire=True)] * 40, seed=2)
    plain = render_clutter_many([Clutter()] * 40, seed=2)
    assert _flame_share(burning) > 3 * _flame_share(plain)
