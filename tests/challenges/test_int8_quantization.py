"""The int8-quantization challenge: verify passes with full rule coverage, each wrong solution is rejected
by the group aimed at its mistake with a message that names it, and the reference agrees with an
independent formulation of the statement's rule.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import import_file
from judge.challenge import Challenge
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import (
    assert_every_check_ok,
    assert_fails_its_group,
    assert_full_marks,
    assert_rules_covered,
    result_of,
)

pytestmark = pytest.mark.slow

CHALLENGE = "int8-quantization"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "per_tensor_scale.py": ("values", "one scale per index along axis"),
    "round_half_away.py": ("rounding", "round half to EVEN"),
    "clip_minus_128.py": ("given_scale", "-128 never appears"),
    "divide_by_128.py": ("values", "/ 127"),
    "zero_channel_nan.py": ("zero_channels", "their scale is 1.0"),
    "truncates.py": ("values", "round_half_even(w / scale_c)"),
    "cast_before_clip.py": ("given_scale", "clip before the cast"),
    "max_along_axis.py": ("values", "wrong shape (20,), expected (48,)"),
    "dequantize_divides.py": ("dequantize", "q * scale[c]"),
    "dequantize_float64.py": ("dequantize", "float64"),
    "ignores_given_scale.py": ("given_scale", "use the given scale as it is"),
    "divides_in_place.py": ("inputs", "do not modify w in place"),
    "scale_float64.py": ("values", "float32"),
    "clamps_absmax.py": ("zero_channels", "no epsilon clamp"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 17)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_quantizer_libraries_are_forbidden(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/forbidden/torch_quantize_per_channel.py")
    assert result.verdict is Verdict.FB and "quantize_per_channel" in result.message


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference", "time margin: solutions/time_limit/element_loop.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_reference_matches_an_elementwise_reading_of_the_rule(challenge: Challenge) -> None:
    """The reference against the statement's rule written out per element with Python's own round(),
    which rounds half to even too, on random weights with exact ties and all-zero channels."""
    ref = import_file("int8_reference_under_test", challenge.reference_path)
    rng = np.random.default_rng(7)
    for shape, axis in [((5, 7), 0), ((5, 7), -1), ((3, 2, 4), 1), ((6,), 0)]:
        w = (rng.standard_normal(shape) * 3).astype(np.float32)
        w.flat[0] = 2.5  # an exact tie once the channel's max is 127
        np.moveaxis(w, axis, 0)[0].flat[-1] = 127.0
        np.moveaxis(w, axis, 0)[-1] = 0.0
        q, scale = ref.quantize(w, axis)
        ax = axis % w.ndim
        for index in np.ndindex(*shape):
            c = index[ax]
            m = max(abs(float(v)) for v in np.moveaxis(w, ax, 0)[c].flat)
            s = float(np.float32(m / 127)) if m > 0 else 1.0
            assert float(scale[c]) == s
            assert int(q[index]) == min(127, max(-127, round(float(w[index]) / s)))
        assert q.dtype == np.int8 and scale.dtype == np.float32
        back = ref.dequantize(q, scale, axis)
        assert back.dtype == np.float32 and np.all(np.abs(w - back) <= scale_view(scale, w.ndim, ax) / 2 * (1 + 1e-6))


def scale_view(scale: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    shape = [1] * ndim
    shape[axis] = -1
    return scale.reshape(shape)
