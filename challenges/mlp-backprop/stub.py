"""mlp-backprop: implement forward_backward below (see statement.md).

Rules: NumPy only. torch, jax, autograd, tensorflow and other autograd libraries cannot be imported.
"""

from __future__ import annotations

import numpy as np


def forward_backward(x: np.ndarray, y: np.ndarray,
                     params: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """Mean softmax cross-entropy of relu(x @ W1 + b1) @ W2 + b2 against the labels y, and its gradients.

    Returns (loss, grads): loss a float, grads a dict with the keys of params ("W1", "b1", "W2", "b2"),
    each a float64 array of that parameter's shape.
    """
    raise NotImplementedError("forward_backward is not implemented yet: see statement.md")
