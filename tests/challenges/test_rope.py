"""The rope challenge: verify passes with full rule coverage, each wrong solution is rejected by the group
aimed at its mistake with a message that names it, and the reference agrees with the statement's
formula written out per coordinate.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import math

import pytest
import torch

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

CHALLENGE = "rope"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "interleaved.py": ("values", "pairs (i, i + d/2)"),
    "frequency_exponent_halved.py": ("values", "base**(-2i/d)"),
    "ignores_offset.py": ("positions", "not by 0..5"),
    "rotates_backwards.py": ("values", "rotated by +p"),
    "mixed_conventions.py": ("relative", "turns by one angle"),
    "no_odd_check.py": ("errors", "expected ValueError"),
    "returns_float32.py": ("low_precision", "wrong dtype float32, expected float16"),
    "rotates_in_half.py": ("low_precision", "rotate in float32"),
    "angles_in_float32.py": ("precision", "in float64"),
    "ignores_base.py": ("values", "with the base given"),
    "rotates_in_place.py": ("inputs", "do not modify x in place"),
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


def test_hugging_face_layout_is_a_runtime_error_where_seq_differs_from_heads(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/heads_seq_swapped.py")
    assert result.verdict is Verdict.RE
    # a one-token decode step broadcasts over the heads either way: the layout mistake cannot show there
    assert "errors" not in failed_groups(result)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_rotary_libraries_are_forbidden(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/forbidden/transformers_helper.py")
    assert result.verdict is Verdict.FB and "transformers" in result.message


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference", "time margin: solutions/time_limit/element_loop.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_reference_is_the_statement_formula(challenge: Challenge) -> None:
    """Each coordinate of the reference against the statement's two lines, with math.cos and math.sin."""
    ref = import_file("rope_reference_under_test", challenge.reference_path)
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, 2, 6, generator=gen, dtype=torch.float64)
    positions = torch.tensor([7, 0, 40000])
    base = 500.0
    out = ref.apply_rope(x, positions, base=base)
    d, h = 6, 3
    for b in range(2):
        for s in range(3):
            for k in range(2):
                for i in range(h):
                    a = int(positions[s]) * base ** (-2 * i / d)
                    x1, x2 = float(x[b, s, k, i]), float(x[b, s, k, i + h])
                    assert math.isclose(float(out[b, s, k, i]), x1 * math.cos(a) - x2 * math.sin(a), abs_tol=1e-9)
                    assert math.isclose(float(out[b, s, k, i + h]), x2 * math.cos(a) + x1 * math.sin(a), abs_tol=1e-9)
    with pytest.raises(ValueError):
        ref.apply_rope(torch.ones(1, 1, 1, 5), torch.tensor([0]))
    half = ref.apply_rope(x.half(), positions)
    assert half.dtype == torch.float16 and half.shape == x.shape
