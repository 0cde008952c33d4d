# Breaks the rule output-dtype: float32 inputs are computed in float64 and the float64 result is returned.
"""Wrong: the loss is computed in float64 and never cast back to the dtype of student_logits."""

import torch


def _log_softmax(x):
    m = x.amax(dim=1, keepdim=True).detach()
    return x - m - torch.log(torch.exp(x - m).sum(dim=1, keepdim=True))


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    s, t = student_logits.double(), teacher_logits.double().detach()
    n = s.shape[0]
    log_pt = _log_softmax(t / temperature)
    log_ps = _log_softmax(s / temperature)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum() / n
    ce = -_log_softmax(s).gather(1, targets[:, None]).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
