"""Support for the attention tests: puts an input on the test device inside the worker.

The judge copies this file next to your solution. You never need to call it.
"""

from __future__ import annotations

import torch


def to_device(x: torch.Tensor, device: str) -> torch.Tensor:
    """``x`` moved to ``device`` (a leaf tensor, so gradients can be taken with respect to it)."""
    return x.detach().to(device)
