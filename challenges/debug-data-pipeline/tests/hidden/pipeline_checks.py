"""Shared helpers of the debug-data-pipeline hidden tests (trusted side).

Every returned row is traced back to the row of X it came from, here: the numeric block is mapped back
through the returned statistics (x * std + mean) and matched against X, whose first column is unique.
So each group can judge its own rule on the rows the submission actually put in each split, whatever
another bug did to the split: leakage is seen by row identity, label alignment by comparing each row's
label with its own, the statistics and categories against those of the rows returned as training rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import torch

F64 = torch.float64


def fail(message: str) -> NoReturn:
    raise AssertionError(message)


def permutation(n: int, seed: int) -> np.ndarray:
    """The statement's split order: np.random.default_rng(seed).permutation(n)."""
    return np.random.default_rng(seed).permutation(n)


def n_val_of(n: int, val_fraction: float) -> int:
    return math.ceil(val_fraction * n)


def data(rng: torch.Generator, n: int, val_fraction: float, seed: int, *, constant: str | None = None,
         ) -> tuple[np.ndarray, np.ndarray]:
    """X (n, 4): three numeric features (the first unique per row) and a category code in the last column;
    y (n,) int64 in 0..3.

    The categories are 0, 1, 2, plus 5 on one training row only and 7 on one validation row only (both away
    from the split boundary, so a validation size off by one moves neither). ``constant``: "all" makes
    feature 2 equal to 3.0 on every row, "train" on the training rows (and on the last validation row, which
    a split one row smaller would move into training) with other values on the validation rows.
    """
    perm = permutation(n, seed)
    n_val = n_val_of(n, val_fraction)
    ids = torch.randperm(n, generator=rng).double().numpy()
    X = np.empty((n, 4))
    X[:, 0] = (ids + 0.2 + 0.6 * torch.rand(n, generator=rng, dtype=F64).numpy()) * 1.7 - 20.0
    X[:, 1] = 3.0 * torch.randn(n, generator=rng, dtype=F64).numpy() + 5.0
    X[:, 2] = 0.5 * torch.randn(n, generator=rng, dtype=F64).numpy() - 2.0
    if constant == "all":
        X[:, 2] = 3.0  # a dyadic value: its mean is exact, so its std is exactly 0
    elif constant == "train":
        X[perm[n_val - 1:], 2] = 3.0
    cat = torch.randint(0, 3, (n,), generator=rng).double().numpy()
    cat[perm[n_val + 2]] = 5.0
    cat[perm[0]] = 7.0
    X[:, 3] = cat
    while True:  # labels that a second permutation would visibly misalign
        y = torch.randint(0, 4, (n,), generator=rng).numpy().astype(np.int64)
        generator = np.random.default_rng(seed)
        generator.permutation(n)
        other = generator.permutation(n)  # the second draw of the same generator
        if (y[other] != y[perm]).any():
            return X, y


@dataclass
class Prepared:
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    stats: dict[str, np.ndarray]
    train_ids: np.ndarray  # the row of X each returned training row came from
    val_ids: np.ndarray


def identify(X: np.ndarray, block: np.ndarray, mean: np.ndarray, std: np.ndarray, what: str) -> np.ndarray:
    """For each row of ``block`` (the numeric columns of a returned split), the index of the row of X it is."""
    back = block * std + mean
    usable = np.isfinite(back).all(axis=0)
    if not usable[0]:
        fail(f"{what}: the first feature of the returned rows is not finite once mapped back through "
             f"stats['mean'] and stats['std'] (x * std + mean), so the rows cannot be traced to X")
    numeric = X[:, :-1]
    ids = np.empty(len(block), dtype=np.int64)
    for r, row in enumerate(back):
        gap = np.abs(numeric[:, usable] - row[usable]).max(axis=1)
        j = int(np.argmin(gap))
        if gap[j] > 1e-6 * (1.0 + np.abs(row[usable]).max()):
            fail(f"{what}: row {r} is not a row of X normalised with the returned stats "
                 f"((x - stats['mean']) / stats['std'] for the numeric features, then the one-hot columns)")
        ids[r] = j
    return ids


def run(sub: Any, X: np.ndarray, y: np.ndarray, val_fraction: float, seed: int) -> Prepared:
    """Call prepare in the worker and trace every returned row back to X."""
    X_train, y_train, X_val, y_val, stats = sub.prepare(X, y, val_fraction, seed)
    d = X.shape[1] - 1
    for name, value in (("mean", stats["mean"]), ("std", stats["std"])):
        if value.shape != (d,):
            fail(f"stats[{name!r}] has shape {value.shape}; there are {d} numeric features")
    width = d + len(stats["categories"])
    for name, part, labels in (("X_train", X_train, y_train), ("X_val", X_val, y_val)):
        if part.shape[1] != width:
            fail(f"{name} has {part.shape[1]} columns: expected the {d} numeric features and one column per "
                 f"category of stats['categories'] ({len(stats['categories'])})")
        if len(labels) != len(part):
            fail(f"{name} has {len(part)} rows but its labels {len(labels)}")
    train_ids = identify(X, X_train[:, :d], stats["mean"], stats["std"], "X_train")
    val_ids = identify(X, X_val[:, :d], stats["mean"], stats["std"], "X_val")
    return Prepared(X_train, y_train, X_val, y_val, stats, train_ids, val_ids)


def expected_stats(X: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mean, std (0 -> 1) and categories of the given rows, as the statement defines them."""
    numeric = X[rows, :-1]
    std = numeric.std(axis=0)
    return numeric.mean(axis=0), np.where(std == 0.0, 1.0, std), np.unique(X[rows, -1])
