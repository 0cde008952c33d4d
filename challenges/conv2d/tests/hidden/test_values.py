"""Hidden tests: values against the float64 reference, int arguments."""

from __future__ import annotations

import pytest
import torch

XCORR = "out[n, o, i, j] = bias[o] + sum weight[o, c, a, b] * xp[n, c, i*s + a*d, j*s + b*d]: not flipped"


@pytest.mark.group("values")
def test_zero_weight_gives_the_bias(sub, check, case):
    x, w, b = case((2, 3, 5, 6), (4, 3, 3, 3))
    b = b.float()
    expected = b.reshape(1, 4, 1, 1).expand(2, 4, 3, 4)
    check(sub.conv2d(x.float(), torch.zeros_like(w).float(), b, padding=(0, 0)), expected, dtype=torch.float32,
          name="conv2d with a zero weight: every position of output channel o is bias[o] (add the bias)")


@pytest.mark.group("values")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_plain(case, run, dtype):
    x, w, b = case((2, 3, 9, 8), (4, 3, 3, 3))
    run(x, w, b, dtype, XCORR)


@pytest.mark.group("values")
@pytest.mark.parametrize(("stride", "padding"), [(2, 1), (3, 2), (1, 2)])
def test_strided_and_padded(case, run, stride, padding):
    x, w, b = case((2, 4, 10, 9), (6, 4, 3, 3))
    run(x, w, b, torch.float32, "zeros padded on both sides of H and W", stride=stride, padding=padding)


@pytest.mark.group("values")
def test_no_bias(case, run):
    x, w, _ = case((1, 2, 6, 7), (3, 2, 2, 3))
    run(x, w, None, torch.float64, "bias=None", padding=1)


@pytest.mark.group("values")
def test_one_by_one_kernel(case, run):
    x, w, b = case((3, 5, 4, 6), (7, 5, 1, 1))
    run(x, w, b, torch.float64, "a 1x1 kernel mixes channels at every pixel", stride=2)


@pytest.mark.group("values")
def test_defaults(sub, ref, check, case):
    x, w, _ = case((2, 3, 6, 5), (4, 3, 2, 2))
    check(sub.conv2d(x, w), ref.conv2d(x, w, None, 1, 0, 1, 1), dtype=torch.float64,
          name="conv2d(x, weight) alone: bias None, stride 1, padding 0, dilation 1, groups 1")


@pytest.mark.group("values")
def test_statement_example(sub, ref, check):
    x = torch.arange(1., 17., dtype=torch.float64).reshape(1, 1, 4, 4)
    w = torch.tensor([[[[1., 2.], [3., 4.]]]], dtype=torch.float64)
    b = torch.tensor([0.5], dtype=torch.float64)
    check(sub.conv2d(x, w, b, stride=2, padding=1), ref.conv2d(x, w, b, stride=2, padding=1), dtype=torch.float64,
          name="the statement's example: conv2d(x 4x4, w [[1, 2], [3, 4]], bias 0.5, stride=2, padding=1)")
