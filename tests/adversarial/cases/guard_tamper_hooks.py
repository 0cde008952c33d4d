# expect: FB
# challenge: attention
# attack: a trace function, an audit hook of its own and ctypes, to switch the guard off from below
import ctypes
import sys

import torch
from torch import nn

for attempt in (lambda: sys.settrace(lambda *a: None), lambda: sys.addaudithook(lambda *a: None),
                lambda: ctypes.pythonapi.PyInterpreterState_Main(),
                lambda: ctypes.CDLL(None).PySys_AddAuditHook):
    try:
        attempt()
    except Exception:  # noqa: BLE001
        pass


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    return getattr(torch.nn.functional, "scaled_dot_" + "product_attention")(q, k, v, attn_mask=attn_mask,
                                                                           is_causal=is_causal)


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
