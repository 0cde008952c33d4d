"""Reference solution for logistic-regression (trusted side only): NumPy, float64 throughout.

``fit`` is batch gradient descent on the mean log-loss plus ``(l2 / 2) * ||w||²`` (the bias is not
regularised), from zeros, with both gradients taken at the same point; ``predict_proba`` is a sigmoid
that never overflows (``exp`` only ever sees ``-|z|``); ``predict`` thresholds it at 0.5, inclusive.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) elementwise, computed from exp(-|z|) <= 1 so that nothing overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def fit(X: np.ndarray, y: np.ndarray, lr: float = 0.1, n_iters: int = 1000,
        l2: float = 0.0) -> tuple[np.ndarray, float]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for _ in range(n_iters):
        r = sigmoid(X @ w + b) - y  # both gradients from the same (w, b)
        grad_w = X.T @ r / n + l2 * w
        grad_b = r.sum() / n
        w = w - lr * grad_w
        b = b - lr * grad_b
    return w, float(b)


def predict_proba(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return sigmoid(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + float(b))


def predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return (predict_proba(X, w, b) >= 0.5).astype(np.int64)
