"""The one comparison every challenge uses: a submission's numbers against the reference's.

``assert_close(actual, expected, ...)`` checks, in order: that a tensor or
array came back at all, its shape, its dtype (when the test names one), NaN
and infinities (never accepted unless the expected value has them in the same
places with the same signs), a constant output where the expected one varies,
and finally ``|actual - expected| <= atol + rtol * |expected|`` elementwise,
computed in float64. A failure raises ``Mismatch`` (an AssertionError, so the
verdict is WA) with a message a person can act on: how many values are off,
the largest absolute and relative errors and where, what was got and
expected there, and the tolerance that applied. The figures are kept on the
exception and returned on success, for reports.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from judge.runner.tolerance import DEFAULT_TOLERANCES, EXACT, Tolerance


class Mismatch(AssertionError):
    def __init__(self, message: str, figures: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.figures = figures or {}


def dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def _as_tensor(value: Any, what: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind in "biuf":
        array = np.asarray(value)
        return torch.from_numpy(np.ascontiguousarray(array).reshape(array.shape))  # keeps 0-d as 0-d
    if isinstance(value, bool):
        return torch.tensor(value)
    if isinstance(value, int):
        return torch.tensor(value, dtype=torch.int64)
    if isinstance(value, float):  # a Python float is a double: never round it to float32
        return torch.tensor(value, dtype=torch.float64)
    raise Mismatch(f"{what}: expected a tensor, got {type(value).__name__}")


def _fmt_index(flat: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return "()"
    return str(tuple(int(i) for i in np.unravel_index(flat, shape)))


def _judged_as(got: torch.dtype, want: torch.dtype) -> torch.dtype:
    """The dtype whose tolerance applies when the test names none: the less precise of the submission's
    and the expected value's (a float64 answer is checked against a float32 reference's error, not
    its own), but never looser than the expected value's or float32's, whichever is looser
    (returning bfloat16 buys no looser tolerance)."""
    if not (got.is_floating_point and want.is_floating_point):
        return got

    def looser(a: torch.dtype, b: torch.dtype) -> torch.dtype:
        return a if torch.finfo(a).eps >= torch.finfo(b).eps else b

    candidate, floor = looser(got, want), looser(want, torch.float32)
    return floor if looser(candidate, floor) is not floor else candidate  # the tighter of the two


def assert_close(actual: Any, expected: Any, *, name: str = "output", rtol: float | None = None,
                 atol: float | None = None, dtype: Any = None,
                 tolerances: dict[str, Tolerance] | None = None,
                 allow_constant: bool = False) -> dict[str, Any]:
    """Raise ``Mismatch`` unless ``actual`` matches ``expected``; return the error figures."""
    got = _as_tensor(actual, name)
    want = _as_tensor(expected, f"{name} (expected)")
    if tuple(got.shape) != tuple(want.shape):
        raise Mismatch(f"{name}: wrong shape {tuple(got.shape)}, expected {tuple(want.shape)}")
    if dtype is not None and got.dtype != dtype:
        raise Mismatch(f"{name}: wrong dtype {dtype_name(got.dtype)}, expected {dtype_name(dtype)}")
    table = tolerances or DEFAULT_TOLERANCES
    tol_dtype = dtype_name(dtype if dtype is not None else _judged_as(got.dtype, want.dtype))
    if got.is_floating_point():
        tol = table.get(tol_dtype) or DEFAULT_TOLERANCES.get(tol_dtype, DEFAULT_TOLERANCES["float32"])
    else:
        tol = EXACT
    tol = Tolerance(tol.rtol if rtol is None else rtol, tol.atol if atol is None else atol)
    a = got.to("cpu", torch.float64)
    e = want.to("cpu", torch.float64)
    shape = tuple(a.shape)
    figures: dict[str, Any] = {"shape": list(shape), "dtype": dtype_name(got.dtype),
                               "rtol": tol.rtol, "atol": tol.atol}
    if a.numel() == 0:
        return figures

    # NaN and infinity: never accepted unless expected, in the same places.
    a_nan, e_nan = torch.isnan(a), torch.isnan(e)
    bad_nan = a_nan & ~e_nan
    if bad_nan.any():
        idx = int(torch.nonzero(bad_nan.flatten())[0])
        raise Mismatch(f"{name}: {int(bad_nan.sum())} NaN value(s) where finite values are expected "
                       f"(first at index {_fmt_index(idx, shape)}, expected {e.flatten()[idx].item():.6g})",
                       dict(figures, nan=int(bad_nan.sum())))
    missing_nan = e_nan & ~a_nan
    if missing_nan.any():
        idx = int(torch.nonzero(missing_nan.flatten())[0])
        raise Mismatch(f"{name}: expected NaN at index {_fmt_index(idx, shape)}, got "
                       f"{a.flatten()[idx].item():.6g}", figures)
    a_inf, e_inf = torch.isinf(a), torch.isinf(e)
    inf_wrong = (a_inf | e_inf) & ~((a == e) & a_inf)
    if inf_wrong.any():
        idx = int(torch.nonzero(inf_wrong.flatten())[0])
        raise Mismatch(f"{name}: {int(inf_wrong.sum())} infinite value(s) that do not match (first at index "
                       f"{_fmt_index(idx, shape)}: got {a.flatten()[idx].item():.6g}, expected "
                       f"{e.flatten()[idx].item():.6g})", dict(figures, inf=int(inf_wrong.sum())))

    finite = torch.isfinite(e) & torch.isfinite(a)
    a_f = torch.where(finite, a, torch.zeros_like(a))
    e_f = torch.where(finite, e, torch.zeros_like(e))
    err = (a_f - e_f).abs()
    # A relative error is defined only where the expected value is not 0 (there it would read 1e+300).
    nonzero = e_f != 0
    rel = torch.where(nonzero, err / torch.where(nonzero, e_f.abs(), torch.ones_like(e_f)), torch.zeros_like(err))
    allowed = tol.atol + tol.rtol * e_f.abs()
    bad = err > allowed
    worst = int(torch.argmax(err.flatten()))
    worst_rel = int(torch.argmax(rel.flatten()))
    figures.update({
        "max_abs_err": float(err.flatten()[worst]),
        "max_abs_err_index": _fmt_index(worst, shape),
        "max_rel_err": float(rel.flatten()[worst_rel]),
        "max_rel_err_index": _fmt_index(worst_rel, shape),
        "mismatched": int(bad.sum()),
        "mismatched_where_zero": int((bad & ~nonzero).sum()),
        "total": int(a.numel()),
    })

    # A constant output never passes where the expected one varies.
    if not allow_constant and e.numel() > 1 and got.is_floating_point():
        e_span = float(e_f.max() - e_f.min())
        if e_span > 0 and float(a_f.max() - a_f.min()) == 0.0:
            raise Mismatch(f"{name}: every value is {a_f.flatten()[0].item():.6g}, but the expected "
                           f"values vary (from {float(e_f.min()):.6g} to {float(e_f.max()):.6g})", figures)
    if bad.any():
        first = int(torch.nonzero(bad.flatten())[0])
        raise Mismatch(
            f"{name}: {figures['mismatched']} of {figures['total']} values differ beyond "
            f"rtol={tol.rtol:g}, atol={tol.atol:g} ({tol_dtype}); max abs error "
            f"{figures['max_abs_err']:.3g} at index {figures['max_abs_err_index']} (got "
            f"{a.flatten()[worst].item():.6g}, expected {e.flatten()[worst].item():.6g}); {_relative(figures)}; "
            f"first mismatch at index {_fmt_index(first, shape)}; shape {shape}",
            figures,
        )
    return figures


def _relative(figures: dict[str, Any]) -> str:
    """The relative-error part of a mismatch message, readable where 0 was expected."""
    zero = figures["mismatched_where_zero"]
    where_zero = f"{zero} of the mismatches where 0 is expected (no relative error there)" if zero else ""
    if figures["max_rel_err"] == 0 and zero:
        return where_zero
    text = f"max rel error {figures['max_rel_err']:.3g} at index {figures['max_rel_err_index']}"
    return f"{text}, {where_zero}" if where_zero else text
