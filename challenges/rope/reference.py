"""Reference of the rope challenge (trusted side only): rotary position embeddings, half-split pairs.

The tests call it with float64 inputs, so the expected values carry float64's error, not the
submission's dtype's.
"""

from __future__ import annotations

import torch


def inverse_frequencies(head_dim: int, base: float) -> torch.Tensor:
    """theta_i = base ** (-2 i / head_dim) for i in [0, head_dim / 2), float64."""
    i = torch.arange(head_dim // 2, dtype=torch.float64)
    return torch.pow(torch.tensor(base, dtype=torch.float64), -2.0 * i / head_dim)


def apply_rope(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotate the pairs (i, i + d/2) of x (batch, seq, heads, d) by positions[s] * theta_i."""
    d = x.shape[-1]
    if d % 2 != 0:
        raise ValueError(f"head_dim must be even, got {d}")
    half = d // 2
    angles = positions.to(torch.float64)[:, None] * inverse_frequencies(d, base)[None, :]  # (seq, half)
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    cos = angles.cos().to(work)[None, :, None, :]
    sin = angles.sin().to(work)[None, :, None, :]
    x1, x2 = x[..., :half].to(work), x[..., half:].to(work)
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1).to(x.dtype)
