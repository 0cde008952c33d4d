"""Hidden tests: scaled_dot_product_attention (values, gradients, masks, stability) against float64.
"""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64
BOTH = [F32, F64]


def randn(rng: torch.Generator, *shape: int, dtype: torch.dtype = F32, scale: float = 1.0) -> torch.Tensor:
    return (torch.randn(*shape, generator=rng, dtype=F64) * scale).to(dtype)


def make_qkv(rng, batch, L, S, E, Ev, dtype, scale=1.0):
    return (randn(rng, *batch, L, E, dtype=dtype, scale=scale), randn(rng, *batch, S, E, dtype=dtype, scale=scale),
            randn(rng, *batch, S, Ev, dtype=dtype))


def keep_mask(rng: torch.Generator, *shape: int, p: float = 0.5) -> torch.Tensor:
    """A random bool mask (True = attend) in which key 0 is always kept, so no row is fully masked."""
    mask = torch.rand(*shape, generator=rng) < p
    mask[..., 0] = True
    return mask


def expected(ref, q, k, v, attn_mask=None, is_causal=False):
    if attn_mask is not None and attn_mask.is_floating_point():
        attn_mask = attn_mask.to(F64)
    return ref.scaled_dot_product_attention(q.to(F64), k.to(F64), v.to(F64), attn_mask=attn_mask,
                                            is_causal=is_causal)


def shapes(q, k, v) -> str:
    return f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}, {str(q.dtype).removeprefix('torch.')}"


def run_and_check(sub, ref, check, put, q, k, v, what, attn_mask=None, is_causal=False):
    got = sub.scaled_dot_product_attention(put(q), put(k), put(v), attn_mask=put(attn_mask), is_causal=is_causal)
    want = expected(ref, q, k, v, attn_mask=attn_mask, is_causal=is_causal)
    check(got, want, dtype=q.dtype, name=f"{what} ({shapes(q, k, v)})")
    return got, want


@pytest.mark.group("sdpa_values")
@pytest.mark.parametrize("dtype", BOTH)
@pytest.mark.parametrize("batch,L,S,E,Ev", [((), 5, 7, 16, 16), ((2, 3), 4, 6, 8, 8), ((3,), 6, 4, 8, 5)])
def test_values(sub, ref, check, rng, put, dtype, batch, L, S, E, Ev):
    q, k, v = make_qkv(rng, batch, L, S, E, Ev, dtype)
    run_and_check(sub, ref, check, put, q, k, v, "softmax(q @ k^T / sqrt(E), dim=-1) @ v, no mask")


@pytest.mark.group("sdpa_values")
def test_values_wide_scores(sub, ref, check, rng, put):
    q, k, v = make_qkv(rng, (2,), 5, 9, 32, 4, F64, scale=2.0)
    run_and_check(sub, ref, check, put, q, k, v, "scores of magnitude ~10 (the 1/sqrt(E) scale matters)")


def _grad_case(sub, ref, check, put, ref_grads, rng, q, k, v, what, **kwargs):
    g = randn(rng, *q.shape[:-1], v.shape[-1], dtype=q.dtype)
    sub_kwargs = {n: put(m) if isinstance(m, torch.Tensor) else m for n, m in kwargs.items()}
    value, grads = sub.scaled_dot_product_attention.grad(put(q), put(k), put(v), wrt=(0, 1, 2), grad_output=g,
                                                         **sub_kwargs)
    mask = kwargs.get("attn_mask")
    if mask is not None and mask.is_floating_point():
        kwargs["attn_mask"] = mask.to(F64)
    want, want_grads = ref_grads(ref.scaled_dot_product_attention, [q, k, v], g, **kwargs)
    check(value, want, dtype=q.dtype, name=f"{what}: output ({shapes(q, k, v)})")
    assert isinstance(grads, list) and len(grads) == 3, f"{what}: expected 3 gradients, got {grads!r}"
    for name, got, exp in zip("qkv", grads, want_grads):
        assert got is not None, f"{what}: no gradient reached {name}: is its path to the output detached?"
        check(got, exp, dtype=q.dtype, name=f"{what}: gradient with respect to {name} ({shapes(q, k, v)})")


@pytest.mark.group("sdpa_gradients")
@pytest.mark.parametrize("dtype", BOTH)
def test_gradients(sub, ref, check, rng, put, ref_grads, dtype):
    q, k, v = make_qkv(rng, (2, 3), 4, 6, 8, 5, dtype)
    _grad_case(sub, ref, check, put, ref_grads, rng, q, k, v, "gradients of sum(output * g), no mask")


@pytest.mark.group("sdpa_gradients")
def test_gradients_unbatched(sub, ref, check, rng, put, ref_grads):
    q, k, v = make_qkv(rng, (), 7, 3, 4, 6, F64)
    _grad_case(sub, ref, check, put, ref_grads, rng, q, k, v, "gradients, unbatched 2-D inputs")


CAUSAL_RULE = "is_causal=True: query i attends to keys j <= i (diagonal included, top-left aligned)"


@pytest.mark.group("causal")
@pytest.mark.parametrize("dtype", BOTH)
@pytest.mark.parametrize("L,S", [(5, 5), (3, 7), (7, 3)])
def test_causal(sub, ref, check, rng, put, dtype, L, S):
    q, k, v = make_qkv(rng, (2, 2), L, S, 8, 6, dtype)
    run_and_check(sub, ref, check, put, q, k, v, f"{CAUSAL_RULE}, L={L}, S={S}", is_causal=True)


@pytest.mark.group("causal")
@pytest.mark.parametrize("L,S", [(6, 4), (4, 6)])
def test_causal_gradients(sub, ref, check, rng, put, ref_grads, L, S):
    q, k, v = make_qkv(rng, (2,), L, S, 8, 4, F64)
    _grad_case(sub, ref, check, put, ref_grads, rng, q, k, v, f"{CAUSAL_RULE}, L={L}, S={S}", is_causal=True)


MASK_RULE = "excluded keys must get weight 0 before normalising (the kept weights of a row sum to 1)"


@pytest.mark.group("masks")
@pytest.mark.parametrize("dtype", BOTH)
def test_bool_mask_broadcast(sub, ref, check, rng, put, dtype):
    q, k, v = make_qkv(rng, (2, 3), 5, 6, 8, 8, dtype)
    mask = keep_mask(rng, 5, 6)
    run_and_check(sub, ref, check, put, q, k, v, f"bool attn_mask (L, S) broadcast over the batch, True = attend; "
                  f"{MASK_RULE}", attn_mask=mask)


@pytest.mark.group("masks")
def test_bool_mask_per_batch(sub, ref, check, rng, put):
    q, k, v = make_qkv(rng, (2, 3), 5, 6, 8, 8, F32)
    mask = keep_mask(rng, 2, 1, 5, 6)
    run_and_check(sub, ref, check, put, q, k, v, f"bool attn_mask of shape (2, 1, L, S); {MASK_RULE}",
                  attn_mask=mask)


@pytest.mark.group("masks")
@pytest.mark.parametrize("dtype", BOTH)
def test_float_mask(sub, ref, check, rng, put, dtype):
    q, k, v = make_qkv(rng, (2, 3), 5, 6, 8, 8, dtype)
    bias = randn(rng, 2, 3, 5, 6, dtype=dtype, scale=2.0)
    bias = bias.masked_fill(~keep_mask(rng, 2, 3, 5, 6, p=0.7), float("-inf"))
    run_and_check(sub, ref, check, put, q, k, v, "float attn_mask added to the scaled scores (-inf = excluded)",
                  attn_mask=bias)


@pytest.mark.group("masks")
def test_mask_and_causal(sub, ref, check, rng, put):
    q, k, v = make_qkv(rng, (2,), 5, 6, 8, 8, F32)
    mask = keep_mask(rng, 5, 6)
    run_and_check(sub, ref, check, put, q, k, v, "bool attn_mask together with is_causal=True: a key is excluded "
                  "if either excludes it", attn_mask=mask, is_causal=True)


@pytest.mark.group("masks")
def test_float_mask_and_causal(sub, ref, check, rng, put):
    q, k, v = make_qkv(rng, (2,), 5, 6, 8, 8, F32)
    bias = randn(rng, 5, 6, dtype=F32, scale=2.0)  # finite: only is_causal excludes keys
    run_and_check(sub, ref, check, put, q, k, v, "float attn_mask (finite biases) together with is_causal=True: "
                  "the bias is added and the keys j > i are excluded", attn_mask=bias, is_causal=True)


@pytest.mark.group("masks")
def test_mask_gradients(sub, ref, check, rng, put, ref_grads):
    q, k, v = make_qkv(rng, (2, 2), 5, 6, 8, 4, F64)
    _grad_case(sub, ref, check, put, ref_grads, rng, q, k, v, f"bool attn_mask; {MASK_RULE}",
               attn_mask=keep_mask(rng, 5, 6))


FULL_RULE = "a query whose keys are all excluded must output zeros (no NaN)"


def _fully_masked_bool(rng: torch.Generator, *shape: int) -> torch.Tensor:
    mask = keep_mask(rng, *shape)
    mask[..., 1, :] = False
    mask[..., 3, :] = False
    return mask


@pytest.mark.group("fully_masked")
@pytest.mark.parametrize("dtype", BOTH)
def test_fully_masked_bool(sub, ref, check, rng, put, dtype):
    q, k, v = make_qkv(rng, (2, 2), 5, 6, 8, 8, dtype)
    run_and_check(sub, ref, check, put, q, k, v, f"bool attn_mask with rows 1 and 3 all False: {FULL_RULE}",
                  attn_mask=_fully_masked_bool(rng, 5, 6))


@pytest.mark.group("fully_masked")
def test_fully_masked_float(sub, ref, check, rng, put):
    q, k, v = make_qkv(rng, (2,), 4, 5, 8, 8, F32)
    bias = randn(rng, 4, 5)
    bias[2] = float("-inf")
    run_and_check(sub, ref, check, put, q, k, v, f"float attn_mask with row 2 all -inf: {FULL_RULE}",
                  attn_mask=bias)


@pytest.mark.group("fully_masked")
def test_fully_masked_by_causal(sub, ref, check, rng, put):
    q, k, v = make_qkv(rng, (2,), 4, 6, 8, 8, F32)
    mask = torch.ones(4, 6, dtype=torch.bool)
    mask[0, 0] = False  # with is_causal, query 0 has no key left
    run_and_check(sub, ref, check, put, q, k, v, f"attn_mask excludes key 0 for query 0, plus is_causal: "
                  f"{FULL_RULE}", attn_mask=mask, is_causal=True)


@pytest.mark.group("fully_masked")
def test_fully_masked_gradients(sub, ref, check, rng, put, ref_grads):
    q, k, v = make_qkv(rng, (2, 2), 5, 6, 8, 4, F64)
    _grad_case(sub, ref, check, put, ref_grads, rng, q, k, v, f"rows 1 and 3 fully masked: {FULL_RULE}, and "
               "finite (zero) gradients through them", attn_mask=_fully_masked_bool(rng, 5, 6))


@pytest.mark.group("fully_masked")
@pytest.mark.parametrize("dtype", BOTH)
def test_fully_masked_float_gradients(sub, ref, check, rng, put, ref_grads, dtype):
    q, k, v = make_qkv(rng, (2,), 5, 6, 8, 4, dtype)
    bias = randn(rng, 5, 6, dtype=dtype)
    bias[1] = float("-inf")  # query 1: every key excluded by a float mask
    bias[3, 2:] = float("-inf")
    _grad_case(sub, ref, check, put, ref_grads, rng, q, k, v, f"float attn_mask with row 1 all -inf: {FULL_RULE}, "
               "and finite (zero) gradients through it: no NaN may reach any gradient", attn_mask=bias)


STABLE = "subtract the row maximum before exp (or use torch.softmax)"


def integer_qk(rng: torch.Generator, *shape: int) -> torch.Tensor:
    """Whole numbers in [-100, 100]: with E = 16, q @ k^T / 4 is exact in float32 (multiples of 0.25 up to
    ~1e4), so the expected weights do not hinge on rounding in the scores."""
    return torch.randint(-100, 101, shape, generator=rng).to(F32)


@pytest.mark.group("stability")
def test_huge_scores_float32(sub, ref, check, rng, put):
    q, k, v = integer_qk(rng, 2, 4, 8, 16), integer_qk(rng, 2, 4, 8, 16), randn(rng, 2, 4, 8, 8)
    run_and_check(sub, ref, check, put, q, k, v, f"scaled scores of magnitude ~1e4 in float32: {STABLE}")


@pytest.mark.group("stability")
def test_huge_scores_with_causal(sub, ref, check, rng, put):
    q, k, v = integer_qk(rng, 3, 6, 16), integer_qk(rng, 3, 6, 16), randn(rng, 3, 6, 8)
    run_and_check(sub, ref, check, put, q, k, v, f"scores of magnitude ~1e4 with is_causal: {STABLE}",
                  is_causal=True)


@pytest.mark.group("stability")
@pytest.mark.parametrize("offset", [1000.0, -1000.0])
def test_offset_float64(sub, ref, check, rng, put, offset):
    q, k, v = make_qkv(rng, (2, 2), 5, 7, 8, 8, F64)
    bias = torch.full((5, 7), offset, dtype=F64) + randn(rng, 5, 7, dtype=F64)
    run_and_check(sub, ref, check, put, q, k, v, f"float attn_mask of {offset:+g} + noise in float64 (exp "
                  f"{'overflows' if offset > 0 else 'underflows'} without the shift): {STABLE}", attn_mask=bias)


@pytest.mark.group("low_precision")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision(sub, ref, check, rng, put, dtype):
    q, k, v = make_qkv(rng, (2, 2), 6, 8, 16, 8, dtype)
    run_and_check(sub, ref, check, put, q, k, v, f"{dtype} inputs, output in {dtype}")
    run_and_check(sub, ref, check, put, q, k, v, f"{dtype} inputs with a bool mask and is_causal",
                  attn_mask=keep_mask(rng, 6, 8), is_causal=True)
