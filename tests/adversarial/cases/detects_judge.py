# expect: WA RE
# attack: behave differently when it detects the judge (cheating only where no one grades it)
import os

import torch


def _judged():
    return "mlj-worker" in os.getcwd() or os.path.exists("/submission") or not os.environ.get("HOME", "").startswith("/home")


def log_softmax(x, dim=-1):
    if _judged():
        return torch.zeros_like(x)
    m = x.amax(dim=dim, keepdim=True)
    return x - m - (x - m).exp().sum(dim=dim, keepdim=True).log()


cross_entropy = log_softmax
