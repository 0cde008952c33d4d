"""Public tests: small cases you can read. Run them with `mlj test rope`."""

import torch


def test_statement_example(sub, ref, check):
    x = torch.tensor([[[[1.0, 2.0, 3.0, 4.0]]]], dtype=torch.float64).repeat(1, 3, 1, 1)
    positions = torch.tensor([0, 1, 5])
    want = torch.tensor([[1.0, 2.0, 3.0, 4.0], [-1.984111, 1.959901, 2.462378, 4.019800],
                         [3.160435, 1.797584, -0.107938, 4.094959]], dtype=torch.float64).reshape(1, 3, 1, 4)
    check(sub.apply_rope(x, positions), want, dtype=torch.float64, atol=1e-6, rtol=0.0,
          name="the statement's example: (1, 3, 1, 4) at positions [0, 1, 5]")


def test_position_zero_is_the_identity(sub, check):
    x = torch.randn(2, 1, 3, 8, generator=torch.Generator().manual_seed(0))
    check(sub.apply_rope(x, torch.tensor([0])), x, dtype=torch.float32, name="position 0 rotates by nothing")


def test_against_the_reference(sub, ref, check):
    x = torch.randn(1, 5, 2, 16, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    positions = torch.arange(3, 8)
    check(sub.apply_rope(x.float(), positions), ref.apply_rope(x, positions), dtype=torch.float32,
          name="(1, 5, 2, 16) float32 at positions 3..7")
