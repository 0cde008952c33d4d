"""Fixtures shared by the hidden attention tests (fixtures, so they work under --import-mode=importlib)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64


@pytest.fixture
def put(sub: Any, device: str) -> Callable[[Any], Any]:
    """``put(x)``: ``x`` as an argument for the submission, on the test device.

    On cpu that is ``x`` itself (it is copied to the worker). Elsewhere the
    tensor is moved to the device inside the worker and kept there; the
    returned handle stands for it in later calls.
    """
    if device == "cpu":
        return lambda x: x
    mover = sub.support("attention_device").to_device
    return lambda x: x if x is None else mover.new(x, device)


@pytest.fixture
def make_mha(sub: Any, ref: Any, rng: torch.Generator, device: str) -> Callable[..., tuple[Any, Any]]:
    """``make_mha(E, H, dtype, **kwargs)`` -> (the submission's module, the float64 reference module).

    Both get the same random weights (drawn in float64, rounded to ``dtype``,
    and given to the reference exactly as rounded).
    """

    def make(embed_dim: int, num_heads: int, dtype: torch.dtype = torch.float32,
             **kwargs: Any) -> tuple[Any, Any]:
        expected = ref.MultiHeadAttention(embed_dim, num_heads, **kwargs).to(F64)
        state = {}
        for name, param in expected.named_parameters():
            fan_in = param.shape[-1] if param.dim() == 2 else embed_dim
            bound = 1.0 / math.sqrt(fan_in)
            draw = torch.rand(param.shape, generator=rng, dtype=F64) * 2 - 1
            state[name] = (draw * bound).to(dtype)
        expected.load_state_dict({k: v.to(F64) for k, v in state.items()})
        args = ", ".join([str(embed_dim), str(num_heads)] + [f"{k}={v}" for k, v in kwargs.items()])
        module = sub.MultiHeadAttention.new(embed_dim, num_heads, **kwargs)
        got = module.state_dict()
        assert isinstance(got, dict) and sorted(got) == sorted(state), (
            f"MultiHeadAttention({args}).state_dict() has keys {sorted(got) if isinstance(got, dict) else got}, "
            f"expected exactly {sorted(state)} (four nn.Linear named q_proj, k_proj, v_proj, out_proj)")
        for name, value in state.items():  # before load_state_dict, which would fail with a size mismatch (RE)
            assert tuple(got[name].shape) == tuple(value.shape), (
                f"MultiHeadAttention({args}): {name} has shape {tuple(got[name].shape)}, expected "
                f"{tuple(value.shape)}")
        # .to() returns the module itself, which cannot travel back: .new keeps the result in the worker.
        if dtype != torch.float32:
            module.to.new(dtype)
        if device != "cpu":
            module.to.new(device)
        module.load_state_dict(state)
        return module, expected

    return make


@pytest.fixture
def raises_value_error() -> Callable[[Callable[[], Any], str], None]:
    """``raises_value_error(call, what)``: assert that ``call()`` raises ValueError in the submission."""

    def expect(call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", (
                f"{what}: expected ValueError, but your code raised {fault.message}")
            return
        except WrongOutputFault as fault:  # it returned, and what it returned does not even fit
            raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
        raise AssertionError(f"{what}: expected ValueError, but the call returned normally")

    return expect


def reference_grads(fn: Callable[..., torch.Tensor], inputs: list[torch.Tensor], grad_output: torch.Tensor,
                    **kwargs: Any) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The float64 reference output and its gradients with respect to ``inputs``."""
    leaves = [x.detach().to(F64).requires_grad_(True) for x in inputs]
    out = fn(*leaves, **kwargs)
    grads = torch.autograd.grad((out * grad_output.to(F64)).sum(), leaves)
    return out.detach(), list(grads)


@pytest.fixture
def ref_grads() -> Callable[..., tuple[torch.Tensor, list[torch.Tensor]]]:
    return reference_grads
