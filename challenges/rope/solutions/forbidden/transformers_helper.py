"""Forbidden: Hugging Face's apply_rotary_pos_emb, imported by its dotted name at call time."""

import importlib

import torch


def apply_rope(x, positions, base=10000.0):
    llama = importlib.import_module("transformers.models.llama.modeling_llama")
    d = x.shape[-1]
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    emb = torch.outer(positions.double(), inv_freq).repeat(1, 2)
    q = x.transpose(1, 2)
    out, _ = llama.apply_rotary_pos_emb(q, q, emb.cos()[None].to(x.dtype), emb.sin()[None].to(x.dtype))
    return out.transpose(1, 2)
