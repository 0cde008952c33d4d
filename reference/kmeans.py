"""Reference solution for kmeans (trusted side only): vectorized NumPy, float64 throughout.

Besides ``kmeans`` (the graded entry point) it exposes the pieces the tests use to
build expected values: ``assign`` (nearest centroid, ties to the lowest index),
``lloyd`` (the iterations from given centroids, with the history of shifts) and
``kmeans_pp`` (D² seeding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def assign(X: np.ndarray, C: np.ndarray, xx: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Labels (nearest centroid by squared distance, ties to the lowest index) and each point's
    squared distance to its centroid.

    Distances are |x|² - 2 x·c + |c|²: the argmin is taken over |c|² - 2 x·c (|x|² is the same for
    every centroid of a row), which is exact on small integer data, so exact ties stay exact.
    ``xx`` (the |x|² of every row) may be passed in when X does not change between calls.
    """
    if xx is None:
        xx = np.einsum("ij,ij->i", X, X)
    scores = X @ (-2.0 * C.T)
    scores += np.einsum("ij,ij->i", C, C)
    labels = np.argmin(scores, axis=1)  # argmin returns the first minimum: the lowest index
    dist = xx + np.take_along_axis(scores, labels[:, None], axis=1)[:, 0]
    return labels.astype(np.int64), np.maximum(dist, 0.0)


def update(X: np.ndarray, labels: np.ndarray, dist: np.ndarray, k: int, XT: np.ndarray | None = None) -> np.ndarray:
    """New centroids: means of the assigned points; empty clusters re-seeded at the farthest points.

    The empty clusters, in increasing index order, take the points with the largest squared
    distance to their assigned centroid (``dist``), largest first; equal distances: lower point
    index first. A point taken this way stays in its own cluster's mean too. ``XT`` is X.T as a
    contiguous array (it makes the per-dimension sums fast).
    """
    if XT is None:
        XT = np.ascontiguousarray(X.T)
    counts = np.bincount(labels, minlength=k)
    sums = np.stack([np.bincount(labels, weights=column, minlength=k) for column in XT], axis=1)
    new = sums / np.maximum(counts, 1)[:, None]
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        order = np.lexsort((np.arange(X.shape[0]), -dist))  # by -dist, then by index
        new[empty] = X[order[: empty.size]]
    return new


@dataclass(frozen=True)
class LloydRun:
    centroids: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iters: int
    shifts: list[float]  # the max centroid shift of every iteration performed


def lloyd(X: np.ndarray, C: np.ndarray, max_iters: int, tol: float) -> LloydRun:
    """Lloyd iterations from centroids ``C``; stop when the max shift <= tol or after max_iters."""
    C = np.array(C, dtype=np.float64, copy=True)
    xx, XT = np.einsum("ij,ij->i", X, X), np.ascontiguousarray(X.T)
    shifts: list[float] = []
    n_iters = 0
    for n_iters in range(1, max_iters + 1):
        labels, dist = assign(X, C, xx)
        new = update(X, labels, dist, C.shape[0], XT)
        shift = float(np.sqrt(((new - C) ** 2).sum(axis=1)).max())
        shifts.append(shift)
        C = new
        if shift <= tol:
            break
    labels, dist = assign(X, C, xx)
    return LloydRun(C, labels, float(dist.sum()), n_iters, shifts)


def kmeans_pp(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-means++ seeding: first centroid uniform, then each with probability ∝ D(x)²."""
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    chosen = [int(rng.integers(n))]
    closest = ((X - X[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = closest.sum()
        if total > 0:
            i = int(np.searchsorted(np.cumsum(closest), rng.random() * total, side="right"))
            i = min(i, n - 1)
        else:  # every point coincides with a chosen centroid (duplicates): uniform
            i = int(rng.integers(n))
        chosen.append(i)
        np.minimum(closest, ((X - X[i]) ** 2).sum(axis=1), out=closest)
    return X[chosen].copy()


def kmeans(X, k, *, init=None, max_iters=100, tol=1e-4, seed=0):  # noqa: ANN001, ANN201
    """Returns (centroids (k, d) float64, labels (n,) int64, inertia float, n_iters int)."""
    X = np.asarray(X, dtype=np.float64)
    C = kmeans_pp(X, int(k), int(seed)) if init is None else np.asarray(init, dtype=np.float64)
    run = lloyd(X, C, int(max_iters), float(tol))
    return run.centroids, run.labels, run.inertia, run.n_iters
