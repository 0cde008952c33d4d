# Breaks the rule logit-scale-is-log: logit_scale is used as the scale itself, not exp(logit_scale).
"""Wrong: logit_scale is used as the scale itself, not exp(logit_scale)."""

import torch


def _unit(x):
    return x / torch.sqrt((x * x).sum(dim=1, keepdim=True)).clamp(min=1e-12)


def _ce(logits):
    m = logits.amax(dim=1, keepdim=True).detach()
    logp = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return -torch.diagonal(logp).mean()


def clip_loss(image_emb, text_emb, logit_scale):
    logits = logit_scale * _unit(image_emb) @ _unit(text_emb).T
    return (_ce(logits) + _ce(logits.T)) / 2
