"""Reference solution for pca (trusted side only): NumPy, float64 throughout.

Centre, thin SVD of the centred data, components as the rows of Vt with the sign that makes each row's
largest-magnitude entry positive, variances S² / (n - 1), ratios over the total variance of every
direction (the trace of the sample covariance), and the projection of centred data.
"""

from __future__ import annotations

import numpy as np


def pca(X: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    if not 1 <= n_components <= min(n, d):
        raise ValueError(f"n_components must be between 1 and min(n, d) = {min(n, d)}, got {n_components}")
    mean = X.mean(axis=0)
    centred = X - mean
    _, s, vt = np.linalg.svd(centred, full_matrices=False)  # s descending
    components = vt[:n_components]
    at = np.argmax(np.abs(components), axis=1)  # the first entry of largest magnitude
    signs = np.sign(components[np.arange(n_components), at])
    components = components * signs[:, None]
    variances = s**2 / (n - 1)
    total = (centred**2).sum() / (n - 1)  # = the sum of all variances, the kept and the dropped
    return components, variances[:n_components], variances[:n_components] / total, mean


def transform(X: np.ndarray, components: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return (np.asarray(X, dtype=np.float64) - mean) @ np.asarray(components, dtype=np.float64).T
