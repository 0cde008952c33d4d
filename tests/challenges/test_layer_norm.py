"""The layer-norm challenge: verify passes with full rule coverage, and each wrong solution is rejected
by the group aimed at its mistake with a message that names it.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import pytest

from judge.challenge import Challenge
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import (
    assert_every_check_ok,
    assert_fails_its_group,
    assert_full_marks,
    assert_rules_covered,
    failed_groups,
    result_of,
)

pytestmark = pytest.mark.slow

CHALLENGE = "layer-norm"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "affine_needs_both.py": ("affine", "with weight only"),
    "centres_in_place.py": ("inputs", "do not modify x in place"),
    "checks_last_dim_only.py": ("errors", "the last dimension matches, the one before does not"),
    "computes_in_half.py": ("low_precision", "compute in float32"),
    "detached_statistics.py": ("gradients", "the mean and the variance depend on x too"),
    "eps_ignored.py": ("eps", "eps is the argument's value"),
    "eps_outside_sqrt.py": ("eps", "eps goes inside the square root"),
    "half_returns_float32.py": ("low_precision", "wrong dtype float32, expected float16"),
    "last_dim_only.py": ("layer_norm_values", "over the last 2 dimension(s) together"),
    "no_eps.py": ("eps", "not NaN"),
    "one_pass_variance.py": ("layer_norm_values", "mean(x^2) - mean^2 cancels in float32"),
    "rms_default_eps.py": ("rms_norm", "with the default eps, 1e-6"),
    "rms_l2_norm.py": ("rms_norm", "x / sqrt(mean(x^2) + eps)"),
    "rms_subtracts_mean.py": ("rms_norm", "no mean subtracted"),
    "unbiased_variance.py": ("layer_norm_values", "variance / n"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 17)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_an_int_normalized_shape_treated_as_a_sequence_is_a_type_error(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/int_shape_unsupported.py")
    assert result.verdict is Verdict.RE and failed_groups(result) == {"layer_norm_values"}
    assert "'int' object is not iterable" in result.message


def test_refusing_k_equal_to_the_rank_fails_only_the_errors_group(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/rank_off_by_one.py")
    assert result.verdict is Verdict.RE and failed_groups(result) == {"errors"}
    assert "ValueError" in result.message


def test_forbidden_solutions_are_fb(checks: list[Check]) -> None:
    for name, words in [("aliased_layer_norm.py", "torch.nn.functional.layer_norm"),
                        ("group_norm_trick.py", "native_group_norm")]:
        result = result_of(checks, f"solutions/forbidden/{name}")
        assert result.verdict is Verdict.FB and words in result.message, (name, result.message)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/power_iteration_std.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
