# Breaks the rule inputs-unchanged: the detached teacher shares the caller's storage, and /= tempers it in place.
"""Wrong: the values and gradients are right, but the caller's teacher_logits come back divided by T."""

import torch


def _log_softmax(x):
    m = x.amax(dim=1, keepdim=True).detach()
    return x - m - torch.log(torch.exp(x - m).sum(dim=1, keepdim=True))


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    n = student_logits.shape[0]
    teacher = teacher_logits.detach()
    teacher /= temperature
    log_pt = _log_softmax(teacher)
    log_ps = _log_softmax(student_logits / temperature)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum() / n
    ce = -_log_softmax(student_logits).gather(1, targets[:, None]).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
