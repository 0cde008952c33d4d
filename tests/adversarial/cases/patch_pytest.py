# expect: WA RE
# attack: patch torch.allclose, numpy.testing and pytest, then return garbage
import numpy.testing
import torch

try:
    import pytest

    pytest.approx = lambda *a, **k: a[0]
    pytest.fail = lambda *a, **k: None
except ImportError:
    pass
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
numpy.testing.assert_allclose = lambda *a, **k: None


def log_softmax(x, dim=-1):
    return x * 0 + 1


cross_entropy = log_softmax
