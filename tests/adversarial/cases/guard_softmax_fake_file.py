# expect: FB
# attack: softmax-cross-entropy: the forbidden functions called from code compiled under torch's own file name,
# with the torch-function modes switched off
import torch

_src = "def go(x, d):\n    return getattr(torch.nn.functional, 'log_' + 'softmax')(x, d)\n"
_ns = {"torch": torch}
exec(compile(_src, torch.__file__.replace("__init__", "functional"), "exec"), _ns)


def log_softmax(x, dim=-1):
    with torch._C.DisableTorchFunction():
        return _ns["go"](x, dim)


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    logp = log_softmax(logits)
    picked = -logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return picked.mean() if reduction == "mean" else picked.sum() if reduction == "sum" else picked
