# breaks rule no-inplace: writes the rotated values back into x (to save memory) and returns x
import torch


def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2:
        raise ValueError("odd head_dim")
    h = d // 2
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    freqs = torch.outer(positions.double(), inv_freq)
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    cos = freqs.cos().to(work)[None, :, None]
    sin = freqs.sin().to(work)[None, :, None]
    x1, x2 = x[..., :h].to(work).clone(), x[..., h:].to(work).clone()
    x[..., :h] = (x1 * cos - x2 * sin).to(x.dtype)
    x[..., h:] = (x2 * cos + x1 * sin).to(x.dtype)
    return x
