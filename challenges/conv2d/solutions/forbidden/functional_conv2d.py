"""Forbidden: torch.nn.functional.conv2d, reached through getattr on an alias."""

import importlib

_nn = importlib.import_module("torch.nn." + "functional")
_conv = getattr(_nn, "con" + "v2d")


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(x, weight, bias, stride, padding, dilation, groups)
