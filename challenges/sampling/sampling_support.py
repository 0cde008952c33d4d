"""Public support module of the sampling challenge: objects the hidden tests make inside your sandbox.

A ``torch.Generator`` cannot cross the wire, so the tests ask this module for one (``generator``) and
hand it to your ``sample`` as ``generator=``; ``keep`` puts a copy of a tensor in the sandbox so that
the tests can read it back after your function has run (to see whether it was modified in place).
"""

from __future__ import annotations

import torch


def generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with ``seed``."""
    return torch.Generator().manual_seed(int(seed))


def keep(x: torch.Tensor) -> torch.Tensor:
    """A copy of ``x`` that stays in the sandbox (read it back with its ``clone`` method)."""
    return x.clone()
