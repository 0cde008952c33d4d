# Breaks rule no-overflow-warning: 1 / (1 + exp(-z)) overflows in exp for z < -709 (the value is still 0).
"""Wrong: the naive 1 / (1 + exp(-z)); the values are right (1 / inf = 0) but NumPy warns of an overflow."""

from __future__ import annotations

import numpy as np


def _sigmoid(z):  # noqa: ANN001, ANN202
    return 1.0 / (1.0 + np.exp(-z))


def fit(X, y, lr=0.1, n_iters=1000, l2=0.0):  # noqa: ANN001, ANN201
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_iters):
        r = _sigmoid(X @ w + b) - y
        grad_w = X.T @ r / n + l2 * w
        grad_b = r.mean()
        w = w - lr * grad_w
        b = b - lr * grad_b
    return w, float(b)


def predict_proba(X, w, b):  # noqa: ANN001, ANN201
    return _sigmoid(np.asarray(X, dtype=np.float64) @ w + b)


def predict(X, w, b):  # noqa: ANN001, ANN201
    return (predict_proba(X, w, b) >= 0.5).astype(np.int64)
