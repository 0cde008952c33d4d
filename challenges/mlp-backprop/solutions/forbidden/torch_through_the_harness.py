"""Forbidden: never imports torch itself, but takes the worker's own torch module from a loaded module's
globals and runs autograd with it (its matrix products cannot run in the worker)."""

import sys

import numpy as np

torch = next(vars(m)["torch"] for m in list(sys.modules.values())
             if getattr(vars(m).get("torch", None), "__name__", None) == "torch")


def forward_backward(x, y, params):
    t = {k: torch.from_numpy(np.array(v)).requires_grad_() for k, v in params.items()}
    h = torch.from_numpy(np.array(x)) @ t["W1"] + t["b1"]
    z = h.clamp(min=0) @ t["W2"] + t["b2"]
    shifted = z - z.max(dim=1, keepdim=True).values.detach()
    logp = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    loss = -logp[torch.arange(len(y)), torch.from_numpy(np.array(y))].mean()
    loss.backward()
    return float(loss), {k: v.grad.numpy() for k, v in t.items()}
