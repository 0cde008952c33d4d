"""Reference of the int8-quantization challenge (trusted side only): symmetric per-channel int8.

Written in float64 wherever it computes: the maxima are exact, the quotient w / scale is taken in
float64 with the float32 scale, and NumPy's round is round-half-to-even.
"""

from __future__ import annotations

import numpy as np

QMAX = 127


def channel_max(w: np.ndarray, axis: int) -> np.ndarray:
    """max |w| over every axis but ``axis``: one value per channel, float64 of shape (C,)."""
    moved = np.moveaxis(np.abs(np.asarray(w, dtype=np.float64)), axis, 0)
    return moved.reshape(moved.shape[0], -1).max(axis=1)


def channel_view(values: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    """``values`` of shape (C,) reshaped to broadcast along ``axis`` of an ``ndim``-d array."""
    shape = [1] * ndim
    shape[axis] = values.shape[0]
    return values.reshape(shape)


def quantize(w: np.ndarray, axis: int = 0, scale: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(q int8 of w's shape, scale float32 of shape (C,)), C = w.shape[axis]."""
    axis = axis % w.ndim
    if scale is None:
        m = channel_max(w, axis)
        scale = np.where(m > 0, m / QMAX, 1.0).astype(np.float32)
    else:
        scale = np.array(scale, dtype=np.float32)
    ratio = np.asarray(w, dtype=np.float64) / channel_view(scale.astype(np.float64), w.ndim, axis)
    q = np.clip(np.round(ratio), -QMAX, QMAX).astype(np.int8)
    return q, scale


def dequantize(q: np.ndarray, scale: np.ndarray, axis: int = 0) -> np.ndarray:
    """q * scale along ``axis``, float32 of q's shape (the float64 product is exact, rounded once)."""
    axis = axis % q.ndim
    product = q.astype(np.float64) * channel_view(np.asarray(scale, dtype=np.float64), q.ndim, axis)
    return product.astype(np.float32)
