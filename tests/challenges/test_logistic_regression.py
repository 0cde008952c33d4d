"""The logistic-regression challenge: verify passes, each known-wrong solution fails the group aimed at its mistake.

One ``mlj verify`` run (process sandbox) is shared by the module; on top of "every check is ok", each wrong
solution must be rejected by its targeted hidden group with a message that names its mistake, the per-sample
loop must time out in the ``large`` group only, sklearn and torch must be FB, ``mlj show`` must render the
statement and the untouched stub must fail the public tests with messages that point at what to do.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from judge.challenge import Challenge
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

CHALLENGE = "logistic-regression"

#: wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "sum_gradient.py": ("fit", "the gradient is SUMMED over the samples"),
    "plus_minus_labels.py": ("fit", "the labels are treated as -1/+1"),
    "sequential_update.py": ("fit", "grad_b is computed after w has moved"),
    "one_step_short.py": ("fit", "it makes n_iters - 1 steps"),
    "default_iters_100.py": ("fit", "those of 100 steps; the defaults are"),
    "bias_regularised.py": ("l2", "the bias is regularised too"),
    "l2_doubled.py": ("l2", "the penalty's gradient is 2 * l2 * w"),
    "exp_ratio_sigmoid.py": ("stability", "NaN at z ="),
    "clipped_proba.py": ("stability", "exactly 0.0 and 1.0"),
    "naive_sigmoid_warns.py": ("stability", "overflow encountered in exp"),
    "strict_threshold.py": ("predict", "z = 0, p = 0.5 exactly, is labelled 1"),
    "threshold_on_score.py": ("predict", "the rule is p >= 0.5, not z >= 0"),
    "predict_bool.py": ("predict", "(integer) is expected"),
    "modifies_y.py": ("inputs", "do not modify y in place"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_known_solutions_are_the_expected_ones(challenge: Challenge) -> None:
    found = {(folder, path.name) for folder, path in challenge.solutions()}
    assert {name for folder, name in found if folder == "wrong_answer"} == set(TARGETS)
    assert ("time_limit", "per_sample_loop.py") in found
    assert {name for folder, name in found if folder == "forbidden"} == {"sklearn_logreg.py", "torch_autograd.py"}
    assert len([1 for folder, _ in found if folder == "accepted"]) >= 2


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    failed = failed_groups(result)
    assert group in failed, f"{name} should fail group {group!r}; it failed {sorted(failed)}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 15)


def test_loop_times_out_in_the_large_group_only(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/time_limit/per_sample_loop.py")
    assert result.verdict is Verdict.TLE
    assert failed_groups(result) == {"large"}
    margin = [c for c in checks if c.what == "time margin: solutions/time_limit/per_sample_loop.py"]
    assert margin and margin[0].ok, margin


def test_sklearn_and_torch_are_forbidden(checks: list[Check]) -> None:
    for name, module in (("sklearn_logreg.py", "sklearn"), ("torch_autograd.py", "torch")):
        result = result_of(checks, f"solutions/forbidden/{name}")
        assert result.verdict is Verdict.FB
        assert f"import of {module}" in result.message, result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("Logistic regression", "fit(X, y", "numerically stable", ">= 0.5", "sklearn"):
        assert words in result.output, words


def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "RE" and report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("is not implemented yet: see statement.md" in m for m in messages)
