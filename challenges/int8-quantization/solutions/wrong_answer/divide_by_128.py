# breaks rule scale-formula: scale = max|w| / 128 (the int8 range's size) instead of / 127
import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    shape = [1] * w.ndim
    shape[ax] = -1
    others = tuple(i for i in range(w.ndim) if i != ax)
    if scale is None:
        m = np.abs(w).max(axis=others).astype(np.float64) if others else np.abs(w).astype(np.float64)
        scale = np.where(m > 0, m / 128, 1.0).astype(np.float32)
    else:
        scale = np.array(scale, dtype=np.float32)
    q = np.clip(np.round(w / scale.astype(np.float64).reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * scale.astype(np.float32).reshape(shape)).astype(np.float32)
