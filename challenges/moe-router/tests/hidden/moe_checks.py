"""Trusted-side helpers of the hidden moe-router tests: input makers and the comparison of a route."""

from __future__ import annotations

from typing import Any

import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64
#: random inputs are redrawn until each token's k + 1 largest probabilities differ by more than this, so
#: float32 rounding (about 1e-7) can never change which experts are chosen or their order
PROB_GAP = 1e-4


def min_gap(probs: torch.Tensor, k: int) -> float:
    """The smallest difference between neighbours among each row's k + 1 largest probabilities."""
    ranked = torch.sort(probs, dim=-1, descending=True).values[:, :k + 1]
    return float((ranked[:, :-1] - ranked[:, 1:]).min()) if ranked.shape[-1] > 1 else 1.0


def draw(rng: torch.Generator, ref: Any, tokens: int, dim: int, experts: int, dtype: torch.dtype = torch.float32,
         scale: float = 1.0, k: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """x (tokens, dim) and w_gate (dim, experts) in ``dtype``, redrawn until the choice of k is never close
    (``k=None``: of any k)."""
    for _ in range(1000):
        x = torch.randn(tokens, dim, generator=rng, dtype=F64).to(dtype)
        w = (torch.randn(dim, experts, generator=rng, dtype=F64) * scale / dim ** 0.5).to(dtype)
        probs = torch.softmax(x.to(F64) @ w.to(F64), dim=-1)
        if min_gap(probs, experts if k is None else k) > PROB_GAP:
            return x, w
    raise RuntimeError("no inputs without close probabilities (the test's sizes are degenerate)")


def compare(check: Any, got: Any, want: Any, dtype: torch.dtype, what: str) -> None:
    """``got`` and ``want`` are (weights, experts, aux_loss); experts exactly, the rest within tolerance."""
    weights, experts, aux = got
    check(experts, want[1], name=f"experts ({what}: the k most probable, in decreasing order, ties to the lower "
                                 "index)")
    check(weights, want[0].to(dtype) if dtype == F64 else want[0], dtype=dtype, allow_constant=True,
          name=f"weights ({what}: the chosen probabilities renormalised over the k experts)")
    check(aux, want[2], dtype=dtype, name=f"aux_loss ({what}: E * sum_i f_i * P_i)")


def raises_value_error(call: Any, what: str) -> None:
    try:
        call()
    except RuntimeFault as fault:
        assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
        return
    except WrongOutputFault as fault:
        raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
    raise AssertionError(f"{what}: expected ValueError, but the call returned normally")


def reference_grads(ref: Any, x: torch.Tensor, w: torch.Tensor, k: int, output: int,
                    grad_output: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The float64 reference's d <output> / d x and d <output> / d w_gate, for the cotangent grad_output."""
    xd = x.detach().to(F64).requires_grad_(True)
    wd = w.detach().to(F64).requires_grad_(True)
    out = ref.route(xd, wd, k)[output]
    gx, gw = torch.autograd.grad((out * grad_output.to(F64)).sum(), (xd, wd))
    return gx, gw
