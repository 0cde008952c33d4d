"""The dpo-loss challenge: verify passes, each known-wrong solution fails the group aimed at its mistake.

One ``mlj verify`` run (process sandbox) is shared by the module; on top of "every check is ok", each
wrong solution must be rejected by its targeted hidden group with a message that says what is wrong,
``mlj show`` must render the statement and the untouched stub must fail the public tests with messages
that point at what to do.
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

CHALLENGE = "dpo-loss"

#: wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "log_of_sigmoid.py": ("stability", "logsigmoid"),
    "no_shift.py": ("shift", "NEXT token"),
    "mask_not_shifted.py": ("shift", "differ beyond"),
    "ignores_mask.py": ("masking", "differ beyond"),
    "log_of_softmax.py": ("seq_stability", "infinite value"),
    "detached_normalizer.py": ("seq_gradients", "d sequence_logprobs / d logits"),
    "returns_float64.py": ("seq_values", "in the dtype of logits (float32), not float64"),
    "dpo_returns_float64.py": ("dpo_values", "wrong dtype float64, expected float32"),
    "mean_over_tokens.py": ("sum_over_tokens", "MEAN of the token log-probs"),
    "squeezes_batch_seq.py": ("batch_of_one", "shape (B,) = (1,)"),
    "squeezes_batch_dpo.py": ("batch_of_one", "shape (B,) = (1,)"),
    "default_beta_one.py": ("dpo_values", "with the defaults beta=0.1, label_smoothing=0.0"),
    "ignores_label_smoothing.py": ("hyperparameters", "label_smoothing=0.05"),
    "rewards_without_beta.py": ("dpo_values", "chosen_rewards = beta * (pc - rc)"),
    "smoothing_term_detached.py": ("dpo_gradients", "d losses / d policy_chosen_logps"),
    "reduces_to_mean.py": ("dpo_values", "shape (B,) = (8,)"),
    "reference_not_detached.py": ("reference_constant", "reference model is frozen"),
    "reference_not_detached_patches_autograd_grad.py": ("reference_constant", "reference model is frozen"),
    "reference_not_detached_dispatch_mode.py": ("reference_constant", "reference model is frozen"),
    "rewards_not_detached.py": ("rewards_detached", "carries a gradient"),
    "rewards_not_detached_patches_requires_grad.py": ("rewards_detached", "carries a gradient"),
    "rewards_not_detached_patches_tensor_sum.py": ("rewards_detached", "carries a gradient"),
    "chosen_rejected_swapped.py": ("preference_direction", "Check the sign"),
    # right signs, wrong size: only the trusted side's check against forward calls sees it in this group
    "custom_backward_without_beta.py": ("preference_direction", "is not the derivative of your own forward"),
}
#: wrong solutions whose mistake shows in one group only: no other group may fail
ONLY_TARGET = {"reference_not_detached.py", "reference_not_detached_patches_autograd_grad.py",
               "reference_not_detached_dispatch_mode.py", "rewards_not_detached.py",
               "rewards_not_detached_patches_requires_grad.py", "rewards_not_detached_patches_tensor_sum.py",
               "log_of_sigmoid.py", "log_of_softmax.py", "detached_normalizer.py", "squeezes_batch_seq.py",
               "squeezes_batch_dpo.py"}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    wrong = {path.name for folder, path in challenge.solutions() if folder == "wrong_answer"}
    assert wrong == set(TARGETS)
    assert [f for f, _ in challenge.solutions()].count("accepted") >= 1
    assert ("runtime_error", "int_mask_bitwise_not.py") in {(f, p.name) for f, p in challenge.solutions()}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    failed = failed_groups(result)
    assert group in failed, f"{name} should fail group {group!r}; it failed {sorted(failed)}"
    if name in ONLY_TARGET:
        assert failed == {group}, f"{name} should fail only {group!r}; it failed {sorted(failed)}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR, None)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]
    assert all(t.verdict in (Verdict.AC, Verdict.WA, Verdict.NR, None) for t in result.tests)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("Direct Preference Optimization", "sequence_logprobs", "dpo_loss", "label_smoothing",
                  "logsigmoid"):
        assert words in result.output


def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "RE" and report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("is not implemented yet: see statement.md" in m for m in messages)
    assert any("sequence_logprobs" in m for m in messages) and any("dpo_loss" in m for m in messages)
