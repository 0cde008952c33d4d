"""Forbidden: takes the worker's torch from a loaded module's globals, avoids every matrix product (broadcast
multiply and sum instead) and asks autograd for the gradients with backward()."""

import sys

import numpy as np

torch = next(vars(m)["torch"] for m in list(sys.modules.values())
             if getattr(vars(m).get("torch", None), "__name__", None) == "torch")


def _matmul(a, b):
    return (a.unsqueeze(-1) * b.unsqueeze(0)).sum(dim=1)


def forward_backward(x, y, params):
    t = {k: torch.from_numpy(np.array(v)).requires_grad_() for k, v in params.items()}
    h = _matmul(torch.from_numpy(np.array(x)), t["W1"]) + t["b1"]
    z = _matmul(h * (h > 0), t["W2"]) + t["b2"]
    shifted = z - z.max(dim=1, keepdim=True).values.detach()
    logp = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    loss = -logp[torch.arange(len(y)), torch.from_numpy(np.array(y))].mean()
    loss.backward()
    return float(loss), {k: v.grad.numpy() for k, v in t.items()}
