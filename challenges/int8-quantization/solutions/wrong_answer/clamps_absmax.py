# breaks rule zero-only: clamps max|w| at 1e-8 before dividing by 127 (the usual guard against 0/0), so tiny and zero channels get a wrong scale
import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    shape = [1] * w.ndim
    shape[ax] = -1
    others = tuple(i for i in range(w.ndim) if i != ax)
    if scale is None:
        m = np.abs(w).max(axis=others).astype(np.float64) if others else np.abs(w).astype(np.float64)
        scale = (np.maximum(m, 1e-8) / 127).astype(np.float32)
    else:
        scale = np.array(scale, dtype=np.float32)
    q = np.clip(np.round(w / scale.astype(np.float64).reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * scale.astype(np.float32).reshape(shape)).astype(np.float32)
