# expect: FB
# attack: reach the forbidden kernels through torch._C and torch.ops.aten
import torch

_C = torch._C


def log_softmax(x, dim=-1):
    return _C._VariableFunctions.log_softmax(x, dim)


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return _C._nn.cross_entropy_loss(logits, targets, None, 1, ignore_index, label_smoothing)
