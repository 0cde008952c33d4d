"""Public tests: small cases you can read. Run them with `mlj test layer-norm`."""

import torch

X = torch.tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]])


def test_layer_norm_worked_example(sub, ref, check):
    check(sub.layer_norm(X, 4), ref.layer_norm(X.double(), 4), dtype=torch.float32,
          name="layer_norm([[1, 2, 3, 4], [2, 2, 2, 2]], 4): biased variance, the constant row gives zeros")


def test_layer_norm_two_dims_with_affine(sub, ref, check):
    w, b = torch.tensor([1.0, 1.0, 2.0, 2.0]), torch.tensor([0.0, 0.0, 0.0, 1.0])
    check(sub.layer_norm(X, 4, w, b), ref.layer_norm(X.double(), 4, w.double(), b.double()), dtype=torch.float32,
          name="layer_norm(x, 4, weight, bias)")
    check(sub.layer_norm(X, (2, 4)), ref.layer_norm(X.double(), (2, 4)), dtype=torch.float32,
          name="layer_norm(x, (2, 4)): one row of all 8 values")


def test_rms_norm_worked_example(sub, ref, check):
    check(sub.rms_norm(X, 4), ref.rms_norm(X.double(), 4), dtype=torch.float32,
          name="rms_norm([[1, 2, 3, 4], [2, 2, 2, 2]], 4): divide by the root of the mean square")
