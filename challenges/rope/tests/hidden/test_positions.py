"""Hidden tests: absolute positions given by the caller (a KV-cache offset), not the index in x."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("positions")
def test_chunk_after_a_cached_prefix(sub, ref, check, draw, offset):
    x = draw(2, 6, 3, 32)
    positions = offset(6, 100, 4000)
    check(sub.apply_rope(x, positions), ref.apply_rope(x, positions), dtype=torch.float64,
          name=f"a chunk of 6 tokens after a cached prefix: positions {positions[0].item()}..{positions[-1].item()} "
               f"(rotate by the positions given, not by 0..5)")


@pytest.mark.group("positions")
def test_decode_step_equals_the_full_pass(sub, ref, check, draw, rng):
    T = 24
    x = draw(1, T, 2, 16)
    full = sub.apply_rope(x, torch.arange(T))
    check(full, ref.apply_rope(x, torch.arange(T)), dtype=torch.float64,
          name=f"the full pass over positions 0..{T - 1}")
    for t in sorted(torch.randperm(T - 1, generator=rng)[:3].add(1).tolist()):
        step = sub.apply_rope(x[:, t:t + 1], torch.tensor([t]))
        check(step, full[:, t:t + 1], dtype=torch.float64,
              name=f"a decode step: token {t} alone with positions = tensor([{t}]) must equal the full pass at "
                   f"position {t} (rotate by the position given, not by its index 0 in x)")


@pytest.mark.group("positions")
def test_unordered_positions_with_repeats(sub, ref, check, draw, rng):
    positions = torch.randint(0, 1000, (9,), generator=rng)
    positions[4] = positions[1]
    x = draw(2, 9, 2, 16)
    check(sub.apply_rope(x, positions), ref.apply_rope(x, positions), dtype=torch.float64,
          name=f"positions {positions.tolist()} (any order, repeats allowed)")
