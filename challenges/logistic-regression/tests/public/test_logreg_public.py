"""Public tests: small cases you can read. Run them with `mlj test logistic-regression`."""

from __future__ import annotations

import numpy as np
import torch

X = np.array([[0.0], [1.0], [2.0], [3.0]])
Y = np.array([0, 0, 1, 1], dtype=np.int64)


def _b(value):  # noqa: ANN001, ANN202
    """b as a 0-d float64 array (a Python float, a NumPy scalar or a 0-d array are all accepted)."""
    return np.asarray(value, dtype=np.float64).reshape(())


def test_one_and_two_steps(sub, check):
    w, b = sub.fit(X, Y, lr=0.1, n_iters=1)
    check(w, np.array([0.05]), dtype=torch.float64, name="w after one step (grad_w = -0.5)")
    check(_b(b), np.float64(0.0), dtype=torch.float64, name="b after one step (grad_b = 0)")
    w, b = sub.fit(X, Y, lr=0.1, n_iters=2)
    check(w, np.array([0.0956313673132]), dtype=torch.float64, name="w after two steps")
    check(_b(b), np.float64(-0.00187266073267), dtype=torch.float64, atol=1e-9, name="b after two steps")


def test_hundred_steps_and_l2(sub, check):
    w, b = sub.fit(X, Y, lr=0.5, n_iters=100)
    check(w, np.array([2.53481884193]), dtype=torch.float64, atol=1e-9, name="w, lr=0.5, n_iters=100")
    check(_b(b), np.float64(-3.44277376764), dtype=torch.float64, atol=1e-9, name="b, lr=0.5, n_iters=100")
    w, b = sub.fit(X, Y, lr=0.5, n_iters=100, l2=0.1)
    check(w, np.array([1.45067625246]), dtype=torch.float64, atol=1e-9, name="w, l2=0.1 (grad_w += l2 * w)")


def test_extreme_scores_and_threshold(sub, check):
    Z = np.array([[-1000.0], [0.0], [1000.0]])
    check(sub.predict_proba(Z, np.array([1.0]), 0.0), np.array([0.0, 0.5, 1.0]), rtol=0.0, atol=0.0,
          dtype=torch.float64, name="predict_proba at z = -1000, 0, 1000 (exactly 0, 0.5, 1; no NaN)")
    check(sub.predict(Z, np.array([1.0]), 0.0), np.array([0, 1, 1]), name="predict at z = -1000, 0, 1000 (z = 0 -> 1)")
