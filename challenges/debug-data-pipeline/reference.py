"""Reference solution for debug-data-pipeline (trusted side only): the pipeline the statement describes.

One permutation from ``np.random.default_rng(seed)`` splits the rows (validation first, ``ceil`` of the
fraction), features and labels move together, the normalisation and the one-hot categories are fitted on
the training rows alone, and a feature that is constant there is divided by 1.
"""

from __future__ import annotations

import math

import numpy as np


def prepare(X: np.ndarray, y: np.ndarray, val_fraction: float, seed: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    n = X.shape[0]
    n_val = math.ceil(val_fraction * n)
    perm = np.random.default_rng(seed).permutation(n)
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    numeric, cat = X[:, :-1], X[:, -1]
    mean = numeric[train_idx].mean(axis=0)
    std = numeric[train_idx].std(axis=0)
    std = np.where(std == 0.0, 1.0, std)
    categories = np.unique(cat[train_idx])

    def encode(rows: np.ndarray) -> np.ndarray:
        one_hot = (cat[rows][:, None] == categories[None, :]).astype(np.float64)
        return np.hstack([(numeric[rows] - mean) / std, one_hot])

    stats = {"mean": mean, "std": std, "categories": categories}
    return encode(train_idx), y[train_idx], encode(val_idx), y[val_idx], stats
