"""Public tests: properties every correct block has. Run them with `mlj test debug-transformer-block`."""

from __future__ import annotations

import torch

F64 = torch.float64


def block_in_eval(sub, dropout):
    block = sub.TransformerBlock.new(16, 4, 32, dropout)
    block.to.new(F64)
    g = torch.Generator().manual_seed(0)
    block.load_state_dict({name: torch.randn(value.shape, generator=g, dtype=F64) * 0.3
                           for name, value in block.state_dict().items()})
    block.eval.new()
    return block


def test_eval_mode_is_deterministic(sub):
    block = block_in_eval(sub, 0.5)
    x = torch.randn(2, 6, 16, generator=torch.Generator().manual_seed(1), dtype=F64)
    assert torch.equal(block(x), block(x)), "in eval mode two calls on the same input must give the same output"


def test_causal(sub, check):
    block = block_in_eval(sub, 0.0)
    x = torch.randn(2, 6, 16, generator=torch.Generator().manual_seed(2), dtype=F64)
    changed = x.clone()
    changed[:, -1] += 10.0
    check(block(changed)[:, :-1], block(x)[:, :-1],
          name="the outputs at positions 0..4 after changing only position 5 (a causal block does not look ahead)")


def test_against_the_reference(sub, ref, check):
    block = block_in_eval(sub, 0.0)
    expected = ref.TransformerBlock(16, 4, 32, 0.0).to(F64)
    expected.load_state_dict(block.state_dict())
    expected.eval()
    x = torch.randn(2, 6, 16, generator=torch.Generator().manual_seed(3), dtype=F64)
    with torch.no_grad():
        want = expected(x)
    check(block(x), want, name="the block (16, 4, 32, dropout=0) in eval mode against the reference")
