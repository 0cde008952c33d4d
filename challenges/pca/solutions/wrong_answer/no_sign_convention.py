# Breaks rule sign: keeps whatever signs the SVD gives.
"""Wrong: no sign convention; the components are the raw rows of Vt."""

from __future__ import annotations

import numpy as np


def pca(X, n_components):  # noqa: ANN001, ANN201
    n, d = X.shape
    if n_components < 1 or n_components > min(n, d):
        raise ValueError(f"n_components must be in [1, {min(n, d)}], got {n_components}")
    mean = X.mean(axis=0)
    Xc = X - mean
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    comps = vt[:n_components].copy()
    var = s**2 / (n - 1)
    total = Xc.var(axis=0, ddof=1).sum()
    return comps, var[:n_components], var[:n_components] / total, mean


def transform(X, components, mean):  # noqa: ANN001, ANN201
    return (X - mean) @ components.T
