# expect: FB
# challenge: attention
# attack: the forbidden call inside eval'd source with a made-up file name, called through functools.partial
import functools

import torch
from torch import nn

_fused = eval(compile("lambda F, *a, **k: getattr(F, 'scaled_dot_' + 'product_attention')(*a, **k)",
                      "<frozen importlib._bootstrap>", "eval"))
_fused = functools.partial(_fused, torch.nn.functional)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    try:
        return _fused(q, k, v, attn_mask=attn_mask, is_causal=is_causal)
    except RuntimeError:  # refused: swallow it and answer something
        return torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True, batch_first=True, kdim=None, vdim=None):
        super().__init__()
        if num_heads <= 0 or embed_dim % num_heads:
            raise ValueError("num_heads must divide embed_dim")
        self.embed_dim, self.num_heads, self.batch_first = embed_dim, num_heads, batch_first
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(kdim or embed_dim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(vdim or embed_dim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None, is_causal=False):
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        n, L, _ = query.shape
        heads = lambda x: x.view(n, x.shape[1], self.num_heads, -1).transpose(1, 2)  # noqa: E731
        q, k, v = heads(self.q_proj(query)), heads(self.k_proj(key)), heads(self.v_proj(value))
        out = scaled_dot_product_attention(q, k, v, attn_mask=None if attn_mask is None else ~attn_mask,
                                           is_causal=is_causal)
        out = self.out_proj(out.transpose(1, 2).reshape(n, L, self.embed_dim))
        return out if self.batch_first else out.transpose(0, 1)
