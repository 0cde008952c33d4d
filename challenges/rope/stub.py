"""rope: implement apply_rope below (see statement.md).

Rules: plain PyTorch tensor operations; library rotary-embedding helpers are forbidden.
"""

from __future__ import annotations

import torch


def apply_rope(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotary position embeddings for x of shape (batch, seq, heads, head_dim), half-split pairs."""
    raise NotImplementedError("apply_rope is not implemented yet: see statement.md")
