"""Public tests: the statement's worked example, driven as a training loop. Run them with `mlj test loss-scaler`.

The hidden tests work the same way, with the judge's reference beside your scaler.
"""

import torch


def test_worked_example_scales(sub):
    scaler = sub.LossScaler.new(init_scale=8.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=2)
    got = sub.support("scaler_support").run_updates(scaler, [c != "f" for c in "ffifnfff"])
    assert got == [8.0, 16.0, 8.0, 8.0, 4.0, 4.0, 8.0, 8.0], f"the scales after each update: {got}"


def test_first_iteration(sub, check):
    sup = sub.support("scaler_support")
    scaler = sub.LossScaler.new(init_scale=8.0, growth_interval=2)
    params = sup.keep.new([torch.zeros(2)])
    grads = sup.keep.new([torch.tensor([8.0, -4.0])])
    step_fn = sup.make_sgd_step.new(params, grads, 0.5)
    assert scaler.step(step_fn, grads) == 1, "step() returns what the optimizer step returned (1: its first run)"
    check(sup.read(grads)[0], torch.tensor([1.0, -0.5]), name="the gradient after step(): [8, -4] / 8")
    check(sup.read(params)[0], torch.tensor([-0.5, 0.25]), name="the parameter after one SGD step of lr 0.5")


def test_overflow_skips_the_step(sub, check):
    sup = sub.support("scaler_support")
    scaler = sub.LossScaler.new(init_scale=8.0, growth_interval=2)
    params = sup.keep.new([torch.zeros(2)])
    grads = sup.keep.new([torch.tensor([float("inf"), 1.0])])
    step_fn = sup.make_sgd_step.new(params, grads, 0.5)
    assert scaler.step(step_fn, grads) is None, "step() skips the optimizer step on inf and returns None"
    scaler.update(True)
    assert scaler.get_scale() == 4.0, "after an overflow the scale is multiplied by backoff_factor 0.5"
    check(sup.read(params)[0], torch.zeros(2), name="the parameter after a skipped step", allow_constant=True)
