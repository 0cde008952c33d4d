"""Hidden tests of clip-grad-norm: the returned total and the caller's tensors, kept in the worker and read back,
against torch.nn.utils.clip_grad_norm_ on the trusted side."""

from __future__ import annotations

import math

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

EPS = 1e-6  # the clipping rule's epsilon


def f64(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def example() -> list[torch.Tensor]:
    return [f64([3.0, 4.0]), f64([12.0])]


@pytest.mark.group("values")
def test_statement_example(sub, clip, truth, check):
    clip.run(sub, truth, check, example(), 6.5, "the statement's example, [3, 4] and [12] with max_norm=6.5")
    clip.run(sub, truth, check, example(), 20.0, "the statement's example with max_norm=20: coef > 1, unchanged")


@pytest.mark.group("values")
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0])
def test_clips_over_the_threshold(sub, clip, truth, check, rng, norm_type):
    grads = clip.grads_of(rng)
    max_norm = clip.norm(grads, norm_type) / 3
    clip.run(sub, truth, check, grads, max_norm, f"4 tensors, norm_type={norm_type:g}, max_norm = total / 3",
             norm_type=norm_type)


@pytest.mark.group("values")
@pytest.mark.parametrize("norm_type", [1.0, 2.0])
def test_unchanged_under_the_threshold(sub, clip, truth, check, rng, norm_type):
    grads = clip.grads_of(rng)
    clip.run(sub, truth, check, grads, 2 * clip.norm(grads, norm_type),
             f"4 tensors, norm_type={norm_type:g}, max_norm = 2 * total: coef ~2 > 1, never scale up",
             norm_type=norm_type)


@pytest.mark.group("values")
def test_all_zero_gradients(sub, clip, truth, check):
    grads = [torch.zeros(3, 2, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)]
    remote = clip.keep(sub, grads)
    total = sub.clip_grad_norm(remote, 1.0)
    check(total, torch.tensor(0.0, dtype=torch.float64), dtype=torch.float64, allow_constant=True,
          name="the total norm of all-zero gradients (0; the coefficient 1 / (0 + 1e-6) is > 1: no scaling)")
    for i, (handle, g) in enumerate(zip(remote, grads)):
        check(handle.clone(), g, dtype=torch.float64, allow_constant=True,
              name=f"grads[{i}] (all zeros) after clip_grad_norm: still zeros (the 1e-6 keeps 1 / total finite)")


@pytest.mark.group("global_norm")
def test_each_tensor_under_max_norm_but_not_all_together(sub, clip, truth, check, rng):
    grads = clip.grads_of(rng)
    own = max(clip.norm([g]) for g in grads)
    total = clip.norm(grads)
    max_norm = (own + total) / 2
    clip.run(sub, truth, check, grads, max_norm,
             f"4 tensors whose own norms are at most {own:.4g}, global norm {total:.4g}, max_norm={max_norm:.4g}: "
             "one norm over all of them, not one per tensor")


@pytest.mark.group("global_norm")
def test_many_small_tensors(sub, clip, truth, check, rng):
    grads = clip.grads_of(rng, [(3,)] * 10)
    clip.run(sub, truth, check, grads, clip.norm(grads) / 2, "10 tensors of 3, max_norm = global norm / 2")


@pytest.mark.group("boundary")
def test_max_norm_equal_to_the_total(sub, clip, truth, check, rng):
    grads = clip.grads_of(rng)
    clip.run(sub, truth, check, grads, clip.norm(grads),
             "max_norm equal to the total: coef = total / (total + 1e-6) < 1, so it is still scaled")


@pytest.mark.group("boundary")
def test_just_over_the_threshold(sub, clip, truth, check, rng):
    grads = clip.grads_of(rng)
    clip.run(sub, truth, check, grads, clip.norm(grads) + EPS / 2,
             "max_norm = total + 0.5e-6: coef = max_norm / (total + 1e-6) < 1, scaled")


@pytest.mark.group("boundary")
def test_just_under_the_threshold(sub, clip, truth, check, rng):
    grads = clip.grads_of(rng)
    clip.run(sub, truth, check, grads, clip.norm(grads) + 2 * EPS,
             "max_norm = total + 2e-6: coef = max_norm / (total + 1e-6) > 1, unchanged (never scaled up)")


@pytest.mark.group("boundary")
def test_coefficient_exactly_one(sub, clip, truth, check):
    """total = 13 exactly and max_norm = 13 + 1e-6 (the same double as 13 + 1e-6): coef is exactly 1."""
    clip.run(sub, truth, check, example(), 13.0 + EPS, "max_norm = 13 + 1e-6 for a total of 13: coef is exactly 1")


@pytest.mark.group("inf_norm")
def test_statement_example_inf_norm(sub, clip, truth, check):
    clip.run(sub, truth, check, example(), 6.5, "the statement's example with norm_type=inf: total 12",
             norm_type=math.inf)


@pytest.mark.group("inf_norm")
def test_inf_norm_over_several_tensors(sub, clip, truth, check, rng):
    grads = clip.grads_of(rng)
    grads[1][2] = -10.0  # the largest |x| is a negative entry
    clip.run(sub, truth, check, grads, 5.0, "norm_type=inf over 4 tensors, the largest |x| = 10 a negative entry, "
             "max_norm=5", norm_type=math.inf)


@pytest.mark.group("empty")
@pytest.mark.parametrize("error_if_nonfinite", [False, True])
def test_empty_list(sub, check, error_if_nonfinite):
    total = sub.clip_grad_norm([], 1.0, error_if_nonfinite=error_if_nonfinite)
    check(total, torch.tensor(0.0), dtype=torch.float32, allow_constant=True,
          name=f"clip_grad_norm([], 1.0, error_if_nonfinite={error_if_nonfinite}): torch.tensor(0.0), float32")


@pytest.mark.group("nonfinite")
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_infinite_entries_scale_by_zero(sub, clip, truth, check, rng, norm_type):
    grads = clip.grads_of(rng)
    grads[0][1, 2] = math.inf
    grads[3][0, 1, 1] = -math.inf
    clip.run(sub, truth, check, grads, 1.0, f"an inf and a -inf entry, norm_type={norm_type:g}: total inf, coef 0, "
             "finite entries become 0 and infinite ones NaN", norm_type=norm_type)


@pytest.mark.group("nonfinite")
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_nan_entry_makes_everything_nan(sub, clip, truth, check, rng, norm_type):
    grads = clip.grads_of(rng)
    grads[1][3] = math.nan
    clip.run(sub, truth, check, grads, 1.0, f"one NaN entry, norm_type={norm_type:g}: total NaN, coef NaN, "
             "every entry of every tensor becomes NaN", norm_type=norm_type)


@pytest.mark.group("nonfinite")
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_error_if_nonfinite_raises(sub, clip, check, rng, bad):
    grads = clip.grads_of(rng)
    grads[2] = torch.tensor(bad, dtype=torch.float64)
    remote = clip.keep(sub, grads)
    what = f"clip_grad_norm(..., error_if_nonfinite=True) with a {bad} entry"
    try:
        sub.clip_grad_norm(remote, 1.0, error_if_nonfinite=True)
    except RuntimeFault as fault:
        assert fault.exc_type == "RuntimeError", f"{what}: expected RuntimeError, but your code raised {fault.message}"
    except WrongOutputFault as fault:
        raise AssertionError(f"{what}: expected RuntimeError, but the call returned ({fault.message})") from None
    else:
        raise AssertionError(f"{what}: expected RuntimeError, but the call returned normally")
    for i, (handle, g) in enumerate(zip(remote, grads)):
        check(handle.clone(), g, dtype=torch.float64, rtol=0.0, atol=0.0, allow_constant=True,
              name=f"grads[{i}] after {what} raised (raise before modifying anything)")


@pytest.mark.group("nonfinite")
def test_error_if_nonfinite_with_finite_gradients(sub, clip, truth, check, rng):
    grads = clip.grads_of(rng)
    clip.run(sub, truth, check, grads, clip.norm(grads) / 2,
             "error_if_nonfinite=True with finite gradients: no error, clipped as usual", error_if_nonfinite=True)


@pytest.mark.group("float32")
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_float32_gradients(sub, clip, truth, check, rng, norm_type):
    grads = [g.float() for g in clip.grads_of(rng)]
    clip.run(sub, truth, check, grads, clip.norm(grads, norm_type) / 2,
             f"float32 gradients, norm_type={norm_type:g}: the total is float32 too", norm_type=norm_type)
