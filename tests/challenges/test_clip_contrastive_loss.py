"""The clip-contrastive-loss challenge: verify passes with full rule coverage, and each wrong solution is
rejected by the group aimed at its mistake with a message that names it.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
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

CHALLENGE = "clip-contrastive-loss"

#: wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "one_direction.py": ("symmetry", "the image-to-text cross-entropy alone"),
    "sum_of_directions.py": ("symmetry", "it is their mean, (loss_i2t + loss_t2i) / 2"),
    "no_normalisation.py": ("normalisation", "without L2-normalising them"),
    "normalise_dim0.py": ("normalisation", "each feature column over the batch (dim 0)"),
    "scale_without_exp.py": ("values", "it is the LOG of the scale"),
    "clamps_scale_at_100.py": ("stability", "clamps the scale at 100"),
    "labels_reversed.py": ("values", "labels = arange(N)"),
    "sum_over_rows.py": ("values", "summed over the N rows"),
    "eps_added.py": ("normalisation", "clamped from below instead: x / max(||x||, eps)"),
    "no_eps.py": ("normalisation", "never by ||x|| alone"),
    "naive_softmax.py": ("stability", "shift each row's logits by their max"),
    "scale_item.py": ("gradients", "no gradient reached logit_scale"),
    "detached_norm.py": ("gradients", "d loss / d image_emb"),
    "per_pair_losses.py": ("values", "where a Tensor of shape () (floating) is expected"),
}
#: wrong solutions whose mistake shows in one group only: no other group may fail
ONLY_TARGET = {"eps_added.py", "no_eps.py", "scale_item.py", "detached_norm.py"}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 12)


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
    assert any(words in t.message for t in bad), [t.message for t in bad]


def test_other_known_solutions_get_their_verdicts(checks: list[Check]) -> None:
    assert result_of(checks, "solutions/forbidden/uses_cross_entropy.py").verdict is Verdict.FB
    assert result_of(checks, "solutions/forbidden/tensor_logsumexp.py").verdict is Verdict.FB
    in_place = result_of(checks, "solutions/runtime_error/normalises_in_place.py")
    assert in_place.verdict is Verdict.RE and "inputs" in failed_groups(in_place)
    probe = [t for t in in_place.tests if t.group == "inputs"]
    assert probe and all(t.verdict is Verdict.WA for t in probe)
    assert any("do not modify the inputs in place" in t.message for t in probe)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/pairwise_python_loops.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_stub_fails_the_public_tests_with_a_pointer(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("is not implemented yet: see statement.md" in m for m in messages)
