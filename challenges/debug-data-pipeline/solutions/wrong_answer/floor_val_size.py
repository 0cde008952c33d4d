# Breaks rule val-size: n_val = int(val_fraction * n) rounds down; the statement says ceil.
"""Wrong: every bug fixed but the size of the validation split (rounded down)."""

from __future__ import annotations

import math

import numpy as np


def one_hot(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    return (values[:, None] == categories[None, :]).astype(np.float64)


def prepare(X, y, val_fraction, seed):  # noqa: ANN001, ANN201
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    n_val = int(val_fraction * n)

    perm = rng.permutation(n)
    X_shuffled = X[perm]
    y_shuffled = y[perm]
    X_val, y_val = X_shuffled[:n_val], y_shuffled[:n_val]
    X_train, y_train = X_shuffled[n_val:], y_shuffled[n_val:]

    numeric = X_train[:, :-1]
    mean = numeric.mean(axis=0)
    std = numeric.std(axis=0)
    std[std == 0] = 1.0

    categories = np.unique(X_train[:, -1])

    def encode(part):  # noqa: ANN001, ANN202
        return np.hstack([(part[:, :-1] - mean) / std, one_hot(part[:, -1], categories)])

    stats = {"mean": mean, "std": std, "categories": categories}
    return encode(X_train), y_train, encode(X_val), y_val, stats
