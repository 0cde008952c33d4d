"""Hidden test: quantize does not write into w.

A probe inside the worker (the statement says so): the array is made there by the public support
module and handed to quantize as it is, then read back.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.group("inputs")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_w_is_not_modified(qc, sub, ref, check, rng, dtype):
    w = qc.weights(ref, rng, (8, 12), 0, dtype)
    remote = sub.support("int8_support").keep.new(w)
    sub.quantize(remote, 0)
    check(remote.copy(), w, rtol=0.0, atol=0.0, name=f"w ({np.dtype(dtype).name}) after quantize returned "
                                                     f"(do not modify w in place: w / scale makes a new array)")
