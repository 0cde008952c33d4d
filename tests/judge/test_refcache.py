"""The reference cache: repeats answered from memory, never a wrong or shared answer."""

from __future__ import annotations

import types
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import torch

from judge.refcache import CachedReference, ResultCache


def make(cache: ResultCache):
    calls = []

    def double(x, scale=2.0, generator=None):
        calls.append(1)
        noise = 0 if generator is None else torch.rand(x.shape, generator=generator)
        return x * scale + noise

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


@dataclass(frozen=True)
class Run:
    centroids: np.ndarray
    inertia: float
    shifts: list[float]


def test_a_dataclass_result_is_cached_shared_and_handed_out_as_a_fresh_copy(tmp_path):
    """A reference may return a record of its run (kmeans' ``lloyd``): cached, shared by a batch's jobs
    through the folder, and rebuilt from the reference module's own class."""
    calls = []

    def run(X, k):
        calls.append(1)
        return Run(X[:k].copy(), float(X.sum()), [1.0, 0.5])

    module = types.SimpleNamespace(run=run, Run=Run)
    first_job, second_job = ResultCache(), ResultCache()
    first_job.use_folder(tmp_path, b"batch key")
    second_job.use_folder(tmp_path, b"batch key")
    ref = CachedReference(module, "demo@1", first_job)
    X = np.arange(12.0).reshape(6, 2)
    first = ref.run(X, 2)
    first.centroids[:] = -1  # a test editing what it got ...
    first.shifts.append(9.0)
    again = ref.run(X.copy(), 2)
    assert len(calls) == 1 and isinstance(again, Run)
    assert np.array_equal(again.centroids, X[:2]) and again.shifts == [1.0, 0.5]  # ... spoils nothing
    assert again.inertia == 66.0 and again.centroids is not first.centroids
    other = CachedReference(module, "demo@1", second_job).run(X, 2)  # the other job reads the folder
    assert len(calls) == 1 and second_job.hits == 1 and isinstance(other, Run)
    assert np.array_equal(other.centroids, X[:2]) and other.shifts == [1.0, 0.5]
    ref.run(X, 3)
    assert len(calls) == 2


def test_a_namedtuple_result_is_handed_out_as_a_fresh_copy():
    pair = namedtuple("pair", "a b")
    calls = []

    def make_pair(x):
        calls.append(1)
        return pair(x * 2, 1)

    ref = CachedReference(types.SimpleNamespace(make_pair=make_pair), "demo@1", ResultCache())
    ref.make_pair(torch.ones(2)).a.add_(5)
    again = ref.make_pair(torch.ones(2))
    assert len(calls) == 1 and isinstance(again, pair) and torch.equal(again.a, torch.full((2,), 2.0))


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
    assert len(calls) == 2
    gen = torch.Generator().manual_seed(0)
    first = ref.double(torch.ones(3), generator=gen)
    second = ref.double(torch.ones(3), generator=gen)  # same arguments, but the generator moved on
    assert len(calls) == 4 and not torch.equal(first, second)


def test_size_bound_evicts_old_entries():
    cache = ResultCache(max_bytes=4096)
    ref, calls = make(cache)
    for i in range(20):
        ref.double(torch.full((64,), float(i)))
    ref.double(torch.full((64,), 0.0))
    assert len(calls) == 21


def test_judge_processes_of_a_batch_share_results_through_a_folder(tmp_path):
    first, second = ResultCache(), ResultCache()
    first.use_folder(tmp_path, b"batch key")
    second.use_folder(tmp_path, b"batch key")
    value = (torch.tensor([1.0, float("nan")], dtype=torch.float64), {"k": np.arange(3, dtype=np.int32)},
             [torch.tensor(2), torch.float32, None, 3.5, float("inf")])
    first.put(b"key", value)
    found, got = second.get(b"key")
    assert found and second.hits == 1
    assert isinstance(got, tuple) and isinstance(got[1]["k"], np.ndarray) and got[2][1] is torch.float32
    assert torch.equal(got[0].nan_to_num(), value[0].nan_to_num()) and got[0].dtype == torch.float64
    assert got[2][3:] == [3.5, float("inf")] and got[2][0].shape == ()

    pair = namedtuple("pair", "a b")
    first.put(b"named", pair(torch.ones(2), 1))  # would come back a plain tuple: kept in memory only
    first.put(b"intkeys", {1: torch.ones(2)})  # the wire format has string keys only
    assert sorted(p.name for p in tmp_path.iterdir()) == [b"key".hex()]
    assert second.get(b"named") == (False, None) and first.get(b"named")[0]

    (tmp_path / b"torn".hex()).write_bytes(b"\x00\x01garbage")  # a torn or foreign file is a miss, not a crash
    assert second.get(b"torn") == (False, None)


def test_a_value_planted_in_the_shared_folder_is_not_trusted(tmp_path):
    """A worker that can write to the batch's folder (no root: it keeps the judge's uid) knows the wire
    format and can guess a key, but not the batch's secret: its file is a miss."""
    from judge.refcache import _dump

    judge = ResultCache()
    judge.use_folder(tmp_path, b"the batch's secret")
    (tmp_path / b"key".hex()).write_bytes(_dump(torch.tensor([42.0])))  # unsigned
    assert judge.get(b"key") == (False, None)
    forger = ResultCache()
    forger.use_folder(tmp_path, b"a guess")
    forger.put(b"other", torch.tensor([42.0]))  # signed, with the wrong key
    assert judge.get(b"other") == (False, None)
    judge.put(b"mine", torch.tensor([1.0]))
    other_job = ResultCache()
    other_job.use_folder(tmp_path, b"the batch's secret")
    assert other_job.get(b"mine")[0]  # the batch's own jobs still share


def test_a_dataclass_the_reference_module_does_not_hold_is_not_cached():
    """A hit rebuilds a record from the reference module's class of that name: one from elsewhere could
    come back as another class, so it is computed every time."""
    calls = []

    def run(X):
        calls.append(1)
        return Run(X.copy(), 0.0, [])

    ref = CachedReference(types.SimpleNamespace(run=run), "demo@1", ResultCache())  # no Run in the module
    ref.run(np.ones(2))
    assert isinstance(ref.run(np.ones(2)), Run) and len(calls) == 2


def test_a_result_holding_an_object_the_digest_does_not_know_is_not_cached():
    """Only values that can be copied and shared exactly are kept: anything else is computed each time."""
    calls = []

    def fit(x):
        calls.append(1)
        return x * 2, object()

    ref = CachedReference(types.SimpleNamespace(fit=fit), "demo@1", ResultCache())
    first, second = ref.fit(torch.ones(2)), ref.fit(torch.ones(2))
    assert len(calls) == 2 and first[1] is not second[1]
