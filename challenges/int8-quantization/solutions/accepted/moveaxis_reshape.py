"""Accepted: move the channel axis to the front, reduce over the flattened rest."""

import numpy as np


def quantize(w, axis=0, scale=None):
    moved = np.moveaxis(w, axis, 0)
    if scale is None:
        m = np.abs(moved).reshape(moved.shape[0], -1).max(axis=1).astype(np.float64)
        scale = np.where(m == 0, 1.0, m / 127.0).astype(np.float32)
    else:
        scale = np.asarray(scale, dtype=np.float32).copy()
    s = scale.astype(np.float64).reshape((-1,) + (1,) * (w.ndim - 1))
    q = np.clip(np.rint(moved.astype(np.float64) / s), -127, 127).astype(np.int8)
    return np.moveaxis(q, 0, axis), scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis] = -1
    return q.astype(np.float32) * np.asarray(scale, dtype=np.float32).reshape(shape)
