# rule aux-scale: aux_loss = sum_i f_i * P_i, without the factor E

import torch


def route(x, w_gate, k):
    if x.ndim != 2 or w_gate.ndim != 2:
        raise ValueError("x and w_gate must be 2-D")
    if x.shape[1] != w_gate.shape[0]:
        raise ValueError("x.shape[1] must equal w_gate.shape[0]")
    num_experts = w_gate.shape[1]
    if k < 1 or k > num_experts:
        raise ValueError("k out of range")
    dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    probs = torch.softmax(x.to(dtype) @ w_gate.to(dtype), dim=-1)
    top_p, top_i = torch.sort(probs, dim=-1, descending=True, stable=True)
    top_p, top_i = top_p[:, :k], top_i[:, :k]
    weights = top_p / top_p.sum(dim=-1, keepdim=True)
    mask = torch.zeros_like(probs).scatter(1, top_i, 1.0)  # (T, E), one per assignment
    f = mask.sum(dim=0) / (x.shape[0] * k)
    P = probs.mean(dim=0)
    aux_loss = torch.sum(f * P)
    return weights, top_i, aux_loss
