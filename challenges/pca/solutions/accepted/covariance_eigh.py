"""Accepted: eigendecomposition of the sample covariance (eigh, reversed to decreasing order), the total
variance from the trace, the signs fixed one row at a time."""

from __future__ import annotations

import numpy as np


def pca(X, n_components):  # noqa: ANN001, ANN201
    n, d = X.shape
    if not (1 <= n_components <= min(n, d)):
        raise ValueError("n_components out of range")
    mean = X.sum(axis=0) / n
    Xc = X - mean[None, :]
    cov = np.einsum("ri,rj->ij", Xc, Xc) / (n - 1)
    values, vectors = np.linalg.eigh(cov)  # increasing
    order = np.argsort(values)[::-1][:n_components]
    comps = vectors[:, order].T.copy()
    for row in comps:
        j = int(np.argmax(np.abs(row)))
        if row[j] < 0:
            row *= -1.0
    variances = np.clip(values[order], 0.0, None)  # a rank-deficient direction may come out as -1e-16
    return comps, variances, variances / np.trace(cov), mean


def transform(X, components, mean):  # noqa: ANN001, ANN201
    return np.einsum("ij,kj->ik", X - mean, components)
