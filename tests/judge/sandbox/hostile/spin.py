"""Hostile (softmax-cross-entropy): spins forever (for the Ctrl-C test)."""


def log_softmax(x, dim=-1):
    while True:
        pass


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    while True:
        pass
