"""Hidden tests: the output-size formula on its boundaries."""

from __future__ import annotations

import pytest
import torch

FORMULA = "H_out = floor((H + 2p - d(k - 1) - 1) / s) + 1"


@pytest.mark.group("output_size")
@pytest.mark.parametrize(("hw", "k", "kwargs"), [
    ((5, 8), (5, 3), {}),                                   # kH = H: H_out = 1
    ((3, 9), (3, 3), {"padding": 1, "dilation": 2}),        # H + 2 = 2 * 2 + 1: H_out = 1
    ((6, 6), (4, 6), {"stride": 2, "padding": (1, 0)}),     # H_out = 3, and kW = W: W_out = 1
    ((4, 4), (4, 4), {"stride": 3}),                        # one window, whatever the stride
])
def test_kernel_exactly_covers_the_input(case, run, hw, k, kwargs):
    x, w, b = case((2, 3, *hw), (2, 3, *k))
    run(x, w, b, torch.float64, f"the (dilated) kernel exactly covers the padded input along a dimension, so that "
        f"dimension of the output is 1 ({FORMULA})", **kwargs)


@pytest.mark.group("output_size")
@pytest.mark.parametrize(("hw", "k", "kwargs"), [
    ((10, 9), (3, 2), {"stride": (4, 2)}),                  # (10 - 3) % 4 = 3, (9 - 2) % 2 = 1
    ((8, 11), (2, 3), {"stride": 3, "padding": 1}),         # (8 + 2 - 2) % 3 = 2, (11 + 2 - 3) % 3 = 1
    ((10, 10), (3, 3), {"stride": 2, "dilation": 3}),       # (10 - 7) % 2 = 1
    ((12, 7), (3, 3), {"stride": (5, 4), "dilation": (2, 1)}),  # (12 - 5) % 5 = 2, (7 - 3) % 4 = 0
])
def test_last_window_does_not_fit(case, run, hw, k, kwargs):
    x, w, b = case((1, 2, *hw), (3, 2, *k))
    run(x, w, b, torch.float64, f"the last window would run past the padded input: it is dropped, the floor of "
        f"{FORMULA}, no ceil_mode", **kwargs)


@pytest.mark.group("output_size")
@pytest.mark.parametrize(("hw", "k", "kwargs"), [
    ((4, 8), (5, 3), {}),                                   # kH = H + 1
    ((2, 9), (3, 3), {"padding": 1, "dilation": 2}),        # H + 2 = 4, the dilated kernel spans 5
    ((6, 5), (3, 6), {"stride": 2}),                        # kW = W + 1 (a ceil would make W_out 1)
    ((7, 7), (3, 3), {"padding": (0, 1), "dilation": (4, 1)}),  # spans 9 > 7
])
def test_kernel_one_too_large_raises(sub, case, raises_value_error, hw, k, kwargs):
    x, w, b = case((1, 2, *hw), (2, 2, *k))
    args = ", ".join(f"{key}={value}" for key, value in kwargs.items())
    raises_value_error(lambda: sub.conv2d(x, w, b, **kwargs),
                       f"conv2d(x {tuple(x.shape)}, weight {tuple(w.shape)}{', ' + args if args else ''}): the "
                       f"dilated kernel is larger than the padded input ({FORMULA} < 1)")
