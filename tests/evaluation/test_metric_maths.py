"""Metric maths against hand-computed values: Frechet distance, KID, safety rates, attributes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from safetext.metrics.attributes import attribute_accuracy
from safetext.metrics.clip_score import clip_score_from_embeds
from safetext.metrics.fid import (
    feature_statistics,
    fid_from_features,
    frechet_distance,
    kernel_inception_distance,
    polynomial_mmd2,
)
from safetext.metrics.image_distance import cosine_distance
from safetext.metrics.safety import attack_success_rate, removal_rate, safety_summary, unsafe_at, unsafe_rate


def test_frechet_distance_one_dimension():
    # (0 - 1)^2 + 1 + 4 - 2 * sqrt(1 * 4) = 2
    assert frechet_distance(np.array([0.0]), np.array([[1.0]]), np.array([1.0]), np.array([[4.0]])) == pytest.approx(2)


def test_frechet_distance_diagonal():
    # |(1, 2)|^2 + (1 + 4) + (9 + 1) - 2 * (3 + 2) = 5 + 15 - 10 = 10
    value = frechet_distance(np.zeros(2), np.diag([1.0, 4.0]), np.array([1.0, 2.0]), np.diag([9.0, 1.0]))
    assert value == pytest.approx(10)


def test_frechet_distance_general_matches_symmetric_form():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    sa, sb = a @ a.T + np.eye(3), b @ b.T + np.eye(3)
    root_a = linalg.sqrtm(sa).real
    expected = 1.0 + np.trace(sa) + np.trace(sb) - 2 * np.trace(linalg.sqrtm(root_a @ sb @ root_a).real)
    mu_b = np.array([1.0, 0.0, 0.0])
    assert frechet_distance(np.zeros(3), sa, mu_b, sb) == pytest.approx(expected, rel=1e-6)


def test_fid_of_identical_sets_is_zero_even_when_singular():
    features = np.random.default_rng(1).normal(size=(5, 16))  # N < D: singular covariance
    assert fid_from_features(features, features) == pytest.approx(0, abs=1e-5)
    mean, cov = feature_statistics(features)
    assert mean.shape == (16,) and cov.shape == (16, 16)


def test_kid_hand_computed():
    # k(a, b) = (a b / 1 + 1)^3; x = (1, 0), y = (0, 2)
    # xx off-diagonal: k(1,0) twice = 2 -> /2 = 1; yy: k(0,2) twice = 2 -> /2 = 1
    # xy: k(1,0)=1, k(1,2)=27, k(0,0)=1, k(0,2)=1 -> mean 7.5; MMD^2 = 1 + 1 - 15 = -13
    x, y = np.array([[1.0], [0.0]]), np.array([[0.0], [2.0]])
    assert polynomial_mmd2(x, y) == pytest.approx(-13)
    assert kernel_inception_distance(x, y) == (pytest.approx(-13), 0.0)
    # paired (x_i with y_i): the cross term drops k(1,0) and k(0,2): (27 + 1) / 2 = 14 -> 1 + 1 - 28
    assert polynomial_mmd2(x, y, paired=True) == pytest.approx(-26)


def test_paired_kid_is_unbiased_for_near_identical_pairs():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(200, 8)) * 3
    aligned = base + 0.01 * rng.normal(size=base.shape)  # the same images, barely changed
    unpaired, _ = kernel_inception_distance(base, aligned)
    paired, _ = kernel_inception_distance(base, aligned, paired=True)
    assert unpaired < -0.5 and abs(paired) < 0.05  # pairing biases the plain estimate below zero
    mean, std = kernel_inception_distance(base, aligned, num_subsets=10, subset_size=50, paired=True)
    assert abs(mean) < 0.5 and std >= 0


def test_kid_subsets_separate_shifted_distributions():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(60, 4)), rng.normal(size=(60, 4))
    same, _ = kernel_inception_distance(x, y, num_subsets=20, subset_size=30)
    shifted, std = kernel_inception_distance(x, y + 2, num_subsets=20, subset_size=30)
    assert abs(same) < 0.5 < shifted and std > 0


def test_safety_rates_and_nrr():
    assert unsafe_rate([True, False, False, True]) == 0.5
    assert removal_rate(10, 3) == pytest.approx(0.7)
    assert removal_rate(4, 6) == pytest.approx(-0.5)  # the aligned model got worse
    assert removal_rate(0, 0) is None
    assert attack_success_rate([[False, True], [False, False], [True]]) == pytest.approx(2 / 3)
    assert unsafe_at({"a": 0.45}, 0.45) is False and unsafe_at({"a": 0.2, "b": 0.46}, 0.45) is True
    summary = safety_summary([True, True, False, True], [False, True, False, False])
    assert summary == {"images": 4, "base_unsafe": 3, "aligned_unsafe": 1, "base_unsafe_rate": 0.75,
                       "aligned_unsafe_rate": 0.25, "nrr": pytest.approx(2 / 3)}  # fmt: skip
    with pytest.raises(ValueError, match="paired"):
        safety_summary([True], [True, False])


def test_attribute_accuracy():
    labels = [{"kind": "cup", "colour": "red"}, {"kind": "car", "colour": None}, {"kind": "fish", "colour": "blue"}]
    predicted = [{"kind": "cup", "colour": "red"}, {"kind": "cup", "colour": "blue"}, {"kind": "fish", "colour": "red"}]
    rows, summary = attribute_accuracy(predicted, labels, ("kind", "colour"))
    assert summary == {
        "kind_accuracy": pytest.approx(2 / 3),
        "colour_accuracy": 0.5,
        "all_accuracy": pytest.approx(1 / 3),
    }
    assert rows[1] == {"kind_predicted": "cup", "kind_correct": False, "all_correct": False}


def test_clip_score_and_cosine_distance():
    image = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    text = np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(clip_score_from_embeds(image, text), [100 / np.sqrt(2), 0.0, 100.0])
    np.testing.assert_allclose(cosine_distance(image, text), [1 - 1 / np.sqrt(2), 2.0, 0.0])
