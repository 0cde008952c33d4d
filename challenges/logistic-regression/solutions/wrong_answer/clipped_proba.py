# Breaks rule exact-limits: predict_proba clips p to [1e-15, 1 - 1e-15] (a log-loss habit), so z = +-1000 is not 0/1.
"""Wrong: the probabilities are clipped away from 0 and 1, where the true values round to exactly 0.0 and 1.0."""

from __future__ import annotations

import numpy as np

EPS = 1e-15


def _sigmoid(z):  # noqa: ANN001, ANN202
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def fit(X, y, lr=0.1, n_iters=1000, l2=0.0):  # noqa: ANN001, ANN201
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_iters):
        r = _sigmoid(X @ w + b) - y
        w, b = w - lr * (X.T @ r / n + l2 * w), b - lr * r.mean()
    return w, float(b)


def predict_proba(X, w, b):  # noqa: ANN001, ANN201
    return np.clip(_sigmoid(np.asarray(X, dtype=np.float64) @ w + b), EPS, 1.0 - EPS)


def predict(X, w, b):  # noqa: ANN001, ANN201
    return (predict_proba(X, w, b) >= 0.5).astype(np.int64)
