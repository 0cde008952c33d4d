"""The attention challenge: verify passes, each known-wrong solution fails the group aimed at its mistake.

One ``mlj verify`` run (process sandbox) is shared by the module; on top of "every check is ok", each
wrong solution must be rejected by its targeted hidden group with a message that says what is wrong (and
only WA: never RE), the forbidden ones must be FB naming the API, ``mlj show`` must render the statement
and the untouched stub must fail the public tests with messages that point at what to do.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
from judge.challenge import Challenge
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import assert_full_marks, failed_groups, result_of

pytestmark = pytest.mark.slow

CHALLENGE = "attention"
SDPA_GROUPS = {"sdpa_values", "sdpa_gradients", "causal", "masks", "fully_masked", "stability", "low_precision"}

#: wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "no_scale.py": ("sdpa_values", "q @ k^T / sqrt(E)"),
    "softmax_wrong_axis.py": ("sdpa_values", "dim=-1"),
    "mask_after_softmax.py": ("masks", "before normalising"),
    "heads_mixed.py": ("mha_self_attention", "(N, H, L, head_dim)"),
    "causal_off_by_one.py": ("causal", "keys j <= i (diagonal included"),
    "naive_exp.py": ("stability", "subtract the row maximum"),
}
#: groups a wrong solution must still pass (its mistake lies elsewhere)
STILL_PASSES: dict[str, set[str]] = {
    "naive_exp.py": {"sdpa_values", "sdpa_gradients", "causal", "masks", "fully_masked", "low_precision",
                     "mha_self_attention", "mha_cross_attention", "mha_masks", "mha_gradients", "errors"},
    "heads_mixed.py": SDPA_GROUPS | {"mha_parameters", "errors"},
    "mask_after_softmax.py": {"sdpa_values", "sdpa_gradients", "mha_self_attention", "mha_cross_attention"},
    "causal_off_by_one.py": {"sdpa_values", "sdpa_gradients", "mha_self_attention", "mha_cross_attention"},
}
#: forbidden solution -> words its FB message must contain
FORBIDDEN: dict[str, str] = {
    "getattr_sdpa.py": "torch.nn.functional.scaled_dot_product_attention is forbidden",
    "aliased_sdpa.py": "line 7: torch.nn.functional.scaled_dot_product_attention is forbidden",
}


def test_verify_passes(checks: list[Check]) -> None:
    failed = [f"{c.what}: expected {c.expected}, got {c.got} ({c.detail})" for c in checks if not c.ok]
    assert not failed, "\n".join(failed)


def test_every_known_solution_is_covered(challenge: Challenge) -> None:
    solutions = challenge.solutions()
    assert {p.name for f, p in solutions if f == "wrong_answer"} == set(TARGETS)
    assert {p.name for f, p in solutions if f == "forbidden"} == set(FORBIDDEN)
    assert [f for f, _ in solutions].count("accepted") >= 1


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    failed = failed_groups(result)
    assert group in failed, f"{name} should fail group {group!r}; it failed {sorted(failed)}"
    assert not failed & STILL_PASSES.get(name, set()), (
        f"{name} should pass {sorted(STILL_PASSES[name])}; it failed {sorted(failed)}")
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, None)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]
    assert all(t.verdict in (Verdict.AC, Verdict.WA, None) for t in result.tests)


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_forbidden_solution_is_reported(checks: list[Check], name: str) -> None:
    result = result_of(checks, f"solutions/forbidden/{name}")
    assert result.verdict is Verdict.FB
    assert FORBIDDEN[name] in result.message, result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_softmax_stays_allowed(challenge: Challenge) -> None:
    forbidden = challenge.spec.forbidden
    assert not [name for name in forbidden.apis if "softmax" in name]
    assert "aten._softmax" not in forbidden.ops
    source = next(p for f, p in challenge.solutions() if f == "accepted").read_text()
    assert "F.softmax(" in source  # and that solution is AC (test_verify_passes)


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("Multi-head attention from scratch", "scaled_dot_product_attention", "MultiHeadAttention",
                  "key_padding_mask", "Fully masked rows", "top-left aligned", "q_proj"):
        assert words in result.output, words


def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "RE" and report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("is not implemented yet: see statement.md" in m for m in messages), messages
    assert any("scaled_dot_product_attention" in m for m in messages)
    assert any("MultiHeadAttention" in m for m in messages)
