"""Time limit: a Python loop over every element of w."""

import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    C = w.shape[ax]
    if scale is None:
        m = [0.0] * C
        for index in np.ndindex(*w.shape):
            m[index[ax]] = max(m[index[ax]], abs(float(w[index])))
        scale = np.array([v / 127 if v > 0 else 1.0 for v in m], dtype=np.float32)
    else:
        scale = np.array(scale, dtype=np.float32)
    q = np.empty(w.shape, dtype=np.int8)
    for index in np.ndindex(*w.shape):
        r = float(w[index]) / float(scale[index[ax]])
        q[index] = min(127, max(-127, int(np.round(r))))
    return q, scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * scale.astype(np.float32).reshape(shape)).astype(np.float32)
