"""Time limit: a 'selection' loop that waits for a probability above 1 before it stops."""

import torch


def route(x, w_gate, k):
    probs = torch.softmax(x.float() @ w_gate.float(), dim=-1)
    best = probs.clone()
    while not bool((best > 1.0).any()):  # probabilities never exceed 1: never ends
        best = best * 1.0
    top_p, top_i = torch.topk(probs, k, dim=-1)
    return top_p / top_p.sum(-1, keepdim=True), top_i, probs.sum() * 0
