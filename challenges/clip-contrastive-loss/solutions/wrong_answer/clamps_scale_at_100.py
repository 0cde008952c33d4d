# Breaks the rule scale-not-clamped: the scale is clamped at 100, as CLIP's training code does.
"""Wrong: exp(logit_scale).clamp(max=100), copied from CLIP's model code; the statement's scale is not clamped."""

import torch


def _unit(x):
    return x / torch.sqrt((x * x).sum(dim=1, keepdim=True)).clamp(min=1e-12)


def _ce(logits):
    m = logits.amax(dim=1, keepdim=True).detach()
    logp = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return -torch.diagonal(logp).mean()


def clip_loss(image_emb, text_emb, logit_scale):
    logits = torch.exp(logit_scale).clamp(max=100.0) * _unit(image_emb) @ _unit(text_emb).T
    return (_ce(logits) + _ce(logits.T)) / 2
