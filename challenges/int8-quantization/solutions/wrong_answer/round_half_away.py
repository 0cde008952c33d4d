# breaks rule round-half-even: rounds ties away from zero (floor(|x| + 0.5) with the sign), as C's round() does
import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    shape = [1] * w.ndim
    shape[ax] = -1
    others = tuple(i for i in range(w.ndim) if i != ax)
    if scale is None:
        m = np.abs(w).max(axis=others).astype(np.float64) if others else np.abs(w).astype(np.float64)
        scale = np.where(m > 0, m / 127, 1.0).astype(np.float32)
    else:
        scale = np.array(scale, dtype=np.float32)
    r = w / scale.astype(np.float64).reshape(shape)
    q = np.sign(r) * np.floor(np.abs(r) + 0.5)
    return np.clip(q, -127, 127).astype(np.int8), scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * scale.astype(np.float32).reshape(shape)).astype(np.float32)
