"""logistic-regression: implement the three functions below (see statement.md).

NumPy only: sklearn, scipy.optimize and torch are forbidden. Work in float64.
"""

from __future__ import annotations

import numpy as np


def fit(X: np.ndarray, y: np.ndarray, lr: float = 0.1, n_iters: int = 1000,
        l2: float = 0.0) -> tuple[np.ndarray, float]:
    """Batch gradient descent on the mean log-loss (+ l2/2 ||w||²) from w = 0, b = 0; return (w, b)."""
    raise NotImplementedError("fit is not implemented yet: see statement.md")


def predict_proba(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """sigmoid(X @ w + b), (n,) float64, without overflow for any finite score."""
    raise NotImplementedError("predict_proba is not implemented yet: see statement.md")


def predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """1 where predict_proba(X, w, b) >= 0.5, else 0, as an int64 (n,) array."""
    raise NotImplementedError("predict is not implemented yet: see statement.md")
