# Breaks the rule stability: softmax as exp(x) / sum(exp(x)) and KL as p * log(p / q), without a max shift.
"""Wrong: the textbook formulas; exp overflows for large logits and 0 * log 0 is NaN."""

import torch


def _softmax(x):
    e = torch.exp(x)
    return e / e.sum(dim=1, keepdim=True)


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    n = student_logits.shape[0]
    pt = _softmax(teacher_logits.detach() / temperature)
    ps = _softmax(student_logits / temperature)
    kl = (pt * torch.log(pt / ps)).sum() / n
    p = _softmax(student_logits)
    ce = -torch.log(p.gather(1, targets[:, None])).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
