"""Accepted: -inf masks on the logits and a second softmax; counts of larger logits for top-k; Gumbel-max draws."""

import torch


def filtered_probs(logits, temperature=1.0, top_k=None, top_p=None):
    if temperature < 0 or (top_k is not None and top_k <= 0) or (top_p is not None and (top_p <= 0 or top_p > 1)):
        raise ValueError(f"bad arguments: temperature={temperature}, top_k={top_k}, top_p={top_p}")
    if temperature == 0:
        first_max = logits.argmax(-1)
        return torch.nn.functional.one_hot(first_max, logits.shape[-1]).to(logits.dtype)
    z = logits / temperature
    neg_inf = torch.tensor(float("-inf"), dtype=z.dtype)
    if top_k is not None:
        # a token survives when fewer than k tokens are strictly larger: exactly the ">= k-th value" rule
        larger = (z.unsqueeze(-1) < z.unsqueeze(-2)).sum(-1)
        z = torch.where(larger < top_k, z, neg_inf)
    if top_p is not None:
        p = torch.softmax(z, -1)
        # rank: more probable first; among equals the lower index (a stable sort of the negated values)
        order = torch.argsort(-p, dim=-1, stable=True)
        ranked = torch.gather(p, -1, order)
        mass_above = torch.cat([torch.zeros_like(ranked[..., :1]), ranked.cumsum(-1)[..., :-1]], dim=-1)
        drop_ranked = mass_above >= top_p
        drop = torch.empty_like(drop_ranked).scatter_(-1, order, drop_ranked)
        z = z.masked_fill(drop, float("-inf"))
    return torch.softmax(z, -1)


def sample(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = filtered_probs(logits, temperature, top_k, top_p)
    if temperature == 0:
        return probs.argmax(-1)
    u = torch.rand(probs.shape, generator=generator, dtype=torch.float64).clamp_min(1e-300)
    gumbel = -torch.log(-torch.log(u))
    return (torch.log(probs.double()) + gumbel).argmax(-1)
