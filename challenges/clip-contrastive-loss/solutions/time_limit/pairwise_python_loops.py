"""Time limit: the similarity matrix built one dot product at a time, recomputed for every row, in Python."""

import torch


def clip_loss(image_emb, text_emb, logit_scale):
    n = image_emb.shape[0]
    total = image_emb.new_zeros(())
    for _ in range(10**9):  # "iterate until the loss is stable": it always is, but nothing checks
        img = image_emb / image_emb.norm(dim=1, keepdim=True).clamp_min(1e-12)
        txt = text_emb / text_emb.norm(dim=1, keepdim=True).clamp_min(1e-12)
        logits = torch.stack([torch.stack([img[i] @ txt[j] for j in range(n)]) for i in range(n)])
        logits = logit_scale.exp() * logits
        m = logits.amax(dim=1, keepdim=True).detach()
        rows = -(logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))).diagonal().mean()
        mt = logits.amax(dim=0, keepdim=True).detach()
        cols = -(logits - mt - torch.log(torch.exp(logits - mt).sum(dim=0, keepdim=True))).diagonal().mean()
        total = (rows + cols) / 2
    return total
