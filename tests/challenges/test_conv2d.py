"""The conv2d challenge: verify passes with full rule coverage, each wrong solution is rejected by the group
aimed at its mistake with a message that names it, and the reference agrees with torch's own conv2d.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from harness import import_file
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

CHALLENGE = "conv2d"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "flipped_kernel.py": ("values", "not flipped"),
    "pair_uses_first.py": ("pairs", "each pair is (for H, for W)"),
    "pad_order_swapped.py": ("pairs", "padding[0] rows above and below"),
    "ignores_dilation.py": ("dilation", "kernel taps 2 apart"),
    "ceil_mode.py": ("output_size", "no ceil_mode"),
    "no_size_check.py": ("output_size", "the dilated kernel is larger than the padded input"),
    "groups_strided_channels.py": ("groups", "consecutive input channels"),
    "no_group_check.py": ("errors", "does not divide C_in=6"),
    "ignores_bias.py": ("values", "add the bias"),
    "casts_to_float32.py": ("values", "wrong dtype float32, expected float64"),
    "uses_weight_data.py": ("gradients", "no gradient reached weight"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 14)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_rejecting_an_exactly_covering_kernel_fails_only_that_boundary(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/exact_cover_rejected.py")
    assert result.verdict is Verdict.RE and failed_groups(result) == {"output_size"}
    assert "ValueError" in result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


@pytest.mark.parametrize(("name", "words"), [("functional_conv2d.py", "conv2d"), ("functional_unfold.py", "unfold")])
def test_convolutions_and_unfold_are_forbidden(checks: list[Check], name: str, words: str) -> None:
    result = result_of(checks, f"solutions/forbidden/{name}")
    assert result.verdict is Verdict.FB and words in result.message


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference", "time margin: solutions/time_limit/pixel_loop.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), [
    ((2, 4, 9, 7), (6, 2, 3, 2), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2}),
    ((1, 6, 5, 5), (6, 2, 5, 5), {"groups": 3}),
    ((1, 3, 8, 8), (6, 1, 3, 3), {"stride": 3, "padding": 2, "dilation": 2, "groups": 3}),
    ((2, 4, 10, 9), (8, 1, 2, 3), {"stride": (3, 2), "padding": (0, 2), "dilation": (2, 1), "groups": 4}),
])
def test_reference_matches_torch(challenge: Challenge, x_shape, w_shape, kwargs) -> None:
    """The trusted reference against torch.nn.functional.conv2d, values and the three gradients."""
    ref = import_file("conv2d_reference_under_test", challenge.reference_path)
    gen = torch.Generator().manual_seed(11)
    leaves = [torch.randn(*s, generator=gen, dtype=torch.float64, requires_grad=True)
              for s in (x_shape, w_shape, (w_shape[0],))]
    got, want = ref.conv2d(*leaves, **kwargs), F.conv2d(*leaves, **kwargs)
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    g = torch.randn(want.shape, generator=gen, dtype=torch.float64)
    for a, b in zip(torch.autograd.grad((got * g).sum(), leaves), torch.autograd.grad((want * g).sum(), leaves),
                    strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_reference_raises_where_the_statement_says(challenge: Challenge) -> None:
    ref = import_file("conv2d_reference_errors_under_test", challenge.reference_path)
    with pytest.raises(ValueError):
        ref.conv2d(torch.ones(1, 6, 5, 5), torch.ones(8, 1, 3, 3), groups=4)
    with pytest.raises(ValueError):
        ref.conv2d(torch.ones(1, 2, 4, 8), torch.ones(2, 2, 5, 3))
    assert ref.conv2d(torch.ones(1, 2, 5, 8), torch.ones(2, 2, 5, 3)).shape == (1, 2, 1, 6)


def test_test_names_keep_their_file_when_a_parameter_id_holds_a_slash(checks: list[Check]) -> None:
    """test_bad_groups_raise's ids say "C_in / groups = 3": the name is still file::function[id]."""
    names = [t.name for t in result_of(checks, "solutions/wrong_answer/no_group_check.py").tests]
    slashed = [n for n in names if "C_in / groups" in n]
    assert len(slashed) == 2 and all(n.startswith("test_errors.py::test_bad_groups_raise[") for n in slashed), slashed
    assert all(n.split("::", 1)[0].endswith(".py") for n in names)
