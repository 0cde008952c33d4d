# Breaks the rule labels: the labels run backwards: image i is matched with caption N - 1 - i.
"""Wrong: the labels run backwards: image i is matched with caption N - 1 - i."""

import torch


def _unit(x):
    return x / torch.sqrt((x * x).sum(dim=1, keepdim=True)).clamp(min=1e-12)


def _ce(logits):
    m = logits.amax(dim=1, keepdim=True).detach()
    logp = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    n = logp.shape[0]
    return -logp[torch.arange(n), torch.arange(n - 1, -1, -1)].mean()


def clip_loss(image_emb, text_emb, logit_scale):
    logits = torch.exp(logit_scale) * _unit(image_emb) @ _unit(text_emb).T
    return (_ce(logits) + _ce(logits.T)) / 2
