"""Hostile (softmax-cross-entropy): fills shared anonymous memory without end.

Shared mappings escape RLIMIT_DATA; only the container's memory cgroup stops
this one, by killing the worker (OOMKilled: MLE).
"""

import mmap

CHUNK = 64 << 20


def _hoard():
    kept = []
    while True:
        block = mmap.mmap(-1, CHUNK)
        block.write(b"x" * CHUNK)
        kept.append(block)


def log_softmax(x, dim=-1):
    _hoard()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _hoard()
