"""Public tests: small cases you can read. Run them with `mlj test mlp-backprop`.

forward_backward returns (loss, grads); grads is a dict with the keys of params, float64 arrays.
"""

from __future__ import annotations

import numpy as np
import torch

X = np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 1.0]])
Y = np.array([0, 1, 1])
PARAMS = {"W1": np.array([[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]]), "b1": np.array([0.0, 0.0, 0.5]),
          "W2": np.array([[1.0, -1.0], [2.0, 0.5], [-1.0, 2.0]]), "b2": np.array([0.1, -0.1])}


def test_statement_example_loss_and_output_gradients(sub, check):
    loss, grads = sub.forward_backward(X, Y, PARAMS)
    check(np.asarray(loss), np.asarray(1.1614340557219298), dtype=torch.float64, name="loss of the example")
    check(grads["b2"], np.array([0.390554828951, -0.390554828951]), atol=1e-9, dtype=torch.float64,
          name="grads['b2'] of the example")
    assert sorted(grads) == ["W1", "W2", "b1", "b2"], f"grads must have the keys of params, got {sorted(grads)}"


def test_statement_example_relu_at_zero(sub, check):
    """Row 1 of x is zero and b1[0] = b1[1] = 0, so h is exactly 0 there: relu'(0) = 0."""
    _, grads = sub.forward_backward(X, Y, PARAMS)
    check(grads["b1"], np.array([-0.002223204872, 0.478749734948, -0.214165016957]), atol=1e-9, dtype=torch.float64,
          name="grads['b1'] of the example")


def test_shapes_follow_the_parameters(sub):
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(4, 5)), "b1": rng.normal(size=5), "W2": rng.normal(size=(5, 3)),
              "b2": rng.normal(size=3)}
    _, grads = sub.forward_backward(rng.normal(size=(6, 4)), np.array([0, 1, 2, 0, 1, 2]), params)
    for key, value in params.items():
        assert grads[key].shape == value.shape, f"grads[{key!r}] has shape {grads[key].shape}, expected {value.shape}"
        assert grads[key].dtype == np.float64, f"grads[{key!r}] has dtype {grads[key].dtype}, expected float64"
