"""Shared helpers of the kmeans hidden tests (trusted side): data, result validation, comparison.

Loaded by the `km` fixture of this folder's conftest.py (the plugin's `helper`), under a name of its
own, so that it never collides with another challenge's helpers in ``sys.modules``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Check = Callable[..., Any]  # the `check` fixture
#: a statistical test fails below this p-value: a correct solution fails one in well over 10^8 gradings
ALPHA = 1e-9


def blobs(rng: torch.Generator, n: int, d: int, centers: int, spread: float = 6.0) -> np.ndarray:
    """n points around `centers` Gaussian centers (unit noise), float64 (n, d)."""
    mu = torch.randn(centers, d, generator=rng, dtype=torch.float64) * spread
    which = torch.randint(centers, (n,), generator=rng)
    return (mu[which] + torch.randn(n, d, generator=rng, dtype=torch.float64)).numpy()


def pick_rows(rng: torch.Generator, X: np.ndarray, k: int) -> np.ndarray:
    """k distinct rows of X (a copy), in random order: a typical given init."""
    idx = torch.randperm(X.shape[0], generator=rng)[:k].numpy()
    return X[idx].copy()


def _is_int_array(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return not value.is_floating_point() and not value.is_complex() and value.dtype != torch.bool
    return isinstance(value, np.ndarray) and value.dtype.kind in "iu"


def unpack(result: Any, case: str) -> tuple[Any, Any, Any, int]:
    """Validate the shape of kmeans' result; return (centroids, labels, inertia as float64, n_iters)."""
    assert isinstance(result, (tuple, list)) and len(result) == 4, (
        f"{case}: kmeans must return a tuple (centroids, labels, inertia, n_iters), got "
        f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    centroids, labels, inertia, n_iters = result
    assert _is_int_array(labels), (
        f"{case}: labels must be an integer NumPy array or torch tensor (int64), got "
        f"{type(labels).__name__} of dtype {getattr(labels, 'dtype', '-')}")
    return centroids, labels, scalar(inertia, f"{case}: inertia"), as_int(n_iters, f"{case}: n_iters")


def scalar(value: Any, what: str) -> torch.Tensor:
    """A 0-d tensor from a Python/NumPy number or a one-element array/tensor (float64 for Python floats)."""
    if isinstance(value, (bool, np.bool_)):
        raise AssertionError(f"{what} must be a number, got a bool")
    if isinstance(value, (int, float, np.number)):
        return torch.tensor(float(value), dtype=torch.float64)  # a Python float is a double: keep it one
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        value = torch.from_numpy(np.array(value))
    assert isinstance(value, torch.Tensor), f"{what} must be a number, got {type(value).__name__}"
    assert value.numel() == 1, f"{what} must be a single number, got shape {tuple(value.shape)}"
    return value.reshape(())


def as_int(value: Any, what: str) -> int:
    """An int from an int, a NumPy integer or a one-element integer array/tensor; AssertionError otherwise.

    (A NumPy scalar crosses the wire as a one-element array.)
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (np.ndarray, torch.Tensor)) and value.ndim <= 1 and _is_int_array(value) and (
            value.size if isinstance(value, np.ndarray) else value.numel()) == 1:
        return int(value.item())
    raise AssertionError(f"{what} must be an int, got {type(value).__name__} "
                         f"{getattr(value, 'dtype', '')} {value!r:.60}")


def compare(check: Check, result: Any, want: Any, case: str, *, iters_first: bool = False) -> None:
    """Compare a kmeans result with the reference's ``LloydRun`` ``want``; every message names the case."""
    centroids, labels, inertia, n_iters = unpack(result, case)
    iters_msg = (f"{case}: n_iters = {n_iters}, expected {want.n_iters} (one iteration = assign + update; "
                 f"stop after the first iteration whose max centroid shift (Euclidean) is <= tol, or after "
                 f"max_iters)")
    if iters_first:
        assert n_iters == want.n_iters, iters_msg
    check(centroids, want.centroids, dtype=torch.float64, name=f"centroids ({case})")
    check(labels, want.labels, name=f"labels ({case}; labels must be those of the FINAL centroids: "
                                    f"nearest centroid, ties to the lowest index)")
    check(inertia, torch.tensor(want.inertia, dtype=torch.float64), dtype=torch.float64,
          name=f"inertia ({case}; the sum of SQUARED distances to the assigned centroids)")
    assert n_iters == want.n_iters, iters_msg


def centroids_array(value: Any, k: int, d: int, case: str) -> np.ndarray:
    """The candidate's centroids as a float64 (k, d) NumPy array, after checking type, shape and finiteness."""
    if isinstance(value, torch.Tensor):
        value = value.numpy()
    assert isinstance(value, np.ndarray), f"centroids ({case}): expected an array or tensor, got {type(value).__name__}"
    assert value.dtype == np.float64, f"centroids ({case}): wrong dtype {value.dtype}, expected float64"
    assert value.shape == (k, d), f"centroids ({case}): wrong shape {value.shape}, expected {(k, d)}"
    assert np.isfinite(value).all(), f"centroids ({case}): NaN or infinite values"
    return value


def labels_array(value: Any, n: int, k: int, case: str) -> np.ndarray:
    """The candidate's labels as an int64 (n,) NumPy array with values in [0, k)."""
    array = (value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)).astype(np.int64)
    assert array.shape == (n,), f"labels ({case}): wrong shape {array.shape}, expected ({n},)"
    assert ((array >= 0) & (array < k)).all(), f"labels ({case}): values outside [0, {k})"
    return array


def chi_square(counts: list[int], probs: list[float]) -> tuple[float, float]:
    """Pearson's goodness-of-fit statistic of ``counts`` against the exact ``probs``, and its p-value.

    The p-value is the chi-square survival function with len(probs) - 1 degrees of freedom (the
    regularized upper incomplete gamma function). The tests that use it keep every expected count at
    5 or more, where that approximation holds (it errs by a small factor that far in the tail), and fail
    only below ``ALPHA``.
    """
    runs = sum(counts)
    stat = sum((c - runs * p) ** 2 / (runs * p) for c, p in zip(counts, probs, strict=True))
    df = torch.tensor((len(probs) - 1) / 2, dtype=torch.float64)
    return stat, float(torch.special.gammaincc(df, torch.tensor(stat / 2, dtype=torch.float64)))
