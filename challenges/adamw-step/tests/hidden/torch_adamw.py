"""The trusted side's truth for adamw-step: torch.optim's own AdamW arithmetic, on copies.

``torch.optim.AdamW.step`` (single-tensor path, ``foreach=False``) hands its tensors to the functional
``torch.optim.adamw.adamw`` with the state step before this update; calling that function directly is the
same arithmetic without the optimizer class, whose first ``step`` imports torch._dynamo (seconds of CPU
per grading). ``tests/challenges/test_adamw_step.py`` checks that the two agree bit for bit.
"""

from __future__ import annotations

import torch
from torch.optim.adamw import adamw

Tensors = list[torch.Tensor]


def adamw_step(params: Tensors, grads: Tensors, exp_avgs: Tensors, exp_avg_sqs: Tensors, step: int, lr: float,
               betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
               weight_decay: float = 0.01) -> tuple[Tensors, Tensors, Tensors]:
    """The (params, exp_avgs, exp_avg_sqs) after AdamW update number ``step``, computed in float64 on copies."""
    def copies(tensors: Tensors) -> Tensors:
        return [t.detach().to(torch.float64, copy=True) for t in tensors]

    p, g, m, v = copies(params), copies(grads), copies(exp_avgs), copies(exp_avg_sqs)
    steps = [torch.tensor(float(step - 1)) for _ in p]  # AdamW.step counts this update in before using it
    adamw(p, g, m, v, [], steps, foreach=False, capturable=False, differentiable=False, fused=None,
          grad_scale=None, found_inf=None, has_complex=False, amsgrad=False, beta1=betas[0], beta2=betas[1],
          lr=lr, weight_decay=weight_decay, eps=eps, maximize=False)
    return p, m, v
