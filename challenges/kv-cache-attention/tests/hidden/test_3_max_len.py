"""Hidden tests: the max_len boundary of forward, prefill and step, and step before prefill."""

from __future__ import annotations

import pytest
import torch

from judge.runner import RuntimeFault


def randn(rng: torch.Generator, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=rng, dtype=torch.float64).to(dtype)


F64 = torch.float64


def allowed(call, what: str) -> None:
    """``call()`` must return (the result contract checks its shape): a ValueError here is a wrong answer."""
    try:
        call()
    except RuntimeFault as fault:
        if fault.exc_type == "ValueError":
            raise AssertionError(f"{what} is allowed, but your code raised {fault.message}") from None
        raise


@pytest.mark.group("max_len")
def test_length_boundary(make_pair, rng, raises_value_error):
    pair = make_pair(8, 2, 6, F64)
    at, over = randn(rng, 2, 6, 8, dtype=F64), randn(rng, 2, 7, 8, dtype=F64)
    for name, call in (("forward", pair.sub), ("prefill", pair.sub.prefill)):
        allowed(lambda call=call: call(at), f"{pair.what}: {name} with T = max_len = 6")
    raises_value_error(lambda: pair.sub(over), f"{pair.what}: forward with T = 7 > max_len")
    raises_value_error(lambda: pair.sub.prefill(over), f"{pair.what}: prefill with T = 7 > max_len")


@pytest.mark.group("max_len")
@pytest.mark.parametrize("prefilled", [2, 5])
def test_decode_up_to_max_len(make_pair, rng, raises_value_error, prefilled):
    pair = make_pair(8, 2, 5, F64)
    pair.sub.prefill(randn(rng, 1, prefilled, 8, dtype=F64))
    for t in range(prefilled, 5):
        allowed(lambda: pair.sub.step(randn(rng, 1, 1, 8, dtype=F64)),
                f"{pair.what}: step at position {t} after a prefill of {prefilled} (the cache reaches {t + 1})")
    raises_value_error(lambda: pair.sub.step(randn(rng, 1, 1, 8, dtype=F64)),
                       f"{pair.what}: step with max_len = 5 positions in the cache already")
    k, v = pair.sub.cache()
    assert k.shape[2] == v.shape[2] == 5, (
        f"{pair.what}: after the refused step the cache holds {k.shape[2]} positions; it must be left at max_len = 5")


@pytest.mark.group("max_len")
def test_step_before_prefill(make_pair, rng, raises_value_error):
    pair = make_pair(8, 2, 5, F64)
    raises_value_error(lambda: pair.sub.step(randn(rng, 1, 1, 8, dtype=F64)),
                       f"{pair.what}: step before any prefill")
