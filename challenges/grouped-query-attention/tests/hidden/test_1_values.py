"""Hidden tests: values against the float64 reference, the head mapping, MQA/MHA, causal masking, stability."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64
INTERLEAVED = "query head h reading kv head h % Hkv (k.repeat): query heads are grouped contiguously, h // group"
TOP_LEFT = "a causal mask aligned to the top left (query i sees keys j <= i): it is aligned to the bottom right"


def inputs(rng, b, hq, hkv, t, s, d, dtype=F32, scale=1.0):
    q = torch.randn(b, hq, t, d, generator=rng, dtype=F64) * scale
    k = torch.randn(b, hkv, s, d, generator=rng, dtype=F64)
    v = torch.randn(b, hkv, s, d, generator=rng, dtype=F64)
    return q.to(dtype), k.to(dtype), v.to(dtype)


def shapes(q, k):
    return f"q {tuple(q.shape)}, k and v {tuple(k.shape)}"


def wide(x):
    return x.to(F64)


@pytest.mark.group("values")
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("hq,hkv", [(8, 2), (6, 3), (4, 2)])
def test_values(sub, ref, expect, mistake, rng, dtype, hq, hkv):
    q, k, v = inputs(rng, 2, hq, hkv, 5, 7, 8, dtype)
    expect(sub.gqa(q, k, v), ref.gqa(wide(q), wide(k), wide(v)), dtype,
           f"gqa, {shapes(q, k)}: softmax(q_h @ k^T / sqrt(D)) @ v with kv head h // (Hq // Hkv)",
           {INTERLEAVED: mistake(q, k, v, heads="interleaved")})


@pytest.mark.group("head_mapping")
@pytest.mark.parametrize("hq,hkv", [(4, 2), (6, 2), (6, 3)])
def test_each_query_head_reads_its_group(sub, ref, expect, mistake, rng, hq, hkv):
    # kv head j's values sit around 10 * j, so which kv head a query head read shows in its output.
    q, k, v = inputs(rng, 1, hq, hkv, 3, 4, 4, F64)
    v = v + 10.0 * torch.arange(hkv, dtype=F64)[None, :, None, None]
    group = hq // hkv
    expect(sub.gqa(q, k, v), ref.gqa(q, k, v), F64,
           f"gqa, {shapes(q, k)}, group {group}: query heads 0..{group - 1} read kv head 0, the next {group} "
           f"kv head 1, ...", {INTERLEAVED: mistake(q, k, v, heads="interleaved")})


@pytest.mark.group("mqa_mha")
@pytest.mark.parametrize("hq,hkv", [(4, 1), (4, 4), (1, 1)])
@pytest.mark.parametrize("is_causal", [False, True])
def test_multi_query_and_multi_head(sub, ref, expect, rng, hq, hkv, is_causal):
    q, k, v = inputs(rng, 2, hq, hkv, 3, 5, 8, F32)
    kind = "multi-query (Hkv = 1)" if hkv == 1 and hq > 1 else "multi-head (Hkv = Hq)"
    expect(sub.gqa(q, k, v, is_causal=is_causal), ref.gqa(wide(q), wide(k), wide(v), is_causal=is_causal), F32,
           f"gqa, {kind}, {shapes(q, k)}, is_causal={is_causal}")


@pytest.mark.group("causal")
@pytest.mark.parametrize("t,s", [(3, 7), (5, 5), (1, 6), (2, 3)])
def test_causal_bottom_right(sub, ref, expect, mistake, rng, t, s):
    q, k, v = inputs(rng, 2, 4, 2, t, s, 8, F64)
    name = (f"gqa(is_causal=True), {shapes(q, k)}: query i sees keys j <= i + S - T (bottom right; "
            f"T = {t}, S = {s})")
    expect(sub.gqa(q, k, v, is_causal=True), ref.gqa(q, k, v, is_causal=True), F64, name,
           {TOP_LEFT: mistake(q, k, v, is_causal=True, causal="top_left"),
            "a causal mask applied with is_causal=False": mistake(q, k, v, is_causal=True)})


@pytest.mark.group("causal")
def test_not_causal_sees_every_key(sub, ref, expect, mistake, rng):
    q, k, v = inputs(rng, 1, 4, 2, 4, 4, 8, F64)
    for kwargs in ({}, {"is_causal": False}):
        expect(sub.gqa(q, k, v, **kwargs), ref.gqa(q, k, v), F64,
               f"gqa({', '.join(['q', 'k', 'v'] + [f'{a}={b}' for a, b in kwargs.items()])}), T = S = 4: "
               f"every query attends to all S keys", {"a causal mask applied with is_causal=False":
                                                        mistake(q, k, v, is_causal=True)})


@pytest.mark.group("stability")
@pytest.mark.parametrize("dtype", [F32, F64])
def test_large_scores(sub, ref, expect, rng, dtype):
    q, k, v = inputs(rng, 1, 4, 2, 4, 6, 8, dtype, scale=300.0)  # scaled scores of magnitude up to ~1e3
    expect(sub.gqa(q, k, v, is_causal=True), ref.gqa(wide(q), wide(k), wide(v), is_causal=True), dtype,
           f"gqa with scaled scores up to ~1e3 ({shapes(q, k)}, {str(dtype).removeprefix('torch.')}): "
           f"subtract each row's maximum before exp")
