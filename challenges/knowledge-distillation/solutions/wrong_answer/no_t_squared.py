# Breaks the rule t-squared: the KL term is not multiplied by T**2.
"""Wrong: alpha * KL + (1 - alpha) * CE, the T**2 factor forgotten."""

import torch


def _log_softmax(x):
    m = x.amax(dim=1, keepdim=True).detach()
    return x - m - torch.log(torch.exp(x - m).sum(dim=1, keepdim=True))


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    n = student_logits.shape[0]
    log_pt = _log_softmax(teacher_logits.detach() / temperature)
    log_ps = _log_softmax(student_logits / temperature)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum() / n
    ce = -_log_softmax(student_logits).gather(1, targets[:, None]).sum() / n
    return alpha * kl + (1 - alpha) * ce
