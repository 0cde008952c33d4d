"""ACCEPTED: q viewed as (B, Hkv, group, T, D) against k and v broadcast over the group, einsum scores,
a max-shifted softmax written out, and a mask from positions."""

from __future__ import annotations

import torch


def gqa(q, k, v, is_causal=False):
    b, hq, t, d = q.shape
    hkv, s = k.shape[1], k.shape[2]
    if hq % hkv:
        raise ValueError(f"Hq={hq} is not a multiple of Hkv={hkv}")
    if is_causal and t > s:
        raise ValueError("causal attention needs T <= S")
    dtype = q.dtype
    up = torch.promote_types(dtype, torch.float32)
    qg = q.to(up).reshape(b, hkv, hq // hkv, t, d)
    scores = torch.einsum("bkgtd,bksd->bkgts", qg, k.to(up)) * d ** -0.5
    if is_causal:
        shift = s - t
        blocked = torch.arange(s)[None, :] > torch.arange(t)[:, None] + shift
        scores = scores.masked_fill(blocked, float("-inf"))
    scores = scores - scores.amax(dim=-1, keepdim=True).detach()
    w = scores.exp()
    w = w / w.sum(dim=-1, keepdim=True)
    out = torch.einsum("bkgts,bksd->bkgtd", w, v.to(up))
    return out.reshape(b, hq, t, d).to(dtype)
