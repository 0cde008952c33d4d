"""Hidden tests of mlp-backprop: loss and gradients against float64 torch autograd, on the trusted side."""

from __future__ import annotations

import numpy as np
import pytest

EXAMPLE_X = np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 1.0]])
EXAMPLE_Y = np.array([0, 1, 1])
EXAMPLE_PARAMS = {"W1": np.array([[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]]), "b1": np.array([0.0, 0.0, 0.5]),
                  "W2": np.array([[1.0, -1.0], [2.0, 0.5], [-1.0, 2.0]]), "b2": np.array([0.1, -0.1])}
TRIES = 50  # draws of an integer case before one is found where relu'(0) changes the gradients


def run(sub, mlp, truth, check, x, y, params, case):  # noqa: ANN001, ANN201
    mlp.compare(check, sub.forward_backward(x, y, params), truth.forward_backward(x, y, params), case, params,
                x.shape[0])


@pytest.mark.group("values")
def test_statement_example(sub, mlp, truth, check):
    run(sub, mlp, truth, check, EXAMPLE_X, EXAMPLE_Y, EXAMPLE_PARAMS, "the statement's example, N=3, D=2, H=3, C=2")


@pytest.mark.group("values")
@pytest.mark.parametrize("shape", [(8, 5, 6, 3), (32, 10, 16, 4), (64, 20, 12, 7)])
def test_random_batches(sub, mlp, truth, check, rng, shape):
    n, d, hidden, classes = shape
    x, y, params = mlp.random_case(rng, n, d, hidden, classes)
    run(sub, mlp, truth, check, x, y, params, f"random batch N={n}, D={d}, H={hidden}, C={classes}")


@pytest.mark.group("shapes")
def test_batch_of_one(sub, mlp, truth, check, rng):
    x, y, params = mlp.random_case(rng, 1, 4, 5, 3)
    run(sub, mlp, truth, check, x, y, params, "a batch of one, N=1, D=4, H=5, C=3")


@pytest.mark.group("shapes")
def test_two_classes(sub, mlp, truth, check, rng):
    x, y, params = mlp.random_case(rng, 12, 3, 7, 2)
    y[:2] = [0, 1]  # both classes present
    run(sub, mlp, truth, check, x, y, params, "two classes, N=12, D=3, H=7, C=2")


@pytest.mark.group("shapes")
def test_hidden_equals_classes(sub, mlp, truth, check, rng):
    """H == C: a transposed W2 gradient has W2's shape here, so only its values can tell."""
    x, y, params = mlp.random_case(rng, 16, 5, 6, 6)
    run(sub, mlp, truth, check, x, y, params, "H == C = 6, N=16, D=5 (W2 is square)")


@pytest.mark.group("relu_zero")
def test_exact_zero_pre_activations(sub, mlp, truth, check, rng):
    """Integer x, W1 and b1: many pre-activations h are exactly 0, where relu'(0) = 0."""
    for _ in range(TRIES):
        x, y, params = mlp.integer_case(rng, 24, 4, 8, 3)
        if mlp.relu_zero_tells(truth, x, y, params):
            break
    else:
        raise RuntimeError("no integer case where relu'(0) changes the gradients")
    zeros = int((truth.pre_activations(x, params) == 0).sum())
    run(sub, mlp, truth, check, x, y, params,
        f"integer x, W1, b1 with {zeros} pre-activations exactly 0, N=24, D=4, H=8, C=3")


@pytest.mark.group("relu_zero")
def test_zero_rows_and_zero_bias(sub, mlp, truth, check, rng):
    """Rows of x that are all zero (padding) and a zero b1: those rows' h is exactly 0 in every unit."""
    for _ in range(TRIES):
        x, y, params = mlp.random_case(rng, 10, 3, 5, 4)
        x[::3] = 0.0
        params["b1"][:] = 0.0
        if mlp.relu_zero_tells(truth, x, y, params):
            break
    else:
        raise RuntimeError("no zero-row case where relu'(0) changes the gradients")
    run(sub, mlp, truth, check, x, y, params, "x with 4 all-zero rows and b1 = 0 (h == 0 there), N=10, D=3, H=5, C=4")


@pytest.mark.group("stability")
@pytest.mark.parametrize("scale", [1e3, 3e4])
def test_large_logits(sub, mlp, truth, check, rng, scale):
    x, y, params = mlp.random_case(rng, 20, 6, 8, 5, logit_scale=scale)
    top = float(np.abs(truth.logits(x, params)).max())
    run(sub, mlp, truth, check, x, y, params,
        f"logits up to {top:.3g} in magnitude (exp overflows float64 beyond 709: shift by the row max), "
        "N=20, D=6, H=8, C=5")


@pytest.mark.group("stability")
def test_large_tied_logits(sub, mlp, truth, check, rng):
    """Every row's logits are 5000 + small values: all of them overflow exp, none dominates."""
    x, y, params = mlp.random_case(rng, 9, 4, 6, 3)
    params["b2"] = params["b2"] + 5000.0
    run(sub, mlp, truth, check, x, y, params, "logits all near 5000 (exp(5000) overflows), N=9, D=4, H=6, C=3")


@pytest.mark.group("inputs")
def test_inputs_not_modified(sub, mlp, truth, check, rng):
    """x, y and the parameters are made inside the worker and handed over as they are, then read back.

    A probe inside the worker (the statement says so): what it reads is what the arrays hold there.
    """
    x, y, params = mlp.random_case(rng, 12, 4, 6, 3)
    make = sub.support("mlp_arrays").array
    remote_x, remote_y = make.new(x), make.new(y)
    remote_params = {k: make.new(v) for k, v in params.items()}
    sub.forward_backward(remote_x, remote_y, remote_params)  # the values are the other groups' business
    check(remote_x.copy(), x, rtol=0.0, atol=0.0, name="x after forward_backward returned (do not modify x)")
    check(remote_y.copy(), y, name="y after forward_backward returned (do not modify y)")
    for key in mlp.KEYS:
        check(remote_params[key].copy(), params[key], rtol=0.0, atol=0.0,
              name=f"params[{key!r}] after forward_backward returned (do not modify the parameters in place: "
                   "return new arrays for the gradients)")
