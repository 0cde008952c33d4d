"""Trusted-side helpers of the knowledge-distillation hidden tests: inputs, and a comparison that names the
known mistake a wrong loss matches.

Each mistake is computed here in float64 from the same inputs (the reversed KL, the KL without T**2, ...):
when the submission's loss misses the reference but matches one of them, the failure says which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

F64 = torch.float64


def case(rng: torch.Generator, n: int, c: int, dtype: torch.dtype, scale: float = 3.0,
         teacher_scale: float | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Student and teacher logits (N, C) in ``dtype`` and int64 targets. The teacher is drawn apart from
    the student, so the two distributions always differ (every KL variant then differs from the others)."""
    student = torch.randn(n, c, generator=rng, dtype=F64) * scale
    teacher = torch.randn(n, c, generator=rng, dtype=F64) * (scale if teacher_scale is None else teacher_scale)
    targets = torch.randint(0, c, (n,), generator=rng)
    return student.to(dtype), teacher.to(dtype), targets


def _log_softmax(x: torch.Tensor) -> torch.Tensor:
    shifted = x - x.amax(dim=-1, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def _parts(s: torch.Tensor, t: torch.Tensor, y: torch.Tensor, temp: float) -> dict[str, torch.Tensor]:
    s, t = s.detach().to(F64), t.detach().to(F64)
    n = s.shape[0]
    lt, ls = _log_softmax(t / temp), _log_softmax(s / temp)
    terms = torch.exp(lt) * (lt - ls)
    reversed_terms = torch.exp(ls) * (ls - lt)
    return {
        "kl": terms.sum() / n,
        "kl_reversed": reversed_terms.sum() / n,
        "kl_mean": terms.mean(),
        "ce": -_log_softmax(s).gather(1, y[:, None]).sum() / n,
        "ce_tempered": -ls.gather(1, y[:, None]).sum() / n,
    }


def mistakes(s: torch.Tensor, t: torch.Tensor, y: torch.Tensor, temp: float,
             alpha: float) -> list[tuple[str, torch.Tensor]]:
    """(what the mistake is, the loss it gives), each in float64."""
    p = _parts(s, t, y, temp)
    t2 = temp * temp
    return [
        (f"your loss equals alpha * KL + (1 - alpha) * CE: the KL term needs the factor T**2 = {t2:g}",
         alpha * p["kl"] + (1 - alpha) * p["ce"]),
        ("your loss uses KL(p_s || p_t); the statement's KL(p_t || p_s) is weighted by the TEACHER's "
         "probabilities", alpha * t2 * p["kl_reversed"] + (1 - alpha) * p["ce"]),
        ("your KL is averaged over all N * C elements; batchmean sums over the classes and divides by N only",
         alpha * t2 * p["kl_mean"] + (1 - alpha) * p["ce"]),
        ("your cross-entropy is computed on the tempered logits student_logits / T; it uses the raw logits "
         "(temperature 1)", alpha * t2 * p["kl"] + (1 - alpha) * p["ce_tempered"]),
        ("your loss weights the cross-entropy by alpha and the distillation term by (1 - alpha); alpha "
         "weights the distillation term", (1 - alpha) * t2 * p["kl"] + alpha * p["ce"]),
    ]


# Float32 logits of magnitude 1e4 (LARGE_FLOAT32): a correct float32 log-softmax computed as x - (m + log s)
# rounds m + log s to an ulp of |x / T| (~5e-4 at 5,000), so a teacher probability p comes out with a
# relative error of ~2.5e-4, and the KL multiplies it by log-prob differences of ~|x| / T: up to ~6e-5 of
# the loss (p = 0.5 on two near-tied classes), and ~1.5e-5 absolute in a gradient. 2e-4 covers that three
# times over; every mistake the tests look for is off by far more (NaN, or a wrong gradient by O(1)).
LARGE_FLOAT32 = {"rtol": 2.0e-4, "atol": 2.0e-4}


def expect_loss(check: Callable[..., Any], got: Any, expected: torch.Tensor, *, dtype: torch.dtype, name: str,
                wrong: list[tuple[str, torch.Tensor]] = (), **tol: float) -> None:
    """``check`` the loss; on a mismatch, add the known mistake that the submitted value matches, if any."""
    __tracebackhide__ = True
    try:
        check(got, expected, dtype=dtype, name=name, **tol)
    except AssertionError as exc:
        hint = None
        if isinstance(got, torch.Tensor) and got.is_floating_point() and got.shape == expected.shape:
            if not bool(torch.isfinite(got).all()) and bool(torch.isfinite(expected).all()):
                hint = ("your loss is not finite where the reference is: shift the logits by their max "
                        "before exp (log_softmax = x - max - log(sum(exp(x - max)))), and compute p * (log p - "
                        "log q) from log-probabilities, so that a teacher probability of 0 gives 0, not 0 * log 0")
            else:
                value = got.detach().to(F64)
                hint = next((text for text, loss in wrong
                             if torch.allclose(value, loss, rtol=1e-4, atol=1e-6)
                             and not torch.allclose(loss, expected.to(F64), rtol=1e-4, atol=1e-6)), None)
        if hint is None:
            raise
        raise AssertionError(f"{exc}\nhint: {hint}") from None
