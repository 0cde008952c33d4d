"""Accepted: each pair (i, i + d/2) as the complex number x_i + j x_{i+d/2}, times e^{j p theta_i}."""

import math

import torch


def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2 == 1:
        raise ValueError("RoPE needs an even head_dim")
    h = d // 2
    exponent = torch.arange(h, dtype=torch.float64) * (-2.0 / d)
    theta = torch.exp(exponent * math.log(base))
    angles = positions.double().unsqueeze(1) * theta
    rot = torch.polar(torch.ones_like(angles), angles)  # complex128, (seq, h)
    if x.dtype != torch.float64:
        rot = rot.to(torch.complex64)
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    z = torch.complex(x[..., :h].to(work), x[..., h:].to(work))
    out = z * rot[None, :, None, :]
    return torch.cat([out.real, out.imag], dim=-1).to(x.dtype)
