"""Public support module of the kmeans challenge: the data of the `large` test.

The `large` test builds its 200,000 x 32 input inside your sandbox with ``uniform`` (so that 51 MB
need not cross the wire) and the judge builds the same array on its side for the reference. The
generator is a counter-based hash (splitmix64) in plain uint64 arithmetic: the same (seed, n, d)
gives bit-for-bit the same array on every machine and NumPy version.
"""

from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer, elementwise and in place on a uint64 array (it wraps around silently)."""
    x += np.uint64(0x9E3779B97F4A7C15)
    t = x >> np.uint64(30)
    x ^= t
    x *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(x, np.uint64(27), out=t)
    x ^= t
    x *= np.uint64(0x94D049BB133111EB)
    np.right_shift(x, np.uint64(31), out=t)
    x ^= t
    return x


def uniform(seed: int, n: int, d: int) -> np.ndarray:
    """(n, d) float64 values in [0, 1), a deterministic function of (seed, n, d)."""
    key = _splitmix64(np.array([seed & _MASK], dtype=np.uint64))
    bits = np.arange(n * d, dtype=np.uint64)
    bits ^= key
    _splitmix64(bits)
    bits >>= np.uint64(11)
    out = bits.astype(np.float64)
    out *= 2.0**-53
    return out.reshape(n, d)
