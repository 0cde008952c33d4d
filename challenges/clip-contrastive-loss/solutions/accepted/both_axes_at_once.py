"""Accepted: one similarity matrix, the log-sum-exp taken along each axis (each shifted by its own max), the
diagonal shared."""

import torch


def _lse(x, dim):
    m = x.amax(dim=dim, keepdim=True).detach()
    return (m + torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))).squeeze(dim)


def clip_loss(image_emb, text_emb, logit_scale):
    def unit(x):
        return x / torch.linalg.vector_norm(x, dim=1, keepdim=True).clamp_min(1e-12)

    logits = torch.exp(logit_scale) * (unit(image_emb) @ unit(text_emb).T)
    diag = torch.diagonal(logits)
    n = logits.shape[0]
    return ((_lse(logits, 1) - diag).sum() + (_lse(logits, 0) - diag).sum()) / (2 * n)
