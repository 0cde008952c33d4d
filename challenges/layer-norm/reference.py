"""Reference solution for layer-norm (trusted side only).

Tests call it in float64 for the expected values and gradients; ``mlj verify --mutants`` grades its
mutants as submissions. The statistics are taken over the trailing ``len(normalized_shape)``
dimensions with the biased variance (divide by the number of elements), eps inside the square root;
float16/bfloat16 inputs are computed in float32 and the result is cast back to the input's dtype.
"""

from __future__ import annotations

import torch

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _dims(x: torch.Tensor, normalized_shape: int | tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """The dimensions normalized over, after checking normalized_shape against x's trailing shape."""
    if isinstance(normalized_shape, int) and not isinstance(normalized_shape, bool):
        shape: tuple[int, ...] = (normalized_shape,)
    else:
        shape = tuple(normalized_shape)
    if len(shape) == 0:
        raise ValueError("normalized_shape must name at least one dimension")
    if len(shape) > x.dim() or tuple(x.shape[x.dim() - len(shape):]) != shape:
        raise ValueError(f"normalized_shape {shape} does not match the trailing dimensions of x {tuple(x.shape)}")
    return tuple(range(-len(shape), 0))


def _work(x: torch.Tensor) -> torch.Tensor:
    return x.float() if x.dtype in _LOW_PRECISION else x


def layer_norm(x: torch.Tensor, normalized_shape: int | tuple[int, ...] | list[int],
               weight: torch.Tensor | None = None, bias: torch.Tensor | None = None,
               eps: float = 1e-5) -> torch.Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing normalized_shape dimensions."""
    dims = _dims(x, normalized_shape)
    work = _work(x)
    mean = work.mean(dim=dims, keepdim=True)
    centred = work - mean
    var = (centred * centred).mean(dim=dims, keepdim=True)
    y = centred / torch.sqrt(var + eps)
    if weight is not None:
        y = y * _work(weight)
    if bias is not None:
        y = y + _work(bias)
    return y.to(x.dtype)


def rms_norm(x: torch.Tensor, normalized_shape: int | tuple[int, ...] | list[int],
             weight: torch.Tensor | None = None, eps: float = 1e-6) -> torch.Tensor:
    """x / sqrt(mean(x^2) + eps) * weight over the trailing normalized_shape dimensions."""
    dims = _dims(x, normalized_shape)
    work = _work(x)
    y = work / torch.sqrt((work * work).mean(dim=dims, keepdim=True) + eps)
    if weight is not None:
        y = y * _work(weight)
    return y.to(x.dtype)
