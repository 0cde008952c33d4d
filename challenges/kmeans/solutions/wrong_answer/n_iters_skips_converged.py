"""Wrong (rule n-iters-counts-every-iteration): n_iters leaves out the iteration that found shift <= tol
(it counts only the iterations that moved the centroids by more than tol)."""

from __future__ import annotations

import numpy as np
import torch


def _assign(X: torch.Tensor, xx: torch.Tensor, C: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Nearest centroid (ties: lowest index) and squared distance, from |x|² - 2 x·c + |c|²."""
    scores = torch.addmm((C * C).sum(1), X, C.T, alpha=-2.0)  # |c|² - 2 x·c: |x|² does not change the argmin
    best, labels = torch.min(scores, dim=1)  # the first minimum: ties to the lowest index
    return labels, (best + xx).clamp_min_(0.0)


def _kmeans_pp(X: torch.Tensor, k: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    idx = [int(torch.randint(n, (1,), generator=g))]
    closest = ((X - X[idx[0]]) ** 2).sum(1)
    for _ in range(1, k):
        if float(closest.sum()) > 0:
            i = int(torch.multinomial(closest, 1, generator=g))
        else:
            i = int(torch.randint(n, (1,), generator=g))
        idx.append(i)
        closest = torch.minimum(closest, ((X - X[i]) ** 2).sum(1))
    return X[idx].clone()


def kmeans(X, k, *, init=None, max_iters=100, tol=1e-4, seed=0):  # noqa: ANN001, ANN201
    X = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    n, d = X.shape
    C = _kmeans_pp(X, k, seed) if init is None else torch.as_tensor(np.asarray(init), dtype=torch.float64).clone()
    xx = (X * X).sum(1)
    n_iters = 0
    for n_iters in range(1, max_iters + 1):
        labels, dist = _assign(X, xx, C)
        counts = torch.bincount(labels, minlength=k)
        sums = torch.zeros(k, d, dtype=torch.float64).index_add_(0, labels, X)
        new = sums / counts.clamp_min(1).unsqueeze(1).to(torch.float64)
        empty = torch.nonzero(counts == 0).flatten()
        if len(empty):
            order = torch.sort(dist, descending=True, stable=True).indices  # ties: lower index first
            new[empty] = X[order[: len(empty)]]
        shift = float(((new - C) ** 2).sum(1).sqrt().max())
        C = new
        if shift <= tol:
            n_iters -= 1  # the last iteration moved nothing past tol: not counted
            break
    labels, dist = _assign(X, xx, C)
    return C, labels, dist.sum(), n_iters
