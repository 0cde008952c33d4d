"""Public tests: small cases you can read. Run them with `mlj test attention solution.py`.
"""

from __future__ import annotations

import math

import torch

from judge.runner import RuntimeFault


def test_two_keys_by_hand(sub, check):
    # One query, two keys, E = 4: scores = q.k / sqrt(4) = [2, 0] / 2 = [1, 0].
    q = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    k = torch.tensor([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])
    v = torch.tensor([[10.0, 0.0], [0.0, 10.0]])
    w = math.e / (math.e + 1.0)  # softmax([1, 0])[0]
    expected = torch.tensor([[10.0 * w, 10.0 * (1 - w)]], dtype=torch.float64)
    check(sub.scaled_dot_product_attention(q, k, v), expected, dtype=torch.float32,
          name="one query, two keys: weights softmax([1, 0]) (note the 1/sqrt(E) scale)")


def test_random_against_reference(sub, ref, check):
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(2, 3, 4, 8, generator=g), torch.randn(2, 3, 5, 8, generator=g),
               torch.randn(2, 3, 5, 6, generator=g))
    check(sub.scaled_dot_product_attention(q, k, v),
          ref.scaled_dot_product_attention(q.double(), k.double(), v.double()), dtype=torch.float32,
          name="q (2, 3, 4, 8), k (2, 3, 5, 8), v (2, 3, 5, 6)")


def test_causal_rectangular(sub, ref, check):
    # L = 3 queries, S = 5 keys: query i sees keys 0..i (top-left aligned).
    g = torch.Generator().manual_seed(2)
    q, k, v = torch.randn(3, 4, generator=g), torch.randn(5, 4, generator=g), torch.randn(5, 2, generator=g)
    check(sub.scaled_dot_product_attention(q, k, v, is_causal=True),
          ref.scaled_dot_product_attention(q.double(), k.double(), v.double(), is_causal=True),
          dtype=torch.float32, name="is_causal with L=3, S=5: query i attends to keys j <= i")


def test_bool_mask_and_fully_masked_row(sub, ref, check):
    g = torch.Generator().manual_seed(3)
    q, k, v = torch.randn(3, 4, generator=g), torch.randn(3, 4, generator=g), torch.randn(3, 2, generator=g)
    mask = torch.tensor([[True, False, True], [False, False, False], [True, True, True]])
    got = sub.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    check(got, ref.scaled_dot_product_attention(q.double(), k.double(), v.double(), attn_mask=mask),
          dtype=torch.float32, name="bool attn_mask (True = attend); row 1 has no key left, so its output is 0")


def test_module_self_attention(sub, ref, check):
    torch.manual_seed(4)
    expected = ref.MultiHeadAttention(8, 2).double()
    state = {name: p.detach().float() for name, p in expected.state_dict().items()}
    expected.load_state_dict({name: p.double() for name, p in state.items()})  # the same rounded weights
    module = sub.MultiHeadAttention.new(8, 2)
    module.load_state_dict(state)
    x = torch.randn(1, 3, 8)
    padding = torch.tensor([[False, False, True]])  # the last key is padding
    with torch.no_grad():
        want = expected(x.double(), x.double(), x.double(), key_padding_mask=padding)
    check(module(x, x, x, key_padding_mask=padding), want, dtype=torch.float32,
          name="MultiHeadAttention(8, 2) self-attention on (1, 3, 8) with key_padding_mask [[F, F, T]]")


def test_bad_head_count_raises(sub):
    try:
        sub.MultiHeadAttention.new(10, 3)
    except RuntimeFault as fault:
        assert fault.exc_type == "ValueError", f"MultiHeadAttention(10, 3): expected ValueError, got {fault.message}"
        return
    raise AssertionError("MultiHeadAttention(10, 3) must raise ValueError (10 is not divisible by 3)")
