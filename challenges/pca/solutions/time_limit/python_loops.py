"""Too slow: the sample covariance with Python loops over the features and the samples, then eigh."""

from __future__ import annotations

import numpy as np


def pca(X, n_components):  # noqa: ANN001, ANN201
    n, d = X.shape
    if not (1 <= n_components <= min(n, d)):
        raise ValueError("n_components out of range")
    rows = X.tolist()
    mean = [sum(r[j] for r in rows) / n for j in range(d)]
    cov = np.zeros((d, d))
    for i in range(d):
        for j in range(i, d):
            s = sum((r[i] - mean[i]) * (r[j] - mean[j]) for r in rows)
            cov[i, j] = cov[j, i] = s / (n - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:n_components]
    comps = vectors[:, order].T.copy()
    for row in comps:
        if row[int(np.argmax(np.abs(row)))] < 0:
            row *= -1.0
    return comps, values[order], values[order] / np.trace(cov), np.array(mean)


def transform(X, components, mean):  # noqa: ANN001, ANN201
    return (X - mean) @ components.T
