"""The adamw-step challenge: verify passes with full rule coverage, each wrong solution is rejected by the group
aimed at its mistake with a message that names it, and the trusted side's truth is torch.optim.AdamW itself.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import importlib.util

import pytest
import torch

from judge.challenge import Challenge
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import (
    assert_every_check_ok,
    assert_fails_its_group,
    assert_full_marks,
    assert_rules_covered,
    result_of,
)

pytestmark = pytest.mark.slow

CHALLENGE = "adamw-step"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "adam_l2.py": ("first_step", "weight decay is not added to it"),
    "decay_after_update.py": ("weight_decay", "before the Adam update, not after"),
    "no_bias_correction.py": ("first_step", "m_hat = m / (1 - beta1**step)"),
    "step_counted_from_zero.py": ("first_step", "the first update is step 1"),
    "eps_inside_sqrt.py": ("epsilon", "not inside the square root"),
    "eps_before_bias_correction.py": ("epsilon", "nor before the bias correction"),
    "default_weight_decay_zero.py": ("first_step", "weight_decay=0.01"),
    "rebinds_list_items.py": ("first_step", "must be updated in place"),
    "zero_grads_after_step.py": ("in_place", "no zeroing them"),
    "skips_zero_grads.py": ("zero_grads", "a zero gradient is not skipped"),
    "no_step_check.py": ("errors", "expected ValueError"),
    "decays_before_checking_step.py": ("errors", "raise before modifying anything"),
    "returns_params.py": ("first_step", "None"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 15)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


@pytest.mark.parametrize("name", ["functional_adamw.py", "optimizer_class_by_attribute.py", "foreach_ops.py",
                                  "fused_kernel.py", "single_tensor_adam_by_attribute.py"])
def test_every_route_to_torch_optim_is_forbidden(checks: list[Check], name: str) -> None:
    assert result_of(checks, f"solutions/forbidden/{name}").verdict is Verdict.FB


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/waits_for_convergence.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_the_truth_is_what_torch_optim_adamw_computes(challenge: Challenge) -> None:
    """The hidden tests' torch_adamw.adamw_step (the functional that AdamW.step calls) equals
    torch.optim.AdamW(foreach=False).step() bit for bit, over steps with changing lr, from a resumed state too."""
    spec = importlib.util.spec_from_file_location("adamw_truth_under_test",
                                                  challenge.path / "tests" / "hidden" / "torch_adamw.py")
    assert spec is not None and spec.loader is not None
    truth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(truth)
    gen = torch.Generator().manual_seed(5)
    shapes = [(3, 2), (4,), ()]
    params = [torch.nn.Parameter(torch.randn(s, generator=gen, dtype=torch.float64)) for s in shapes]
    hyper = {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.3}
    opt = torch.optim.AdamW(params, lr=0.1, foreach=False, **hyper)
    mine = [p.detach().clone() for p in params]
    m = [torch.zeros_like(p) for p in mine]
    v = [torch.zeros_like(p) for p in mine]
    for step, lr in enumerate([0.1, 0.05, 0.2, 0.01], start=1):
        grads = [torch.randn(s, generator=gen, dtype=torch.float64) for s in shapes]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.param_groups[0]["lr"] = lr
        opt.step()
        mine, m, v = truth.adamw_step(mine, grads, m, v, step, lr, **hyper)
        for p, ours, mm, vv in zip(params, mine, m, v):
            state = opt.state[p]
            assert torch.equal(p.detach(), ours) and torch.equal(state["exp_avg"], mm)
            assert torch.equal(state["exp_avg_sq"], vv) and float(state["step"]) == step
