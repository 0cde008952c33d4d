"""Public support module of the rope challenge: keeps a test's tensor inside the sandbox.

The `inputs` test hands ``keep(x)``'s tensor to your ``apply_rope`` as it is (not a copy) and reads it
back afterwards, to see that ``apply_rope`` did not write into it. You never need to call it.
"""

from __future__ import annotations

import torch


def keep(x: torch.Tensor) -> torch.Tensor:
    """``x`` itself: the judge holds it in the sandbox under a handle."""
    return x
