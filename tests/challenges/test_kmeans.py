"""The kmeans challenge: verify passes, each known-wrong solution fails the group aimed at its mistake.

One ``mlj verify`` run (process sandbox) is shared by the module; on top of "every check is ok", each
wrong solution must be rejected by its targeted hidden group with a message that says what is wrong,
the Python-loop solution must time out in the ``large`` group only, both sklearn solutions must be FB
(one caught by the static scan, one only by the worker's import blocker: sklearn is not even
installed), ``mlj show`` must render the statement and the untouched stub must fail the public tests
with messages that point at what to do.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from judge.challenge import Challenge
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import assert_every_check_ok, assert_full_marks, failed_groups, result_of

pytestmark = pytest.mark.slow

CHALLENGE = "kmeans"

#: wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "stale_labels.py": ("final_labels", "labels must be those of the FINAL centroids"),
    "nan_empty_cluster.py": ("empty_clusters", "NaN value(s) where finite values are expected"),
    "sqrt_inertia.py": ("lloyd", "the sum of SQUARED distances"),
    "float_labels.py": ("lloyd", "(integer) is expected"),
    "max_iters_plus_one.py": ("convergence", "stop after exactly 1 iteration"),
    "modifies_x.py": ("inputs", "do not modify X in place"),
    "overwrites_init.py": ("inputs", "do not modify init in place"),
    "reseed_same_point.py": ("empty_clusters", "several empty clusters"),
    "reseed_ties_highest_index.py": ("empty_clusters", "equal distances: lower point index first"),
    "sklearn_defaults.py": ("convergence", "max_iters defaults to 100"),
    "squared_shift.py": ("convergence", "(Euclidean)"),
    "strict_stop.py": ("convergence", "equality included"),
    "ties_to_highest.py": ("edge_cases", "ties go to centroid 0"),
    "uniform_init.py": ("kmeanspp", "k-means++ must do clearly better"),
    "unseeded.py": ("kmeanspp", "the same seed"),
    # the group's first failure is the converged-init test ("n_iters = 1, expected 2") or, on some seeds, a
    # stop-rule test on random data that comes before it: both say what n_iters should be
    "n_iters_skips_converged.py": ("convergence", ": n_iters = "),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_known_solutions_are_the_expected_ones(challenge: Challenge) -> None:
    found = {(folder, path.name) for folder, path in challenge.solutions()}
    assert {name for folder, name in found if folder == "wrong_answer"} == set(TARGETS)
    assert ("time_limit", "python_loop.py") in found and ("time_limit", "centroid_loop.py") in found
    assert ("forbidden", "sklearn_kmeans.py") in found and ("forbidden", "sklearn_dynamic_import.py") in found
    assert any(folder == "accepted" for folder, _ in found)


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
    assert all(t.verdict in (Verdict.AC, Verdict.WA, Verdict.NR) for t in result.tests)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    """The rule table: each rule's wrong solution fails its tests and no other, on every seed."""
    rules = [c for c in checks if c.kind == "rule"]
    assert len(rules) == len(challenge.spec.rules) >= 15
    assert all(c.ok for c in rules), [f"{c.what}: {c.detail}" for c in rules if not c.ok]


@pytest.mark.parametrize("name", ["python_loop.py", "centroid_loop.py"])
def test_loops_time_out_in_the_large_group_only_at_twice_the_limit(checks: list[Check], name: str) -> None:
    """The statement's claim, with its margin: still running at 2x the limit (verify grades them so)."""
    result = result_of(checks, f"solutions/time_limit/{name}")
    assert result.verdict is Verdict.TLE
    assert failed_groups(result) == {"large"}
    (large,) = [t for t in result.tests if t.group == "large"]
    assert large.verdict is Verdict.TLE and "time limit" in large.message
    assert result.score == result.max_score - 2
    margin = [c for c in checks if c.what == f"time margin: solutions/time_limit/{name}"]
    assert margin and margin[0].ok, margin


def test_accepted_solutions_use_at_most_half_the_limit(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin" and "time_limit" not in c.what]
    assert len(margins) >= 2 and all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins]


def test_sklearn_is_forbidden_statically_and_at_run_time(checks: list[Check]) -> None:
    static = result_of(checks, "solutions/forbidden/sklearn_kmeans.py")
    assert static.verdict is Verdict.FB
    assert "import of sklearn is forbidden" in static.message and "line 6" in static.message
    dynamic = result_of(checks, "solutions/forbidden/sklearn_dynamic_import.py")
    assert dynamic.verdict is Verdict.FB  # the static scan cannot read the name: the import blocker refused it
    fb = [t for t in dynamic.tests if t.verdict is Verdict.FB]
    assert fb and all("import of sklearn is forbidden" in t.message for t in fb)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("K-means from scratch", "kmeans(X, k", "Ties go", "Empty clusters", "k-means++", "sklearn"):
        assert words in result.output, words


def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "RE" and report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("kmeans is not implemented yet: see statement.md" in m for m in messages)
