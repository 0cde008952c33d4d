"""Time limit: "refines" a finite-difference step until two estimates agree exactly, which never happens."""

import numpy as np


def _loss(x, y, params):
    h = np.maximum(x @ params["W1"] + params["b1"], 0.0)
    z = h @ params["W2"] + params["b2"]
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(y)), y]))


def forward_backward(x, y, params):
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            eps, previous = 1e-3, None
            while True:
                bumped = {k: v.copy() for k, v in params.items()}
                bumped[key][idx] += eps
                estimate = (_loss(x, y, bumped) - _loss(x, y, params)) / eps
                if previous is not None and estimate == previous and eps < 0:
                    break
                previous, eps = estimate, eps * 0.5 + 1e-300
            g[idx] = estimate
        grads[key] = g
    return _loss(x, y, params), grads
