"""Accepted: moves the channels first, flattens the rest, and keeps the statistics with var_mean."""

import torch
from torch import nn


class BatchNorm(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.int64))

    def forward(self, x):
        if x.ndim < 2:
            raise ValueError("BatchNorm needs (N, C, ...) input")
        if x.shape[1] != self.num_features:
            raise ValueError(f"expected {self.num_features} channels, got {x.shape[1]}")
        rows = x.transpose(0, 1).reshape(self.num_features, -1)  # (C, n)
        n = rows.shape[1]
        if self.training:
            if n < 2:
                raise ValueError("expected more than 1 value per channel when training")
            var, mean = torch.var_mean(rows, dim=1, correction=0)
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                w = 1.0 / int(self.num_batches_tracked)
            else:
                w = float(self.momentum)
            self.running_mean.lerp_(mean.detach(), w)
            self.running_var.lerp_(var.detach() * (n / (n - 1)), w)
        else:
            mean, var = self.running_mean, self.running_var
        scale = torch.rsqrt(var + self.eps)
        shift = -mean * scale
        if self.weight is not None:
            scale = scale * self.weight
            shift = shift * self.weight + self.bias
        view = (1, -1) + (1,) * (x.ndim - 2)
        return x * scale.view(view) + shift.view(view)
