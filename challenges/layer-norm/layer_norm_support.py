"""Public support module of the layer-norm challenge: tensors kept inside your sandbox.

The `inputs` group hands ``keep(t)`` (a copy of ``t`` made and kept in the sandbox) to your
function as it is, not as a fresh copy, and reads it back afterwards to see that your code did not
change it in place.
"""

from __future__ import annotations

import torch


def keep(t: torch.Tensor) -> torch.Tensor:
    """A copy of ``t`` that stays in the sandbox (the test holds a handle to it)."""
    return t.clone()
