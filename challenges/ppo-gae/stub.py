"""ppo-gae: implement gae and ppo_clip_loss below (see statement.md)."""

from __future__ import annotations

import torch


def gae(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor, last_value: torch.Tensor,
        gamma: float = 0.99, lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """(advantages, returns), each (T, B); dones[t] True means the episode ended after step t."""
    raise NotImplementedError("gae is not implemented yet: see statement.md")


def ppo_clip_loss(logp_new: torch.Tensor, logp_old: torch.Tensor, advantages: torch.Tensor,
                  clip_eps: float = 0.2) -> torch.Tensor:
    """-mean(min(ratio * A, clip(ratio, 1 - clip_eps, 1 + clip_eps) * A)), ratio = exp(logp_new - logp_old)."""
    raise NotImplementedError("ppo_clip_loss is not implemented yet: see statement.md")
