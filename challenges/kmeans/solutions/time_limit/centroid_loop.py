"""Time limit: vectorized over the points, but a Python loop over the centroids, each with a full pass over X."""

from __future__ import annotations

import numpy as np


def _assign(X: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    best = np.full(X.shape[0], np.inf)
    labels = np.zeros(X.shape[0], dtype=np.int64)
    for j in range(C.shape[0]):  # one full pass over X per centroid
        d2 = ((X - C[j]) ** 2).sum(axis=1)
        closer = d2 < best  # strict: ties stay with the lower index
        best[closer] = d2[closer]
        labels[closer] = j
    return labels, best


def _kmeans_pp(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    chosen = [int(rng.integers(n))]
    closest = ((X - X[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = closest.sum()
        i = int(rng.choice(n, p=closest / total)) if total > 0 else int(rng.integers(n))
        chosen.append(i)
        closest = np.minimum(closest, ((X - X[i]) ** 2).sum(axis=1))
    return X[chosen].copy()


def kmeans(X, k, *, init=None, max_iters=100, tol=1e-4, seed=0):  # noqa: ANN001, ANN201
    X = np.asarray(X, dtype=np.float64)
    C = _kmeans_pp(X, k, seed) if init is None else np.array(init, dtype=np.float64)
    n_iters = 0
    for n_iters in range(1, max_iters + 1):
        labels, dist = _assign(X, C)
        new = np.empty_like(C)
        counts = np.bincount(labels, minlength=k)
        for j in range(k):
            new[j] = X[labels == j].mean(axis=0) if counts[j] else C[j]
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            order = np.lexsort((np.arange(X.shape[0]), -dist))
            new[empty] = X[order[: empty.size]]
        shift = float(np.sqrt(((new - C) ** 2).sum(axis=1)).max())
        C = new
        if shift <= tol:
            break
    labels, dist = _assign(X, C)
    return C, labels, float(dist.sum()), n_iters
