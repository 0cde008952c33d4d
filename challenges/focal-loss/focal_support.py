"""Public support module of the focal-loss challenge: keeps a tensor in your sandbox.

The `inputs` test sends logits and targets once, keeps them in the worker with ``keep``, hands
those very tensors to your ``sigmoid_focal_loss`` and reads them back afterwards (``.clone()``),
to see that they still hold what was sent.
"""

from __future__ import annotations

import torch


def keep(x: torch.Tensor) -> torch.Tensor:
    """``x`` itself: the judge calls it with ``.new`` so that the tensor stays in the worker."""
    return x
