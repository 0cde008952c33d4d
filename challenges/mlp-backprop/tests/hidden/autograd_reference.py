"""The trusted side's truth for mlp-backprop: the loss and gradients by float64 torch autograd.

Loaded by the `truth` fixture of this folder's conftest.py (the plugin's `helper`), so the hidden tests
never compare a submission with another hand-written backward pass, only with autograd.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

KEYS = ("W1", "b1", "W2", "b2")


def forward_backward(x: np.ndarray, y: np.ndarray,
                     params: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """Mean cross-entropy of relu(x @ W1 + b1) @ W2 + b2 and its gradients, in float64 (relu'(0) = 0)."""
    leaves = {k: torch.tensor(params[k], dtype=torch.float64, requires_grad=True) for k in KEYS}
    h = torch.tensor(x, dtype=torch.float64) @ leaves["W1"] + leaves["b1"]
    z = torch.relu(h) @ leaves["W2"] + leaves["b2"]
    loss = F.cross_entropy(z, torch.tensor(y, dtype=torch.int64))  # stable, and the mean over the batch
    grads = torch.autograd.grad(loss, [leaves[k] for k in KEYS])
    return float(loss.detach()), {k: g.numpy() for k, g in zip(KEYS, grads)}


def pre_activations(x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    return x @ params["W1"] + params["b1"]


def logits(x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    return np.maximum(pre_activations(x, params), 0.0) @ params["W2"] + params["b2"]


def relu_one_at_zero_gradients(x: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, Any]:
    """The W1 and b1 gradients a backward pass with relu'(0) = 1 would give (to make sure a case tells)."""
    leaves = {k: torch.tensor(params[k], dtype=torch.float64, requires_grad=True) for k in KEYS}
    h = torch.tensor(x, dtype=torch.float64) @ leaves["W1"] + leaves["b1"]
    mask = (h >= 0).to(torch.float64)
    a = h * mask.detach()  # the value of relu, whose derivative is the mask: 1 at h == 0 too
    z = a @ leaves["W2"] + leaves["b2"]
    loss = F.cross_entropy(z, torch.tensor(y, dtype=torch.int64))
    g1, gb1 = torch.autograd.grad(loss, [leaves["W1"], leaves["b1"]])
    return {"W1": g1.numpy(), "b1": gb1.numpy()}
