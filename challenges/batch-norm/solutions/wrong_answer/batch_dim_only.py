"""Wrong (rule channel-dims): the statistics are over dim 0 only, one mean per (channel, position), for inputs with trailing dimensions."""

import torch
from torch import nn


class BatchNorm(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        self.num_features, self.eps, self.momentum, self.affine = num_features, eps, momentum, affine
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x):
        if x.dim() < 2 or x.shape[1] != self.num_features:
            raise ValueError(f"bad input shape {tuple(x.shape)}")
        dims = [0]
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            n = x.numel() // x.shape[1]
            if n == 1:
                raise ValueError("more than one value per channel is needed in training")
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            stat_dims = list(range(1, mean.dim()))
            with torch.no_grad():
                self.num_batches_tracked += 1
                factor = self.momentum if self.momentum is not None else 1.0 / self.num_batches_tracked.item()
                self.running_mean.copy_((1 - factor) * self.running_mean + factor * (mean.mean(dim=stat_dims) if stat_dims else mean))
                self.running_var.copy_((1 - factor) * self.running_var + factor * (var.mean(dim=stat_dims) if stat_dims else var) * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        if not self.training or x.dim() == 2:
            mean, var = mean.view(shape), var.view(shape)
        y = (x - mean) / torch.sqrt(var + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y
