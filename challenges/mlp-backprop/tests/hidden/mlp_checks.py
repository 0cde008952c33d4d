"""Shared helpers of the mlp-backprop hidden tests (trusted side): the cases and the comparison.

Loaded by the `mlp` fixture of this folder's conftest.py (the plugin's `helper`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Check = Callable[..., Any]  # the `check` fixture
KEYS = ("W1", "b1", "W2", "b2")
#: the float64 tolerance of challenge.yaml: a case "tells" a mistake when the mistake moves a value past it
RTOL, ATOL = 1.0e-7, 1.0e-9


def random_case(rng: torch.Generator, n: int, d: int, hidden: int, classes: int,
                logit_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A batch (x, y) and parameters drawn from ``rng``; ``logit_scale`` multiplies W2 and b2."""
    def normal(*shape: int) -> np.ndarray:
        return torch.randn(*shape, generator=rng, dtype=torch.float64).numpy()

    x = normal(n, d)
    y = torch.randint(0, classes, (n,), generator=rng).numpy()
    params = {"W1": normal(d, hidden) / np.sqrt(d), "b1": normal(hidden) * 0.5,
              "W2": normal(hidden, classes) * logit_scale, "b2": normal(classes) * logit_scale}
    return x, y, params


def integer_case(rng: torch.Generator, n: int, d: int, hidden: int,
                 classes: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Small integers in x, W1 and b1, so that many pre-activations are exactly 0 (the ReLU's kink)."""
    def ints(*shape: int) -> np.ndarray:
        return torch.randint(-2, 3, shape, generator=rng).to(torch.float64).numpy()

    x, y, params = random_case(rng, n, d, hidden, classes)
    return ints(n, d), y, dict(params, W1=ints(d, hidden), b1=ints(hidden))


def differs(a: np.ndarray, b: np.ndarray) -> bool:
    return not np.allclose(a, b, rtol=RTOL, atol=ATOL)


def relu_zero_tells(truth: Any, x: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray]) -> bool:
    """Whether relu'(0) = 1 would move grads W1 or b1 past the tolerance on this case."""
    _, right = truth.forward_backward(x, y, params)
    wrong = truth.relu_one_at_zero_gradients(x, y, params)
    return differs(right["W1"], wrong["W1"]) or differs(right["b1"], wrong["b1"])


def compare(check: Check, result: Any, expected: tuple[float, dict[str, np.ndarray]], case: str,
            params: dict[str, np.ndarray], n: int) -> None:
    """Check the loss, then each gradient, against the autograd truth (the contract has checked the kinds)."""
    loss, grads = result
    want_loss, want = expected
    check(np.asarray(loss), np.asarray(want_loss), dtype=torch.float64,
          name=f"loss ({case}): the mean cross-entropy over the {n} rows of the batch, not their sum")
    shapes = {k: tuple(params[k].shape) for k in KEYS}
    what = {
        "W2": f"d loss / d W2 = a.T @ dz, of W2's shape {shapes['W2']} (H, C), not its transpose",
        "b2": f"d loss / d b2 = dz summed over the batch, of shape {shapes['b2']}",
        "W1": "d loss / d W1 = x.T @ dh, with dh = da where h > 0 and 0 where h <= 0",
        "b1": f"d loss / d b1 = dh summed over the batch, of shape {shapes['b1']}",
    }
    for key in ("W2", "b2", "W1", "b1"):
        check(grads[key], want[key], dtype=torch.float64,
              name=f"grads[{key!r}] ({case}): {what[key]}; the gradient of the mean loss, divided by N={n}")
