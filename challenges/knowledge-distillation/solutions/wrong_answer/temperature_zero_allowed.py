# Breaks the rule temperature-error: only a negative temperature raises; temperature = 0 goes through.
"""Wrong: `temperature < 0` where the statement says `temperature <= 0` raises ValueError."""

import torch


def _log_softmax(x):
    m = x.amax(dim=1, keepdim=True).detach()
    return x - m - torch.log(torch.exp(x - m).sum(dim=1, keepdim=True))


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    if temperature < 0:
        raise ValueError("temperature must not be negative")
    n = student_logits.shape[0]
    log_pt = _log_softmax(teacher_logits.detach() / temperature)
    log_ps = _log_softmax(student_logits / temperature)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum() / n
    ce = -_log_softmax(student_logits).gather(1, targets[:, None]).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
