"""The ppo-gae challenge: verify passes with full rule coverage, and each wrong solution is rejected by the
group aimed at its mistake with a message that names it.

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

CHALLENGE = "ppo-gae"

#: wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "done_not_cutting_bootstrap.py": ("gae_dones", "still bootstraps the next episode's value"),
    "done_not_cutting_carry.py": ("gae_dones", "carries the next episode's advantage back"),
    "done_one_step_late.py": ("gae_dones", "your dones act one step late"),
    "returns_discounted_rewards.py": ("gae_values", "returns are advantages + values"),
    "normalises_advantages.py": ("gae_values", "your advantages are normalised"),
    "recursion_without_lambda.py": ("gae_values", "your recursion leaves out lambda"),
    "gae_returns_float64.py": ("gae_values", "wrong dtype float64, expected float32"),
    "returns_added_into_values.py": ("gae_inputs", "do not modify the inputs in place"),
    "default_lam_one.py": ("gae_hyperparameters", "with the defaults gamma=0.99, lam=0.95"),
    "default_clip_eps_01.py": ("ppo_values", "with the default clip_eps=0.2"),
    "max_instead_of_min.py": ("ppo_values", "their MIN"),
    "clip_on_advantage.py": ("ppo_values", "it is the RATIO that is clipped"),
    "ratio_as_quotient.py": ("ppo_values", "exp(logp_new - logp_old)"),
    "ratio_of_exps.py": ("ppo_values", "whose exps alone underflow"),
    "sum_not_mean.py": ("ppo_values", "your loss sums over the elements"),
    "objective_not_loss.py": ("ppo_values", "MINUS the clipped objective"),
    "ppo_normalises_advantages.py": ("ppo_values", "normalises the advantages first"),
    "returns_python_float.py": ("ppo_values", "returned float where a Tensor of shape ()"),
    "boundary_counts_as_clipped.py": ("ppo_clip_boundaries", "on the boundary included"),
    "straight_through_clip.py": ("ppo_clip_boundaries", "0 exactly where the clip is active"),
}
#: wrong solutions whose mistake shows in one group only: no other group may fail
ONLY_TARGET = {"returns_added_into_values.py", "default_lam_one.py", "default_clip_eps_01.py",
               "boundary_counts_as_clipped.py"}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 19)


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
    assert result_of(checks, "solutions/forbidden/torchrl_gae.py").verdict is Verdict.FB
    bool_dones = result_of(checks, "solutions/runtime_error/one_minus_bool_dones.py")
    assert bool_dones.verdict is Verdict.RE and "bool" in bool_dones.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/converge_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_stub_fails_the_public_tests_with_a_pointer(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("is not implemented yet: see statement.md" in m for m in messages)
