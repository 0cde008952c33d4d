# expect: WA
# attack: cache inputs and outputs across calls hoping to replay them
import torch

_seen = {}


def log_softmax(x, dim=-1):
    key = (tuple(x.shape), dim)
    if key in _seen:
        return _seen[key]
    out = x - x.mean(dim=dim, keepdim=True)
    _seen[key] = out
    return out


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return torch.zeros((), dtype=logits.dtype) + len(_seen)
