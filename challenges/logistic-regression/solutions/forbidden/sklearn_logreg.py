"""Forbidden: delegates to sklearn's LogisticRegression (FB from the static scan, before anything runs)."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression


def fit(X, y, lr=0.1, n_iters=1000, l2=0.0):  # noqa: ANN001, ANN201
    model = LogisticRegression(C=1.0 / max(l2 * len(y), 1e-12), max_iter=n_iters).fit(X, y)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


def predict_proba(X, w, b):  # noqa: ANN001, ANN201
    return 1.0 / (1.0 + np.exp(-(X @ w + b)))


def predict(X, w, b):  # noqa: ANN001, ANN201
    return (predict_proba(X, w, b) >= 0.5).astype(np.int64)
