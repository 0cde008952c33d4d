"""Too slow: the right gradient, accumulated one sample at a time in a Python loop inside every step."""

from __future__ import annotations

import math

import numpy as np


def _sigmoid(z):  # noqa: ANN001, ANN202
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit(X, y, lr=0.1, n_iters=1000, l2=0.0):  # noqa: ANN001, ANN201
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_iters):
        grad_w, grad_b = np.zeros(d), 0.0
        for i in range(n):
            r = _sigmoid(float(X[i] @ w) + b) - float(y[i])
            grad_w += r * X[i]
            grad_b += r
        w = w - lr * (grad_w / n + l2 * w)
        b = b - lr * grad_b / n
    return w, float(b)


def predict_proba(X, w, b):  # noqa: ANN001, ANN201
    return np.array([_sigmoid(float(x @ w) + b) for x in X], dtype=np.float64)


def predict(X, w, b):  # noqa: ANN001, ANN201
    return (predict_proba(X, w, b) >= 0.5).astype(np.int64)
