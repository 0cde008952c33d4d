"""Fixtures shared by the hidden batch-norm tests (fixtures, so they work under --import-mode=importlib)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F32, F64 = torch.float32, torch.float64
KINDS = {"weight": "parameter", "bias": "parameter", "running_mean": "buffer", "running_var": "buffer",
         "num_batches_tracked": "buffer"}


def describe(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def check_state_names(got: Any, expected: dict[str, torch.Tensor], what: str) -> None:
    """The submission's state_dict has exactly the reference's names, shapes and kinds of dtype."""
    assert isinstance(got, dict) and sorted(got) == sorted(expected), (
        f"{what}.state_dict() has keys {sorted(got) if isinstance(got, dict) else got}, expected exactly "
        f"{sorted(expected)} (torch's names: parameters weight and bias only when affine=True, buffers "
        f"running_mean, running_var and num_batches_tracked)")
    for name, want in expected.items():
        assert tuple(got[name].shape) == tuple(want.shape), (
            f"{what}: {name} ({KINDS[name]}) has shape {tuple(got[name].shape)}, expected {tuple(want.shape)}")
        if name == "num_batches_tracked":
            assert got[name].dtype == torch.int64, (
                f"{what}: num_batches_tracked is {got[name].dtype}, expected an int64 tensor (it is a count)")
        else:
            assert got[name].is_floating_point(), f"{what}: {name} is {got[name].dtype}, expected a float tensor"


def random_state(rng: torch.Generator, expected: dict[str, torch.Tensor],
                 dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Parameters and buffers to load into both modules: drawn in float64, rounded to ``dtype``."""
    c = expected["running_mean"].shape[0]

    def draw(scale: float, offset: float = 0.0) -> torch.Tensor:
        return (torch.randn(c, generator=rng, dtype=F64) * scale + offset).to(dtype)

    state = {"running_mean": draw(0.5), "running_var": (torch.rand(c, generator=rng, dtype=F64) * 1.5 + 0.5).to(dtype),
             "num_batches_tracked": torch.randint(1, 6, (), generator=rng)}
    if "weight" in expected:
        state["weight"], state["bias"] = draw(0.3, 1.0), draw(0.5)
    return state


@pytest.fixture
def make_bn(sub: Any, ref: Any, rng: torch.Generator) -> Callable[..., tuple[Any, Any]]:
    """``make_bn(C, dtype, fresh=False, **kwargs)`` -> (the submission's module, the float64 reference).

    Unless ``fresh``, both get the same random parameters and buffers (drawn in float64, rounded to
    ``dtype``, the reference given them exactly as rounded).
    """

    def make(num_features: int, dtype: torch.dtype = F32, fresh: bool = False, **kwargs: Any) -> tuple[Any, Any]:
        expected = ref.BatchNorm(num_features, **kwargs).to(F64)
        what = f"BatchNorm({', '.join([str(num_features)] + ([describe(kwargs)] if kwargs else []))})"
        module = sub.BatchNorm.new(num_features, **kwargs)
        check_state_names(module.state_dict(), expected.state_dict(), what)
        if dtype != F32:
            module.to.new(dtype)
        if not fresh:
            state = random_state(rng, expected.state_dict(), dtype)
            module.load_state_dict(state)
            expected.load_state_dict({k: v.to(F64) if v.is_floating_point() else v for k, v in state.items()})
        return module, expected

    return make


@pytest.fixture
def raises_value_error() -> Callable[[Callable[[], Any], str], None]:
    """``raises_value_error(call, what)``: assert that ``call()`` raises ValueError in the submission."""

    def expect(call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
            return
        except WrongOutputFault as fault:
            raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
        raise AssertionError(f"{what}: expected ValueError, but the call returned normally")

    return expect


@pytest.fixture
def randn() -> Callable[..., torch.Tensor]:
    """``randn(rng, *shape, dtype=, scale=, offset=)``: drawn in float64, then rounded to ``dtype``."""

    def draw(rng: torch.Generator, *shape: int, dtype: torch.dtype = F32, scale: float = 1.0,
             offset: float = 0.0) -> torch.Tensor:
        return (torch.randn(*shape, generator=rng, dtype=F64) * scale + offset).to(dtype)

    return draw


@pytest.fixture
def check_state(check: Callable[..., Any]) -> Callable[..., None]:
    """``check_state(module, expected, what, names=...)``: the submission's buffers against the reference's."""

    def compare(module: Any, expected: Any, what: str, dtype: torch.dtype = F32,
                names: tuple[str, ...] = ("num_batches_tracked", "running_mean", "running_var")) -> None:
        got, want = module.state_dict(), expected.state_dict()
        check_state_names(got, want, what)
        for name in names:
            if name == "num_batches_tracked":
                assert int(got[name]) == int(want[name]), (
                    f"num_batches_tracked {what}: {int(got[name])}, expected {int(want[name])}")
            else:
                check(got[name], want[name], dtype=dtype, name=f"{name} {what}")

    return compare
