"""Reference solution for batch-norm (trusted side only).

Tests run it in float64 beside the submission's module, with the same parameters, buffers and
batches, for the expected outputs, running statistics and gradients; ``mlj verify --mutants`` grades
its mutants as submissions. Training mode normalizes with the batch's biased variance over every
dimension but the channels and updates the running statistics with the unbiased one (n = the number of
values per channel); eval mode normalizes with the running statistics and changes nothing.
"""

from __future__ import annotations

import torch
from torch import nn


class BatchNorm(nn.Module):
    """Batch normalization over the channels (dim 1) of (N, C) or (N, C, L, ...) inputs."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 2 or x.shape[1] != self.num_features:
            raise ValueError(f"expected (N, {self.num_features}) or (N, {self.num_features}, L, ...), "
                             f"got {tuple(x.shape)}")
        dims = [0, *range(2, x.dim())]
        shape = [1, self.num_features] + [1] * (x.dim() - 2)
        if self.training:
            n = x.numel() // self.num_features
            if n == 1:
                raise ValueError(f"training needs more than one value per channel, got {tuple(x.shape)}")
            mean = x.mean(dim=dims)
            var = ((x - mean.reshape(shape)) ** 2).mean(dim=dims)
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                # momentum None: the cumulative average, weight 1 / (batches so far, this one included)
                factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                self.running_mean.mul_(1 - factor).add_(factor * mean.detach())
                self.running_var.mul_(1 - factor).add_(factor * var.detach() * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y
