"""Hidden test: a large case that only a vectorized solution finishes within the time limit.

The 200,000 x 32 input is built inside the sandbox by the public support module ``kmeans_data``
(51 MB would otherwise cross the pipe inside the timed call); the judge builds the same array here.
"""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("large")
def test_large(km, data, sub, ref, check, rng):
    n, d, k, iters = 200_000, 32, 64, 6
    data_seed = int(torch.randint(0, 2**31 - 1, (1,), generator=rng))
    X = data.uniform(data_seed, n, d)
    init = km.pick_rows(rng, X, k)
    remote_X = sub.support("kmeans_data").uniform.new(data_seed, n, d)  # the same array, in the sandbox
    got = sub.kmeans(remote_X, k, init=init, max_iters=iters, tol=0.0)  # the submission first: it is timed
    km.compare(check, got, ref.lloyd(X, init, iters, 0.0),
               f"n={n}, d={d}, k={k}, max_iters={iters}, tol=0, given init (vectorize: no loop over points)")
