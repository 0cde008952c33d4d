"""Hostile (softmax-cross-entropy): writes outside its scratch space.

Every write outside /scratch and /tmp must fail (read-only root, read-only
/submission); the call then raises (RE) saying what was blocked and what
was writable. If any of them succeeds it does not raise.
"""

import os

import torch

OUTSIDE = ("/opt/mlj/harness/worker.py", "/opt/mlj/pwned", "/submission/solution.py", "/submission/pwned",
           "/etc/pwned", "/pwned", "/usr/lib/pwned")


def _escape() -> None:
    blocked = []
    for path in OUTSIDE:
        try:
            with open(path, "a") as handle:
                handle.write("# pwned\n")
            return  # got out
        except OSError as exc:
            blocked.append(f"{path}: {exc.strerror}")
    inside = []
    for folder in ("/scratch", "/tmp", os.environ.get("HOME", "")):
        try:
            with open(os.path.join(folder, "ok.txt"), "w") as handle:
                handle.write("fine")
            inside.append(folder)
        except OSError:
            pass
    raise PermissionError(f"writable inside: {inside}; blocked: {'; '.join(blocked)}")


def log_softmax(x, dim=-1):
    _escape()
    shift = x.amax(dim=dim, keepdim=True)
    return x - shift - (x - shift).exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _escape()
    return torch.zeros(())
