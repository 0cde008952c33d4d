"""Hidden tests of adamw-step: the caller's tensors, kept in the worker and read back after each call, against
torch.optim's AdamW arithmetic in float64 on the trusted side."""

from __future__ import annotations

import pytest
import torch


def f64(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


@pytest.mark.group("first_step")
def test_statement_example(sub, adamw, truth, check):
    run = adamw.start(sub, truth, check, [f64([1.0, -2.0])])
    case = "the statement's example, lr=0.1 and the defaults betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01"
    run.step([f64([0.5, -0.1])], 1, 0.1, f"{case}; the first update is step 1")
    run.step([f64([0.5, 0.3])], 2, 0.1, f"{case}; second step")


@pytest.mark.group("first_step")
def test_first_step_with_the_defaults(sub, adamw, truth, check, rng):
    """Only lr is given: betas=(0.9, 0.999), eps=1e-8 and AdamW's weight_decay=0.01 apply."""
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params)
    run.step([adamw.normal(rng, s) for s in adamw.SHAPES], 1, 0.01,
             "step 1 from zero moments, lr=0.01, the default betas, eps and weight_decay=0.01")


@pytest.mark.group("several_steps")
def test_six_steps(sub, adamw, truth, check, rng):
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params)
    for step, lr in enumerate([0.01, 0.02, 0.02, 0.005, 0.01, 0.03], start=1):
        grads = [adamw.normal(rng, s, scale=0.5) for s in adamw.SHAPES]
        run.step(grads, step, lr, f"step {step} of six, lr={lr}, betas=(0.8, 0.99), weight_decay=0.05",
                 betas=(0.8, 0.99), weight_decay=0.05)


@pytest.mark.group("several_steps")
def test_resume_at_a_later_step(sub, adamw, truth, check, rng):
    """Moments from earlier steps are given and step is 11: the bias correction uses 11, as given."""
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    exp_avgs = [adamw.normal(rng, s, scale=0.1) for s in adamw.SHAPES]
    exp_avg_sqs = [adamw.normal(rng, s, scale=0.1).square() + 1e-4 for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params, exp_avgs, exp_avg_sqs)
    for step in (11, 12, 13):
        run.step([adamw.normal(rng, s) for s in adamw.SHAPES], step, 0.01,
                 f"resumed with given moments at step {step} (1 - beta**{step}), lr=0.01")


@pytest.mark.group("weight_decay")
def test_large_decay_is_applied_before_the_update(sub, adamw, truth, check, rng):
    """lr * weight_decay = 0.05: decaying after the update moves p by 0.05 * lr * the update more."""
    params = [adamw.normal(rng, s) + 2.0 for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params)
    for step in (1, 2, 3):
        run.step([adamw.normal(rng, s) for s in adamw.SHAPES], step, 0.1,
                 f"lr=0.1, weight_decay=0.5, step {step}: the decay multiplies p before the Adam update, "
                 "not after", weight_decay=0.5)


@pytest.mark.group("weight_decay")
def test_no_weight_decay_is_adam(sub, adamw, truth, check, rng):
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params)
    for step in (1, 2, 3):
        run.step([adamw.normal(rng, s) for s in adamw.SHAPES], step, 0.01,
                 f"weight_decay=0 (plain Adam), step {step}", weight_decay=0.0)


@pytest.mark.group("epsilon")
def test_tiny_gradients(sub, adamw, truth, check, rng):
    """Gradients of about 1e-6: sqrt(v_hat) is about 1e-6 where eps=1e-8, so where eps goes shows."""
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params)
    for step in (1, 2, 3):
        grads = [adamw.normal(rng, s, scale=1e-6) for s in adamw.SHAPES]
        run.step(grads, step, 0.01, f"gradients ~1e-6, step {step}: eps is added to sqrt(v_hat), "
                 "not inside the square root nor before the bias correction")


@pytest.mark.group("epsilon")
def test_larger_eps(sub, adamw, truth, check, rng):
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params)
    for step in (1, 2):
        grads = [adamw.normal(rng, s, scale=1e-2) for s in adamw.SHAPES]
        run.step(grads, step, 0.01, f"eps=1e-3 with gradients ~1e-2, step {step}: the denominator is "
                 "sqrt(v_hat) + eps", eps=1e-3)


@pytest.mark.group("zero_grads")
def test_zero_gradients(sub, adamw, truth, check, rng):
    """Tensor 0's gradient is zero from the first step (it only decays); tensor 1's is zero at step 3 (it still
    moves by its momentum)."""
    params = [adamw.normal(rng, (3, 2)), adamw.normal(rng, (4,))]
    run = adamw.start(sub, truth, check, params)
    for step in (1, 2, 3, 4):
        grads = [torch.zeros(3, 2, dtype=torch.float64),
                 torch.zeros(4, dtype=torch.float64) if step == 3 else adamw.normal(rng, (4,))]
        run.step(grads, step, 0.05, f"zero gradients (tensor 0 always, tensor 1 at step 3), step {step}: "
                 "a zero gradient is not skipped, p still decays and moves by its momentum")


@pytest.mark.group("in_place")
def test_gradients_are_not_modified(sub, adamw, truth, check, rng):
    make = sub.support("adamw_tensors").tensor
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    grads = [adamw.normal(rng, s) for s in adamw.SHAPES]
    remote = {k: [make.new(t) for t in ts] for k, ts in
              {"params": params, "grads": grads, "m": [torch.zeros_like(p) for p in params],
               "v": [torch.zeros_like(p) for p in params]}.items()}
    sub.adamw_step(remote["params"], remote["grads"], remote["m"], remote["v"], 1, 0.01)
    for i, (handle, g) in enumerate(zip(remote["grads"], grads)):
        check(handle.clone(), g, rtol=0.0, atol=0.0, dtype=torch.float64,
              name=f"grads[{i}] after adamw_step returned (the gradients are not modified: no zeroing them)")


@pytest.mark.group("errors")
@pytest.mark.parametrize("step", [0, -3])
def test_step_below_one_raises(sub, adamw, truth, check, rng, raises_value_error, step):
    make = sub.support("adamw_tensors").tensor
    params = [adamw.normal(rng, s) + 1.0 for s in adamw.SHAPES]
    grads = [adamw.normal(rng, s) for s in adamw.SHAPES]
    remote = [make.new(p) for p in params]
    m, v = [make.new(torch.zeros_like(p)) for p in params], [make.new(torch.zeros_like(p)) for p in params]
    raises_value_error(lambda: sub.adamw_step(remote, grads, m, v, step, 0.1),
                       f"adamw_step(step={step}) (step counts from 1)")
    for i, (handle, p) in enumerate(zip(remote, params)):
        check(handle.clone(), p, rtol=0.0, atol=0.0, dtype=torch.float64,
              name=f"params[{i}] after adamw_step(step={step}) raised (raise before modifying anything)")


@pytest.mark.group("float32")
def test_float32_tensors(sub, adamw, truth, check, rng):
    params = [adamw.normal(rng, s) for s in adamw.SHAPES]
    run = adamw.start(sub, truth, check, params, dtype=torch.float32)
    for step in range(1, 6):
        run.step([adamw.normal(rng, s) for s in adamw.SHAPES], step, 0.01,
                 f"float32 tensors (the update in float32), step {step}")
