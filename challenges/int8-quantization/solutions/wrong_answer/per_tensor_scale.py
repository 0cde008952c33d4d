# breaks rule per-channel: one scale for the whole tensor (max over everything), repeated per channel
import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    shape = [1] * w.ndim
    shape[ax] = -1
    if scale is None:
        m = float(np.abs(w).max())
        scale = np.full(w.shape[ax], m / 127 if m > 0 else 1.0, dtype=np.float32)
    else:
        scale = np.array(scale, dtype=np.float32)
    q = np.clip(np.round(w / scale.astype(np.float64).reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * scale.astype(np.float32).reshape(shape)).astype(np.float32)
