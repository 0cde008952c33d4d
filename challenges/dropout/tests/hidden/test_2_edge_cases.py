"""Hidden tests: p == 0, p == 1 and eval mode (their values, x itself, no draw), and the ValueErrors."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64
IDENTITY = [(False, 0.5), (False, 0.0), (False, 1.0), (True, 0.0)]


@pytest.mark.group("edge_cases")
@pytest.mark.parametrize("training,p", IDENTITY)
def test_returns_x_unchanged(sub, check, rng, randn, training, p):
    x = randn(rng, 12, 9)
    check(sub.dropout(x, p, training=training), x, rtol=0.0, atol=0.0,
          name=f"dropout(x, p={p}, training={training}): x itself, unchanged (no scaling, nothing dropped)")


@pytest.mark.group("edge_cases")
@pytest.mark.parametrize("dtype", [F32, torch.float16])
def test_p_one_gives_zeros(sub, check, rng, randn, dtype):
    x = randn(rng, 10, 7, dtype=dtype)
    check(sub.dropout(x, 1.0), torch.zeros(10, 7, dtype=dtype), dtype=dtype, allow_constant=True,
          name=f"dropout(x, p=1.0) of a {str(dtype)[6:]} x: zeros of x's shape and dtype (no division by 1 - p = 0, "
               f"no NaN)")


@pytest.mark.group("edge_cases")
@pytest.mark.parametrize("training,p", [(True, 0.0), (False, 0.5), (True, 1.0)])
def test_known_answers_draw_nothing(sub, ref, check, rng, generators, randn, training, p):
    remote, local, _ = generators(rng)
    x = randn(rng, 20, 15)
    sub.dropout(x, p, training=training, generator=remote)
    check(sub.dropout(x, 0.5, generator=remote), ref.dropout(x.to(F64), 0.5, generator=local), dtype=F32,
          name=f"dropout(x, 0.5) right after dropout(x, p={p}, training={training}) with the same generator (that call "
               f"must draw nothing, so this one gets the generator's first draw)")


@pytest.mark.group("identity")
@pytest.mark.parametrize("training,p", IDENTITY)
def test_returns_x_itself(sub, rng, randn, training, p):
    """Is the result x itself? Asked inside the worker (a probe: the statement says so)."""
    support = sub.support("dropout_support")
    x = support.keep.new(randn(rng, 6, 5))
    out = sub.dropout.new(x, p, training=training)
    assert support.is_same(out, x) is True, (
        f"dropout(x, p={p}, training={training}) must return x itself (the same tensor object), not a copy")


@pytest.mark.group("errors")
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("p", [-0.01, -1.0, 1.01, 1.5])
def test_p_outside_the_unit_interval(sub, raises_value_error, training, p):
    x = torch.ones(3, 4)
    raises_value_error(lambda: sub.dropout(x, p, training=training),
                       f"dropout(x, p={p}, training={training}): p outside [0, 1] (checked whatever training says)")
