"""Hidden test: a (2048, 1024) weight, within the time limit (vectorized)."""

from __future__ import annotations

import pytest


@pytest.mark.group("large")
def test_large(qc, sub, ref, check, rng):
    w = qc.weights(ref, rng, (2048, 1024), 0)
    qc.compare(check, sub.quantize(w, 0), ref.quantize(w, 0), "a (2048, 1024) float32 weight, axis=0")
