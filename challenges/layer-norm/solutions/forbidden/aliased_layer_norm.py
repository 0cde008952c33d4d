"""Forbidden: reaches F.layer_norm through importlib and getattr, and torch.rms_norm through getattr."""

import importlib

import torch

_F = importlib.import_module("torch.nn." + "functional")
_ln = getattr(_F, "layer" + "_norm")


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return _ln(x, shape, weight, bias, eps)


def rms_norm(x, normalized_shape, weight=None, eps=1e-6):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return getattr(torch, "rms" + "_norm")(x, shape, weight, eps)
