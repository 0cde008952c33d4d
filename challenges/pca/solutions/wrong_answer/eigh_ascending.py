# Breaks rule order: takes np.linalg.eigh's eigenvectors in its increasing order, the smallest variance first.
"""Wrong: eigh returns eigenvalues in increasing order; this keeps the first k of them (the least variance)."""

from __future__ import annotations

import numpy as np


def pca(X, n_components):  # noqa: ANN001, ANN201
    n, d = X.shape
    if not (1 <= n_components <= min(n, d)):
        raise ValueError("n_components out of range")
    mean = X.mean(axis=0)
    Xc = X - mean
    cov = Xc.T @ Xc / (n - 1)
    values, vectors = np.linalg.eigh(cov)
    comps = vectors[:, :n_components].T.copy()
    for row in comps:
        j = int(np.argmax(np.abs(row)))
        if row[j] < 0:
            row *= -1.0
    variances = values[:n_components]
    return comps, variances, variances / np.trace(cov), mean


def transform(X, components, mean):  # noqa: ANN001, ANN201
    return (X - mean) @ components.T
