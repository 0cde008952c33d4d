# breaks rule half-split: rotates the interleaved pairs (2i, 2i + 1), as the RoFormer paper and Meta's Llama code do
import torch


def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2:
        raise ValueError("odd head_dim")
    inv_freq = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = positions.double()[:, None] * inv_freq
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    cos = angles.cos().to(work)[None, :, None, :]
    sin = angles.sin().to(work)[None, :, None, :]
    xe, xo = x[..., 0::2].to(work), x[..., 1::2].to(work)
    out = torch.stack([xe * cos - xo * sin, xo * cos + xe * sin], dim=-1)
    return out.flatten(-2).to(x.dtype)
