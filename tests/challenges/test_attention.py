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
from tests.challenges.conftest import assert_every_check_ok, assert_full_marks, failed_groups, result_of

pytestmark = pytest.mark.slow

CHALLENGE = "attention"
SDPA_GROUPS = {"sdpa_values", "sdpa_gradients", "causal", "masks", "fully_masked", "stability", "low_precision"}

#: known wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "no_scale.py": ("sdpa_values", "q @ k^T / sqrt(E)"),
    "softmax_wrong_axis.py": ("sdpa_values", "dim=-1"),
    "mask_after_softmax.py": ("masks", "before normalising"),
    "heads_mixed.py": ("mha_self_attention", "(N, H, L, head_dim)"),
    "causal_off_by_one.py": ("causal", "keys j <= i (diagonal included"),
    "naive_exp.py": ("stability", "subtract the row maximum"),
    "always_bias.py": ("mha_parameters", "bias=False).state_dict() has keys"),
    "causal_ignored_with_mask.py": ("masks", "a key is excluded if either excludes it"),
    "detached_weights.py": ("sdpa_gradients", "no gradient reached q"),
    "float_inf_nan_grad.py": ("fully_masked", "no NaN may reach any gradient"),
    "float_kpm_as_bool.py": ("mha_masks", "float key_padding_mask (N, S): added to the scores"),
    "float_mask_ignores_bias.py": ("masks", "float attn_mask added to the scaled scores"),
    "fully_masked_uniform.py": ("fully_masked", "must output zeros"),
    "ignores_kdim.py": ("mha_parameters", "k_proj.weight has shape"),
    "low_precision_float32_out.py": ("low_precision", "wrong dtype float32, expected float16"),
    "mha_bool_mask_as_keep.py": ("mha_masks", "True = NOT allowed to attend"),
    "no_head_check.py": ("errors", "is not divisible by"),
    "no_kpm_shape_check.py": ("errors", "it would broadcast, but must be (N, S)"),
    "padding_mask_inverted.py": ("mha_masks", "True = padding"),
    "returns_tuple.py": ("mha_self_attention", "returned tuple"),
    "sdpa_broadcasts_batch.py": ("errors", "they would broadcast, but must be the same"),
    "sdpa_bool_mask_inverted.py": ("masks", "True = attend"),
    "extra_scale_buffer.py": ("mha_parameters", "expected exactly"),
    "dropout_in_training.py": ("mha_self_attention", "(no dropout)"),
    "float_padding_replaces_float_mask.py": ("mha_masks", "both are added to the scores"),
    "no_vdim_check.py": ("errors", "value with 8 features, vdim=16"),
    "sdpa_no_feature_check.py": ("errors", "q with E=8, k with E=7"),
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
    assert_every_check_ok(checks)


def test_every_known_solution_is_covered(challenge: Challenge) -> None:
    solutions = challenge.solutions()
    assert {p.name for f, p in solutions if f == "wrong_answer"} == set(TARGETS)
    assert {p.name for f, p in solutions if f == "forbidden"} >= set(FORBIDDEN)
    assert [f for f, _ in solutions].count("accepted") >= 1


def test_every_rule_is_covered(checks: list[Check]) -> None:
    """The rule table: each rule's wrong solution fails its tests and no other, on every seed."""
    rules = [c for c in checks if c.kind == "rule"]
    assert len(rules) >= 20 and all(c.ok for c in rules), [f"{c.what}: {c.detail}" for c in rules if not c.ok]
    for rule in ("fully-masked-float-gradients", "kpm-float", "error-sdpa-shapes"):
        assert any(c.what == f"rule {rule}" for c in rules), rule


def test_headline_names_the_mistake(checks: list[Check]) -> None:
    """The first failure reported is the specific one: a function's own tests come before the module's."""
    for name in ("float_inf_nan_grad.py", "fully_masked_uniform.py", "no_scale.py", "low_precision_float32_out.py"):
        result = result_of(checks, f"solutions/wrong_answer/{name}")
        assert result.message.startswith("test_1_sdpa.py::") and TARGETS[name][1] in result.message, result.message


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    failed = failed_groups(result)
    assert group in failed, f"{name} should fail group {group!r}; it failed {sorted(failed)}"
    assert not failed & STILL_PASSES.get(name, set()), (
        f"{name} should pass {sorted(STILL_PASSES[name])}; it failed {sorted(failed)}")
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]
    assert all(t.verdict in (Verdict.AC, Verdict.WA, Verdict.NR) for t in result.tests)


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
