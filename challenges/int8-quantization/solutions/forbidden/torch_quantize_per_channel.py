"""Forbidden: torch.quantize_per_channel does the rounding and clipping (reached through getattr)."""

import numpy as np
import torch


def quantize(w, axis=0, scale=None):
    ax = axis % w.ndim
    if scale is None:
        others = tuple(i for i in range(w.ndim) if i != ax)
        m = np.abs(w).max(axis=others).astype(np.float64) if others else np.abs(w).astype(np.float64)
        scale = np.where(m > 0, m / 127, 1.0).astype(np.float32)
    fn = getattr(torch, "quantize_per" + "_channel")
    t = fn(torch.from_numpy(np.asarray(w, dtype=np.float32)), torch.from_numpy(scale.astype(np.float64)),
           torch.zeros(len(scale), dtype=torch.int64), ax, torch.qint8)
    return np.clip(t.int_repr().numpy(), -127, 127).astype(np.int8), scale


def dequantize(q, scale, axis=0):
    shape = [1] * q.ndim
    shape[axis % q.ndim] = -1
    return (q * scale.astype(np.float32).reshape(shape)).astype(np.float32)
