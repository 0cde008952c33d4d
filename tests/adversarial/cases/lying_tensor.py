# expect: WA
# attack: return tensor subclasses that lie through __eq__ and __torch_function__, and lazy objects
import torch


class Liar(torch.Tensor):
    def __eq__(self, other):
        return True

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.allclose, torch.equal, torch.Tensor.__eq__):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


def log_softmax(x, dim=-1):
    return torch.zeros_like(x).as_subclass(Liar)


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return torch.zeros((), dtype=logits.dtype).as_subclass(Liar)
