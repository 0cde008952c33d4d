# Breaks the rule kl-direction: computes KL(p_s || p_t), weighted by the student's probabilities.
"""Wrong: the KL divergence the other way round."""

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
    kl = (log_ps.exp() * (log_ps - log_pt)).sum() / n
    ce = -_log_softmax(student_logits).gather(1, targets[:, None]).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
