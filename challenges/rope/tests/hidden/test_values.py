"""Hidden tests: values against the float64 reference (half-split pairs, theta_i = base ** (-2i/d))."""

from __future__ import annotations

import pytest
import torch

RULE = "pairs (i, i + d/2) rotated by +p * base**(-2i/d)"


@pytest.mark.group("values")
@pytest.mark.parametrize("shape", [(2, 7, 3, 16), (1, 5, 4, 2), (3, 4, 2, 128), (1, 6, 6, 8)])
def test_values(sub, ref, check, draw, offset, shape):
    x = draw(*shape)
    positions = offset(shape[1], 0, 50)
    check(sub.apply_rope(x, positions), ref.apply_rope(x, positions), dtype=torch.float64,
          name=f"apply_rope(x of shape {shape} (batch, seq, heads, head_dim), float64, positions "
               f"{positions[0].item()}..{positions[-1].item()}) ({RULE})")


@pytest.mark.group("values")
@pytest.mark.parametrize("base", [100.0, 500000.0])
def test_other_bases(sub, ref, check, draw, offset, base):
    x = draw(2, 6, 2, 32)
    positions = offset(6, 0, 50)
    check(sub.apply_rope(x, positions, base=base), ref.apply_rope(x, positions, base=base), dtype=torch.float64,
          name=f"apply_rope(x of shape (2, 6, 2, 32), float64, base={base:g}): theta_i = base**(-2i/d) with the "
               f"base given")


@pytest.mark.group("values")
def test_default_base_is_10000(sub, ref, check, draw, offset):
    x = draw(1, 4, 2, 32)
    positions = offset(4, 0, 50)
    check(sub.apply_rope(x, positions), ref.apply_rope(x, positions, base=10000.0), dtype=torch.float64,
          name="apply_rope(x, positions) without base: base = 10000")


@pytest.mark.group("values")
def test_float32(sub, ref, check, draw):
    x = draw(2, 8, 3, 32)
    positions = torch.arange(8)
    check(sub.apply_rope(x.float(), positions), ref.apply_rope(x.float().double(), positions), dtype=torch.float32,
          name=f"apply_rope(x of shape (2, 8, 3, 32), float32, positions 0..7) ({RULE}; float32 out)")
