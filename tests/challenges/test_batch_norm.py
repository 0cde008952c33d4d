"""The batch-norm challenge: verify passes with full rule coverage, and each wrong solution is rejected
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

CHALLENGE = "batch-norm"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "affine_false_keeps_params.py": ("state", "exactly ['num_batches_tracked', 'running_mean', 'running_var']"),
    "batch_dim_only.py": ("train_forward", "each channel normalized over every dimension but dim 1"),
    "bessel_uses_batch_size.py": ("running_stats", "values per channel"),
    "centres_in_place.py": ("inputs", "do not modify x in place"),
    "counts_only_without_momentum.py": ("running_stats", "num_batches_tracked after 3 training batches"),
    "detached_batch_stats.py": ("gradients", "the batch mean and variance depend on x too"),
    "eval_uses_batch_stats.py": ("eval_forward", "not the batch's statistics"),
    "momentum_keras.py": ("running_stats", "(1 - momentum) * running + momentum * batch"),
    "momentum_none_as_default.py": ("momentum_none", "the factor is 1 / num_batches_tracked"),
    "no_channel_check.py": ("errors", "expected ValueError, but your code raised"),
    "no_num_batches_tracked.py": ("state", "expected exactly ['bias', 'num_batches_tracked'"),
    "no_single_value_check.py": ("errors", "one value per channel (n == 1)"),
    "normalizes_unbiased.py": ("train_forward", "with the biased batch variance"),
    "running_stats_in_graph.py": ("graph", "are part of the autograd graph"),
    "running_var_biased.py": ("running_stats", "running_var takes the unbiased variance"),
    "running_var_zeros.py": ("state", "running_var (it starts at ones)"),
    "updates_in_eval.py": ("eval_forward", "eval mode changes nothing"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 19)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


@pytest.mark.parametrize("name", ["checks_batch_size_only.py", "refuses_one_value_in_eval.py"])
def test_refusing_allowed_inputs_is_a_runtime_error_in_the_errors_group(checks: list[Check], name: str) -> None:
    result = result_of(checks, f"solutions/runtime_error/{name}")
    assert result.verdict is Verdict.RE and failed_groups(result) == {"errors"}
    assert "ValueError" in result.message


def test_forbidden_solutions_are_fb(checks: list[Check]) -> None:
    for name, words in [("subclasses_batchnorm1d.py", "_NormBase"), ("aten_native_batch_norm.py", "native_batch_norm")]:
        result = result_of(checks, f"solutions/forbidden/{name}")
        assert result.verdict is Verdict.FB and words in result.message, (name, result.message)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/waits_for_convergence.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
