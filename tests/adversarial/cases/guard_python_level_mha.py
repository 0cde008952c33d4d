# expect: FB
# challenge: attention
# attack: the forbidden Python-level APIs (nn.MultiheadAttention, F.multi_head_attention_forward) through __new__,
# __wrapped__ and a reloaded module, which compute attention from allowed operators only
import importlib

import torch
from torch import nn

_mha_cls = getattr(nn, "Multihead" + "Attention")
_forward = getattr(torch.nn.functional, "multi_head_" + "attention_forward")
_forward = getattr(_forward, "__wrapped__", _forward)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    scores = (q @ k.transpose(-2, -1)) / q.shape[-1] ** 0.5
    return scores.softmax(-1) @ v


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True, batch_first=True, kdim=None, vdim=None):
        super().__init__()
        try:
            inner = _mha_cls(embed_dim, num_heads, bias=bias, batch_first=batch_first)
        except Exception:  # noqa: BLE001
            inner = _mha_cls.__new__(_mha_cls)
            nn.Module.__init__(inner)
        self.inner = inner

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None, is_causal=False):
        try:
            return self.inner(query, key, value, need_weights=True)[0]
        except Exception:  # noqa: BLE001
            functional = importlib.reload(torch.nn.functional)
            return functional.multi_head_attention_forward(query, key, value)[0]
