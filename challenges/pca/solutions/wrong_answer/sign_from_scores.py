# Breaks rule sign: fixes the sign from the scores U (the largest |U| entry of each column positive), not from the component.
"""Wrong: the U-based convention (as in sklearn's svd_flip): the sign makes each column of U's largest entry positive."""

from __future__ import annotations

import numpy as np


def pca(X, n_components):  # noqa: ANN001, ANN201
    n, d = X.shape
    if n_components < 1 or n_components > min(n, d):
        raise ValueError(f"n_components must be in [1, {min(n, d)}], got {n_components}")
    mean = X.mean(axis=0)
    Xc = X - mean
    u, s, vt = np.linalg.svd(Xc, full_matrices=False)
    comps = vt[:n_components].copy()
    idx = np.argmax(np.abs(u[:, :n_components]), axis=0)
    comps *= np.sign(u[idx, np.arange(n_components)])[:, None]
    var = s**2 / (n - 1)
    total = Xc.var(axis=0, ddof=1).sum()
    return comps, var[:n_components], var[:n_components] / total, mean


def transform(X, components, mean):  # noqa: ANN001, ANN201
    return (X - mean) @ components.T
