"""Public tests: the statement's example. Run them with `mlj test pca`."""

from __future__ import annotations

import numpy as np
import torch

from judge.runner import RuntimeFault

F64 = torch.float64
X = np.array([[2.0, 5.0], [-1.6, 0.2], [2.4, 2.2], [1.2, 0.6]])


def test_two_components(sub, check):
    components, variance, ratio, mean = sub.pca(X, 2)
    check(mean, np.array([1.0, 2.0]), dtype=F64, name="mean")
    check(components, np.array([[0.6, 0.8], [0.8, -0.6]]), dtype=F64,
          name="components (rows; the largest-magnitude entry of each is positive)")
    check(variance, np.array([20 / 3, 4 / 3]), dtype=F64, name="explained_variance (n - 1 = 3 in the denominator)")
    check(ratio, np.array([5 / 6, 1 / 6]), dtype=F64, name="explained_variance_ratio")


def test_one_component_ratio_is_over_the_total(sub, check):
    components, variance, ratio, _ = sub.pca(X, 1)
    check(components, np.array([[0.6, 0.8]]), dtype=F64, name="components")
    check(ratio, np.array([5 / 6]), dtype=F64, name="explained_variance_ratio (over the total variance 8, not 1)")


def test_transform_and_error(sub, check):
    projected = sub.transform(X, np.array([[0.6, 0.8], [0.8, -0.6]]), np.array([1.0, 2.0]))
    check(projected, np.array([[3.0, -1.0], [-3.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]), dtype=F64, name="transform")
    try:
        sub.pca(X, 3)
    except RuntimeFault as fault:
        assert fault.exc_type == "ValueError", f"pca(X, 3) must raise ValueError, not {fault.message}"
    else:
        raise AssertionError("pca(X, 3) must raise ValueError: n_components > min(n, d) = 2")
