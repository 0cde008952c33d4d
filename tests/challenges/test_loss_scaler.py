"""The loss-scaler challenge: verify passes with full rule coverage, each wrong solution is rejected by the
group aimed at its mistake with a message that names it, and the trusted float64 reference follows
torch.amp.GradScaler (run here on the CPU) step for step.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest
import torch
from click.testing import CliRunner

import cli
from judge.challenge import Challenge, find
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import (
    assert_every_check_ok,
    assert_full_marks,
    assert_rules_covered,
    failed_groups,
    result_of,
)

pytestmark = pytest.mark.slow

CHALLENGE = "loss-scaler"

#: wrong solution -> (the hidden group that targets its mistake, words its message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "no_validation.py": ("construction", "must raise ValueError"),
    "rejects_growth_interval_one.py": ("construction", "raised ValueError, but these settings are allowed"),
    "scale_kept_as_int.py": ("construction", "expected the Python float 8.0"),
    "scale_in_float32.py": ("scale", "wrong dtype float32, expected float64"),
    "scale_detached.py": ("scale", "scale(loss) is detached from loss"),
    "unscale_not_in_place.py": ("unscale", "exactly once, in place"),
    "unscale_returns_found_inf.py": ("unscale", "unscale_ returned False, expected True"),
    "checks_after_dividing.py": ("unscale", "the check is on the gradients as passed in, before the division"),
    "second_unscale_allowed.py": ("unscale", "expected RuntimeError"),
    "steps_on_nan.py": ("step", "the gradients hold a NaN, so step() must skip the optimizer step"),
    "never_skips.py": ("step", "the gradients hold an inf, so step() must skip the optimizer step"),
    "step_without_unscale.py": ("step", "exactly once, in place"),
    "unscales_twice.py": ("step", "exactly once, in place"),
    "step_returns_true.py": ("step", "returned bool where an int or None is expected"),
    "update_keeps_unscaled_flag.py": ("step", "exactly once, in place"),
    "no_counter_reset_on_overflow.py": ("backoff", "an overflow resets the growth counter"),
    "grows_one_early.py": ("growth", "the scale grows after exactly growth_interval="),
    "grows_one_late.py": ("growth", "the scale grows after exactly growth_interval="),
    "keeps_counting_after_growth.py": ("growth", "and again every"),
    "grows_to_inf.py": ("overflow_cap", "a growth that would make the scale inf is not applied"),
}
#: wrong solutions whose mistake shows in one group only: no other group may fail
ONLY_TARGET = {"no_validation.py", "scale_in_float32.py", "scale_detached.py", "checks_after_dividing.py",
               "grows_to_inf.py"}


def reference() -> ModuleType:
    """The challenge's trusted reference, imported here (it never enters a sandbox)."""
    spec = importlib.util.spec_from_file_location("loss_scaler_reference", find(CHALLENGE).reference_path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 20)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    failed = failed_groups(result)
    assert group in failed, f"{name} should fail {group!r}; it failed {sorted(failed)}"
    if name in ONLY_TARGET:
        assert failed == {group}, f"{name} should fail only {group!r}; it failed {sorted(failed)}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]


def test_step_fn_called_with_arguments_is_a_runtime_error(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/passes_grads_to_step_fn.py")
    assert result.verdict is Verdict.RE and "takes 0 positional arguments" in result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/waits_for_finite.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


@pytest.mark.parametrize("interval", [1, 2, 3])
def test_reference_follows_grad_scaler_on_cpu(interval: int) -> None:
    """The trusted reference against torch.amp.GradScaler itself: the same scales, the same skipped steps,
    the same parameters, over a sequence of finite, inf and NaN iterations with and without unscale_."""
    ref = reference()
    gen = torch.Generator().manual_seed(interval)
    kwargs = {"init_scale": 2.0**10, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": interval}
    torch_scaler = torch.amp.GradScaler("cpu", **kwargs)
    weight = torch.nn.Parameter(torch.zeros(4))
    optimizer = torch.optim.SGD([weight], lr=0.1)
    ours, our_weight = ref.LossScaler(**kwargs), torch.zeros(4, dtype=torch.float64)
    draws = torch.rand(40, generator=gen).tolist()
    kinds = "ffifnff" + "".join("i" if d < 0.2 else "n" if d < 0.3 else "f" for d in draws)
    for i, kind in enumerate(kinds):
        loss = torch.tensor(1.5)
        assert float(torch_scaler.scale(loss)) == float(ours.scale(loss)), f"scale(loss) at iteration {i}"
        grad = torch.randn(4, generator=gen) * ours.get_scale()
        if kind != "f":
            grad[i % 4] = float("inf") if kind == "i" else float("nan")
        weight.grad = grad.clone()
        local = [grad.double()]
        if i % 2:
            torch_scaler.unscale_(optimizer)
            ours.unscale_(local)
        torch_scaler.step(optimizer)
        ours.step(lambda local=local: our_weight.sub_(0.1 * local[0]), local)
        torch_scaler.update()
        ours.update(kind != "f")
        assert torch_scaler.get_scale() == ours.get_scale(), f"iteration {i} of {kinds!r}"
        torch.testing.assert_close(weight.detach().double(), our_weight, rtol=1e-6, atol=1e-7)


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("LossScaler", "unscale_", "growth_interval", "backoff_factor", "RuntimeError"):
        assert words in result.output


def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "RE" and report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("is not implemented yet: see statement.md" in m for m in messages)
