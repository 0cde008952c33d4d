# breaks rule saturate: casts to int8 before clipping, so a saturated code wraps around (200 -> -56)
import numpy as np


def _scale(w, ax):
    others = tuple(i for i in range(w.ndim) if i != ax)
    m = np.abs(w).max(axis=others).astype(np.float64) if others else np.abs(w).astype(np.float64)
    return np.where(m > 0, m / 127, 1.0).astype(np.float32)


def _shape(ndim, ax):
    shape = [1] * ndim
    shape[ax] = -1
    return shape


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    scale = _scale(w, ax) if scale is None else np.array(scale, dtype=np.float32)
    r = np.round(w / scale.astype(np.float64).reshape(_shape(w.ndim, ax)))
    return np.clip(r.astype(np.int64).astype(np.int8), -127, 127).astype(np.int8), scale


def dequantize(q, scale, axis=0):
    return (q * scale.astype(np.float32).reshape(_shape(q.ndim, axis % q.ndim))).astype(np.float32)

