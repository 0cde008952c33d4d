"""Public tests: the statement's worked example. Run them with `mlj test moe-router`."""

import torch

X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
W = torch.tensor([[2.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, -1.0]])


def test_worked_example(sub, check):
    weights, experts, aux = sub.route(X, W, 2)
    check(experts, torch.tensor([[0, 2], [1, 2], [0, 2]]), name="experts (ties to the lower index)")
    check(weights, torch.tensor([[0.7311, 0.2689], [0.5, 0.5], [0.5, 0.5]]), atol=1e-4, rtol=0.0,
          name="weights (renormalised over the 2 chosen experts)")
    check(aux, torch.tensor(1.3531), atol=1e-4, rtol=0.0, name="aux_loss")


def test_k_equal_one(sub, check):
    weights, experts, _ = sub.route(X, W, 1)
    check(experts, torch.tensor([[0], [1], [0]]), name="experts with k=1")
    check(weights, torch.ones(3, 1), dtype=torch.float32, allow_constant=True, name="weights with k=1 (all 1)")


def test_aux_loss_has_a_gradient(sub):
    _, grads = sub.route.grad(X, W, 2, wrt=(0, 1), output=2, grad_output=torch.tensor(1.0))
    assert grads[0] is not None and grads[1] is not None, "aux_loss must be differentiable in x and w_gate"
