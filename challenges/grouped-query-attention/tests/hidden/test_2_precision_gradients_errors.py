"""Hidden tests: float16/bfloat16, gradients (a kv head's summed over its group), and the ValueErrors."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64


def inputs(rng, b, hq, hkv, t, s, d, dtype=F32, scale=1.0):
    q = torch.randn(b, hq, t, d, generator=rng, dtype=F64) * scale
    k = torch.randn(b, hkv, s, d, generator=rng, dtype=F64)
    v = torch.randn(b, hkv, s, d, generator=rng, dtype=F64)
    return q.to(dtype), k.to(dtype), v.to(dtype)


@pytest.mark.group("low_precision")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision(sub, ref, check, rng, dtype):
    # Every key close to one direction that the queries share: scaled scores of ~100 +- 1, so several
    # keys count in each row. Rounded to half precision before the softmax (a step of 1/16 at 100 in
    # float16, 1/2 in bfloat16) the scores move the weights by percents; in float32 they do not.
    u = torch.ones(16, dtype=F64) / 4
    q = (40 * u + 0.2 * torch.randn(2, 4, 6, 16, generator=rng, dtype=F64)).to(dtype)
    k = (10 * u + 0.1 * torch.randn(2, 2, 12, 16, generator=rng, dtype=F64)).to(dtype)
    v = torch.randn(2, 2, 12, 16, generator=rng, dtype=F64).to(dtype)
    got = sub.gqa(q, k, v, is_causal=True)
    want = ref.gqa(q.to(F64), k.to(F64), v.to(F64), is_causal=True)
    name = str(dtype).removeprefix("torch.")
    check(got, want, dtype=dtype,
          name=f"gqa on {name} inputs with scaled scores of ~100 +- 1 (q {tuple(q.shape)}): scores and softmax "
               f"in float32, the result returned as {name}")


def reference_grads(ref, q, k, v, g, **kwargs):
    leaves = [x.detach().to(F64).requires_grad_(True) for x in (q, k, v)]
    out = ref.gqa(*leaves, **kwargs)
    return torch.autograd.grad((out * g.to(F64)).sum(), leaves)


@pytest.mark.group("gradients")
@pytest.mark.parametrize("hq,hkv,is_causal", [(8, 2, False), (6, 3, True), (4, 1, True), (4, 4, False)])
def test_gradients(sub, ref, check, rng, hq, hkv, is_causal):
    q, k, v = inputs(rng, 2, hq, hkv, 3, 5, 4, F64)
    g = torch.randn(2, hq, 3, 4, generator=rng, dtype=F64)
    value, grads = sub.gqa.grad(q, k, v, is_causal=is_causal, wrt=(0, 1, 2), grad_output=g)
    want = reference_grads(ref, q, k, v, g, is_causal=is_causal)
    check(value, ref.gqa(q, k, v, is_causal=is_causal), dtype=F64, name="gqa's output in the gradient test")
    for name, got, expected in zip(("q", "k", "v"), grads, want, strict=True):
        assert got is not None, f"no gradient reached {name}: is its path to the output detached?"
        extra = (f"; kv head j's gradient is the sum over the {hq // hkv} query heads of its group (each read it)"
                 if name != "q" and hq != hkv else "")
        check(got, expected, dtype=F64,
              name=f"d out / d {name} (Hq={hq}, Hkv={hkv}, is_causal={is_causal}){extra}")


def zeros(b, h, t, d):
    return torch.zeros(b, h, t, d)


@pytest.mark.group("errors")
def test_heads_not_divisible(sub, raises_value_error):
    for hq, hkv in ((6, 4), (2, 4), (5, 2)):
        raises_value_error(lambda hq=hq, hkv=hkv: sub.gqa(zeros(1, hq, 3, 4), zeros(1, hkv, 3, 4), zeros(1, hkv, 3, 4)),
                           f"gqa with Hq = {hq}, Hkv = {hkv} (Hq % Hkv != 0)")


@pytest.mark.group("errors")
def test_causal_with_more_queries_than_keys(sub, raises_value_error):
    raises_value_error(lambda: sub.gqa(zeros(1, 4, 4, 8), zeros(1, 2, 3, 8), zeros(1, 2, 3, 8), is_causal=True),
                       "gqa(is_causal=True) with T = 4 > S = 3")


@pytest.mark.group("errors")
def test_causal_with_as_many_queries_as_keys_is_allowed(sub, check):
    q = torch.ones(1, 2, 3, 4)
    # T == S: every query sees at least key 0; all keys equal, so every output is that key's value
    got = sub.gqa(q, torch.ones(1, 1, 3, 4), torch.full((1, 1, 3, 4), 2.0), is_causal=True)
    check(got, torch.full((1, 2, 3, 4), 2.0, dtype=F64), dtype=F32, allow_constant=True,
          name="gqa(is_causal=True) with T = S = 3 (allowed), identical keys and values 2")
