"""Public support module of the clip-grad-norm challenge: tensors made and kept inside your sandbox.

The tests build the gradients with ``tensor`` inside the worker, hand exactly those tensors to your
``clip_grad_norm`` and read them back (``.clone()``) afterwards, so they see what your function did to the
caller's tensors. You can do the same locally with plain tensors.
"""

from __future__ import annotations

import torch


def tensor(values: torch.Tensor) -> torch.Tensor:
    """A copy of ``values`` (same dtype and shape), kept in the worker by the test that asks for it."""
    return values.detach().clone()
