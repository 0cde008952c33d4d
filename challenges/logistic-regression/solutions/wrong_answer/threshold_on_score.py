# Breaks rule threshold: predict thresholds the score (z >= 0), not the probability: a tiny negative
# score whose probability rounds to exactly 0.5 is labelled 0.
"""Wrong: predict compares X @ w + b with 0 instead of predict_proba with 0.5."""

from __future__ import annotations

import numpy as np


def _sigmoid(z):  # noqa: ANN001, ANN202
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


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
    return (np.asarray(X, dtype=np.float64) @ w + b >= 0).astype(np.int64)
