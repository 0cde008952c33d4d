"""Public tests: the statement's examples, and a random case against the reference. Run them with `mlj test`."""

from __future__ import annotations

import torch


def test_head_mapping_example(sub, check):
    q = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 1.0]], [[0.0, 0.0]]]])       # (1, 4, 1, 2)
    k = torch.tensor([[[[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [0.0, 0.0]]]])           # (1, 2, 2, 2)
    v = torch.tensor([[[[1.0, 0.0], [0.0, 1.0]], [[3.0, 0.0], [0.0, 3.0]]]])
    want = torch.tensor([[[[0.66976, 0.33024]], [[0.33024, 0.66976]], [[2.41328, 0.58672]], [[1.5, 1.5]]]],
                        dtype=torch.float64)
    check(sub.gqa(q, k, v), want, atol=1e-4, rtol=0,
          name="the statement's example: query heads 0, 1 read kv head 0; heads 2, 3 read kv head 1")


def test_bottom_right_causal_example(sub, check):
    q = torch.tensor([[[[1.0, 0.0], [0.0, 1.0]]]])
    k = torch.tensor([[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]]])
    v = torch.tensor([[[[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]]])
    want = torch.tensor([[[[0.66976, 0.33024], [1.0, 1.20334]]]], dtype=torch.float64)
    check(sub.gqa(q, k, v, is_causal=True), want, atol=1e-4, rtol=0,
          name="is_causal with T = 2, S = 3: query 0 sees keys 0 and 1, query 1 all three")


def test_random_against_reference(sub, ref, check):
    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(2, 8, 5, 16, generator=g), torch.randn(2, 2, 7, 16, generator=g), \
        torch.randn(2, 2, 7, 16, generator=g)
    check(sub.gqa(q, k, v, is_causal=True), ref.gqa(q.double(), k.double(), v.double(), is_causal=True),
          dtype=torch.float32, name="q (2, 8, 5, 16), k and v (2, 2, 7, 16), is_causal=True")
