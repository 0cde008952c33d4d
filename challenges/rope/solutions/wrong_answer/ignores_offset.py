# breaks rule positions: rotates token s by position s, ignoring the positions given (a KV-cache offset is lost)
import torch


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)



def apply_rope(x, positions, base=10000.0):
    d = x.shape[-1]
    if d % 2:
        raise ValueError("odd head_dim")
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    t = torch.arange(x.shape[1], dtype=torch.float64)
    freqs = torch.outer(t, inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    return (x.to(work) * emb.cos().to(work)[None, :, None] + rotate_half(x.to(work)) * emb.sin().to(work)[None, :, None]).to(x.dtype)
