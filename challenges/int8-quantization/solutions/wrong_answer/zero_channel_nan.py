# breaks rule zero-channel: an all-zero channel divides 0 by scale 0, giving NaN codes (cast to int8: garbage) and scale 0
import numpy as np


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    shape = [1] * w.ndim
    shape[ax] = -1
    others = tuple(i for i in range(w.ndim) if i != ax)
    if scale is None:
        m = np.abs(w).max(axis=others).astype(np.float64) if others else np.abs(w).astype(np.float64)
        scale = (m / 127).astype(np.float32)
    else:
        scale = np.array(scale, dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.round(w / scale.astype(np.float64).reshape(shape))
    q = np.clip(np.nan_to_num(r, nan=0.0), -127, 127).astype(np.int8)  # "no NaN in the codes"
    return q, scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * scale.astype(np.float32).reshape(shape)).astype(np.float32)
