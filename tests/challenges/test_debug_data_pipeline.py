"""The debug-data-pipeline challenge: verify passes, each planted bug costs exactly its own group.

One ``mlj verify`` run (process sandbox) is shared by the module; on top of "every check is ok", each wrong
solution (the stub with every bug fixed but one) must fail exactly the group of its bug, with a message that
names it; the stub must fail every group; ``mlj show`` must render the statement and the untouched stub must
fail the public tests.
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

CHALLENGE = "debug-data-pipeline"

#: wrong solution -> (the one group it must fail, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "floor_val_size.py": ("split_size", "rounded down: round UP"),
    "independent_train_draw.py": ("leakage", "are also in X_train (leakage)"),
    "labels_shuffled_separately.py": ("labels", "are not the labels of their rows"),
    "stats_on_all_rows.py": ("train_stats", "validation rows included: fit the normalisation on the training rows"),
    "categories_from_val.py": ("categories", "are the categories of the validation rows"),
    "zero_std_nan.py": ("zero_std", "holds NaN or inf"),
}
GROUPS = {group for group, _ in TARGETS.values()}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_known_solutions_are_the_expected_ones(challenge: Challenge) -> None:
    found = {(folder, path.name) for folder, path in challenge.solutions()}
    assert {name for folder, name in found if folder == "wrong_answer"} == set(TARGETS)
    assert len([1 for folder, _ in found if folder == "accepted"]) >= 2


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_each_wrong_solution_fails_exactly_its_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    assert failed_groups(result) == {group}, f"{name} should fail only {group!r}; it failed {failed_groups(result)}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]


def test_the_stub_fails_every_group(checks: list[Check]) -> None:
    result = result_of(checks, "stub")
    assert result.score == 0 and failed_groups(result) == GROUPS, failed_groups(result)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 7)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("Debug a data pipeline", "prepare(X, y, val_fraction, seed)", "math.ceil", "training rows only"):
        assert words in result.output, words


def test_stub_fails_public_tests(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "WA" and report["score"] == 0
