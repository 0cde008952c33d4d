"""Public support module of the dropout challenge: objects the tests make and keep inside your sandbox.

``generator(seed)`` is the ``torch.Generator`` the tests pass to your ``dropout`` (the judge seeds
its own the same way to know the mask you must draw); ``seed_global(seed)`` seeds torch's default
generator before a call with ``generator=None``. The `identity` group asks ``is_same(out, x)``
whether your result is x itself, and the `inputs` group hands ``keep(t)`` (a copy made and kept
here) to your function and reads it back afterwards.
"""

from __future__ import annotations

import torch


def generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with ``seed``."""
    return torch.Generator().manual_seed(seed)


def seed_global(seed: int) -> None:
    """Seed torch's default generator (what ``torch.rand`` draws from without a generator)."""
    torch.manual_seed(seed)


def is_same(a: object, b: object) -> bool:
    """Whether ``a`` and ``b`` are the same object."""
    return a is b


def keep(t: torch.Tensor) -> torch.Tensor:
    """A copy of ``t`` that stays in the sandbox (the test holds a handle to it)."""
    return t.clone()
