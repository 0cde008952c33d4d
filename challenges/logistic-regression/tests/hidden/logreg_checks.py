"""Shared helpers of the logistic-regression hidden tests (trusted side): data, known mistakes, comparison.

A fit that does not match the reference is compared with the same descent run with each known mistake,
here, so that the message names the mistake it matches; otherwise it reports the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np
import torch

Check = Callable[..., Any]  # the `check` fixture
RTOL, ATOL = 1e-7, 1e-9  # challenge.yaml's float64 tolerance


def fail(message: str) -> NoReturn:
    raise AssertionError(message)


def data(rng: torch.Generator, n: int, d: int, *, scale: float = 1.0, label_dtype: Any = np.int64,
         ) -> tuple[np.ndarray, np.ndarray]:
    """X (n, d) float64 ~ N(0, scale²) and 0/1 labels drawn from a logistic model, both classes present
    (for n >= 2)."""
    while True:
        X = torch.randn(n, d, generator=rng, dtype=torch.float64).numpy() * scale
        truth = torch.randn(d, generator=rng, dtype=torch.float64).numpy()
        u = torch.rand(n, generator=rng, dtype=torch.float64).numpy()
        y = (u < 1.0 / (1.0 + np.exp(-np.clip(X @ truth / scale, -50, 50)))).astype(label_dtype)
        if n < 2 or 0 < y.sum() < n:
            return X, y


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def descent(X: np.ndarray, y: np.ndarray, lr: float = 0.1, n_iters: int = 1000, l2: float = 0.0,
            mistake: str | None = None) -> tuple[np.ndarray, float]:
    """Gradient descent as the statement defines it, or with one known ``mistake`` (see MISTAKES)."""
    n, d = X.shape
    y = y.astype(np.float64)
    w, b = np.zeros(d), 0.0
    steps = n_iters - 1 if mistake == "short" else n_iters
    for _ in range(max(steps, 0)):
        z = X @ w + b
        r = -y * _sigmoid(-y * z) if mistake == "pm1" else _sigmoid(z) - y
        mean = 1.0 if mistake == "sum" else 1.0 / n
        grad_w = X.T @ r * mean + (2.0 if mistake == "l2_double" else 1.0) * l2 * w
        grad_b = r.sum() * mean + (l2 * b if mistake == "bias_l2" else 0.0)
        w = w - lr * grad_w
        if mistake == "sequential":
            grad_b = (_sigmoid(X @ w + b) - y).sum() / n
        b = b - lr * grad_b
    return w, float(b)


#: mistake -> what a fit matching it does wrong (named in the failure message)
MISTAKES = {
    "sum": "the gradient is SUMMED over the samples: grad_w = X.T @ r / n and grad_b = sum(r) / n (the mean)",
    "bias_l2": "the bias is regularised too: the L2 penalty adds l2 * w to grad_w only, nothing to grad_b",
    "l2_double": "the penalty's gradient is 2 * l2 * w: the objective has (l2 / 2) * ||w||², whose gradient is l2 * w",
    "pm1": "the labels are treated as -1/+1: they are 0/1, and the gradient is X.T @ (sigmoid(X @ w + b) - y) / n",
    "sequential": "grad_b is computed after w has moved: both gradients come from the same r of the step",
    "short": "it makes n_iters - 1 steps: exactly n_iters gradient steps are asked for",
}


def weights(result: Any) -> tuple[np.ndarray, float]:
    """(w, b) from fit's result (its kinds and shapes were checked by the results: contract)."""
    w, b = result
    return np.asarray(w, dtype=np.float64), float(np.asarray(b).reshape(()))


def close(got: tuple[np.ndarray, float], want: tuple[np.ndarray, float]) -> bool:
    return bool(np.allclose(got[0], want[0], rtol=RTOL, atol=ATOL) and
                np.isclose(got[1], want[1], rtol=RTOL, atol=ATOL))


def compare_fit(check: Check, ref: Any, result: Any, X: np.ndarray, y: np.ndarray, case: str,
                mistakes: tuple[str, ...] = tuple(MISTAKES), **kwargs: Any) -> None:
    """fit's (w, b) against the reference's fit(X, y, **kwargs); a known mistake it matches is named."""
    got = weights(result)
    want = ref.fit(X, y, **kwargs)
    if not close(got, want) and np.isfinite(got[0]).all() and np.isfinite(got[1]):
        for mistake in mistakes:
            wrong = descent(X, y, mistake=mistake, **kwargs)
            if close(got, wrong) and not close(wrong, want):
                fail(f"{case}: your (w, b) are those of a descent in which {MISTAKES[mistake]}")
    check(got[0], want[0], dtype=torch.float64, name=f"w ({case})")
    check(np.float64(got[1]), np.float64(want[1]), dtype=torch.float64, name=f"b ({case})")
