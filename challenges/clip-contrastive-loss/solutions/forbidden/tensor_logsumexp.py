"""Forbidden: the log-sum-exp through the Tensor method, reached with getattr."""

import torch


def clip_loss(image_emb, text_emb, logit_scale):
    img = image_emb / image_emb.norm(dim=1, keepdim=True).clamp_min(1e-12)
    txt = text_emb / text_emb.norm(dim=1, keepdim=True).clamp_min(1e-12)
    logits = logit_scale.exp() * img @ txt.T
    lse = getattr(logits, "log" + "sumexp")
    diag = logits.diagonal()
    return ((lse(dim=1) - diag).mean() + (lse(dim=0) - diag).mean()) / 2
