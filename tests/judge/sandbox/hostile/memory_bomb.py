"""Hostile (softmax-cross-entropy): allocates (and touches) memory without end."""

import torch


def _hoard():
    kept = []
    while True:
        kept.append(torch.ones(1 << 24))  # 64 MiB, written


def log_softmax(x, dim=-1):
    _hoard()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _hoard()
