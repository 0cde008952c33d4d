"""Hidden tests: codes and scales of weights of every rank, along every channel axis."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.group("values")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(48, 20), (32, 32)])
@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_matrix(qc, sub, ref, check, rng, dtype, shape, axis):
    w = qc.weights(ref, rng, shape, axis, dtype)
    qc.compare(check, sub.quantize(w, axis), ref.quantize(w, axis),
               f"w of shape {shape}, {np.dtype(dtype).name}, axis={axis}: one scale per index along axis {axis}")


@pytest.mark.group("values")
@pytest.mark.parametrize("axis", [0, 1, 3, -1])
def test_conv_weight(qc, sub, ref, check, rng, axis):
    shape = (16, 3, 3, 5)
    w = qc.weights(ref, rng, shape, axis)
    qc.compare(check, sub.quantize(w, axis), ref.quantize(w, axis),
               f"a conv weight of shape {shape}, axis={axis}: each channel's max is over all three other axes")


@pytest.mark.group("values")
def test_middle_axis(qc, sub, ref, check, rng):
    w = qc.weights(ref, rng, (4, 6, 5), 1, np.float64)
    qc.compare(check, sub.quantize(w, 1), ref.quantize(w, 1),
               "w of shape (4, 6, 5), float64, axis=1: the max is over axes 0 and 2")


@pytest.mark.group("values")
@pytest.mark.parametrize("axis", [0, -1])
def test_vector(qc, sub, ref, check, rng, axis):
    w = qc.weights(ref, rng, (50,), axis)
    qc.compare(check, sub.quantize(w, axis), ref.quantize(w, axis),
               f"a 1-D w of 50 values, axis={axis}: every element is its own channel, so q is +-127")


@pytest.mark.group("values")
def test_default_axis_is_0(qc, sub, ref, check, rng):
    w = qc.weights(ref, rng, (6, 9), 0)
    qc.compare(check, sub.quantize(w), ref.quantize(w, 0), "quantize(w) of shape (6, 9) without axis: axis=0")


@pytest.mark.group("values")
def test_statement_example(qc, sub, ref, check):
    w = np.array([[0.5, -1.27, 0.0], [0.0, -0.0, 0.0], [127.0, 2.5, -3.5]], dtype=np.float32)
    qc.compare(check, sub.quantize(w), ref.quantize(w), "the statement's example")
