"""Accepted: max with keepdims over a tuple of axes, and a loop over the channels for the codes."""

import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    others = tuple(i for i in range(w.ndim) if i != ax)
    if scale is None:
        m = np.max(np.abs(w), axis=others, keepdims=False) if others else np.abs(w)
        m = np.asarray(m, dtype=np.float64)
        scale = np.empty(w.shape[ax], dtype=np.float32)
        for c in range(w.shape[ax]):
            scale[c] = np.float32(m[c] / 127.0) if m[c] > 0 else np.float32(1.0)
    else:
        scale = np.array(scale, dtype=np.float32)
    q = np.empty(w.shape, dtype=np.int8)
    for c in range(w.shape[ax]):
        index = (slice(None),) * ax + (c,)
        r = np.asarray(w[index], dtype=np.float64) / np.float64(scale[c])
        q[index] = np.clip(np.round(r), -127, 127)
    return q, scale


def dequantize(q, scale, axis=0):
    ax = axis % q.ndim
    out = np.empty(q.shape, dtype=np.float32)
    for c in range(q.shape[ax]):
        index = (slice(None),) * ax + (c,)
        out[index] = q[index].astype(np.float64) * np.float64(scale[c])
    return out
