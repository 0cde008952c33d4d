"""Hidden tests: MultiHeadAttention against the float64 reference module with the same weights.
"""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64
BOTH = [F32, F64]
HEADS = "heads: (N, L, E) -> (N, L, H, head_dim) -> (N, H, L, head_dim), and back"


def randn(rng: torch.Generator, *shape: int, dtype: torch.dtype = F32) -> torch.Tensor:
    return torch.randn(*shape, generator=rng, dtype=F64).to(dtype)


def run_and_check(module, expected, check, put, query, key, value, what, **masks):
    got = module(put(query), put(key), put(value), **{n: put(m) if isinstance(m, torch.Tensor) else m
                                                       for n, m in masks.items()})
    assert isinstance(got, torch.Tensor), (
        f"{what}: forward must return only the output tensor, got {type(got).__name__}")
    f64_masks = {n: m.to(F64) if isinstance(m, torch.Tensor) and m.is_floating_point() else m
                 for n, m in masks.items()}
    with torch.no_grad():
        want = expected(query.to(F64), key.to(F64), value.to(F64), **f64_masks)
    shapes = f"query {tuple(query.shape)}, key {tuple(key.shape)}, value {tuple(value.shape)}"
    check(got, want, dtype=query.dtype, name=f"{what} ({shapes}, {str(query.dtype).removeprefix('torch.')})")
    return got, want


@pytest.mark.group("mha_parameters")
@pytest.mark.parametrize("kwargs", [{}, {"kdim": 10, "vdim": 6, "bias": False}])
def test_parameter_names(sub, make_mha, kwargs):
    make_mha(12, 3, **kwargs)  # checks the state_dict's names and shapes against the reference's


@pytest.mark.group("mha_self_attention")
def test_no_dropout_in_training_mode(check, rng, put, make_mha):
    module, expected = make_mha(16, 4, F64)  # a new module is in training mode, as nn.Module makes it
    x = randn(rng, 2, 5, 16, dtype=F64)
    first, _ = run_and_check(module, expected, check, put, x, x, x,
                             f"self-attention in training mode (no dropout); {HEADS}")
    second = module(put(x), put(x), put(x))
    assert isinstance(second, torch.Tensor) and torch.equal(first, second), (
        "two forward passes on the same input in training mode differ: the module must be deterministic "
        "(no dropout)")


@pytest.mark.group("mha_self_attention")
@pytest.mark.parametrize("dtype", BOTH)
@pytest.mark.parametrize("E,H", [(16, 4), (12, 2)])
def test_self_attention(check, rng, put, make_mha, dtype, E, H):
    module, expected = make_mha(E, H, dtype)
    x = randn(rng, 2, 5, E, dtype=dtype)
    run_and_check(module, expected, check, put, x, x, x, f"self-attention, embed_dim={E}, num_heads={H}; {HEADS}")


@pytest.mark.group("mha_cross_attention")
@pytest.mark.parametrize("dtype", BOTH)
@pytest.mark.parametrize("bias", [True, False])
def test_cross_attention(check, rng, put, make_mha, dtype, bias):
    module, expected = make_mha(16, 4, dtype, kdim=10, vdim=6, bias=bias)
    query, key, value = randn(rng, 3, 4, 16, dtype=dtype), randn(rng, 3, 7, 10, dtype=dtype), \
        randn(rng, 3, 7, 6, dtype=dtype)
    run_and_check(module, expected, check, put, query, key, value,
                  f"cross-attention, L=4, S=7, kdim=10, vdim=6, bias={bias}; {HEADS}")


def padding(rng: torch.Generator, n: int, s: int) -> torch.Tensor:
    """A key_padding_mask (True = padding) with a random length >= 1 per sequence."""
    lengths = torch.randint(1, s + 1, (n,), generator=rng)
    lengths[0] = max(1, s - 2)  # at least one sequence is really padded
    return torch.arange(s)[None, :] >= lengths[:, None]


@pytest.mark.group("mha_masks")
@pytest.mark.parametrize("dtype", BOTH)
def test_key_padding_mask(check, rng, put, make_mha, dtype):
    module, expected = make_mha(16, 4, dtype)
    query, memory = randn(rng, 3, 5, 16, dtype=dtype), randn(rng, 3, 6, 16, dtype=dtype)
    run_and_check(module, expected, check, put, query, memory, memory,
                  "key_padding_mask (N, S), True = padding: those keys are ignored",
                  key_padding_mask=padding(rng, 3, 6))


@pytest.mark.group("mha_masks")
@pytest.mark.parametrize("dtype", BOTH)
def test_float_key_padding_mask(check, rng, put, make_mha, dtype):
    module, expected = make_mha(16, 4, dtype)
    query, memory = randn(rng, 3, 5, 16, dtype=dtype), randn(rng, 3, 6, 16, dtype=dtype)
    pad = randn(rng, 3, 6, dtype=dtype) * 2
    pad[:, 1] = 0.0  # a zero bias: not padding
    pad[padding(rng, 3, 6)] = float("-inf")  # and some keys ignored
    run_and_check(module, expected, check, put, query, memory, memory,
                  "float key_padding_mask (N, S): added to the scores of each key (-inf = ignored)",
                  key_padding_mask=pad)


@pytest.mark.group("mha_masks")
def test_bool_attn_mask(check, rng, put, make_mha):
    module, expected = make_mha(16, 4)
    x = randn(rng, 2, 6, 16)
    mask = torch.rand(6, 6, generator=rng) < 0.5
    mask[:, 0] = False
    run_and_check(module, expected, check, put, x, x, x,
                  "bool attn_mask (L, S): True = NOT allowed to attend (as in nn.MultiheadAttention)",
                  attn_mask=mask)


@pytest.mark.group("mha_masks")
def test_float_attn_mask(check, rng, put, make_mha):
    module, expected = make_mha(16, 4)
    query, memory = randn(rng, 2, 4, 16), randn(rng, 2, 5, 16)
    bias = randn(rng, 2, 4, 4, 5)
    run_and_check(module, expected, check, put, query, memory, memory,
                  "float attn_mask (N, num_heads, L, S) added to each head's scores", attn_mask=bias)


@pytest.mark.group("mha_masks")
def test_float_masks_add_up(check, rng, put, make_mha):
    module, expected = make_mha(16, 4)
    query, memory = randn(rng, 2, 4, 16), randn(rng, 2, 5, 16)
    bias = randn(rng, 4, 5) * 2  # finite biases: neither mask alone decides
    pad = randn(rng, 2, 5) * 2
    run_and_check(module, expected, check, put, query, memory, memory,
                  "float key_padding_mask and float attn_mask together: both are added to the scores",
                  key_padding_mask=pad, attn_mask=bias)


@pytest.mark.group("mha_masks")
def test_causal(check, rng, put, make_mha):
    module, expected = make_mha(16, 4)
    x = randn(rng, 2, 6, 16)
    run_and_check(module, expected, check, put, x, x, x, "is_causal=True: query i attends to keys j <= i",
                  is_causal=True)


@pytest.mark.group("mha_masks")
def test_all_masks_together(check, rng, put, make_mha):
    module, expected = make_mha(16, 2)
    x = randn(rng, 3, 6, 16)
    mask = torch.rand(6, 6, generator=rng) < 0.3
    mask[:, 0] = False
    run_and_check(module, expected, check, put, x, x, x,
                  "key_padding_mask + bool attn_mask + is_causal: a key is excluded if any mask excludes it",
                  key_padding_mask=padding(rng, 3, 6), attn_mask=mask, is_causal=True)


@pytest.mark.group("mha_batch_first")
@pytest.mark.parametrize("cross", [False, True])
def test_sequence_first(check, rng, put, make_mha, cross):
    module, expected = make_mha(16, 4, batch_first=False, kdim=8 if cross else None)
    query = randn(rng, 5, 3, 16)
    key = randn(rng, 7, 3, 8) if cross else query
    value = randn(rng, 7, 3, 16) if cross else query
    run_and_check(module, expected, check, put, query, key, value,
                  "batch_first=False: inputs (L, N, E) and output (L, N, E); key_padding_mask stays (N, S)",
                  key_padding_mask=padding(rng, 3, key.shape[0]))


def grad_case(module, expected, check, put, rng, query, key, value, what, **masks):
    g = randn(rng, *query.shape, dtype=query.dtype)
    sub_masks = {n: put(m) if isinstance(m, torch.Tensor) else m for n, m in masks.items()}
    value_out, grads = module.forward.grad(put(query), put(key), put(value), wrt=(0, 1, 2), grad_output=g,
                                           params=True, **sub_masks)
    leaves = [x.detach().to(F64).requires_grad_(True) for x in (query, key, value)]
    params = dict(expected.named_parameters())
    out = expected(*leaves, **masks)
    found = torch.autograd.grad((out * g.to(F64)).sum(), leaves + list(params.values()))
    check(value_out, out.detach(), dtype=query.dtype, name=f"{what}: output")
    assert isinstance(grads, dict) and "inputs" in grads and "params" in grads, f"{what}: no gradients came back"
    for name, got, want in zip(("query", "key", "value"), grads["inputs"], found[:3]):
        assert got is not None, f"{what}: no gradient reached {name}: is its path to the output detached?"
        check(got, want, dtype=query.dtype, name=f"{what}: gradient with respect to {name}")
    for (name, _), want in zip(params.items(), found[3:]):
        assert name in grads["params"], f"{what}: your module has no parameter {name}"
        check(grads["params"][name], want, dtype=query.dtype, name=f"{what}: gradient with respect to {name}")


@pytest.mark.group("mha_gradients")
@pytest.mark.parametrize("dtype", BOTH)
def test_gradients_cross(check, rng, put, make_mha, dtype):
    module, expected = make_mha(16, 4, dtype, kdim=12, vdim=8)
    query, key, value = randn(rng, 2, 4, 16, dtype=dtype), randn(rng, 2, 6, 12, dtype=dtype), \
        randn(rng, 2, 6, 8, dtype=dtype)
    grad_case(module, expected, check, put, rng, query, key, value,
              "cross-attention with key_padding_mask, gradients of sum(output * g)",
              key_padding_mask=padding(rng, 2, 6))


@pytest.mark.group("mha_gradients")
def test_gradients_causal_sequence_first(check, rng, put, make_mha):
    module, expected = make_mha(12, 3, F64, batch_first=False)
    x = randn(rng, 5, 2, 12, dtype=F64)
    grad_case(module, expected, check, put, rng, x, x, x,
              "batch_first=False self-attention with is_causal, gradients of sum(output * g)", is_causal=True)


@pytest.mark.group("mha_fully_masked")
@pytest.mark.parametrize("bias", [True, False])
def test_fully_padded_sequence(check, rng, put, make_mha, bias):
    module, expected = make_mha(16, 4, F64, bias=bias)
    query, memory = randn(rng, 3, 4, 16, dtype=F64), randn(rng, 3, 5, 16, dtype=F64)
    pad = padding(rng, 3, 5)
    pad[1] = True  # every key of sequence 1 is padding
    grad_case(module, expected, check, put, rng, query, memory, memory,
              "sequence 1 is all padding: its attention output is zeros, so its output rows are out_proj.bias "
              "(zeros without bias), with finite gradients", key_padding_mask=pad)
