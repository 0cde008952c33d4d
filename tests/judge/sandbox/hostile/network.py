"""Hostile (softmax-cross-entropy): reaches for the network.

With no network at all, connecting fails with "Network is unreachable" and
the call raises (RE). If any connection succeeds it does not raise, so a
leaky sandbox shows up as another verdict or another message.
"""

import socket

import torch

TARGETS = (("172.17.0.1", 2375), ("10.0.0.1", 80), ("1.1.1.1", 53))


def _reach() -> None:
    errors = []
    for host, port in TARGETS:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return  # got out
        except OSError as exc:
            errors.append(f"{host}:{port}: {exc}")
    raise OSError("no network: " + "; ".join(errors))


def log_softmax(x, dim=-1):
    _reach()
    shift = x.amax(dim=dim, keepdim=True)
    return x - shift - (x - shift).exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _reach()
    return torch.zeros(())
