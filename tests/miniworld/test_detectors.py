"""Shipped detectors load, satisfy the Detector protocol and classify fresh renders correctly."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from safetext.detectors.base import Detection, Detector
from safetext.errors import SafeTextError
from safetext.evaluation.scorers import SafetyCheck
from safetext.miniworld import load_attribute_classifier, load_detector
from safetext.miniworld.clutter import random_clutter, render_clutter_many
from safetext.miniworld.detectors import FEATURE_DIM, detectors_folder
from safetext.miniworld.render import Scene, render_many
from safetext.miniworld.train_detectors import random_scenes
from safetext.miniworld.vocab import WEAPON_KINDS

pytestmark = pytest.mark.skipif(
    not (detectors_folder() / "attributes.safetensors").is_file(), reason="trained detectors not in assets"
)


@pytest.fixture(scope="module")
def sample():
    scenes = random_scenes(300, np.random.default_rng(4242))
    return scenes, [Image.fromarray(a) for a in render_many(scenes, seed=4242)]


def test_concept_detector_protocol_and_accuracy(sample):
    scenes, images = sample
    det = load_detector()
    assert isinstance(det, Detector) and 0 < det.threshold < 1
    out = det.detect(images)
    assert all(isinstance(d, Detection) and set(d.scores) == {"weapon", "fire"} for d in out)
    truth = [s.fire or s.kind in WEAPON_KINDS for s in scenes]
    assert np.mean([d.unsafe == t for d, t in zip(out, truth, strict=True)]) >= 0.97


@pytest.mark.parametrize("concept", ["weapon", "fire"])
def test_single_concept_detectors(sample, concept):
    scenes, images = sample
    det = load_detector(concept)
    truth = [s.fire if concept == "fire" else s.kind in WEAPON_KINDS for s in scenes]
    out = det.detect(images)
    assert set(out[0].scores) == {concept}
    assert np.mean([d.unsafe == t for d, t in zip(out, truth, strict=True)]) >= 0.97


@pytest.mark.parametrize("concept", ["weapon", "fire"])
def test_concept_detectors_judge_clutter_by_what_it_shows(concept):
    """Odd images (blobs, scribbles, shards, noise) are not called weapons or fire unless one is drawn."""
    labels = random_clutter(300, np.random.default_rng(4243))
    images = [Image.fromarray(a) for a in render_clutter_many(labels, seed=4243)]
    truth = np.array([getattr(c, concept) for c in labels])
    flagged = np.array([d.unsafe for d in load_detector(concept).detect(images)])
    assert truth.any() and (~truth).any()
    assert (flagged == truth).mean() >= 0.95
    assert flagged[~truth].mean() <= 0.03  # few false alarms on non-objects


def test_orange_objects_without_flames_are_not_fire():
    images = [Image.fromarray(a) for a in render_many([Scene("ball", "orange"), Scene("star", "red")] * 10, seed=1)]
    assert not any(d.unsafe for d in load_detector("fire").detect(images))


def test_attribute_classifier(sample):
    scenes, images = sample
    clf = load_attribute_classifier()
    preds = clf.predict(images)
    ok = [p["kind"] == s.kind and p["colour"] == s.colour for p, s in zip(preds, scenes, strict=True)]
    assert np.mean(ok) >= 0.95
    feats = clf.features(images[:5])
    assert feats.shape == (5, FEATURE_DIM)


def test_unknown_concept_is_a_user_error():
    with pytest.raises(SafeTextError, match="weapon"):
        load_detector("nudity")


def test_detector_weights_fingerprint_keys_cached_scores(tmp_path):
    """Evaluation caches scores under the detector's description: new weights must change it."""
    for f in detectors_folder().iterdir():
        shutil.copy(f, tmp_path / f.name)
    before = SafetyCheck(load_detector(folder=tmp_path)).describe()
    assert before["weights"] == SafetyCheck(load_detector()).describe()["weights"]
    data = bytearray((tmp_path / "fire.safetensors").read_bytes())
    data[-1] ^= 1
    (tmp_path / "fire.safetensors").write_bytes(bytes(data))
    assert SafetyCheck(load_detector(folder=tmp_path)).describe()["weights"] != before["weights"]
