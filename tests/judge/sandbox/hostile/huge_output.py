"""Hostile (softmax-cross-entropy): returns 320 MB, far over the output cap, and blocks on it.

The judge stops reading after the frame header; the worker stays blocked
writing the rest. Killing it must still be immediate (the engine does not
remove a container whose output is blocked on a reader that stopped).
"""

import torch


def log_softmax(x, dim=-1):
    return torch.zeros(40_000_000, dtype=torch.float64)


cross_entropy = log_softmax
