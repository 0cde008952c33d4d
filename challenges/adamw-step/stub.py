"""adamw-step: implement adamw_step below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.optim (its optimizers and functional adam/adamw), the
torch._foreach_* functions and the fused torch._fused_adam_/_fused_adamw_ kernels are forbidden.
"""

from __future__ import annotations

import torch


def adamw_step(params: list[torch.Tensor], grads: list[torch.Tensor], exp_avgs: list[torch.Tensor],
               exp_avg_sqs: list[torch.Tensor], step: int, lr: float, betas: tuple[float, float] = (0.9, 0.999),
               eps: float = 1e-8, weight_decay: float = 0.01) -> None:
    """Update params, exp_avgs and exp_avg_sqs in place by AdamW update number ``step`` (1 for the first)."""
    raise NotImplementedError("adamw_step is not implemented yet: see statement.md")
