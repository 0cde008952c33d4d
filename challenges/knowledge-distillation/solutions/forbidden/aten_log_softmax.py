"""Forbidden: log-softmax reached through torch.ops.aten under another name."""

import torch

_lsm = getattr(torch.ops.aten, "_log_" + "softmax")


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    n = student_logits.shape[0]
    log_pt = _lsm(teacher_logits.detach() / temperature, 1, False)
    log_ps = _lsm(student_logits / temperature, 1, False)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum() / n
    ce = -_lsm(student_logits, 1, False).gather(1, targets[:, None]).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
