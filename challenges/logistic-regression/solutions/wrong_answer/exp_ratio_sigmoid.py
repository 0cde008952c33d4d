# Breaks rule stable-sigmoid: sigmoid(z) = exp(z) / (1 + exp(z)) is inf / inf = NaN for z > 709.
"""Wrong: the textbook exp(z) / (1 + exp(z)) for every z."""

from __future__ import annotations

import numpy as np


def _sigmoid(z):  # noqa: ANN001, ANN202
    ez = np.exp(z)
    return ez / (1.0 + ez)


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
