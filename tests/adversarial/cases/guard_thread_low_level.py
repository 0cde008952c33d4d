# expect: FB
# challenge: attention
# attack: _thread.start_new_thread (no threading.Thread bookkeeping) at import time, computing with the fused kernel
import _thread
import time

import torch
from torch import nn

_results = []


def _probe():
    try:
        fn = getattr(torch.ops.aten, "_scaled_dot_product_flash_" + "attention_for_cpu")
        x = torch.randn(1, 1, 4, 8)
        _results.append(fn(x, x, x)[0])
    except Exception as exc:  # noqa: BLE001
        _results.append(exc)


_thread.start_new_thread(_probe, ())
time.sleep(0.5)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    scores = (q @ k.transpose(-2, -1)) / q.shape[-1] ** 0.5
    return scores.softmax(-1) @ v


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
