# expect: WA
# challenge: attention
# attack: a module whose state_dict() values are ints and whose output is a bool, where tensors are expected
import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True, batch_first=True, kdim=None, vdim=None):
        super().__init__()
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(kdim or embed_dim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(vdim or embed_dim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def state_dict(self, *args, **kwargs):
        return {name: 0 for name in super().state_dict(*args, **kwargs)}

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None, is_causal=False):
        return True


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    return [[float(x) for x in row] for row in torch.zeros(2, 2)]
