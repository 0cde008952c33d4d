"""Forbidden: lets torch's autograd and SGD do the descent (torch is forbidden: FB)."""

from __future__ import annotations

import numpy as np
import torch


def fit(X, y, lr=0.1, n_iters=1000, l2=0.0):  # noqa: ANN001, ANN201
    Xt, yt = torch.from_numpy(np.asarray(X, dtype=np.float64)), torch.from_numpy(np.asarray(y, dtype=np.float64))
    w = torch.zeros(Xt.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for _ in range(n_iters):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(Xt @ w + b, yt) + 0.5 * l2 * (w * w).sum()
        loss.backward()
        opt.step()
    return w.detach().numpy().copy(), float(b)


def predict_proba(X, w, b):  # noqa: ANN001, ANN201
    return torch.sigmoid(torch.from_numpy(np.asarray(X, dtype=np.float64) @ w + b)).numpy()


def predict(X, w, b):  # noqa: ANN001, ANN201
    return (predict_proba(X, w, b) >= 0.5).astype(np.int64)
