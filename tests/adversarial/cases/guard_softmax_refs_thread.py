# expect: FB
# attack: softmax-cross-entropy: torch's own Python implementation (torch._refs) and the aten kernel on a thread
import threading

import torch

_refs = __import__("torch._refs", fromlist=["_"])


def log_softmax(x, dim=-1):
    try:
        return getattr(_refs, "log_" + "softmax")(x, dim)
    except Exception:  # noqa: BLE001
        m = x.amax(dim=dim, keepdim=True).detach()
        return x - m - (x - m).exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    box = []
    op = getattr(torch.ops.aten, "_log_" + "softmax")
    t = threading.Thread(target=lambda: box.append(op(logits, -1, False)))
    t.start()
    t.join()
    logp = box[0] if box else log_softmax(logits)
    picked = -logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return picked.mean() if reduction == "mean" else picked.sum() if reduction == "sum" else picked
