"""Trusted-side cross-check of a gradient the worker's backward returned: is it the derivative of what the
submission's own forward computes?

The gradient of a ``sub.fn.grad`` call is computed in the worker, by the backward the submission's graph
defines (a custom ``torch.autograd.Function`` included). This module checks it from forward calls only,
with arithmetic done here, where the submission cannot reach: along a random unit direction ``d`` of the
float inputs (integer and boolean inputs, labels and masks, are left as they are), the central difference
of ``f = sum(output * grad_output)`` (the objective the worker's backward differentiates), evaluated in
float64 by two more calls of the submission's forward, must equal ``<grad, d>``.

What it does not do: a forward that keeps state between calls could answer the two perturbed calls
consistently with a forged gradient. The tests that use this check also compare the gradient with the
reference's, so such a forward still has to return the reference's gradient there.

Loaded by the ``grads`` fixture of this folder's conftest.py (the plugin's ``helper``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch

F64 = torch.float64
EPS = torch.finfo(F64).eps

# The step, relative to the largest |input| (at least 1): h = H_REL * max(1, max|x|). The truncation error
# of a central difference is |f'''| h^2 / 6. The functions here vary on a scale L of about 1 / beta for the
# DPO losses (beta <= 2 where a gradient is checked, so L >= 0.5) and about 1 for a log-softmax, over inputs
# up to ~50 in size (~2000 in the large-gap tests, where |logits| >= 150 and the losses are linear to within
# e^-150): (h / L)^2 / 6 <= (1e-6 * 50 / 0.5)^2 / 6 < 2e-9 relative to |grad|, far below RTOL.
H_REL = 1.0e-6

# The relative part of the tolerance, times |grad| * |d| (|d| = 1). For a float64 gradient it only has to
# cover the truncation error above (< 2e-9): 1e-6 leaves a factor of 500. A float32 gradient is the float32
# backward of the float32 forward, compared with the float64 derivative: it differs from it by float32
# rounding in forming the gradient, amplified by the cancellation in (pc - pr) - (rc - rr) (inputs ~50,
# differences ~1: about 50 * 6e-8 = 3e-6 relative); 1e-4 leaves a factor of 30 and more.
# A wrong gradient is off by O(1) relative, and its error's projection on a random unit direction of n
# coordinates is about |error| / sqrt(n) (n <= 168 here): 1e-4 misses it only if that projection happens
# to be 1000 times below its typical size.
RTOL = {torch.float64: 1.0e-6, torch.float32: 1.0e-4}

# The absolute part, in units of f: rounding in the two float64 forward calls. Each is accurate to a few
# ulps of the terms it sums (|output_i * g_i|) and of what rounding its inputs moves it by
# (sum_j |grad_j| |x_j|, the differences the losses are made of); ROUNDOFF ulps of both is a generous
# bound (a log-softmax over V classes rounds O(log V) times per term). The step itself adds none: the
# difference is compared with <grad, x_plus - x_minus>, the step the forward was actually given.
ROUNDOFF = 1.0e3


def _float64(value: Any) -> Any:
    return value.detach().to(F64) if isinstance(value, torch.Tensor) and value.is_floating_point() else value


def _objective(result: Any, output: int | None, g: torch.Tensor, what: str) -> tuple[float, float]:
    """sum(output * g) and sum(|output * g|), in float64."""
    __tracebackhide__ = True
    value = result[output] if output is not None else result
    ok = isinstance(value, torch.Tensor) and value.is_floating_point() and tuple(value.shape) == tuple(g.shape)
    assert ok, (f"{what}: the forward returned {type(value).__name__} where a tensor of shape "
                f"{tuple(g.shape)} was expected")
    terms = value.detach().to(F64) * g
    finite = bool(torch.isfinite(terms).all())
    assert finite, f"{what}: the forward returned a non-finite value within 1e-6 (relative) of the tested inputs"
    return float(terms.sum()), float(terms.abs().sum())


def assert_gradient_of_forward(forward: Any, args: Sequence[Any], wrt: Sequence[int],
                               grads: Sequence[torch.Tensor | None], grad_output: torch.Tensor,
                               rng: torch.Generator, *, what: str, output: int | None = None,
                               kwargs: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Assert that ``grads`` (one per ``wrt`` position of ``args``; None is a zero gradient) is the
    gradient of ``sum(forward(*args, **kwargs)[output] * grad_output)``, along one random unit direction
    drawn from ``rng``. ``forward`` is the submission's function (``sub.dpo_loss``): it is called twice,
    in float64. Returns the figures of the comparison."""
    __tracebackhide__ = True
    kwargs = dict(kwargs or {})
    dtype = args[wrt[0]].dtype  # the tested inputs' dtype (trusted), not whatever the gradient came back in
    point = [_float64(a) for a in args]
    g = grad_output.detach().to(F64)
    x = [point[i] for i in wrt]
    d = [torch.randn(t.shape, generator=rng, dtype=F64) for t in x]
    norm = math.sqrt(sum(float((t * t).sum()) for t in d))
    d = [t / norm for t in d]
    h = H_REL * max([1.0, *(float(t.abs().max()) for t in x if t.numel())])
    plus, minus = list(point), list(point)
    for i, xi, di in zip(wrt, x, d, strict=True):
        plus[i], minus[i] = xi + h * di, xi - h * di
    f_plus, size_plus = _objective(forward(*plus, **kwargs), output, g, what)
    f_minus, size_minus = _objective(forward(*minus, **kwargs), output, g, what)

    flat = [torch.zeros_like(xi) if gr is None else gr.detach().to(F64) for gr, xi in zip(grads, x, strict=True)]
    # exact (Sterbenz) where x + h d and x - h d are within a factor 2, off by an ulp of the step elsewhere
    steps = [plus[i] - minus[i] for i in wrt]
    along = sum(float((gr * s).sum()) for gr, s in zip(flat, steps, strict=True))
    grad_norm = math.sqrt(sum(float((gr * gr).sum()) for gr in flat))
    step_norm = math.sqrt(sum(float((s * s).sum()) for s in steps))
    moved = sum(float((gr.abs() * xi.abs()).sum()) for gr, xi in zip(flat, x, strict=True))
    change = f_plus - f_minus
    tol = RTOL.get(dtype, RTOL[torch.float32]) * grad_norm * step_norm \
        + ROUNDOFF * EPS * (size_plus + size_minus + 2 * moved)
    err = abs(change - along)
    ok = err <= tol and math.isfinite(change) and math.isfinite(along)
    assert ok, (
        f"{what}: the gradient your backward returned is not the derivative of your own forward. Along a "
        f"random unit direction d of the float inputs, your forward, called at x + h*d and x - h*d (h = "
        f"{h:.3g}, float64), changes f = sum(output * grad_output) at the rate {change / (2 * h):.9g}; the "
        f"gradient says <grad, d> = {along / (2 * h):.9g} (they differ by {err / (2 * h):.3g}, beyond the "
        f"tolerance {tol / (2 * h):.3g}). Backpropagation must return the derivative of what the forward "
        "computes: check the backward of any custom torch.autograd.Function, and anything detached")
    return {"fd_rate": change / (2 * h), "grad_rate": along / (2 * h), "err": err / (2 * h),
            "tol": tol / (2 * h), "ratio": err / tol if tol else float("inf")}
