"""debug-data-pipeline: this data preparation runs, but it is wrong. Find and fix the bugs.

Keep the signature and what it returns; statement.md says exactly what prepare() must do.
"""

from __future__ import annotations

import numpy as np


def one_hot(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """One column per category, in the order of ``categories``; a value not among them is all zeros."""
    return (values[:, None] == categories[None, :]).astype(np.float64)


def prepare(X: np.ndarray, y: np.ndarray, val_fraction: float, seed: int):  # noqa: ANN201
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    n_val = int(val_fraction * n)
    n_train = n - n_val

    # shuffle, then split: the validation rows first
    perm = rng.permutation(n)
    X_shuffled = X[perm]
    y_shuffled = y[rng.permutation(n)]
    X_val, y_val = X_shuffled[:n_val], y_shuffled[:n_val]
    train_rows = rng.choice(n, size=n_train, replace=False)
    X_train, y_train = X[train_rows], y[train_rows]

    # normalise the numeric features
    numeric = X[:, :-1]
    mean = numeric.mean(axis=0)
    std = numeric.std(axis=0)

    # one-hot encode the categorical feature (the last column)
    categories = np.unique(X_val[:, -1])

    def encode(part: np.ndarray) -> np.ndarray:
        return np.hstack([(part[:, :-1] - mean) / std, one_hot(part[:, -1], categories)])

    stats = {"mean": mean, "std": std, "categories": categories}
    return encode(X_train), y_train, encode(X_val), y_val, stats
