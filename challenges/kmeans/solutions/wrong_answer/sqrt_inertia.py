"""Wrong: inertia sums the distances, not the squared distances."""

from __future__ import annotations

import numpy as np


def _assign(X: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = X @ (-2.0 * C.T)
    scores += (C * C).sum(1)
    labels = scores.argmin(axis=1)
    dist = np.einsum("ij,ij->i", X, X) + np.take_along_axis(scores, labels[:, None], axis=1)[:, 0]
    return labels, np.maximum(dist, 0.0)


def _kmeans_pp(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    idx = [int(rng.integers(len(X)))]
    closest = ((X - X[idx[0]]) ** 2).sum(1)
    for _ in range(1, k):
        total = closest.sum()
        i = int(rng.choice(len(X), p=closest / total)) if total > 0 else int(rng.integers(len(X)))
        idx.append(i)
        closest = np.minimum(closest, ((X - X[i]) ** 2).sum(1))
    return X[idx].copy()


def kmeans(X, k, *, init=None, max_iters=100, tol=1e-4, seed=0):  # noqa: ANN001, ANN201
    X = np.asarray(X, dtype=np.float64)
    C = _kmeans_pp(X, k, seed) if init is None else np.array(init, dtype=np.float64)
    XT = np.ascontiguousarray(X.T)
    n_iters = 0
    for n_iters in range(1, max_iters + 1):
        labels, dist = _assign(X, C)
        counts = np.bincount(labels, minlength=k)
        new = np.stack([np.bincount(labels, weights=col, minlength=k) for col in XT], axis=1)
        new /= np.maximum(counts, 1)[:, None]
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            new[empty] = X[np.lexsort((np.arange(len(X)), -dist))[: empty.size]]
        shift = np.sqrt(((new - C) ** 2).sum(1)).max()
        C = new
        if shift <= tol:
            break
    labels, dist = _assign(X, C)
    return C, labels, float(np.sqrt(dist).sum()), n_iters  # BUG: should be dist.sum()
