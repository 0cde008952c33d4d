# breaks rule result-types: returns the scales as float64 (m / 127 without the cast to float32)
import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    shape = [1] * w.ndim
    shape[ax] = -1
    others = tuple(i for i in range(w.ndim) if i != ax)
    if scale is None:
        m = np.abs(w).max(axis=others).astype(np.float64) if others else np.abs(w).astype(np.float64)
        scale = np.where(m > 0, m / 127, 1.0)
    q = np.clip(np.round(w / np.asarray(scale, dtype=np.float64).reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * np.asarray(scale, dtype=np.float32).reshape(shape)).astype(np.float32)
