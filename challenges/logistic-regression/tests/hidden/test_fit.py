"""Hidden tests of fit: the descent itself, its defaults, the L2 penalty and a large input.

Every expected (w, b) is the reference's fit run here on the same inputs; a mismatch is compared with the
descent run with each known mistake, so that the message names it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

EXAMPLE_X = np.array([[0.0], [1.0], [2.0], [3.0]])
EXAMPLE_Y = np.array([0, 0, 1, 1], dtype=np.int64)


@pytest.mark.group("fit")
@pytest.mark.parametrize(("n_iters", "lr", "w", "b"), [(1, 0.1, 0.05, 0.0), (2, 0.1, 0.09563137, -0.00187266),
                                                       (100, 0.5, 2.53481884, -3.44277376)])
def test_statement_example(lg, sub, ref, check, n_iters, lr, w, b):
    case = f"the statement's example X=[[0],[1],[2],[3]], y=[0,0,1,1], lr={lr}, n_iters={n_iters}"
    got = lg.weights(sub.fit(EXAMPLE_X.copy(), EXAMPLE_Y.copy(), lr=lr, n_iters=n_iters))
    lg.compare_fit(check, ref, got, EXAMPLE_X, EXAMPLE_Y, case, lr=lr, n_iters=n_iters)
    # and the rounded numbers the statement prints
    check(got[0], np.array([w]), dtype=torch.float64, rtol=1e-7, atol=1e-8,
          name=f"w ({case}, rounded in the statement)")
    check(np.float64(got[1]), np.float64(b), dtype=torch.float64, rtol=1e-6, atol=1e-8, name=f"b ({case})")


@pytest.mark.group("fit")
@pytest.mark.parametrize(("n", "d", "rate", "n_iters", "labels"), [
    (120, 4, 0.5, 200, "int64"), (7, 12, 0.3, 150, "float64"), (1, 3, 0.2, 20, "int64")])
def test_random_data(lg, sub, ref, check, rng, n, d, rate, n_iters, labels):
    X, y = lg.data(rng, n, d, label_dtype=np.dtype(labels))
    case = f"n={n}, d={d}{' (d > n)' if d > n else ''}, lr={rate}, n_iters={n_iters}, y {labels}"
    lg.compare_fit(check, ref, sub.fit(X, y, lr=rate, n_iters=n_iters), X, y, case, lr=rate, n_iters=n_iters)


@pytest.mark.group("fit")
def test_zero_iterations(lg, sub, ref, check, rng):
    X, y = lg.data(rng, 10, 3)
    w, b = lg.weights(sub.fit(X, y, lr=0.5, n_iters=0))
    check(w, np.zeros(3), dtype=torch.float64, allow_constant=True,
          name="w after fit(X, y, n_iters=0) (no step: the starting point, zeros)")
    check(np.float64(b), np.float64(0.0), dtype=torch.float64, name="b after fit(X, y, n_iters=0) (no step: 0.0)")


@pytest.mark.group("fit")
def test_defaults(lg, sub, ref, check, rng):
    X, y = lg.data(rng, 40, 3)
    got = lg.weights(sub.fit(X, y))
    for n_iters in (100, 500):
        if lg.close(got, ref.fit(X, y, n_iters=n_iters)):
            lg.fail(f"fit(X, y) with the defaults: your (w, b) are those of {n_iters} steps; the defaults are "
                    f"lr=0.1, n_iters=1000, l2=0.0")
    lg.compare_fit(check, ref, got, X, y, "fit(X, y) with the defaults lr=0.1, n_iters=1000, l2=0.0, n=40, d=3")


@pytest.mark.group("l2")
@pytest.mark.parametrize("l2", [0.05, 1.0])
def test_l2_penalty(lg, sub, ref, check, rng, l2):
    X, y = lg.data(rng, 80, 5)
    X[:, 0] += 2.0  # a mean away from 0: the bias moves far from 0, so a penalty on it shows
    case = f"n=80, d=5, lr=0.5, n_iters=150, l2={l2} (grad_w gets + l2 * w; the bias is not regularised)"
    lg.compare_fit(check, ref, sub.fit(X, y, lr=0.5, n_iters=150, l2=l2), X, y, case, lr=0.5, n_iters=150, l2=l2)


@pytest.mark.group("large")
def test_large(lg, sub, ref, check, rng):
    X, y = lg.data(rng, 20_000, 16)
    lg.compare_fit(check, ref, sub.fit(X, y, lr=0.5, n_iters=300), X, y, "n=20000, d=16, lr=0.5, n_iters=300",
                   lr=0.5, n_iters=300)
