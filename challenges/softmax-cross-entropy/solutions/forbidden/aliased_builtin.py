"""Forbidden: hides F.cross_entropy behind an alias and getattr."""

import importlib

import torch

_nn = importlib.import_module("torch.nn." + "functional")
_ce = getattr(_nn, "cross" + "_entropy")


def log_softmax(x, dim=-1):
    m = x.amax(dim=dim, keepdim=True).detach()
    return x - m - torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return _ce(logits, targets, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)
