"""Reference of the knowledge-distillation challenge (trusted side only): Hinton et al.'s distillation loss.

Run on float64 copies of the inputs, so the expected values carry float64 rounding only.
"""

from __future__ import annotations

import torch


def _log_softmax(x: torch.Tensor) -> torch.Tensor:
    """log(softmax(x)) over the last dim, shifted by the row's max so that exp never overflows."""
    shift = x.amax(dim=-1, keepdim=True).detach()
    shifted = x - shift
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, targets: torch.Tensor,
                      temperature: float = 2.0, alpha: float = 0.5) -> torch.Tensor:
    """alpha * T^2 * KL(softmax(teacher/T) || softmax(student/T)) + (1 - alpha) * CE(student, targets)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    n = student_logits.shape[0]
    teacher = teacher_logits.detach()
    log_p_teacher = _log_softmax(teacher / temperature)
    log_p_student = _log_softmax(student_logits / temperature)
    # p * (log p - log q) is 0 where p underflows to 0: log p stays finite, so 0 * finite is 0, never NaN
    kl = (torch.exp(log_p_teacher) * (log_p_teacher - log_p_student)).sum() / n
    log_p = _log_softmax(student_logits)
    ce = -log_p.gather(1, targets.unsqueeze(1)).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
