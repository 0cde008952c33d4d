"""Reference of the ppo-gae challenge (trusted side only): generalised advantage estimation and PPO's clipped
surrogate loss.

Run on float64 copies of the inputs, so the expected values carry float64 rounding only.
"""

from __future__ import annotations

import torch


def gae(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor, last_value: torch.Tensor,
        gamma: float = 0.99, lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """(advantages, returns), each (T, B): dones[t] ends the episode after step t, cutting both the bootstrap
    of V(s_{t+1}) and the advantage carried back from step t + 1."""
    steps = rewards.shape[0]
    alive = 1.0 - dones.to(rewards.dtype)  # 0 where the episode ended after step t
    advantages = torch.zeros_like(rewards)
    carried = torch.zeros_like(last_value)
    next_value = last_value
    for t in reversed(range(steps)):
        delta = rewards[t] + gamma * next_value * alive[t] - values[t]
        carried = delta + gamma * lam * alive[t] * carried
        advantages[t] = carried
        next_value = values[t]
    return advantages, advantages + values


def ppo_clip_loss(logp_new: torch.Tensor, logp_old: torch.Tensor, advantages: torch.Tensor,
                  clip_eps: float = 0.2) -> torch.Tensor:
    """-mean(min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)) with ratio = exp(logp_new - logp_old)."""
    ratio = torch.exp(logp_new - logp_old)
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps) * advantages
    return -torch.min(unclipped, clipped).mean()
