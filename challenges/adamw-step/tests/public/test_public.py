"""Public tests: the statement's example. Run them with `mlj test adamw-step`.

The tensors are made and kept inside the sandbox (adamw_tensors.tensor), updated there by your adamw_step,
and read back with .clone(), so these tests see exactly what your function did to the caller's tensors.
"""

from __future__ import annotations

import torch


def f64(values):  # noqa: ANN001, ANN201
    return torch.tensor(values, dtype=torch.float64)


def test_statement_example_first_step(sub, check):
    make = sub.support("adamw_tensors").tensor
    p, m, v = make.new(f64([1.0, -2.0])), make.new(f64([0.0, 0.0])), make.new(f64([0.0, 0.0]))
    assert sub.adamw_step([p], [f64([0.5, -0.1])], [m], [v], 1, 0.1) is None
    check(m.clone(), f64([0.05, -0.01]), dtype=torch.float64, name="exp_avg after step 1")
    check(v.clone(), f64([2.5e-4, 1e-5]), dtype=torch.float64, name="exp_avg_sq after step 1")
    check(p.clone(), f64([0.899000002, -1.89800001]), dtype=torch.float64, name="param after step 1")


def test_statement_example_second_step(sub, check):
    make = sub.support("adamw_tensors").tensor
    p, m, v = make.new(f64([1.0, -2.0])), make.new(f64([0.0, 0.0])), make.new(f64([0.0, 0.0]))
    sub.adamw_step([p], [f64([0.5, -0.1])], [m], [v], 1, 0.1)
    sub.adamw_step([p], [f64([0.5, 0.3])], [m], [v], 2, 0.1)
    check(p.clone(), f64([0.798101003998, -1.945520991110]), dtype=torch.float64, name="param after step 2")


def test_step_zero_is_an_error(sub):
    try:
        sub.adamw_step([f64([1.0])], [f64([1.0])], [f64([0.0])], [f64([0.0])], 0, 0.1)
    except Exception as exc:  # noqa: BLE001 - the worker's error arrives as a fault naming its type
        assert getattr(exc, "exc_type", "") == "ValueError", f"expected ValueError, got {exc}"
        return
    raise AssertionError("adamw_step(step=0) returned; it must raise ValueError")
