"""Shared helpers of the pca hidden tests (trusted side): data, the calls, the comparisons.

The data have a prescribed spectrum (distinct variances, well apart) and a mean away from 0, and each
component's two largest entries differ in magnitude: the answer is unique. ``telling`` draws until the
signs of the raw decompositions a candidate may use (the rows of the SVD's Vt, np.linalg.eigh's vectors,
the U-based convention) each break the sign convention in some component, so that leaving the signs as
they come fails on every seed. A mismatch is compared with the known mistakes to name the one it matches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np
import torch

from judge.runner import RuntimeFault

Check = Callable[..., Any]  # the `check` fixture
RTOL, ATOL = 1e-7, 1e-9
F64 = torch.float64


def fail(message: str) -> NoReturn:
    raise AssertionError(message)


def signed(rows: np.ndarray) -> np.ndarray:
    """The rows with the sign convention applied (largest-magnitude entry positive)."""
    at = np.argmax(np.abs(rows), axis=1)
    return rows * np.sign(rows[np.arange(len(rows)), at])[:, None]


def unique(ref: Any, X: np.ndarray, k: int) -> bool:
    """Distinct variances (relative gap > 1e-3) and, in each of the k components, a largest entry that
    beats the next by more than 1e-6 in magnitude."""
    comps, var, _, _ = ref.pca(X, min(X.shape))
    rank = min(X.shape[0] - 1, X.shape[1])
    gaps = -np.diff(var[: min(rank, k + 1)])
    if (gaps <= 1e-3 * var[0]).any():
        return False
    top = np.sort(np.abs(comps[:k]), axis=1)
    return bool((top.shape[1] < 2) or (top[:, -1] - top[:, -2] > 1e-6).all())


def data(ref: Any, rng: torch.Generator, n: int, d: int, k: int) -> np.ndarray:
    """(n, d) float64: a rotated Gaussian cloud with standard deviations 6, 4.5, 3.4, ... and a mean ~3."""
    while True:
        scales = 6.0 * 0.75 ** np.arange(d)
        Q, _ = np.linalg.qr(torch.randn(d, d, generator=rng, dtype=F64).numpy())
        Z = torch.randn(n, d, generator=rng, dtype=F64).numpy()
        offset = 3.0 * torch.randn(d, generator=rng, dtype=F64).numpy()
        X = (Z * scales) @ Q.T + offset
        if unique(ref, X, k):
            return X


def raw_signs(X: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """The first k components as a solution that skips the sign convention (or gets it wrong) finds them."""
    Xc = X - X.mean(axis=0)
    u, _, vt = np.linalg.svd(Xc, full_matrices=False)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / (X.shape[0] - 1))
    at = np.argmax(np.abs(u[:, :k]), axis=0)
    return {"svd": vt[:k], "eigh": vectors[:, np.argsort(values)[::-1][:k]].T,
            "U-based": vt[:k] * np.sign(u[at, np.arange(k)])[:, None]}


def telling(ref: Any, rng: torch.Generator, n: int, d: int, k: int, attempts: int = 200) -> np.ndarray:
    """Data (as ``data``) on which each of ``raw_signs``' ways breaks the sign convention somewhere."""
    for _ in range(attempts):
        X = data(ref, rng, n, d, k)
        want = ref.pca(X, k)[0]
        if all(not np.allclose(rows, want, rtol=RTOL, atol=ATOL) for rows in raw_signs(X, k).values()):
            return X
    raise RuntimeError(f"no data among {attempts} draws (n={n}, d={d}, k={k}) breaks every raw sign")


def call_pca(sub: Any, X: Any, k: int, case: str) -> tuple[np.ndarray, ...]:
    """sub.pca(X, k), where k is allowed: a ValueError there is a wrong answer, named."""
    try:
        return tuple(sub.pca(X, k))
    except RuntimeFault as fault:
        if fault.exc_type == "ValueError":
            fail(f"{case}: pca raised ValueError ({fault.message}), but n_components = {k} is allowed "
                 f"(1 <= n_components <= min(n, d))")
        raise


def compare_components(check: Check, got: np.ndarray, X: np.ndarray, want: np.ndarray, case: str) -> None:
    """The components (k, d): the right axes, rows, decreasing order, the sign convention."""
    k = want.shape[0]
    name = f"components ({case})"
    if not np.allclose(got, want, rtol=RTOL, atol=ATOL):
        if np.allclose(np.abs(got), np.abs(want), rtol=RTOL, atol=ATOL):
            flipped = [i for i in range(k) if not np.allclose(got[i], want[i], rtol=RTOL, atol=ATOL)]
            fail(f"{name}: component(s) {flipped} have the opposite sign: multiply each component by -1 or +1 "
                 f"so that its entry of largest absolute value is positive")
        if k == got.shape[1] and np.allclose(got.T, want, rtol=RTOL, atol=ATOL):  # k = d: the shape fits
            fail(f"{name}: yours holds the components as columns; return them as the rows of a (k, d) array")
        raw = np.linalg.svd(X, full_matrices=False)[2]
        if np.allclose(np.abs(got), np.abs(raw[:k]), rtol=1e-6, atol=1e-8):
            fail(f"{name}: yours are the axes of X itself: centre the data (subtract the mean of each feature) "
                 f"before decomposing")
        Xc = X - X.mean(axis=0)
        values, vectors = np.linalg.eigh(Xc.T @ Xc / (X.shape[0] - 1))
        if np.allclose(np.abs(got), np.abs(vectors[:, :k].T), rtol=1e-6, atol=1e-8):
            fail(f"{name}: yours are the axes of the SMALLEST variances (np.linalg.eigh returns its eigenvalues in "
                 f"increasing order): keep the k of largest variance, in decreasing order")
    check(got, want, dtype=F64, name=name)


def compare_variances(check: Check, got_var: np.ndarray, got_ratio: np.ndarray, X: np.ndarray,
                      want_var: np.ndarray, want_ratio: np.ndarray, case: str) -> None:
    n = X.shape[0]
    if np.allclose(got_var, want_var * (n - 1) / n, rtol=RTOL, atol=ATOL):
        fail(f"explained_variance ({case}): yours are S² / n; the sample variance divides by n - 1 = {n - 1}")
    check(got_var, want_var, dtype=F64, name=f"explained_variance ({case}; S² / (n - 1), decreasing)")
    kept = want_var / want_var.sum()
    if not np.allclose(kept, want_ratio) and np.allclose(got_ratio, kept, rtol=RTOL, atol=ATOL):
        fail(f"explained_variance_ratio ({case}): yours is over the kept components only (it sums to 1); divide by "
             f"the total variance of all {X.shape[1]} directions, the trace of the sample covariance")
    if np.allclose(got_ratio, want_ratio * n / (n - 1), rtol=RTOL, atol=ATOL):
        fail(f"explained_variance_ratio ({case}): yours is {n}/{n - 1} times too big: the total variance in its "
             f"denominator must use n - 1 too, like the variances")
    check(got_ratio, want_ratio, dtype=F64,
          name=f"explained_variance_ratio ({case}; over the total variance of all directions)")
