"""Forbidden: the buffers by hand, the arithmetic by torch.ops.aten.native_batch_norm (reached through getattr)."""

import torch
from torch import nn

_kernel = getattr(torch.ops.aten, "native_" + "batch_norm")


class BatchNorm(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.weight = self.bias = None
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x):
        if self.training:
            self.num_batches_tracked += 1
        momentum = self.momentum if self.momentum is not None else 1.0 / int(self.num_batches_tracked)
        return _kernel(x, self.weight, self.bias, self.running_mean, self.running_var, self.training, momentum,
                       self.eps)[0]
