"""ACCEPTED: one query head at a time, each with its kv head picked by index, stacked at the end."""

from __future__ import annotations

import math

import torch


def gqa(q, k, v, is_causal=False):
    n_q, n_kv = q.size(1), k.size(1)
    if n_q % n_kv != 0:
        raise ValueError("query heads must be a multiple of kv heads")
    T, S = q.size(2), k.size(2)
    if is_causal and T > S:
        raise ValueError("T > S with is_causal")
    low = q.dtype in (torch.float16, torch.bfloat16)
    mask = None
    if is_causal:
        mask = torch.triu(torch.ones(T, S, dtype=torch.bool), diagonal=S - T + 1)
    heads = []
    for h in range(n_q):
        kv = h // (n_q // n_kv)
        qh, kh, vh = q[:, h], k[:, kv], v[:, kv]
        if low:
            qh, kh, vh = qh.float(), kh.float(), vh.float()
        sc = torch.matmul(qh, kh.transpose(1, 2)) / math.sqrt(q.size(-1))
        if mask is not None:
            sc = sc.masked_fill(mask, -math.inf)
        heads.append(torch.matmul(torch.softmax(sc, dim=-1), vh))
    return torch.stack(heads, dim=1).to(q.dtype)
