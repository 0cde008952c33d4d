"""Correct, but loops over the points in Python: fine on small inputs, far too slow at n = 200,000."""

from __future__ import annotations

import numpy as np


def _nearest(x: np.ndarray, C: np.ndarray) -> tuple[int, float]:
    d2 = ((C - x) ** 2).sum(axis=1)
    j = int(np.argmin(d2))
    return j, float(d2[j])


def _kmeans_pp(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(X)
    chosen = [int(rng.integers(n))]
    for _ in range(1, k):
        C = X[chosen]
        w = np.array([_nearest(x, C)[1] for x in X])
        total = w.sum()
        chosen.append(int(rng.choice(n, p=w / total)) if total > 0 else int(rng.integers(n)))
    return X[chosen].copy()


def kmeans(X, k, *, init=None, max_iters=100, tol=1e-4, seed=0):  # noqa: ANN001, ANN201
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    C = _kmeans_pp(X, k, seed) if init is None else np.array(init, dtype=np.float64)
    n_iters = 0
    for n_iters in range(1, max_iters + 1):
        sums = np.zeros((k, d))
        counts = np.zeros(k, dtype=np.int64)
        dist = np.empty(n)
        for i in range(n):
            j, dist[i] = _nearest(X[i], C)
            sums[j] += X[i]
            counts[j] += 1
        new = sums / np.maximum(counts, 1)[:, None]
        empty = [j for j in range(k) if counts[j] == 0]
        if empty:
            order = sorted(range(n), key=lambda i: (-dist[i], i))
            for e, j in enumerate(empty):
                new[j] = X[order[e]]
        shift = max(float(np.sqrt(((new[j] - C[j]) ** 2).sum())) for j in range(k))
        C = new
        if shift <= tol:
            break
    labels = np.empty(n, dtype=np.int64)
    inertia = 0.0
    for i in range(n):
        labels[i], dist_i = _nearest(X[i], C)
        inertia += dist_i
    return C, labels, inertia, n_iters
