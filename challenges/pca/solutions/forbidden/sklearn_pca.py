"""Forbidden: delegates to sklearn.decomposition.PCA (FB from the static scan, before anything runs)."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA


def pca(X, n_components):  # noqa: ANN001, ANN201
    model = PCA(n_components=n_components, svd_solver="full").fit(X)
    comps = model.components_
    comps = comps * np.sign(comps[np.arange(len(comps)), np.argmax(np.abs(comps), axis=1)])[:, None]
    return comps, model.explained_variance_, model.explained_variance_ratio_, model.mean_


def transform(X, components, mean):  # noqa: ANN001, ANN201
    return (X - mean) @ components.T
