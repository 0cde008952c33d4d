"""Trusted-side helpers of the ppo-gae hidden tests: rollouts whose dones always show, log-probs whose ratio
lands exactly on 1 +- clip_eps, and comparisons that name the known mistake a wrong result matches.

Each GAE mistake is recomputed here in float64 from the same inputs (a done that does not cut the bootstrap,
a done one step late, returns as discounted rewards, ...): when the submission misses the reference but
matches one of them, the failure says which.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

F64 = torch.float64


# -- GAE ---------------------------------------------------------------------------------------------------

def rollout(rng: torch.Generator, steps: int, envs: int, dtype: torch.dtype,
            p_done: float = 0.15) -> tuple[torch.Tensor, ...]:
    """(rewards, values, dones, last_value). Whatever the draw, env 0 ends an episode after step 1 (a done
    inside the rollout) and the last env after the last step (a done whose bootstrap would be last_value),
    so that every way of misplacing a done shows."""
    rewards = torch.randn(steps, envs, generator=rng, dtype=F64)
    values = torch.randn(steps, envs, generator=rng, dtype=F64) * 2
    last_value = torch.randn(envs, generator=rng, dtype=F64) * 2 + 3
    dones = torch.rand(steps, envs, generator=rng) < p_done
    if steps >= 3:
        dones[1, 0] = True
        dones[2, 0] = False
    dones[-1, -1] = True
    return rewards.to(dtype), values.to(dtype), dones, last_value.to(dtype)


def gae_variant(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor, last_value: torch.Tensor,
                gamma: float, lam: float, *, bootstrap_cut: bool = True, carry_cut: bool = True,
                late: bool = False, use_lam: bool = True, returns: str = "values",
                normalise: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE in float64 with each choice made explicit: the statement's choices are the defaults."""
    r, v, lv = rewards.to(F64), values.to(F64), last_value.to(F64)
    alive = 1.0 - dones.to(F64)
    if late:
        alive = torch.cat([torch.ones_like(alive[:1]), alive[:-1]])
    adv = torch.zeros_like(r)
    carried, next_value = torch.zeros_like(lv), lv
    for t in reversed(range(r.shape[0])):
        delta = r[t] + gamma * next_value * (alive[t] if bootstrap_cut else 1.0) - v[t]
        carried = delta + gamma * (lam if use_lam else 1.0) * (alive[t] if carry_cut else 1.0) * carried
        adv[t] = carried
        next_value = v[t]
    if returns == "discounted":
        ret, running = torch.zeros_like(r), torch.zeros_like(lv)
        for t in reversed(range(r.shape[0])):
            running = r[t] + gamma * alive[t] * running
            ret[t] = running
    else:
        ret = adv + v
    if normalise:
        adv = (adv - adv.mean()) / (adv.std() + 1e-8)
    return adv, ret


GAE_MISTAKES: list[tuple[str, dict[str, Any]]] = [
    ("a done must cut the bootstrap at its step: delta[t] = rewards[t] + gamma * V(s_{t+1}) * (1 - dones[t]) "
     "- values[t]; yours still bootstraps the next episode's value", {"bootstrap_cut": False}),
    ("a done must also stop the carry: A[t] = delta[t] + gamma * lam * (1 - dones[t]) * A[t+1]; yours carries "
     "the next episode's advantage back across it", {"carry_cut": False}),
    ("your dones act one step late: dones[t] means the episode ended AFTER step t, so it cuts between steps t "
     "and t + 1 (1 - dones[t] multiplies the bootstrap of step t itself)", {"late": True}),
    ("your returns are the discounted sum of the rewards; the statement's returns are advantages + values",
     {"returns": "discounted"}),
    ("your recursion leaves out lambda: A[t] = delta[t] + gamma * LAM * (1 - dones[t]) * A[t+1]",
     {"use_lam": False}),
    ("your advantages are normalised (mean 0, std 1); return them as GAE computes them", {"normalise": True}),
]


def expect_gae(check: Callable[..., Any], got: Any, inputs: tuple[torch.Tensor, ...], gamma: float, lam: float,
               expected: tuple[torch.Tensor, torch.Tensor], *, where: str) -> None:
    """``check`` both results; on a mismatch, name the known mistake they match, if any."""
    __tracebackhide__ = True
    ok = isinstance(got, (tuple, list)) and len(got) == 2
    assert ok, f"gae ({where}) must return a tuple (advantages, returns), got {type(got).__name__}"
    dtype = inputs[0].dtype
    for i, label in enumerate(("advantages", "returns")):
        try:
            check(got[i], expected[i], dtype=dtype, name=f"{label} ({where})")
        except AssertionError as exc:
            hint = None
            value = got[i]
            if isinstance(value, torch.Tensor) and value.shape == expected[i].shape and value.is_floating_point():
                for text, how in GAE_MISTAKES:
                    wrong = gae_variant(*inputs, gamma, lam, **how)[i]
                    if torch.allclose(value.to(F64), wrong, rtol=1e-4, atol=1e-5) and not torch.allclose(
                            wrong, expected[i].to(F64), rtol=1e-4, atol=1e-5):
                        hint = text
                        break
            if hint is None:
                raise
            raise AssertionError(f"{exc}\nhint: {hint}") from None


# -- the PPO loss ------------------------------------------------------------------------------------------

def exact_log_ratio(target: float) -> float:
    """A float64 d with torch.exp(d) == target exactly, alone or inside a vector: the middle of the run of
    floats around log(target) that exp rounds to it, so that an exp a rounding away still hits it."""
    def hits(d: float) -> bool:
        alone = float(torch.exp(torch.tensor(d, dtype=F64))) == target
        vector = torch.exp(torch.full((37,), d, dtype=F64))
        return alone and bool((vector == target).all())

    d = math.log(target)
    run = [x for x in _neighbours(d, 40) if hits(x)]
    if not run:
        raise RuntimeError(f"no float64 d near log({target!r}) with exp(d) == {target!r}")
    return run[len(run) // 2]


def _neighbours(d: float, k: int) -> list[float]:
    below, above = [d], [d]
    for _ in range(k):
        below.append(math.nextafter(below[-1], -math.inf))
        above.append(math.nextafter(above[-1], math.inf))
    return sorted(set(below + above))


def log_probs_for(ratios: list[tuple[float, bool]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(logp_new, logp_old) in float64 whose exp(logp_new - logp_old) is each ratio; an exact one (True) is
    hit bit for bit: one of the two is 0, so the difference the submission takes is exact too."""
    new, old = [], []
    for ratio, exact in ratios:
        d = exact_log_ratio(ratio) if exact else math.log(ratio)
        if d <= 0:
            new.append(d)
            old.append(0.0)
        else:
            new.append(0.0)
            old.append(-d)
    return torch.tensor(new, dtype=F64), torch.tensor(old, dtype=F64)


def expected_gradient(logp_new: torch.Tensor, logp_old: torch.Tensor, advantages: torch.Tensor,
                      clip_eps: float) -> torch.Tensor:
    """d loss / d logp_new from the statement's rule, in float64: -ratio * A / n, 0 where the clip is active
    (A > 0 and ratio > 1 + eps, or A < 0 and ratio < 1 - eps: strict)."""
    ratio = torch.exp(logp_new.to(F64) - logp_old.to(F64))
    a = advantages.to(F64)
    active = ((a > 0) & (ratio > 1.0 + clip_eps)) | ((a < 0) & (ratio < 1.0 - clip_eps))
    return torch.where(active, torch.zeros_like(ratio), -ratio * a / ratio.numel())


def ppo_batch(rng: torch.Generator, shape: tuple[int, ...], dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
    """(logp_new, logp_old, advantages): ratios spread around 1 (from ~0.4 to ~2.5). Whatever the draw, the
    first four elements are well outside the clip range on both sides, with both signs of A."""
    logp_old = -(torch.rand(shape, generator=rng, dtype=F64) * 2.5 + 0.5)
    shift = torch.randn(shape, generator=rng, dtype=F64) * 0.3
    adv = torch.randn(shape, generator=rng, dtype=F64)
    flat_shift, flat_adv = shift.view(-1), adv.view(-1)
    flat_shift[:4] = torch.tensor([0.6, -0.6, 0.6, -0.6], dtype=F64)
    flat_adv[:4] = torch.tensor([1.3, 0.9, -1.1, -0.8], dtype=F64)
    return (logp_old + shift).to(dtype), logp_old.to(dtype), adv.to(dtype)


def ppo_variant(logp_new: torch.Tensor, logp_old: torch.Tensor, advantages: torch.Tensor, clip_eps: float, *,
                ratio: str = "exp", pick: str = "min", clip: str = "ratio", reduce: str = "mean", sign: float = -1.0,
                normalise: bool = False) -> torch.Tensor:
    """The loss in float64 with each choice made explicit: the statement's choices are the defaults."""
    new, old, a = logp_new.to(F64), logp_old.to(F64), advantages.to(F64)
    if normalise:
        a = (a - a.mean()) / (a.std() + 1e-8)
    r = torch.exp(new - old) if ratio == "exp" else new / old
    clipped = (torch.clamp(r, 1 - clip_eps, 1 + clip_eps) * a if clip == "ratio"
               else r * torch.clamp(a, 1 - clip_eps, 1 + clip_eps))
    surrogate = torch.min(r * a, clipped) if pick == "min" else torch.max(r * a, clipped)
    return sign * (surrogate.mean() if reduce == "mean" else surrogate.sum())


PPO_MISTAKES: list[tuple[str, dict[str, Any]]] = [
    ("your loss takes the max of the two terms; PPO's surrogate is their MIN (the pessimistic bound)",
     {"pick": "max"}),
    ("your loss clips the advantage; it is the RATIO that is clipped to [1 - clip_eps, 1 + clip_eps]",
     {"clip": "advantage"}),
    ("your ratio is logp_new / logp_old; the probability ratio is exp(logp_new - logp_old)", {"ratio": "quotient"}),
    ("your loss sums over the elements; it is their mean", {"reduce": "sum"}),
    ("your loss is the objective itself; the loss to minimise is MINUS the clipped objective", {"sign": 1.0}),
    ("your loss normalises the advantages first; use them as given", {"normalise": True}),
]


def expect_ppo(check: Callable[..., Any], got: Any, expected: torch.Tensor, inputs: tuple[torch.Tensor, ...],
               clip_eps: float, *, name: str) -> None:
    """``check`` the loss; on a mismatch, name the known mistake it matches, if any."""
    __tracebackhide__ = True
    try:
        check(got, expected, dtype=inputs[0].dtype, name=name)
    except AssertionError as exc:
        hint = None
        if isinstance(got, torch.Tensor) and got.is_floating_point() and got.shape == expected.shape:
            for text, how in PPO_MISTAKES:
                wrong = ppo_variant(*inputs, clip_eps, **how)
                if torch.allclose(got.to(F64), wrong, rtol=1e-4, atol=1e-6) and not torch.allclose(
                        wrong, expected.to(F64), rtol=1e-4, atol=1e-6):
                    hint = text
                    break
        if hint is None:
            raise
        raise AssertionError(f"{exc}\nhint: {hint}") from None
