"""The one comparison function: what it accepts, what it rejects and what it says."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from judge.runner.compare import Mismatch, assert_close


def test_accepts_within_tolerance_and_reports_figures():
    want = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    figures = assert_close(want.float() + 1e-7, want)
    assert figures["mismatched"] == 0 and figures["max_abs_err"] < 1e-6 and figures["dtype"] == "float32"


def test_mismatch_message_names_error_index_and_values():
    want = torch.zeros(4, 5, dtype=torch.float64)
    want[:, 0] = 1.0
    got = want.float().clone()
    got[2, 3] = 0.5
    with pytest.raises(Mismatch) as info:
        assert_close(got, want, name="loss")
    text = str(info.value)
    assert "loss: 1 of 20 values differ" in text and "(2, 3)" in text and "got 0.5" in text
    assert info.value.figures["max_abs_err"] == pytest.approx(0.5)


def test_nan_and_inf_never_pass_unless_expected():
    want = torch.tensor([1.0, 2.0], dtype=torch.float64)
    with pytest.raises(Mismatch, match="NaN"):
        assert_close(torch.tensor([1.0, float("nan")]), want)
    with pytest.raises(Mismatch, match="infinite"):
        assert_close(torch.tensor([1.0, float("inf")]), want, atol=1e30)
    assert_close(torch.tensor([float("nan"), float("-inf")]), torch.tensor([float("nan"), float("-inf")]))
    with pytest.raises(Mismatch, match="expected NaN"):
        assert_close(torch.tensor([0.0]), torch.tensor([float("nan")]))


def test_constant_output_fails_where_expected_varies_even_inside_tolerance():
    want = torch.tensor([0.001, 0.002, 0.003], dtype=torch.float64)
    with pytest.raises(Mismatch, match="every value is 0"):
        assert_close(torch.zeros(3), want, atol=1.0)
    assert_close(torch.zeros(3), torch.zeros(3, dtype=torch.float64))


def test_shape_dtype_and_type_are_checked():
    want = torch.zeros(3, dtype=torch.float64)
    with pytest.raises(Mismatch, match="wrong shape"):
        assert_close(torch.zeros(1, 3), want)
    with pytest.raises(Mismatch, match="wrong dtype float64, expected float16"):
        assert_close(want, want, dtype=torch.float16)
    with pytest.raises(Mismatch, match="expected a tensor, got NoneType"):
        assert_close(None, want)


def test_integers_compare_exactly_and_numpy_is_accepted():
    assert_close(np.array([1, 2, 3]), torch.tensor([1, 2, 3]))
    with pytest.raises(Mismatch):
        assert_close(torch.tensor([1, 2, 4]), torch.tensor([1, 2, 3]), rtol=None, atol=None)


def test_tolerance_follows_the_dtype():
    want = torch.tensor([1.0, 2.0], dtype=torch.float64)
    assert_close((want + 1e-3).half(), want, dtype=torch.float16)
    with pytest.raises(Mismatch):
        assert_close(want.float() + 1e-3, want, dtype=torch.float32)


def test_python_floats_are_doubles_and_numpy_scalars_keep_their_shape():
    with pytest.raises(Mismatch):
        assert_close(1.000001, torch.tensor(1.0, dtype=torch.float64))  # passes in float32
    assert_close(np.float64(2.5), np.asarray(2.5))
    assert_close(np.int64(3), torch.tensor(3))


def test_a_lower_precision_output_is_judged_at_the_expected_precision():
    want = torch.linspace(1.0, 2.0, 8, dtype=torch.float32)
    off = want * 1.005  # 0.5% off: inside bfloat16's tolerance, far outside float32's
    with pytest.raises(Mismatch, match="float32"):
        assert_close(off.to(torch.bfloat16), want)
    with pytest.raises(Mismatch):
        assert_close(off, want)
    # a float64 answer is held to the float32 reference's error (1e-6 off: inside float32's rtol 1e-5,
    # far outside float64's 1e-7), and to float64's when the reference is float64
    assert_close(want.double() * (1 + 1e-6), want)
    with pytest.raises(Mismatch):
        assert_close(want.double() * (1 + 1e-6), want.double())
    # a half-precision expected value keeps its own tolerance, whatever the answer's dtype
    assert_close(want * 1.001, want.half())
    with pytest.raises(Mismatch):
        assert_close(want * 1.001, want)


def test_relative_error_against_an_expected_zero_reads_as_words_not_1e300():
    with pytest.raises(Mismatch) as info:
        assert_close(torch.tensor([1.0, 0.5, 2.0], dtype=torch.float64),
                     torch.tensor([1.0, 0.0, 2.2], dtype=torch.float64))
    message = str(info.value)
    assert "e+30" not in message and "inf" not in message
    assert "1 of the mismatches where 0 is expected (no relative error there)" in message
    assert "max rel error 0.0909" in message  # from the nonzero expected value only
    assert info.value.figures["max_rel_err"] == pytest.approx(0.2 / 2.2)
