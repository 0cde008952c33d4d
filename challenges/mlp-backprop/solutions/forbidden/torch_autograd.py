"""Forbidden: lets torch autograd do the backward pass."""

import numpy as np
import torch


def forward_backward(x, y, params):
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.tensor(x) @ t["W1"] + t["b1"]
    z = torch.relu(h) @ t["W2"] + t["b2"]
    loss = torch.nn.functional.cross_entropy(z, torch.tensor(y))
    loss.backward()
    return float(loss), {k: v.grad.numpy().astype(np.float64) for k, v in t.items()}
