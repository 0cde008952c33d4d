"""Accepted: one-hot targets, log-softmax through logsumexp, einsum for the products."""

import numpy as np


def forward_backward(x, y, params):
    x = np.asarray(x, dtype=np.float64)
    n, c = x.shape[0], params["b2"].shape[0]
    onehot = np.eye(c)[y]
    h = np.einsum("nd,dh->nh", x, params["W1"]) + params["b1"]
    mask = (h > 0).astype(np.float64)
    a = h * mask
    z = np.einsum("nh,hc->nc", a, params["W2"]) + params["b2"]
    m = z.max(axis=1, keepdims=True)
    logz = m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    loss = np.mean(np.sum(onehot * (logz - z), axis=1))
    g = (np.exp(z - logz) - onehot) / n
    da = np.einsum("nc,hc->nh", g, params["W2"])
    dh = da * mask
    return np.float64(loss), {
        "W1": np.einsum("nd,nh->dh", x, dh), "b1": dh.sum(0),
        "W2": np.einsum("nh,nc->hc", a, g), "b2": g.sum(0),
    }
