"""Public support module of the batch-norm challenge: tensors kept inside your sandbox.

The `inputs` group hands ``keep(t)`` (a copy of ``t`` made and kept in the sandbox) to your module
as it is, not as a fresh copy, and reads it back afterwards to see that your code did not change it
in place; the `graph` group asks ``buffers_in_graph(module)`` which buffers autograd tracks.
"""

from __future__ import annotations

import torch


def keep(t: torch.Tensor) -> torch.Tensor:
    """A copy of ``t`` that stays in the sandbox (the test holds a handle to it)."""
    return t.clone()


def buffers_in_graph(module: torch.nn.Module) -> list[str]:
    """The names of the module's buffers that autograd tracks (requires_grad): none should be."""
    return sorted(name for name, buffer in module.named_buffers() if buffer.requires_grad)
