"""Reference solution for dropout (trusted side only).

Tests call it in float64 with a generator seeded as the submission's was, so the mask is the same
draw: ``torch.rand(x.shape, generator=generator, dtype=torch.float32)`` (float32 whatever x's dtype),
kept where the draw is ``>= p``. ``mlj verify --mutants`` grades its mutants as submissions.
"""

from __future__ import annotations

import torch


def dropout(x: torch.Tensor, p: float, training: bool = True,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """Inverted dropout: zero each element with probability p, scale the kept ones by 1 / (1 - p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x  # nothing is dropped: x itself, and nothing drawn
    if p == 1.0:
        return torch.zeros_like(x)  # everything is dropped: no draw, no division by 1 - p = 0
    keep = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device) >= p
    return x * keep * (1.0 / (1.0 - p))
