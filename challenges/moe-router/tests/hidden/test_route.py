"""Hidden tests of route: the choice, the weights, the load-balancing loss, gradients and dtypes."""

from __future__ import annotations

import pytest
import torch

F64 = torch.float64


def expected(ref, x, w, k):
    return ref.route(x.to(F64), w.to(F64), k)


# -- arguments ----------------------------------------------------------------------------------------

@pytest.mark.group("arguments")
def test_bad_arguments_raise(sub, mc):
    x, w = torch.randn(5, 4), torch.randn(4, 6)
    for args, what in (((x, w, 0), "k=0"), ((x, w, -1), "k=-1"), ((x, w, 7), "k=7 > E=6"),
                       ((x[0], w, 2), "x of shape (4,)"), ((x, w[0], 2), "w_gate of shape (6,)"),
                       ((x, torch.randn(3, 6), 2), "x (5, 4) with w_gate (3, 6)")):
        mc.raises_value_error(lambda a=args: sub.route(*a), f"route({what})")


@pytest.mark.group("arguments")
def test_k_equal_to_the_number_of_experts(sub, ref, check, mc, rng):
    x, w = mc.draw(rng, ref, 12, 8, 5, k=5)
    mc.compare(check, sub.route(x, w, 5), expected(ref, x, w, 5), torch.float32, "k = E = 5: every expert")


# -- routing ---------------------------------------------------------------------------------------------

@pytest.mark.group("routing")
@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=["float32", "float64"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_random_routes(sub, ref, check, mc, rng, dtype, k):
    x, w = mc.draw(rng, ref, 48, 16, 8, dtype=dtype, scale=2.0, k=k)
    mc.compare(check, sub.route(x, w, k), expected(ref, x, w, k), dtype, f"T=48, d=16, E=8, k={k}, {dtype}")


@pytest.mark.group("routing")
def test_worked_example(sub, ref, check, mc):
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    w = torch.tensor([[2.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, -1.0]])
    mc.compare(check, sub.route(x, w, 2), expected(ref, x, w, 2), torch.float32, "the statement's example")


# -- ties ---------------------------------------------------------------------------------------------------

@pytest.mark.group("ties")
@pytest.mark.parametrize("k", [1, 2, 3])
def test_ties_go_to_the_lower_index(sub, ref, check, mc, rng, k):
    """Small integer inputs make the logits exact, so equal logits give bit-for-bit equal probabilities."""
    x = torch.randint(-2, 3, (40, 4), generator=rng).float()
    w = torch.randint(-1, 2, (4, 6), generator=rng).float()
    w[:, 4] = w[:, 1]  # experts 1 and 4 always tie, 2 and 5 too
    w[:, 5] = w[:, 2]
    x[0] = torch.tensor([1.0, 0.0, 0.0, 0.0])
    w[0] = torch.tensor([0.0, 3.0, 3.0, 1.0, 3.0, 3.0])  # token 0: experts 1, 2, 4, 5 all tie at the top
    mc.compare(check, sub.route(x, w, k), expected(ref, x, w, k), torch.float32,
               f"k={k}, exact integer logits with equal columns (1 = 4, 2 = 5)")


# -- aux loss ---------------------------------------------------------------------------------------------

@pytest.mark.group("aux_loss")
@pytest.mark.parametrize("k", [2, 3])
def test_aux_loss_on_random_routes(sub, ref, check, mc, rng, k):
    x, w = mc.draw(rng, ref, 64, 8, 6, dtype=F64, scale=1.5, k=k)
    got = sub.route(x, w, k)
    check(got[2], expected(ref, x, w, k)[2], dtype=F64,
          name=f"aux_loss = E * sum_i f_i * P_i (T=64, E=6, k={k}: f_i counts all k choices / (T * k), P_i the "
               "mean probability)")


@pytest.mark.group("aux_loss")
def test_balanced_router_gives_one(sub, check):
    """Four tokens, each sure of a different expert pair, and uniform mean probabilities: aux_loss = 1."""
    big = 30.0
    logits = torch.tensor([[big, big, 0, 0], [0, 0, big, big], [big, 0, big, 0], [0, big, 0, big]], dtype=F64)
    x, w = logits, torch.eye(4, dtype=F64)
    got = sub.route(x, w, 2)
    f_times_p = torch.full((4,), 0.25, dtype=F64)
    want = 4 * (f_times_p * torch.softmax(logits, -1).mean(0)).sum()
    check(got[2], want, dtype=F64, name="aux_loss of a balanced router (every f_i = P_i = 1/4: about 1)")


@pytest.mark.group("aux_loss")
def test_collapsed_router(sub, ref, check):
    """Every token prefers expert 2 by far: f = (1, 0, 0) for k=1, and aux_loss is about E = 3."""
    x = torch.ones(10, 1, dtype=F64)
    w = torch.tensor([[0.0, -1.0, 8.0]], dtype=F64)
    for k in (1, 2):
        check(sub.route(x, w, k)[2], expected(ref, x, w, k)[2], dtype=F64,
              name=f"aux_loss when every token prefers expert 2 (k={k})")


# -- gradients ------------------------------------------------------------------------------------------

@pytest.mark.group("gradients")
@pytest.mark.parametrize("output, name", [(0, "weights"), (2, "aux_loss")])
@pytest.mark.parametrize("k", [1, 2])
def test_gradients(sub, ref, check, mc, rng, output, name, k):
    x, w = mc.draw(rng, ref, 24, 6, 5, dtype=F64, scale=2.0, k=k)
    g = torch.randn(24, k, generator=rng, dtype=F64) if output == 0 else torch.tensor(1.3, dtype=F64)
    _, grads = sub.route.grad(x, w, k, wrt=(0, 1), output=output, grad_output=g)
    gx, gw = mc.reference_grads(ref, x, w, k, output, g)
    for got, want, wrt in zip(grads, (gx, gw), ("x", "w_gate")):
        assert got is not None, f"no gradient of {name} reached {wrt}: is it detached from the router's probabilities?"
        check(got, want, dtype=F64,
              name=f"d {name} / d {wrt} (T=24, E=5, k={k}; f_i is a count and carries no gradient)")


# -- dtypes ---------------------------------------------------------------------------------------------

@pytest.mark.group("dtypes")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=["float16", "bfloat16"])
def test_half_inputs_route_in_float32(sub, ref, check, mc, rng, dtype):
    x, w = mc.draw(rng, ref, 32, 64, 8, dtype=dtype, scale=3.0, k=2)
    mc.compare(check, sub.route(x, w, 2), expected(ref, x, w, 2), torch.float32,
               f"{str(dtype)[6:]} x (32, 64) and w_gate (64, 8), k=2: cast to float32 before the matmul, "
               "results in float32")
