"""Distribution distances between two sets of image features (pure numpy/scipy).

- Frechet distance (FID when the features are Inception pool features):
  ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), with Gaussian fits (mu, S) of each set.
  Biased upward for small sets: compare figures only at equal sample counts and feature spaces.
- KID: unbiased MMD^2 with the polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random
  subsets (Binkowski et al. 2018); 0 means same distribution, unbiased at any sample count. For
  paired sets (base vs aligned images of the same prompt and seed) the paired cross terms are left
  out (U-statistic), as the pairs are not independent samples.
The feature space is the caller's choice and must be reported beside every figure.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance of `features` [N, D] (N >= 2)."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"need features of shape [N >= 2, D], got {x.shape}")
    return x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))


def frechet_distance(
    mu_a: np.ndarray, sigma_a: np.ndarray, mu_b: np.ndarray, sigma_b: np.ndarray, eps: float = 1e-6
) -> float:
    """Frechet distance between Gaussians N(mu_a, sigma_a) and N(mu_b, sigma_b)."""
    mu_a, mu_b = np.atleast_1d(mu_a).astype(np.float64), np.atleast_1d(mu_b).astype(np.float64)
    sigma_a, sigma_b = np.atleast_2d(sigma_a).astype(np.float64), np.atleast_2d(sigma_b).astype(np.float64)
    if mu_a.shape != mu_b.shape or sigma_a.shape != sigma_b.shape:
        raise ValueError("the two distributions must have the same dimension")
    diff = mu_a - mu_b
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)  # singular when N <= D: handled below
        covmean = linalg.sqrtm(sigma_a @ sigma_b)
        if not np.isfinite(covmean).all():
            # Regularise as pytorch-fid / clean-fid do.
            offset = np.eye(sigma_a.shape[0]) * eps
            covmean = linalg.sqrtm((sigma_a + offset) @ (sigma_b + offset))
    covmean = np.real(covmean)
    value = diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * np.trace(covmean)
    return float(max(value, 0.0))


def fid_from_features(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Frechet distance between Gaussian fits of two feature sets."""
    return frechet_distance(*feature_statistics(features_a), *feature_statistics(features_b))


def polynomial_mmd2(features_a: np.ndarray, features_b: np.ndarray, paired: bool = False) -> float:
    """Unbiased MMD^2 with the cubic polynomial kernel (x.y / d + 1)^3.

    `paired=True` (row i of a and of b come from the same prompt and seed) also leaves the pairs
    (a_i, b_i) out of the cross term (the U-statistic of Gretton et al. 2012): paired samples are
    not independent, and keeping them biases the estimate downward, below zero.
    """
    x, y = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    m, n, d = x.shape[0], y.shape[0], x.shape[1]
    if m < 2 or n < 2:
        raise ValueError("KID needs at least 2 samples per set")
    if paired and m != n:
        raise ValueError(f"paired KID needs sets of equal size, got {m} and {n}")
    k_xx, k_yy, k_xy = ((a @ b.T / d + 1.0) ** 3 for a, b in ((x, x), (y, y), (x, y)))
    term_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    term_yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    cross = (k_xy.sum() - np.trace(k_xy)) / (m * (m - 1)) if paired else k_xy.mean()
    return float(term_xx + term_yy - 2.0 * cross)


def kernel_inception_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
    paired: bool = False,
) -> tuple[float, float]:
    """KID: mean and std of `polynomial_mmd2` over `num_subsets` random subsets (without replacement).

    `subset_size` is capped at the smaller set's size; with that cap reached every subset is the
    whole set, so a single evaluation is returned with std 0. Paired sets keep their pairing in
    every subset.
    """
    x, y = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    size = min(subset_size, x.shape[0], y.shape[0])
    if size == x.shape[0] == y.shape[0]:
        return polynomial_mmd2(x, y, paired), 0.0
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(num_subsets):
        rows_x = rng.choice(x.shape[0], size, replace=False)
        rows_y = rows_x if paired else rng.choice(y.shape[0], size, replace=False)
        values.append(polynomial_mmd2(x[rows_x], y[rows_y], paired))
    return float(np.mean(values)), float(np.std(values))
