# expect: FB
# attack: reach the forbidden module class through importlib and getattr
import importlib

mod = importlib.import_module("torch." + "nn")
Loss = getattr(mod, "".join(["Cross", "Entropy", "Loss"]))


def log_softmax(x, dim=-1):
    m = x.amax(dim=dim, keepdim=True).detach()
    return x - m - (x - m).exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return Loss(reduction=reduction, ignore_index=ignore_index, label_smoothing=label_smoothing)(logits, targets)
