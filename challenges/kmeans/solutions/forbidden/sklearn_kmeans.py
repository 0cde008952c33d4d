"""Forbidden: delegates to sklearn.cluster.KMeans (FB from the static scan, before anything runs)."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans


def kmeans(X, k, *, init=None, max_iters=100, tol=1e-4, seed=0):  # noqa: ANN001, ANN201
    model = KMeans(n_clusters=k, init="k-means++" if init is None else init, n_init=1, max_iter=max_iters,
                   tol=tol, random_state=seed).fit(X)
    return model.cluster_centers_, model.labels_.astype(np.int64), float(model.inertia_), int(model.n_iter_)
