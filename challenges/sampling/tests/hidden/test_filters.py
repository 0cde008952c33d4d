"""Hidden tests of filtered_probs: each filter against the float64 reference, and the rules on their boundaries."""

from __future__ import annotations

import math

import pytest
import torch

F64 = torch.float64
SHAPES = [(11,), (6, 13), (2, 3, 17)]


def expect(ref, logits, **kwargs):
    return ref.filtered_probs(logits.to(F64), **kwargs).to(logits.dtype if logits.dtype == F64 else F64)


def describe(logits, **kwargs) -> str:
    args = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in kwargs.items())
    return f"filtered_probs({logits.dtype} logits of shape {tuple(logits.shape)}, {args})"


# -- arguments ------------------------------------------------------------------------------------

@pytest.mark.group("arguments")
@pytest.mark.parametrize("temperature", [-1.0, -1e-6])
def test_negative_temperature_raises(sub, sc, temperature):
    x = torch.tensor([1.0, 0.5, -0.5])
    for name in ("filtered_probs", "sample"):
        sc.raises_value_error(lambda n=name: getattr(sub, n)(x, temperature=temperature),
                              f"{name}(temperature={temperature})")


@pytest.mark.group("arguments")
@pytest.mark.parametrize("top_k", [0, -2])
def test_top_k_below_one_raises(sub, sc, top_k):
    x = torch.tensor([1.0, 0.5, -0.5])
    for name in ("filtered_probs", "sample"):
        sc.raises_value_error(lambda n=name: getattr(sub, n)(x, top_k=top_k),
                              f"{name}(top_k={top_k}) (top_k=0 is not 'off': None is)")
    sc.raises_value_error(lambda: sub.filtered_probs(x, temperature=0.0, top_k=top_k),
                          f"filtered_probs(temperature=0, top_k={top_k}) (arguments are checked first, also greedy)")


@pytest.mark.group("arguments")
@pytest.mark.parametrize("top_p", [0.0, -0.25, 1.0 + 1e-6, 1.5])
def test_top_p_outside_raises(sub, sc, top_p):
    x = torch.tensor([1.0, 0.5, -0.5])
    for name in ("filtered_probs", "sample"):
        sc.raises_value_error(lambda n=name: getattr(sub, n)(x, top_p=top_p), f"{name}(top_p={top_p}) (outside (0, 1])")
    sc.raises_value_error(lambda: sub.filtered_probs(x, temperature=0.0, top_p=top_p),
                          f"filtered_probs(temperature=0, top_p={top_p}) (arguments are checked first, also greedy)")


@pytest.mark.group("arguments")
def test_boundary_arguments_are_allowed(sub, ref, check, sc, rng):
    x = sc.spaced_logits(rng, (3, 9))
    for kwargs in ({"top_p": 1.0}, {"top_p": 1e-6}, {"top_k": 1}, {"top_k": 9}, {"temperature": 0.0},
                   {"temperature": 1e-3}, {"temperature": 0.0, "top_k": 1, "top_p": 1.0}):
        got = sc.allowed(lambda kw=kwargs: sub.filtered_probs(x, **kw), describe(x, **kwargs))
        check(got, expect(ref, x, **kwargs), dtype=torch.float32, name=describe(x, **kwargs), allow_constant=True)


# -- temperature, dtype and shapes ----------------------------------------------------------------

@pytest.mark.group("temperature")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.5])
def test_temperature(sub, ref, check, sc, rng, dtype, shape, temperature):
    x = sc.spaced_logits(rng, shape, dtype=dtype)
    check(sub.filtered_probs(x, temperature=temperature), expect(ref, x, temperature=temperature), dtype=dtype,
          name=describe(x, temperature=temperature) + " (z = logits / temperature, then softmax)")


# -- greedy -----------------------------------------------------------------------------------------

@pytest.mark.group("greedy")
@pytest.mark.parametrize("shape", [(7,), (3, 7), (2, 3, 9)])
def test_greedy(sub, ref, check, sc, rng, shape):
    x = sc.spaced_logits(rng, shape)
    for kwargs in ({"temperature": 0.0}, {"temperature": 0.0, "top_k": 3, "top_p": 0.4}):
        check(sub.filtered_probs(x, **kwargs), expect(ref, x, **kwargs), dtype=torch.float32,
              name=describe(x, **kwargs) + " (one-hot at the largest logit of each row)")
    tokens = sub.sample(x, temperature=0.0)
    check(tokens, x.argmax(dim=-1), name=f"sample(logits of shape {shape}, temperature=0): the argmax of each row")


@pytest.mark.group("greedy")
def test_greedy_ties_go_to_the_lowest_index(sub, ref, check, sc, rng):
    x = sc.spaced_logits(rng, (4, 8))
    top = x.amax(dim=-1)
    ties = [(1, 6), (0, 3), (2, 5, 7), (4, 7)]  # the maximum, repeated at these indices of each row
    for row, where in enumerate(ties):
        x[row, list(where)] = top[row] + 1.0  # above the old maximum
    what = f"rows whose maximum is tied at indices {ties}"
    check(sub.filtered_probs(x, temperature=0.0), expect(ref, x, temperature=0.0), dtype=torch.float32,
          name=f"filtered_probs(temperature=0) on {what} (one-hot at the lowest tied index)")
    check(sub.sample(x, temperature=0.0), torch.tensor([w[0] for w in ties]),
          name=f"sample(temperature=0) on {what} (the lowest tied index)")


# -- top-k ------------------------------------------------------------------------------------------

@pytest.mark.group("top_k")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("top_k", [1, 3, 12])
def test_top_k(sub, ref, check, sc, rng, dtype, top_k):
    x = sc.spaced_logits(rng, (5, 13), dtype=dtype)
    kwargs = {"temperature": 0.8, "top_k": top_k}
    check(sub.filtered_probs(x, **kwargs), expect(ref, x, **kwargs), dtype=dtype,
          name=describe(x, **kwargs) + " (renormalised over the kept tokens)")


@pytest.mark.group("top_k")
def test_top_k_ties_keep_every_tied_token(sub, ref, check, sc, rng):
    x = sc.spaced_logits(rng, (3, 10))
    ranked = torch.sort(x, dim=-1, descending=True)
    # row 0: the 3rd and 4th largest tied (top_k=3 keeps 4); row 1: 2nd..4th tied (keeps 4);
    # row 2: the 3rd tied with two below it (keeps 5)
    for row, positions in ((0, (2, 3)), (1, (1, 2, 3)), (2, (2, 3, 4))):
        x[row, ranked.indices[row, list(positions)]] = ranked.values[row, positions[0]]
    got = sub.filtered_probs(x, top_k=3)
    check(got, expect(ref, x, top_k=3), dtype=torch.float32,
          name="filtered_probs(top_k=3) with the 3rd largest logit tied (every token tied with it is kept: 4, 4 "
               "and 5 tokens in the three rows)")


@pytest.mark.group("top_k")
@pytest.mark.parametrize("top_k", [13, 14, 1000])
def test_top_k_at_least_the_vocabulary_keeps_everything(sub, ref, check, sc, rng, top_k):
    x = sc.spaced_logits(rng, (4, 13))
    check(sub.filtered_probs(x, temperature=1.5, top_k=top_k), expect(ref, x, temperature=1.5), dtype=torch.float32,
          name=f"filtered_probs(top_k={top_k}) on a vocabulary of 13 (top_k >= V keeps every token)")


# -- top-p ------------------------------------------------------------------------------------------

@pytest.mark.group("top_p")
@pytest.mark.parametrize("top_p", [0.05, 0.5, 0.85])
def test_top_token_alone_above_top_p(sub, ref, check, sc, rng, top_p):
    x = sc.spaced_logits(rng, (3, 9))
    x[torch.arange(3), x.argmax(-1)] += 5.0  # the most likely token alone holds more than 0.94
    check(sub.filtered_probs(x, top_p=top_p), expect(ref, x, top_p=top_p), dtype=torch.float32,
          allow_constant=True,
          name=f"filtered_probs(top_p={top_p}) where the most likely token alone is above top_p (it is kept, "
               "alone: one-hot)")


@pytest.mark.group("top_p")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_top_p(sub, ref, check, sc, rng, dtype, shape):
    x = sc.spaced_logits(rng, shape, dtype=dtype)
    for temperature in (0.7, 1.6):
        top_p = sc.draw_top_p(rng, ref, x, temperature, None)
        kwargs = {"temperature": temperature, "top_p": top_p}
        check(sub.filtered_probs(x, **kwargs), expect(ref, x, **kwargs), dtype=dtype,
              name=describe(x, **kwargs) + " (the shortest prefix of the ranking whose mass is >= top_p)")


@pytest.mark.group("top_p")
@pytest.mark.parametrize("vocab", [4, 8])
def test_top_p_exactly_on_its_boundary(sub, check, sc, vocab):
    """Equal logits: every probability is exactly 1/vocab, so the cumulative sums hit top_p exactly."""
    x = torch.full((vocab,), 0.75)
    for kept in range(1, vocab + 1):
        for top_p, keeps in ((kept / vocab, kept), (kept / vocab - 1e-3, kept), (kept / vocab + 1e-3, kept + 1)):
            if top_p > 1:
                continue
            want = torch.zeros(vocab, dtype=F64)
            want[:keeps] = 1.0 / keeps
            got = sc.allowed(lambda p=top_p: sub.filtered_probs(x, top_p=p), f"top_p={top_p:.6g}")
            check(got, want, dtype=torch.float32, allow_constant=True,
                  name=f"filtered_probs({vocab} equal logits, top_p={top_p:.6g}) (each token has probability "
                       f"exactly 1/{vocab}: the first {keeps} reach >= top_p; equal probabilities rank lower "
                       "index first)")


@pytest.mark.group("top_p")
def test_top_p_ties_in_the_ranking(sub, ref, check):
    # probabilities about [0.05, 0.37, 0.14, 0.14, 0.14, 0.14, 0.02]: the cut falls inside the tied group
    x = torch.tensor([[0.0, 2.0, 1.0, 1.0, 1.0, 1.0, -1.0], [1.0, 1.0, -1.0, 2.0, 1.0, 1.0, 1.0]])
    for top_p in (0.6, 0.75):
        check(sub.filtered_probs(x, top_p=top_p), expect(ref, x, top_p=top_p), dtype=torch.float32,
              name=f"filtered_probs(top_p={top_p}) where the cut falls among equal probabilities (ties are "
                   "ranked lower index first)")


@pytest.mark.group("top_p")
def test_top_p_one_keeps_everything(sub, ref, check, sc, rng):
    x = sc.spaced_logits(rng, (4, 12))
    got = sc.allowed(lambda: sub.filtered_probs(x, temperature=1.3, top_p=1.0), "filtered_probs(top_p=1.0)")
    check(got, expect(ref, x, temperature=1.3), dtype=torch.float32,
          name="filtered_probs(temperature=1.3, top_p=1.0) (keeps every token)")


# -- all three ----------------------------------------------------------------------------------------

@pytest.mark.group("combined")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(16,), (8, 24)])
def test_combined(sub, ref, check, sc, rng, dtype, shape):
    x = sc.spaced_logits(rng, shape, dtype=dtype)
    for temperature, top_k in ((0.6, 10), (1.4, 5)):
        top_p = sc.draw_top_p(rng, ref, x, temperature, top_k, low=0.5, high=0.9)
        kwargs = {"temperature": temperature, "top_k": top_k, "top_p": top_p}
        check(sub.filtered_probs(x, **kwargs), expect(ref, x, **kwargs), dtype=dtype,
              name=describe(x, **kwargs) + " (temperature, then top-k, then top-p on the renormalised top-k)")


@pytest.mark.group("combined")
def test_top_k_comes_before_top_p(sub, ref, check):
    """Probabilities 0.4, 0.3, 0.2, 0.1: top_k=2 leaves 0.571, 0.429, so top_p=0.5 keeps only the first;
    top-p first would keep two (0.4 < 0.5) and top-k would then keep both."""
    x = torch.log(torch.tensor([[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.4, 0.3]], dtype=F64)).float()
    check(sub.filtered_probs(x, top_k=2, top_p=0.5), expect(ref, x, top_k=2, top_p=0.5), dtype=torch.float32,
          allow_constant=True,
          name="filtered_probs(probabilities [0.4, 0.3, 0.2, 0.1], top_k=2, top_p=0.5) (top-k first, then top-p on "
               "the renormalised [0.571, 0.429]: one token)")


# -- inputs -------------------------------------------------------------------------------------------

@pytest.mark.group("inputs")
def test_logits_are_not_modified(sub, sc, check, rng):
    """The logits are made in the worker and read back after the calls (an in-worker probe)."""
    x = sc.spaced_logits(rng, (6, 10)) * 3
    kept = sub.support("sampling_support").keep.new(x)
    generator = sub.support("sampling_support").generator.new(1)
    sub.filtered_probs(kept, temperature=0.7, top_k=4, top_p=0.9)
    sub.sample(kept, temperature=0.7, top_k=4, top_p=0.9, generator=generator)
    check(kept.clone(), x, rtol=0.0, atol=0.0,
          name="logits after filtered_probs and sample returned (do not modify logits in place)")
    assert math.isfinite(float(x.sum()))
