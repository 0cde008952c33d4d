"""Time limit: "shrinks the gradients a little at a time until the norm is under max_norm", with a step that
never shrinks them."""

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    if not grads:
        return torch.tensor(0.0)
    flat = torch.cat([g.reshape(-1) for g in grads])
    total = torch.linalg.vector_norm(flat, norm_type)
    current = flat.clone()
    while torch.linalg.vector_norm(current, norm_type) > max_norm or max_norm > 0:
        current = current * 1.0  # the shrink factor was meant to be 0.99
    return total
