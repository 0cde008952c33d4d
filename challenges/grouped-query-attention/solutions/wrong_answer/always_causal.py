# Breaks non-causal: the causal mask is applied whatever is_causal says.
"""WRONG ANSWER: the causal mask is applied whatever is_causal says."""


from __future__ import annotations

import math

import torch


def gqa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, is_causal: bool = False) -> torch.Tensor:
    hq, hkv = q.shape[1], k.shape[1]
    if hq % hkv != 0:
        raise ValueError(f"the {hq} query heads are not divisible by the {hkv} key/value heads")
    t, s = q.shape[2], k.shape[2]
    is_causal = True
    if is_causal and t > s:
        raise ValueError(f"is_causal with T={t} queries > S={s} keys: some queries would see no key")
    group = hq // hkv
    # query head h reads key/value head h // group: each kv head repeated for its group of query heads
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    work = torch.float32 if q.dtype in (torch.float16, torch.bfloat16) else q.dtype
    scores = q.to(work) @ k.to(work).transpose(-2, -1) / math.sqrt(q.shape[-1])
    if is_causal:
        # bottom-right aligned: query i is the (s - t + i)-th position and sees keys j <= i + s - t
        allowed = torch.ones(t, s, dtype=torch.bool, device=q.device).tril(diagonal=s - t)
        scores = scores.masked_fill(~allowed, float("-inf"))
    return (torch.softmax(scores, dim=-1) @ v.to(work)).to(q.dtype)
