"""Hidden test: the rotated dot product depends only on the position difference.

Computed here from what came back: four calls, the dot products taken on this side.
"""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("relative")
def test_dot_product_depends_only_on_the_difference(sub, check, draw, rng):
    P, H, d = 12, 4, 64
    q, k = draw(1, P, H, d), draw(1, P, H, d)
    m = torch.randint(0, 2000, (P,), generator=rng)
    n = torch.randint(0, 2000, (P,), generator=rng)
    s = torch.randint(1, 2000, (P,), generator=rng)

    def dots(qp: torch.Tensor, kp: torch.Tensor) -> torch.Tensor:
        rq, rk = sub.apply_rope(q, qp), sub.apply_rope(k, kp)
        return (rq * rk).sum(-1)  # (1, P, H): query j at qp[j] against key j at kp[j], per head

    before, after = dots(m, n), dots(m + s, n + s)
    check(after, before, dtype=torch.float64,
          name="<rope(q, m + s), rope(k, n + s)> against <rope(q, m), rope(k, n)> for 12 (m, n, s) and 4 heads: "
               "equal when each pair (i, i + d/2) turns by one angle p * theta_i (a rotation)")
