# expect: RE
# attack: sys.exit(0), os._exit(0), SystemExit and KeyboardInterrupt from different calls
import os
import sys

_calls = [0]


def log_softmax(x, dim=-1):
    _calls[0] += 1
    if _calls[0] % 3 == 1:
        raise KeyboardInterrupt
    if _calls[0] % 3 == 2:
        sys.exit(0)
    os._exit(0)


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    raise SystemExit(0)
