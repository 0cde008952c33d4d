"""Hidden tests: prefill, step and the cache, against the reference's full pass over the same sequence."""

from __future__ import annotations

import pytest
import torch


def randn(rng: torch.Generator, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=rng, dtype=torch.float64).to(dtype)


F32, F64 = torch.float32, torch.float64
STEP = ("the new token is at position t = the cache's length (its query and key rotated with p = t), its key and "
        "value appended to the cache, its query attending to all t + 1 cached positions")


@pytest.mark.group("prefill")
@pytest.mark.parametrize("dtype", [F32, F64])
def test_prefill(make_pair, rng, check, check_cache, dtype):
    pair = make_pair(16, 4, 8, dtype)
    x = randn(rng, 3, 6, 16, dtype=dtype)
    check(pair.sub.prefill(x), pair.full(x), dtype=dtype,
          name=f"{pair.what}: prefill(x) must return forward(x) (x {tuple(x.shape)})")
    check_cache(pair, x, "after prefill(x) of 6 tokens")


def decode(pair, x, prefilled, check, check_cache):
    """Prefill ``prefilled`` tokens of ``x``, step through the rest; every output and cache checked."""
    full = pair.full(x)
    check(pair.sub.prefill(x[:, :prefilled]), full[:, :prefilled], dtype=pair.dtype,
          name=f"{pair.what}: prefill of {prefilled} tokens")
    for t in range(prefilled, x.shape[1]):
        got = pair.sub.step(x[:, t:t + 1])
        check(got, full[:, t:t + 1], dtype=pair.dtype,
              name=f"{pair.what}: step() of the token at position {t} after a prefill of {prefilled} "
                   f"(must equal forward on the whole sequence at position {t}; {STEP})")
        check_cache(pair, x[:, :t + 1], f"after the step at position {t}")


@pytest.mark.group("decode")
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("prefilled", [1, 3])
def test_decode(make_pair, rng, check, check_cache, dtype, prefilled):
    pair = make_pair(16, 4, 8, dtype)
    x = randn(rng, 2, 7, 16, dtype=dtype)
    decode(pair, x, prefilled, check, check_cache)


@pytest.mark.group("decode")
def test_decode_wide_heads(make_pair, rng, check, check_cache):
    pair = make_pair(24, 2, 8, F64)  # head_dim 12: six rotation frequencies
    decode(pair, randn(rng, 1, 8, 24, dtype=F64), 2, check, check_cache)


@pytest.mark.group("cache_lifecycle")
def test_second_prefill_replaces_the_cache(make_pair, rng, check, check_cache):
    pair = make_pair(16, 4, 10, F64)
    old = randn(rng, 2, 5, 16, dtype=F64)
    pair.sub.prefill(old)
    pair.sub.step(randn(rng, 2, 1, 16, dtype=F64))
    x = randn(rng, 2, 6, 16, dtype=F64)
    full = pair.full(x)
    check(pair.sub.prefill(x[:, :3]), full[:, :3], dtype=F64, name=f"{pair.what}: a second prefill (3 tokens)")
    check_cache(pair, x[:, :3], "after a second prefill of 3 tokens (it replaces the cache of 6, never appends)")
    for t in range(3, 6):
        check(pair.sub.step(x[:, t:t + 1]), full[:, t:t + 1], dtype=F64,
              name=f"{pair.what}: step at position {t} after a second prefill of 3 tokens: the new sequence starts "
                   f"at position 0 and sees nothing of the first one")


@pytest.mark.group("cache_lifecycle")
def test_forward_leaves_the_cache(make_pair, rng, check, check_cache):
    pair = make_pair(16, 4, 10, F64)
    x = randn(rng, 2, 5, 16, dtype=F64)
    pair.sub.prefill(x[:, :4])
    other = randn(rng, 2, 7, 16, dtype=F64)
    check(pair.sub(other), pair.full(other), dtype=F64, name=f"{pair.what}: forward between prefill and step")
    check_cache(pair, x[:, :4], "after prefill(4 tokens) and then forward(another sequence of 7): forward "
                                "neither reads nor changes the cache")
    check(pair.sub.step(x[:, 4:5]), pair.full(x)[:, 4:5], dtype=F64,
          name=f"{pair.what}: step at position 4 after prefill(4 tokens) and a forward of another sequence")
