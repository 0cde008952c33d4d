"""Hidden tests of sample: the draws' distribution (chi-square), their shape and dtype, the generator."""

from __future__ import annotations

import pytest
import torch

F64 = torch.float64
ROWS = 4  # distinct rows, each repeated DRAWS times (interleaved) in one call
DRAWS = 6000


@pytest.mark.group("sampling")
@pytest.mark.parametrize("temperature, top_k, top_p", [
    (1.0, None, None), (0.5, 5, None), (2.0, None, 0.8), (0.6, 6, 0.9), (1.0, 3, None)])
def test_draws_follow_filtered_probs(sub, ref, sc, rng, temperature, top_k, top_p):
    base = sc.spaced_logits(rng, (ROWS, 10), gap=(0.15, 0.35))
    if top_p is not None:  # each row redrawn until top_p sits away from its cumulative sums
        for row in range(ROWS):
            while sc.top_p_margin(ref, base[row], temperature, top_k, top_p) <= sc.TOP_P_MARGIN:
                base[row] = sc.spaced_logits(rng, (10,), gap=(0.15, 0.35))
    logits = base.repeat(DRAWS, 1)  # row i of base at rows i, i + ROWS, i + 2 ROWS, ...
    seed = int(torch.randint(0, 2**31 - 1, (), generator=rng))
    generator = sub.support("sampling_support").generator.new(seed)
    # the defaults are left out, so that they are what is tested there (temperature=1.0, no top-k, no top-p)
    given = {name: value for name, value, default in (("temperature", temperature, 1.0), ("top_k", top_k, None),
                                                     ("top_p", top_p, None)) if value != default}
    tokens = sub.sample(logits, **given, generator=generator)
    probs = ref.filtered_probs(base.to(F64), temperature, top_k, top_p)
    for row in range(ROWS):
        sc.check_draws(tokens[row::ROWS], probs[row],
                       f"sample({', '.join(f'{k}={v}' for k, v in given.items()) or 'defaults'}), row {row} of {ROWS} "
                       f"distinct rows, {DRAWS} draws each")


@pytest.mark.group("sampling")
def test_shapes_and_dtype(sub, sc, rng):
    generator = sub.support("sampling_support").generator.new(3)
    for shape in ((9,), (5, 9), (2, 3, 9)):
        x = sc.spaced_logits(rng, shape)
        tokens = sub.sample(x, top_k=4, generator=generator)
        assert tokens.dtype == torch.int64, f"sample(logits of shape {shape}) returned {tokens.dtype}, not int64"
        assert tuple(tokens.shape) == shape[:-1], (
            f"sample(logits of shape {shape}) returned shape {tuple(tokens.shape)}, expected {shape[:-1]}")
        kept = x >= torch.sort(x, dim=-1, descending=True).values[..., 3:4]
        chosen = kept.reshape(-1, 9)[torch.arange(kept.numel() // 9), tokens.reshape(-1)]
        assert bool(chosen.all()), f"sample(logits of shape {shape}, top_k=4) drew a token outside the top 4"
    tokens = sub.sample(torch.tensor([0.5, 3.0, -1.0]))
    assert tuple(tokens.shape) == () and tokens.dtype == torch.int64, (
        f"sample of 1-D logits with generator=None returned {tokens.dtype} of shape {tuple(tokens.shape)}, "
        "expected a 0-d int64 tensor")


@pytest.mark.group("sampling")
def test_the_generator_decides_the_draws(sub, sc, rng):
    x = sc.spaced_logits(rng, (8, 12), gap=(0.05, 0.15)).repeat(250, 1)  # 2000 rows, many likely tokens
    seed = int(torch.randint(0, 2**31 - 2, (), generator=rng))
    make = sub.support("sampling_support").generator
    first = sub.sample(x, temperature=1.2, top_p=0.95, generator=make.new(seed))
    again = sub.sample(x, temperature=1.2, top_p=0.95, generator=make.new(seed))
    other = sub.sample(x, temperature=1.2, top_p=0.95, generator=make.new(seed + 1))
    same = int((first == again).sum())
    assert same == first.numel(), (
        f"two generators seeded with {seed} gave different tokens ({first.numel() - same} of {first.numel()} "
        "differ): take every random number from the generator argument, not torch's global one")
    assert not torch.equal(first, other), "generators seeded differently gave the very same 2000 tokens"
