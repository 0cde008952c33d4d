"""dpo-loss: implement the two functions below (see statement.md).

Any PyTorch operation is allowed (torch.log_softmax, torch.nn.functional.logsigmoid, ...).
"""

from __future__ import annotations

import torch


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor, loss_mask: torch.Tensor) -> torch.Tensor:
    """Summed log-probability of the unmasked label tokens of each sequence.

    logits (B, T, V) float, labels (B, T) int64, loss_mask (B, T) bool or 0/1 -> (B,) in the logits' dtype.
    The logits at position t predict the token at position t + 1.
    """
    raise NotImplementedError("sequence_logprobs is not implemented yet: see statement.md")


def dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-example DPO losses and implicit rewards: (losses, chosen_rewards, rejected_rewards), each (B,)."""
    raise NotImplementedError("dpo_loss is not implemented yet: see statement.md")
