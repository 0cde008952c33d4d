"""moe-router: implement route() below (see statement.md)."""

from __future__ import annotations

import torch


def route(x: torch.Tensor, w_gate: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(weights (T, k), experts (T, k) int64, aux_loss ()) for tokens x (T, d) and a gate w_gate (d, E)."""
    raise NotImplementedError("route is not implemented yet: see statement.md")
