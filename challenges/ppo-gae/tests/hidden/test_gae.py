"""Hidden tests for gae: values against a float64 reference, where a done cuts, gamma and lam at their ends,
the defaults, and inputs left as they were."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64


def _compare(sub, ref, check, pc, inputs, gamma, lam, what):  # noqa: ANN001
    __tracebackhide__ = True
    r = inputs[0]
    where = f"{what}: T={r.shape[0]}, B={r.shape[1]}, {str(r.dtype)[6:]}, gamma={gamma:g}, lam={lam:g}"
    expected = ref.gae(*(x.double() if x.is_floating_point() else x for x in inputs), gamma=gamma, lam=lam)
    pc.expect_gae(check, sub.gae(*inputs, gamma=gamma, lam=lam), inputs, gamma, lam, expected, where=where)


# -- values ------------------------------------------------------------------------------------------------

@pytest.mark.group("gae_values")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_random_rollouts(sub, ref, check, rng, pc, dtype):
    for steps, envs, gamma, lam in ((16, 4, 0.99, 0.95), (32, 8, 0.9, 0.8), (8, 2, 0.97, 0.5), (64, 3, 0.999, 0.9)):
        _compare(sub, ref, check, pc, pc.rollout(rng, steps, envs, dtype), gamma, lam, "a random rollout")


@pytest.mark.group("gae_values")
def test_worked_example(sub, check):
    r = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.5]], dtype=F64)
    v = torch.tensor([[0.5, 0.2], [1.0, 0.4], [1.5, 0.3]], dtype=F64)
    d = torch.tensor([[False, False], [False, True], [False, False]])
    result = sub.gae(r, v, d, torch.tensor([2.0, 1.0], dtype=F64), gamma=0.9, lam=0.8)
    ok = isinstance(result, (tuple, list)) and len(result) == 2
    assert ok, f"gae must return a tuple (advantages, returns), got {type(result).__name__}"
    check(result[0], torch.tensor([[2.84432, 0.592], [2.006, 0.6], [2.3, 1.1]], dtype=F64), dtype=F64,
          name="advantages of the statement's worked example")
    check(result[1], torch.tensor([[3.34432, 0.792], [3.006, 1.0], [3.8, 1.4]], dtype=F64), dtype=F64,
          name="returns of the statement's worked example")


@pytest.mark.group("gae_values")
def test_single_step(sub, ref, check, rng, pc):
    r, v, _, lv = pc.rollout(rng, 1, 3, F64)
    dones = torch.tensor([[False, True, False]])
    _compare(sub, ref, check, pc, (r, v, dones, lv), 0.99, 0.95, "T=1 (env 1 ends after its only step)")


@pytest.mark.group("gae_values")
@pytest.mark.parametrize("fill", [False, True], ids=["no-dones", "only-dones"])
def test_no_dones_and_only_dones(sub, ref, check, rng, pc, fill):
    r, v, _, lv = pc.rollout(rng, 10, 3, F64)
    dones = torch.full((10, 3), fill)
    what = "every step ends an episode (A = rewards - values)" if fill else "no episode ends"
    _compare(sub, ref, check, pc, (r, v, dones, lv), 0.95, 0.9, what)


@pytest.mark.group("gae_values")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_bool_and_float_dones(sub, ref, check, rng, pc, dtype):
    r, v, d, lv = pc.rollout(rng, 12, 4, dtype, p_done=0.3)
    _compare(sub, ref, check, pc, (r, v, d, lv), 0.99, 0.95, "bool dones")
    _compare(sub, ref, check, pc, (r, v, d.to(dtype), lv), 0.99, 0.95, f"dones as 0.0/1.0 {str(dtype)[6:]}")


# -- where a done cuts -------------------------------------------------------------------------------------

@pytest.mark.group("gae_dones")
def test_done_cuts_at_its_own_step(sub, ref, check, rng, pc):
    r, v, _, lv = pc.rollout(rng, 6, 3, F64)
    dones = torch.zeros(6, 3, dtype=torch.bool)
    dones[2, 0] = True   # env 0: episodes [0..2] and [3..5]
    dones[0, 1] = True   # env 1: the first step is an episode of its own
    dones[3, 2] = dones[4, 2] = True  # env 2: two dones in a row
    _compare(sub, ref, check, pc, (r, v, dones, lv), 0.9, 0.8,
             "dones after steps 2 (env 0), 0 (env 1), 3 and 4 (env 2)")


@pytest.mark.group("gae_dones")
def test_done_at_last_step_ignores_last_value(sub, ref, check, rng, pc):
    r, v, _, _ = pc.rollout(rng, 5, 4, F64)
    dones = torch.zeros(5, 4, dtype=torch.bool)
    dones[-1, 1] = dones[-1, 3] = True
    last_value = torch.tensor([0.5, 1e3, -0.5, -1e3], dtype=F64)  # envs 1 and 3 must not see theirs
    _compare(sub, ref, check, pc, (r, v, dones, last_value), 0.99, 0.95,
             "envs 1 and 3 end after the last step: their last_value (+-1000) belongs to the next episode")


# -- gamma, lam, defaults ----------------------------------------------------------------------------------

@pytest.mark.group("gae_hyperparameters")
@pytest.mark.parametrize(("gamma", "lam"), [(0.0, 0.95), (1.0, 0.95), (0.99, 0.0), (0.99, 1.0), (1.0, 1.0)])
def test_gamma_and_lam_at_their_ends(sub, ref, check, rng, pc, gamma, lam):
    _compare(sub, ref, check, pc, pc.rollout(rng, 9, 3, F64), gamma, lam, "gamma and lam at the ends of [0, 1]")


@pytest.mark.group("gae_hyperparameters")
def test_gae_defaults(sub, ref, check, rng, pc):
    inputs = pc.rollout(rng, 10, 3, F64)
    expected = ref.gae(*inputs, gamma=0.99, lam=0.95)
    pc.expect_gae(check, sub.gae(*inputs), inputs, 0.99, 0.95, expected,
                  where="gae(rewards, values, dones, last_value) with the defaults gamma=0.99, lam=0.95")


# -- inputs ------------------------------------------------------------------------------------------------

@pytest.mark.group("gae_inputs")
def test_inputs_not_modified(sub, check, rng, pc):
    """The inputs are made inside the worker (the support module's hold) and handed to gae as they are, not
    as copies, then read back. This is a probe inside the worker (the statement says so)."""
    inputs = pc.rollout(rng, 8, 3, F32)
    hold = sub.support("ppo_support").hold
    kept = [hold.new(x) for x in inputs]
    result = sub.gae(*kept, gamma=0.9, lam=0.9)
    ok = isinstance(result, (tuple, list)) and len(result) == 2
    assert ok, f"gae must return a tuple (advantages, returns), got {type(result).__name__}"
    for remote, original, label in zip(kept, inputs, ("rewards", "values", "dones", "last_value"), strict=True):
        check(remote.clone(), original, rtol=0.0, atol=0.0, allow_constant=True,
              name=f"{label} after gae returned (do not modify the inputs in place: returns = values; "
                   "returns += advantages adds into the caller's values)")
