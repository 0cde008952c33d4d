"""The reference cache: repeats answered from memory, never a wrong or shared answer."""

from __future__ import annotations

import types

import torch

from judge.refcache import CachedReference, ResultCache


def make(cache: ResultCache):
    calls = []

    def double(x, scale=2.0):
        calls.append(1)
        return x * scale

    module = types.SimpleNamespace(double=double, CONSTANT=3)
    return CachedReference(module, "demo@1", cache), calls


def test_repeats_are_answered_from_the_cache_with_fresh_copies():
    ref, calls = make(ResultCache())
    x = torch.arange(4.0)
    first = ref.double(x)
    first += 100  # a test editing its expected tensor ...
    second = ref.double(x.clone())
    assert torch.equal(second, torch.arange(4.0) * 2)  # ... does not spoil the cache
    assert len(calls) == 1 and ref.CONSTANT == 3


def test_different_contents_dtypes_or_arguments_miss():
    ref, calls = make(ResultCache())
    ref.double(torch.arange(4.0))
    ref.double(torch.arange(4.0).double())
    ref.double(torch.arange(4.0), scale=3.0)
    ref.double(torch.arange(1.0, 5.0))
    assert len(calls) == 4


def test_grad_and_stateful_arguments_are_never_cached():
    ref, calls = make(ResultCache())
    x = torch.ones(3, requires_grad=True)
    y = ref.double(x)
    assert y.requires_grad and len(calls) == 1
    ref.double(x)
    gen = torch.Generator()
    ref.double(torch.ones(3), scale=gen.initial_seed() * 0 + 2.0)
    assert len(calls) == 3


def test_size_bound_evicts_old_entries():
    cache = ResultCache(max_bytes=4096)
    ref, calls = make(cache)
    for i in range(20):
        ref.double(torch.full((64,), float(i)))
    ref.double(torch.full((64,), 0.0))
    assert len(calls) == 21
