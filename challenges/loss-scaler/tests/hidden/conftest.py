"""Fixtures shared by the hidden loss-scaler tests: a training run driven in the worker and, beside it, the
float64 reference driven here on the same gradients.

Every check is made on this side: the scale after each ``update`` (``get_scale``), what ``unscale_`` and
``step`` returned, the gradients after unscaling and the parameters after the steps (both read back from
the worker with ``scaler_support.read``) against the reference ``LossScaler`` run here on float64 copies
of the very values sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault

F64 = torch.float64
SUPPORT = "scaler_support"


def settings(kwargs: dict[str, Any]) -> str:
    return "LossScaler(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


def make_scaler(sub: Any, kwargs: dict[str, Any]) -> Any:
    """The submission's LossScaler(**kwargs), kept in the worker; a ValueError for settings the statement
    allows is a wrong answer that says so."""
    try:
        return sub.LossScaler.new(**kwargs)
    except RuntimeFault as fault:
        if fault.exc_type != "ValueError":
            raise
        raise AssertionError(f"{settings(kwargs)} raised ValueError, but these settings are allowed "
                             f"({fault.message.splitlines()[0]})") from None


class Run:
    """One scaler in the worker and the reference here, through the same iterations.

    ``iteration(kind, unscale)`` sends gradients (finite, or with an inf or a NaN when ``kind`` is "i" or
    "n") already multiplied by the scale, optionally calls ``unscale_``, then ``step`` with the support
    module's SGD step, then ``update``, and checks every answer against the reference's.
    """

    def __init__(self, sub: Any, ref: Any, check: Callable[..., Any], rng: torch.Generator, *,
                 dtype: torch.dtype = torch.float32, lr: float = 0.1, **kwargs: Any) -> None:
        self.sub, self.check, self.rng, self.dtype, self.lr = sub, check, rng, dtype, lr
        self.kwargs = kwargs
        self.sup = sub.support(SUPPORT)
        self.scaler = make_scaler(sub, kwargs)
        self.model = ref.LossScaler(**kwargs)
        self.shapes = ((5,), (2, 3))
        start = [torch.randn(s, generator=rng, dtype=F64).to(dtype) for s in self.shapes]
        self.params = [p.to(F64) for p in start]  # the reference's parameters
        self.remote_params = self.sup.keep.new([p.clone() for p in start])
        self.remote_grads = self.sup.keep.new([])  # one list for the run, refilled each iteration (load)
        self.step_fn = self.sup.make_sgd_step.new(self.remote_params, self.remote_grads, lr)
        self.runs = 0  # how often the reference's step has run
        self.history = ""  # the kinds so far, for the messages

    def where(self) -> str:
        return (f"iteration {len(self.history)} of {self.history!r} (f finite, i inf, n NaN) with "
                f"{settings(self.kwargs)}")

    def _sgd(self, grads: list[torch.Tensor]) -> int:
        for p, g in zip(self.params, grads, strict=True):
            p.sub_(self.lr * g)
        self.runs += 1
        return self.runs

    def scaled_grads(self, kind: str) -> list[torch.Tensor]:
        scale = self.model.get_scale()
        grads = [(torch.randn(s, generator=self.rng, dtype=F64) * scale).to(self.dtype) for s in self.shapes]
        if kind in "in":
            which = int(torch.randint(0, len(grads), (), generator=self.rng))
            flat = grads[which].view(-1)
            index = int(torch.randint(0, flat.numel(), (), generator=self.rng))
            flat[index] = {"i": float("inf") if index % 2 else float("-inf"), "n": float("nan")}[kind]
        return grads

    def iteration(self, kind: str, unscale: bool = False, grads: list[torch.Tensor] | None = None) -> None:
        self.history += kind
        where = self.where()
        sent = self.scaled_grads(kind) if grads is None else grads
        local = [g.to(F64) for g in sent]
        remote, step_fn = self.remote_grads, self.step_fn
        self.sup.load(remote, [g.clone() for g in sent])
        if unscale:
            got = self.scaler.unscale_(remote)
            want = self.model.unscale_(local)
            assert got is want, (
                f"{where}: unscale_ returned {got!r}, expected {want!r} (True when every gradient is finite, "
                f"False when one holds an inf or a NaN)")
        got_step = self.scaler.step(step_fn, remote)
        want_step = self.model.step(lambda: self._sgd(local), local)
        if want_step is None:
            assert got_step is None, (
                f"{where}: the gradients hold {'an inf' if kind == 'i' else 'a NaN'}, so step() must skip the "
                f"optimizer step and return None; it returned {got_step!r}")
        else:
            assert got_step == want_step, (
                f"{where}: the gradients are finite, so step() must call the optimizer step once and return what "
                f"it returned ({want_step}: it has run {want_step} time(s) so far); it returned {got_step!r}")
        self.check_all(self.sup.read(remote), local, f"{where}: the gradients after step() (divided by the scale "
                       f"{self.model.get_scale()!r} exactly once, in place)")
        self.scaler.update(kind != "f")
        self.model.update(kind != "f")
        self.check_scale(f"{where}: the scale after update(found_inf={kind != 'f'})")

    def check_all(self, got: list[Any], want: list[torch.Tensor], what: str) -> None:
        assert len(got) == len(want), f"{what}: {len(got)} tensors came back, expected {len(want)}"
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            self.check(a, b, name=f"{what}, tensor {i}", allow_constant=True)

    def check_scale(self, what: str) -> None:
        got = self.scaler.get_scale()
        assert isinstance(got, float), f"{what}: get_scale() returned {type(got).__name__}, not a float"
        self.check(got, self.model.get_scale(), dtype=F64, name=what)

    def finish(self) -> None:
        self.check_all(self.sup.read(self.remote_params), self.params,
                       f"the parameters after {self.where()} (every step that ran, and only those)")


@pytest.fixture
def run(sub: Any, ref: Any, check: Callable[..., Any], rng: torch.Generator) -> Callable[..., Run]:
    """``run(**settings)``: a fresh scaler in the worker beside the reference (see ``Run``)."""
    return lambda **kwargs: Run(sub, ref, check, rng, **kwargs)


@pytest.fixture
def updates(sub: Any, ref: Any, check: Callable[..., Any]) -> Callable[..., None]:
    """``updates(found_infs, why, **settings)``: only ``update`` calls, made in the worker by the support
    module (``run_updates``), and the scale after each checked against the reference's."""

    def go(found_infs: list[bool], why: str, **kwargs: Any) -> None:
        scaler = make_scaler(sub, kwargs)
        got = sub.support(SUPPORT).run_updates(scaler, found_infs)
        model = ref.LossScaler(**kwargs)
        want = []
        for found_inf in found_infs:
            model.update(found_inf)
            want.append(model.get_scale())
        pattern = "".join("i" if f else "f" for f in found_infs)
        shown = pattern if len(pattern) <= 40 else f"{pattern[:20]}...{pattern[-12:]} ({len(pattern)} updates)"
        assert len(got) == len(want)
        bad = [k for k, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
        if bad:
            k = bad[0]
            raise AssertionError(
                f"{settings(kwargs)}, update(found_inf) for {shown!r} (f: False, i: True): after update {k + 1} "
                f"the scale is {got[k]!r}, expected {want[k]!r} ({why})")

    return go
