"""Public tests: the statement's example, and decoding against the reference. Run them with `mlj test`."""

from __future__ import annotations

import torch

F64 = torch.float64


def identity_module(sub):
    module = sub.KVCacheAttention.new(2, 1, 4)
    eye, zero = torch.eye(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    module.to.new(F64)
    module.load_state_dict({f"{name}.{part}": eye if part == "weight" else zero
                            for name in ("q_proj", "k_proj", "v_proj", "out_proj") for part in ("weight", "bias")})
    return module


def test_statement_example(sub, check):
    module = identity_module(sub)
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]], dtype=F64)
    full = torch.tensor([[[1.0, 0.0], [0.21383, 0.78617], [0.62896, 0.94526]]], dtype=F64)
    check(module(x), full, atol=1e-4, rtol=0, name="forward(x) of the statement's example")
    check(module.prefill(x[:, :2]), full[:, :2], atol=1e-4, rtol=0, name="prefill(x[:, :2])")
    check(module.step(x[:, 2:]), full[:, 2:], atol=1e-4, rtol=0, name="step(x[:, 2:]) at position 2")
    k, v = module.cache()
    check(k, torch.tensor([[[[1.0, 0.0], [-0.84147, 0.54030], [-1.32544, 0.49315]]]], dtype=F64),
          atol=1e-4, rtol=0, name="cache() keys after RoPE")
    check(v, x[:, None], name="cache() values")


def test_decoding_equals_the_full_pass(sub, ref, check):
    g = torch.Generator().manual_seed(0)
    expected = ref.KVCacheAttention(16, 4, 8).to(F64)
    state = {k: torch.randn(v.shape, generator=g, dtype=F64) * 0.3 for k, v in expected.state_dict().items()}
    expected.load_state_dict(state)
    module = sub.KVCacheAttention.new(16, 4, 8)
    module.to.new(F64)
    module.load_state_dict(state)
    x = torch.randn(2, 6, 16, generator=g, dtype=F64)
    with torch.no_grad():
        full = expected(x)
    check(module(x), full, name="forward(x), x (2, 6, 16)")
    check(module.prefill(x[:, :2]), full[:, :2], name="prefill of 2 tokens")
    for t in range(2, 6):
        check(module.step(x[:, t:t + 1]), full[:, t:t + 1], name=f"step at position {t}")
    assert tuple(module.cache()[0].shape) == (2, 4, 6, 4), "the cache holds (B, n_heads, t, head_dim) = (2, 4, 6, 4)"
