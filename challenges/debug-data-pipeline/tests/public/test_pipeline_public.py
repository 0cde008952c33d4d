"""Public tests: the statement's example. Run them with `mlj test debug-data-pipeline`."""

from __future__ import annotations

import numpy as np
import torch

F64 = torch.float64
X = np.array([[1.0, 3.0, 0.0], [2.0, 3.0, 1.0], [4.0, 3.0, 0.0], [8.0, 3.0, 2.0],
              [16.0, 3.0, 1.0], [32.0, 3.0, 0.0], [64.0, 3.0, 1.0], [128.0, 3.0, 0.0]])
Y = np.array([0, 1, 2, 3, 4, 5, 6, 7], dtype=np.int64)
PERM = [2, 4, 3, 6, 5, 0, 1, 7]  # np.random.default_rng(0).permutation(8)


def test_split_and_labels(sub, check):
    X_train, y_train, X_val, y_val, _ = sub.prepare(X, Y, 0.3, 0)
    check(y_val, Y[PERM[:3]], name="y_val (n_val = ceil(0.3 * 8) = 3: the rows perm[:3], labels with their rows)")
    check(y_train, Y[PERM[3:]], name="y_train (the rows perm[3:], in that order)")
    assert X_train.shape[0] == 5 and X_val.shape[0] == 3, (X_train.shape, X_val.shape)


def test_statistics_from_the_training_rows(sub, check):
    X_train, _, X_val, _, stats = sub.prepare(X, Y, 0.3, 0)
    train = X[PERM[3:]]
    check(stats["mean"], np.array([train[:, 0].mean(), 3.0]), dtype=F64, name="stats['mean'] (training rows only)")
    check(stats["std"], np.array([train[:, 0].std(), 1.0]), dtype=F64,
          name="stats['std'] (training rows only; the constant feature gets 1)")
    check(stats["categories"], np.array([0.0, 1.0]), dtype=F64,
          name="stats['categories'] (of the training rows: 2 is only in X_val)")
