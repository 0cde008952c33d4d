# Breaks the rule stability: softmax as exp(x) / sum(exp(x)) without the max shift: exp overflows for large logits.
"""Wrong: softmax as exp(x) / sum(exp(x)) without the max shift: exp overflows for large logits."""

import torch


def _unit(x):
    return x / torch.sqrt((x * x).sum(dim=1, keepdim=True)).clamp(min=1e-12)


def _ce(logits):
    e = torch.exp(logits)
    logp = torch.log(e / e.sum(dim=1, keepdim=True))
    return -torch.diagonal(logp).mean()


def clip_loss(image_emb, text_emb, logit_scale):
    logits = torch.exp(logit_scale) * _unit(image_emb) @ _unit(text_emb).T
    return (_ce(logits) + _ce(logits.T)) / 2
