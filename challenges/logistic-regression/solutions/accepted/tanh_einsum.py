"""Accepted: sigmoid(z) = (1 + tanh(z / 2)) / 2 (tanh saturates, never overflows), gradients by einsum,
the bias folded into an augmented weight vector whose last entry the penalty skips."""

from __future__ import annotations

import numpy as np


def _sigmoid(z):  # noqa: ANN001, ANN202
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit(X, y, lr=0.1, n_iters=1000, l2=0.0):  # noqa: ANN001, ANN201
    n, d = X.shape
    A = np.hstack([np.asarray(X, dtype=np.float64), np.ones((n, 1))])
    target = np.asarray(y, dtype=np.float64)
    theta = np.zeros(d + 1)
    mask = np.ones(d + 1)
    mask[-1] = 0.0  # no penalty on the bias
    for _ in range(n_iters):
        r = _sigmoid(np.einsum("ij,j->i", A, theta)) - target
        theta = theta - lr * (np.einsum("ij,i->j", A, r) / n + l2 * mask * theta)
    return theta[:-1].copy(), float(theta[-1])


def predict_proba(X, w, b):  # noqa: ANN001, ANN201
    return _sigmoid(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b)


def predict(X, w, b):  # noqa: ANN001, ANN201
    return np.where(predict_proba(X, w, b) >= 0.5, 1, 0).astype(np.int64)
