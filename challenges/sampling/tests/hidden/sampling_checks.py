"""Trusted-side helpers of the hidden sampling tests: logits makers, the top-p margin, the chi-square check."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64
#: a random top_p is redrawn until every cumulative probability of the reference is this far from it,
#: so float32 rounding of a correct solution can never move a token across the boundary
TOP_P_MARGIN = 1e-3
#: a correct sampler's chi-square statistic exceeds the threshold with at most this probability
CHI2_TAIL = 1e-12
MIN_EXPECTED = 30.0  # bins with fewer expected draws are pooled (the chi-square law holds for large counts)


def spaced_logits(rng: torch.Generator, shape: tuple[int, ...], gap: tuple[float, float] = (0.05, 0.4),
                  dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Random logits whose values in a row differ by at least ``gap[0]`` (no accidental ties), shuffled."""
    *lead, vocab = shape
    rows = math.prod(lead) if lead else 1
    gaps = gap[0] + torch.rand(rows, vocab, generator=rng, dtype=F64) * (gap[1] - gap[0])
    levels = -gaps.cumsum(-1) + torch.randn(rows, 1, generator=rng, dtype=F64) * 2
    order = torch.argsort(torch.rand(rows, vocab, generator=rng), dim=-1)
    return levels.gather(-1, order).reshape(shape).to(dtype)


def top_p_margin(ref: Any, logits: torch.Tensor, temperature: float, top_k: int | None, top_p: float) -> float:
    """The distance from top_p to the nearest cumulative probability of the reference's ranking."""
    probs = ref.filtered_probs(logits.to(F64), temperature, top_k, None)
    ranked = torch.sort(probs, dim=-1, descending=True).values
    return float((ranked.cumsum(-1) - top_p).abs().min())


def draw_top_p(rng: torch.Generator, ref: Any, logits: torch.Tensor, temperature: float,
               top_k: int | None, low: float = 0.3, high: float = 0.95) -> float:
    """A top_p in [low, high] at least TOP_P_MARGIN from every cumulative probability of every row."""
    for _ in range(1000):
        top_p = low + float(torch.rand((), generator=rng, dtype=F64)) * (high - low)
        if top_p_margin(ref, logits, temperature, top_k, top_p) > TOP_P_MARGIN:
            return top_p
    raise RuntimeError("no top_p away from the boundaries (the test's logits are degenerate)")


def chi2_threshold(df: int, tail: float = CHI2_TAIL) -> float:
    """The x with P(chi-square(df) > x) = tail (bisection on the regularised upper incomplete gamma)."""
    low, high = 0.0, 10.0 * df + 200.0
    half = torch.tensor(df / 2.0, dtype=F64)
    for _ in range(200):
        mid = (low + high) / 2
        if float(torch.special.gammaincc(half, torch.tensor(mid / 2, dtype=F64))) > tail:
            low = mid
        else:
            high = mid
    return high


def check_draws(tokens: torch.Tensor, probs: torch.Tensor, what: str) -> None:
    """``tokens`` (n,) drawn from the one row ``probs`` (V,): none on a zero, and a chi-square fit."""
    vocab = probs.shape[-1]
    counts = torch.bincount(tokens.to(torch.int64), minlength=vocab).to(F64)
    n = float(counts.sum())
    zero = probs == 0
    if bool((counts[zero] > 0).any()):
        bad = torch.nonzero(zero & (counts > 0)).flatten().tolist()
        raise AssertionError(f"{what}: {int(counts[zero].sum())} of {int(n)} draws are tokens {bad}, whose "
                             "probability is 0 after the filters (a filtered-out token is never drawn)")
    expected = probs * n
    order = torch.argsort(expected, descending=True)
    bins_obs, bins_exp, pool_obs, pool_exp = [], [], 0.0, 0.0
    for i in order.tolist():
        if expected[i] == 0:
            continue
        if expected[i] >= MIN_EXPECTED:
            bins_obs.append(float(counts[i]))
            bins_exp.append(float(expected[i]))
        else:
            pool_obs += float(counts[i])
            pool_exp += float(expected[i])
    if pool_exp >= MIN_EXPECTED or not bins_exp:
        bins_obs.append(pool_obs)
        bins_exp.append(pool_exp)
    elif pool_exp > 0:  # too few expected draws for a bin of their own: merged into the smallest bin
        bins_obs[-1] += pool_obs
        bins_exp[-1] += pool_exp
    if len(bins_exp) < 2:
        return  # one bin: every draw is on the support, nothing more to test
    obs, exp = torch.tensor(bins_obs, dtype=F64), torch.tensor(bins_exp, dtype=F64)
    stat = float(((obs - exp) ** 2 / exp).sum())
    threshold = chi2_threshold(len(bins_exp) - 1)
    if stat > threshold:
        worst = int(torch.argmax((obs - exp).abs() / exp.sqrt()))
        freq = ", ".join(f"{int(t)}: {float(counts[t]) / n:.3f} vs {float(probs[t]):.3f}"
                         for t in order.tolist()[:6] if probs[t] > 0)
        raise AssertionError(
            f"{what}: the {int(n)} draws do not follow filtered_probs (chi-square {stat:.1f} on "
            f"{len(bins_exp) - 1} degrees of freedom, threshold {threshold:.1f}, which a correct sampler exceeds "
            f"with probability below {CHI2_TAIL:g}); frequency vs probability by token: {freq}; the largest "
            f"deviation is in bin {worst} ({bins_obs[worst]:.0f} draws, {bins_exp[worst]:.0f} expected)")


def allowed(call: Callable[[], Any], what: str) -> Any:
    """``call()``, which the statement allows: a ValueError from it is a wrong answer, not an error."""
    try:
        return call()
    except RuntimeFault as fault:
        if fault.exc_type == "ValueError":
            raise AssertionError(f"{what} is allowed, but your code raised {fault.message}") from None
        raise


def raises_value_error(call: Callable[[], Any], what: str) -> None:
    """Assert that ``call()`` raises ValueError in the submission."""
    try:
        call()
    except RuntimeFault as fault:
        assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
        return
    except WrongOutputFault as fault:
        raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
    raise AssertionError(f"{what}: expected ValueError, but the call returned normally")
