"""knowledge-distillation: implement distillation_loss below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.nn.functional.kl_div, cross_entropy,
log_softmax, softmax, torch.logsumexp and their Tensor-method and nn.Module twins are forbidden.
"""

from __future__ import annotations

import torch


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, targets: torch.Tensor,
                      temperature: float = 2.0, alpha: float = 0.5) -> torch.Tensor:
    """alpha * T**2 * KL(softmax(teacher/T) || softmax(student/T)) + (1 - alpha) * CE(student, targets)."""
    raise NotImplementedError("distillation_loss is not implemented yet: see statement.md")
