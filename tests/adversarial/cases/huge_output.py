# expect: RE
# attack: return a huge tensor (more than the output cap)
import torch


def log_softmax(x, dim=-1):
    return torch.zeros(40_000_000, dtype=torch.float64)  # 320 MB


cross_entropy = log_softmax
