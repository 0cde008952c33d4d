"""Time limit: a "refine the shift until it converges" loop whose stopping test never holds."""

import torch


def _log_softmax(x):
    shift = torch.zeros_like(x[:, :1])
    while True:
        shift = shift * 1.0
        if bool(torch.isnan(shift).any()):
            break
    return x - shift - torch.log(torch.exp(x - shift).sum(dim=1, keepdim=True))


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    n = student_logits.shape[0]
    log_pt = _log_softmax(teacher_logits.detach() / temperature)
    log_ps = _log_softmax(student_logits / temperature)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum() / n
    ce = -_log_softmax(student_logits).gather(1, targets[:, None]).sum() / n
    return alpha * temperature**2 * kl + (1 - alpha) * ce
