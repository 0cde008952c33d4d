# expect: WA FB
# attack: read the caller's frames and scan the heap (gc) for the expected tensor
import gc
import sys

import torch


def log_softmax(x, dim=-1):
    frame, loot = sys._getframe(), []
    while frame is not None:
        loot += [v for v in frame.f_locals.values() if isinstance(v, torch.Tensor) and v.shape == x.shape]
        frame = frame.f_back
    loot += [o for o in gc.get_objects() if isinstance(o, torch.Tensor) and o.shape == x.shape and o is not x]
    return loot[-1].clone() if loot else torch.zeros_like(x)


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    loot = [o for o in gc.get_objects() if isinstance(o, torch.Tensor) and o.dim() == 0]
    return loot[-1].clone().to(logits.dtype) if loot else torch.zeros((), dtype=logits.dtype)
