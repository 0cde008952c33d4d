"""Fixtures shared by the hidden kv-cache-attention tests (fixtures, so they work under --import-mode=importlib).

Every expected value is computed here, on the trusted side, by the float64 reference module loaded with
the same weights as the submission's; the worker only returns outputs and cache contents.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64
NAMES = ("q_proj", "k_proj", "v_proj", "out_proj")


class Pair:
    """The submission's module (in the worker) and the float64 reference with the same weights."""

    def __init__(self, sub: Any, expected: Any, state: dict[str, torch.Tensor], dtype: torch.dtype,
                 what: str) -> None:
        self.sub, self.expected, self.state, self.dtype, self.what = sub, expected, state, dtype, what

    def full(self, x: torch.Tensor) -> torch.Tensor:
        """The reference's full causal pass over ``x`` (float64)."""
        with torch.no_grad():
            return self.expected(x.to(F64))

    def cache_after(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The reference's cache after a prefill of the whole of ``x``."""
        with torch.no_grad():
            self.expected.prefill(x.to(F64))
            return self.expected.cache()


@pytest.fixture
def make_pair(sub: Any, ref: Any, rng: torch.Generator) -> Callable[..., Pair]:
    """``make_pair(d_model, n_heads, max_len, dtype)``: both modules with the same random weights (drawn in
    float64, rounded to ``dtype`` and given to the reference exactly as rounded)."""

    def make(d_model: int, n_heads: int, max_len: int, dtype: torch.dtype = torch.float32,
             rope_base: float = 10000.0) -> Pair:
        expected = ref.KVCacheAttention(d_model, n_heads, max_len, rope_base).to(F64)
        bound = 1.0 / math.sqrt(d_model)
        state = {name: ((torch.rand(p.shape, generator=rng, dtype=F64) * 2 - 1) * bound).to(dtype)
                 for name, p in expected.state_dict().items()}
        expected.load_state_dict({k: v.to(F64) for k, v in state.items()})
        base = "" if rope_base == 10000.0 else f", rope_base={rope_base:g}"
        what = f"KVCacheAttention(d_model={d_model}, n_heads={n_heads}, max_len={max_len}{base}), {dtype_name(dtype)}"
        # the default rope_base is left to the submission's own default (it must be 10000.0)
        module = (sub.KVCacheAttention.new(d_model, n_heads, max_len) if rope_base == 10000.0
                  else sub.KVCacheAttention.new(d_model, n_heads, max_len, rope_base))
        got = module.state_dict()
        assert sorted(got) == sorted(state), (
            f"{what}: state_dict() has keys {sorted(got)}, expected exactly {sorted(state)} (four nn.Linear "
            f"named {', '.join(NAMES)}; RoPE tables non-persistent, the cache not in the state_dict)")
        for name, value in state.items():  # before load_state_dict, which would fail with a size mismatch (RE)
            assert tuple(got[name].shape) == tuple(value.shape), (
                f"{what}: {name} has shape {tuple(got[name].shape)}, expected {tuple(value.shape)}")
        if dtype != torch.float32:
            module.to.new(dtype)
        module.load_state_dict(state)
        return Pair(module, expected, state, dtype, what)

    return make


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def randn(rng: torch.Generator, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=rng, dtype=F64).to(dtype)


@pytest.fixture
def raises_value_error() -> Callable[[Callable[[], Any], str], None]:
    """``raises_value_error(call, what)``: assert that ``call()`` raises ValueError in the submission."""

    def expect(call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
            return
        except WrongOutputFault as fault:  # it returned, and what it returned does not even fit
            raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
        raise AssertionError(f"{what}: expected ValueError, but the call returned normally")

    return expect


@pytest.fixture
def check_cache(check: Callable[..., Any]) -> Callable[..., None]:
    """``check_cache(pair, x_so_far, what)``: the submission's cache() equals the reference's after a prefill
    of the whole sequence so far (its length first, then the keys after RoPE and the values)."""

    def compare(pair: Pair, x: torch.Tensor, what: str) -> None:
        got_k, got_v = pair.sub.cache()
        want_k, want_v = pair.cache_after(x)
        t = x.shape[1]
        for name, got, want in (("k", got_k, want_k), ("v", got_v, want_v)):
            assert tuple(got.shape) == tuple(want.shape), (
                f"{pair.what}: {what}: cache() {name} has shape {tuple(got.shape)}, expected {tuple(want.shape)} "
                f"(B, n_heads, t, head_dim) with t = {t} positions: one per prefilled token and one more per step")
        flipped = want_k.flip(2)
        if t > 1 and torch.allclose(got_k.to(F64), flipped, rtol=1e-4, atol=1e-4) and \
                not torch.allclose(got_k.to(F64), want_k, rtol=1e-4, atol=1e-4):
            raise AssertionError(f"{pair.what}: {what}: cache() keys are in reverse order: position 0 comes first, "
                                 f"each step's key is appended at the end")
        check(got_k, want_k, dtype=pair.dtype,
              name=f"{pair.what}: {what}: cache() k (the keys after RoPE, position 0 first)")
        check(got_v, want_v, dtype=pair.dtype, name=f"{pair.what}: {what}: cache() v (the values, position 0 first)")

    return compare
