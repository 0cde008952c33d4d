"""Public tests: small cases you can read. Run them with `mlj test kmeans`.

kmeans returns (centroids, labels, inertia, n_iters); NumPy arrays or torch tensors are both fine.
"""

from __future__ import annotations

import numpy as np
import torch


def _scalar(value):  # noqa: ANN001, ANN202
    """inertia / n_iters as a 0-d tensor (a NumPy scalar arrives as a one-element array)."""
    if isinstance(value, (int, float, np.number)):
        return torch.tensor(value, dtype=torch.float64 if isinstance(value, (float, np.floating)) else torch.int64)
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(np.array(value))
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.reshape(())
    return value


def _unpack(result, case):  # noqa: ANN001, ANN202
    assert isinstance(result, (tuple, list)) and len(result) == 4, (
        f"{case}: kmeans must return a tuple (centroids, labels, inertia, n_iters), got {type(result).__name__}")
    centroids, labels, inertia, n_iters = result
    n_iters = _scalar(n_iters)
    return centroids, labels, _scalar(inertia), int(n_iters) if isinstance(n_iters, torch.Tensor) else n_iters


def _f64(value: float) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64)


def test_statement_example(sub, check):
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    case = "X=[[0],[1],[10],[11]], k=2, init=[[0],[1]]"
    centroids, labels, inertia, n_iters = _unpack(sub.kmeans(X, 2, init=np.array([[0.0], [1.0]])), case)
    check(centroids, np.array([[0.5], [10.5]]), dtype=torch.float64, name=f"centroids ({case})")
    check(labels, np.array([0, 0, 1, 1]), name=f"labels ({case})")
    check(inertia, _f64(1.0), dtype=torch.float64, name=f"inertia ({case}: 4 x 0.5²)")
    assert n_iters == 3, f"{case}: n_iters = {n_iters}, expected 3 (shifts 6.33, 3.17, then 0 <= tol)"


def test_labels_are_for_the_final_centroids(sub, check):
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    case = "X=[[0],[1],[10],[11]], k=2, init=[[0],[1]], max_iters=1"
    result = sub.kmeans(X, 2, init=np.array([[0.0], [1.0]]), max_iters=1)
    centroids, labels, inertia, n_iters = _unpack(result, case)
    check(centroids, np.array([[0.0], [22.0 / 3.0]]), dtype=torch.float64, name=f"centroids ({case})")
    check(labels, np.array([0, 0, 1, 1]), name=f"labels ({case}: recomputed for the final centroids [[0], [22/3]])")
    check(inertia, _f64(1.0 + (10 - 22 / 3) ** 2 + (11 - 22 / 3) ** 2), dtype=torch.float64,
          name=f"inertia ({case})")
    assert n_iters == 1, f"{case}: n_iters = {n_iters}, expected 1"


def test_two_squares(sub, check):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [5, 5], [5, 6], [6, 5], [6, 6]], dtype=np.float64)
    case = "two unit squares, k=2, init=[[0,0],[6,6]]"
    centroids, labels, inertia, n_iters = _unpack(sub.kmeans(X, 2, init=np.array([[0.0, 0.0], [6.0, 6.0]])), case)
    check(centroids, np.array([[0.5, 0.5], [5.5, 5.5]]), dtype=torch.float64, name=f"centroids ({case})")
    check(labels, np.array([0, 0, 0, 0, 1, 1, 1, 1]), name=f"labels ({case})")
    check(inertia, _f64(4.0), dtype=torch.float64, name=f"inertia ({case}: 8 points x 0.5, squared distances)")
    assert n_iters == 2, f"{case}: n_iters = {n_iters}, expected 2"


def test_empty_cluster(sub, check):
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0], [4.0, 0.0]])
    case = "k=2, init=[[0,0],[100,100]], max_iters=1: cluster 1 is empty in iteration 1"
    result = sub.kmeans(X, 2, init=np.array([[0.0, 0.0], [100.0, 100.0]]), max_iters=1)
    centroids, labels, _, _ = _unpack(result, case)
    # every point goes to centroid 0; the farthest from it is [4, 0] (squared distance 16): cluster 1 restarts there
    check(centroids, np.array([[1.25, 0.75], [4.0, 0.0]]), dtype=torch.float64,
          name=f"centroids ({case}; it must be re-seeded at the point farthest from its centroid, [4, 0])")
    check(labels, np.array([0, 0, 0, 1]), name=f"labels ({case})")


def test_kmeanspp_runs(sub, check):
    X = np.array([[0, 0], [0, 1], [1000, 1000], [1000, 1001], [-1000, 1000], [-1000, 1001]], dtype=np.float64)
    case = "three far-apart pairs, k=3, init=None, seed=0 (k-means++ finds one pair per cluster)"
    _, _, inertia, _ = _unpack(sub.kmeans(X, 3, seed=0), case)
    check(inertia, _f64(1.5), dtype=torch.float64, name=f"inertia ({case}: 6 x 0.5²)")
