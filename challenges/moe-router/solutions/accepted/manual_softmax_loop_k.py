"""Accepted: softmax by hand, the k experts picked one at a time (argmax, then masked), bincount for f."""

import torch


def route(x, w_gate, k):
    if len(x.shape) != 2 or len(w_gate.shape) != 2 or x.shape[-1] != w_gate.shape[0] or not (0 < k <= w_gate.shape[1]):
        raise ValueError(f"bad shapes {tuple(x.shape)}, {tuple(w_gate.shape)} or k={k}")
    work = x.dtype if x.dtype == torch.float64 else torch.float32
    logits = torch.matmul(x.type(work), w_gate.type(work))
    e = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
    probs = e / e.sum(dim=1, keepdim=True)
    picked = []
    remaining = probs.detach().clone()
    for _ in range(k):
        best = remaining.argmax(dim=1)  # the first maximum: ties to the lower index
        picked.append(best)
        remaining[torch.arange(remaining.shape[0]), best] = -1.0
    experts = torch.stack(picked, dim=1)
    chosen = torch.gather(probs, 1, experts)
    weights = chosen / chosen.sum(dim=1, keepdim=True)
    n_experts = w_gate.shape[1]
    f = torch.bincount(experts.flatten(), minlength=n_experts).to(work) / experts.numel()
    aux = n_experts * (f * probs.mean(dim=0)).sum()
    return weights, experts, aux
