# rule top-k-argument: treats top_k=0 as 'no top-k' (Hugging Face's convention) instead of raising ValueError

import torch


def _check(temperature, top_k, top_p):
    if temperature < 0:
        raise ValueError("temperature must be >= 0")
    if top_k == 0:
        top_k = None
    if top_k is not None and top_k < 1:
        raise ValueError("top_k must be >= 1")
    if top_p is not None and not (0 < top_p <= 1):
        raise ValueError("top_p must be in (0, 1]")


def _greedy(logits):
    out = torch.zeros_like(logits)
    return out.scatter_(-1, logits.argmax(dim=-1, keepdim=True), 1.0)


def filtered_probs(logits, temperature=1.0, top_k=None, top_p=None):
    _check(temperature, top_k, top_p)
    if temperature == 0:
        return _greedy(logits)
    z = logits / temperature
    probs = torch.softmax(z, dim=-1)
    if top_k is not None:
        k = min(top_k, z.shape[-1])
        kth = torch.sort(z, dim=-1, descending=True).values[..., k - 1:k]
        probs = torch.where(z >= kth, probs, torch.zeros_like(probs))
        probs = probs / probs.sum(dim=-1, keepdim=True)
    if top_p is not None:
        sorted_p, order = torch.sort(probs, dim=-1, descending=True, stable=True)
        above = torch.cumsum(sorted_p, dim=-1) - sorted_p
        keep_sorted = above < top_p
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        probs = torch.where(keep, probs, torch.zeros_like(probs))
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs


def sample(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = filtered_probs(logits, temperature, top_k, top_p)
    flat = probs.reshape(-1, probs.shape[-1])
    if temperature == 0:
        tokens = flat.argmax(dim=-1)
    else:
        tokens = torch.multinomial(flat, 1, generator=generator).squeeze(-1)
    return tokens.reshape(logits.shape[:-1])
