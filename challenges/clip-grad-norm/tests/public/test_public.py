"""Public tests: the statement's example. Run them with `mlj test clip-grad-norm`.

The gradients are made and kept inside the sandbox (clip_tensors.tensor), scaled there by your
clip_grad_norm, and read back with .clone(), so these tests see exactly what your function did to them.
"""

from __future__ import annotations

import math

import torch


def f64(values):  # noqa: ANN001, ANN201
    return torch.tensor(values, dtype=torch.float64)


def test_statement_example(sub, check):
    make = sub.support("clip_tensors").tensor
    a, b = make.new(f64([3.0, 4.0])), make.new(f64([12.0]))
    total = sub.clip_grad_norm([a, b], 6.5)
    check(total, torch.tensor(13.0, dtype=torch.float64), dtype=torch.float64, name="total norm")
    check(a.clone(), f64([1.4999998846153937, 1.9999998461538582]), dtype=torch.float64, name="grads[0]")
    check(b.clone(), f64([5.999999538461575]), dtype=torch.float64, name="grads[1]")


def test_no_clipping_below_max_norm(sub, check):
    make = sub.support("clip_tensors").tensor
    a, b = make.new(f64([3.0, 4.0])), make.new(f64([12.0]))
    sub.clip_grad_norm([a, b], 20.0)
    check(a.clone(), f64([3.0, 4.0]), dtype=torch.float64, name="grads[0] (coef > 1: unchanged)")


def test_infinite_entry(sub, check):
    make = sub.support("clip_tensors").tensor
    a, b = make.new(f64([3.0, math.inf])), make.new(f64([-12.0]))
    total = sub.clip_grad_norm([a, b], 6.5)
    check(total, torch.tensor(math.inf, dtype=torch.float64), dtype=torch.float64, name="total norm")
    check(a.clone(), f64([0.0, math.nan]), dtype=torch.float64, name="grads[0] (times 0: inf * 0 is NaN)")
