"""Hidden tests: empty clusters (the re-seeding rule) and edge cases (duplicates, k = 1, k = n)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

RULE = ("an empty cluster takes the point farthest from its assigned centroid; several empty clusters, in "
        "increasing index, take the 1st, 2nd, ... farthest; equal distances: lower point index first")


def _int_points(rng: torch.Generator, m: int, d: int, low: int = -50, high: int = 50) -> np.ndarray:
    """m distinct integer points (as float64): every distance on them is exact in float64."""
    while True:
        P = torch.randint(low, high + 1, (m, d), generator=rng).double().numpy()
        if len(np.unique(P, axis=0)) == m:
            return P


@pytest.mark.group("empty_clusters")
@pytest.mark.parametrize("far", [[1], [0, 3], [1, 2, 4]])
def test_empty_clusters_are_reseeded(km, sub, ref, check, rng, far):
    k = 5
    X = km.blobs(rng, 200, 3, k - len(far))
    init = np.empty((k, 3))
    near = [j for j in range(k) if j not in far]
    init[near] = km.pick_rows(rng, X, len(near))
    for i, j in enumerate(far):
        init[j] = 1000.0 * (i + 1)  # no point is nearest to it: cluster j is empty in iteration 1
    case = f"n=200, d=3, k={k}; init centroid(s) {far} far from every point ({RULE})"
    km.compare(check, sub.kmeans(X, k, init=init), ref.lloyd(X, init, 100, 1e-4), case)


@pytest.mark.group("empty_clusters")
def test_empty_cluster_farthest_point_ties(km, sub, ref, check, rng):
    # 8 points at squared distance 25 from the origin, 4 at the origin, shuffled: the farthest
    # points tie exactly, and the empty cluster must take the one with the lowest index
    ring = np.array([[5, 0], [-5, 0], [0, 5], [0, -5], [3, 4], [-3, 4], [4, -3], [-4, -3]], dtype=np.float64)
    X = np.concatenate([ring, np.zeros((4, 2))])[torch.randperm(12, generator=rng).numpy()]
    init = np.array([[0.0, 0.0], [90.0, 90.0]])
    first = int(np.flatnonzero((X**2).sum(1) == 25)[0])
    case = (f"integer data, 8 points tie as farthest (squared distance 25) from centroid 0, cluster 1 empty: "
            f"it must be re-seeded at point {first} ({RULE})")
    km.compare(check, sub.kmeans(X, 2, init=init, max_iters=1), ref.lloyd(X, init, 1, 1e-4), case + ", max_iters=1")
    km.compare(check, sub.kmeans(X, 2, init=init), ref.lloyd(X, init, 100, 1e-4), case)


@pytest.mark.group("edge_cases")
def test_duplicate_points(km, sub, ref, check, rng):
    P = _int_points(rng, 4, 2)
    reps = torch.randint(1, 6, (4,), generator=rng).numpy()
    X = np.repeat(P, reps, axis=0)[torch.randperm(int(reps.sum()), generator=rng).numpy()]
    init = P[torch.randperm(4, generator=rng).numpy()]
    km.compare(check, sub.kmeans(X, 4, init=init), ref.lloyd(X, init, 100, 1e-4),
               f"duplicate points: 4 integer points repeated {reps.tolist()} times, init = the 4 points")
    # every point repeated r in {2, 4} times: each mean is over 2, 4 or 8 equal-ish integers, exact in float64
    r = 2 * int(torch.randint(1, 3, (1,), generator=rng))
    X = np.repeat(P, r, axis=0)[torch.randperm(4 * r, generator=rng).numpy()]
    init = P[[0, 0, 1, 2]]
    km.compare(check, sub.kmeans(X, 4, init=init), ref.lloyd(X, init, 100, 1e-4),
               f"4 integer points repeated {r} times each, init = [p0, p0, p1, p2]: ties go to centroid 0, "
               f"so cluster 1 is empty in iteration 1 and re-seeded ({RULE})")


@pytest.mark.group("edge_cases")
def test_k_equals_1(km, sub, ref, check, rng):
    X = km.blobs(rng, 150, 4, 3)
    init = km.pick_rows(rng, X, 1)
    km.compare(check, sub.kmeans(X, 1, init=init), ref.lloyd(X, init, 100, 1e-4), "k=1, n=150, d=4, given init")
    centroids, labels, inertia, _ = km.unpack(sub.kmeans(X, 1, seed=3), "k=1, init=None")
    mean = X.mean(axis=0, keepdims=True)
    check(centroids, mean, dtype=torch.float64, name="centroids (k=1, init=None: the mean of X)")
    check(labels, np.zeros(150, dtype=np.int64), name="labels (k=1, init=None: all 0)")
    check(inertia, torch.tensor(((X - mean) ** 2).sum(), dtype=torch.float64), dtype=torch.float64,
          name="inertia (k=1, init=None: the sum of squared distances to the mean)")


@pytest.mark.group("edge_cases")
def test_k_equals_n(km, sub, ref, check, rng):
    n = 12
    X = torch.randn(n, 3, generator=rng, dtype=torch.float64).numpy()
    init = X[torch.randperm(n, generator=rng).numpy()]
    km.compare(check, sub.kmeans(X, n, init=init), ref.lloyd(X, init, 100, 1e-4),
               f"k=n={n}, init = the points in another order: one iteration, inertia 0")
    case = f"k=n={n}, init=None (k-means++ picks every point once)"
    centroids, labels, inertia, n_iters = km.unpack(sub.kmeans(X, n, seed=5), case)
    C = km.centroids_array(centroids, n, 3, case)
    L = km.labels_array(labels, n, n, case)
    check(np.sort(L), np.arange(n), name=f"sorted labels ({case}: one point per cluster)")
    check(C[L], X, dtype=torch.float64, name=f"centroids[labels] ({case}: each point is its own centroid)")
    check(inertia, torch.tensor(0.0, dtype=torch.float64), dtype=torch.float64, name=f"inertia ({case})")
    assert n_iters == 1, f"{case}: n_iters = {n_iters}, expected 1 (the first update moves nothing: shift 0)"


@pytest.mark.group("edge_cases")
def test_k_equals_n_with_duplicates_kmeanspp(km, sub, ref, check, rng):
    P = _int_points(rng, 3, 2)
    X = np.repeat(P, [3, 2, 2], axis=0)[torch.randperm(7, generator=rng).numpy()]
    case = ("k=n=7, init=None, 3 distinct integer points repeated: once they are all chosen every D(x)² is 0 "
            "and k-means++ must choose uniformly")
    centroids, labels, inertia, _ = km.unpack(sub.kmeans(X, 7, seed=11), case)
    C = km.centroids_array(centroids, 7, 2, case)
    check(labels, ref.assign(X, C)[0],
          name=f"labels ({case}: the nearest of your final centroids, ties to the lowest index)")
    check(inertia, torch.tensor(0.0, dtype=torch.float64), dtype=torch.float64,
          name=f"inertia ({case}: every point coincides with a centroid)")


@pytest.mark.group("inputs")
def test_x_and_init_are_not_modified(km, data, sub, ref, check, rng):
    """X and init are made inside the worker and handed to kmeans as they are (not copies), then read back.

    This is a probe inside the worker (the statement says so): what it reads is what the arrays hold there.
    """
    n, d, k = 400, 3, 5
    seeds = torch.randint(0, 2**31 - 1, (2,), generator=rng).tolist()
    make = sub.support("kmeans_data").uniform
    remote_X, remote_init = make.new(seeds[0], n, d), make.new(seeds[1], k, d)
    X, init = data.uniform(seeds[0], n, d), data.uniform(seeds[1], k, d)
    km.unpack(sub.kmeans(remote_X, k, init=remote_init), f"n={n}, d={d}, k={k}, uniform data, given init")
    # only the inputs are checked here: the values are the other groups' business
    check(remote_init.copy(), init, rtol=0.0, atol=0.0,
          name="init after kmeans returned (do not modify init in place: copy it before updating centroids)")
    check(remote_X.copy(), X, rtol=0.0, atol=0.0, name="X after kmeans returned (do not modify X in place)")


ZERO_RUNS = 200  # init=None runs of the all-D²-zero test


@pytest.mark.group("edge_cases")
def test_all_d2_zero_draws_uniformly(km, sub, ref, check, rng):
    """Points a, a, a, b (shuffled), k = 3: after a and b are drawn every D² is 0, and the third centroid is a
    uniform draw: a with probability 3/4. It duplicates a drawn centroid, so it is empty in iteration 1 and
    re-seeded at point 0 (every distance is 0: lowest index first). That moves it, and costs a second
    iteration, exactly when its value is not that of point 0: n_iters = 1 with probability (copies of X[0]) / 4."""
    a, b = _int_points(rng, 2, 2)
    X = np.stack([a, a, a, b])[torch.randperm(4, generator=rng).numpy()]
    share = float((X[0] == X).all(axis=1).mean())
    seeds = torch.randint(0, 2**31 - 1, (ZERO_RUNS,), generator=rng).tolist()
    one = 0
    for seed in seeds:
        case = f"X={X.astype(int).tolist()}, k=3, init=None, seed={seed}"
        centroids, labels, inertia, n_iters = km.unpack(sub.kmeans(X, 3, seed=seed), case)
        C = km.centroids_array(centroids, 3, 2, case)
        check(C[2], X[0], dtype=torch.float64, name=f"centroid 2 ({case}: a duplicate of a drawn centroid, so "
                                                    f"empty in iteration 1 and re-seeded at point 0)")
        check(np.sort(C[:2], axis=0), np.sort(np.stack([a, b]), axis=0), dtype=torch.float64,
              name=f"centroids 0 and 1 ({case}: the two distinct points, in the order drawn)")
        check(labels, ref.assign(X, C)[0], name=f"labels ({case}: the nearest centroid, ties to the lowest index)")
        check(inertia, torch.tensor(0.0, dtype=torch.float64), dtype=torch.float64, name=f"inertia ({case})")
        assert n_iters in (1, 2), f"{case}: n_iters = {n_iters}, expected 1 or 2"
        one += n_iters == 1
    stat, pvalue = km.chi_square([one, ZERO_RUNS - one], [share, 1 - share])
    assert pvalue >= km.ALPHA, (
        f"X={X.astype(int).tolist()}, k=3, init=None, over {ZERO_RUNS} seeds: once a and b are drawn every D(x)² "
        f"is 0 and the third centroid must be drawn uniformly among the 4 points, so it is a copy of point 0 "
        f"(n_iters 1: the re-seeding at point 0 moves nothing) in {share:.0%} of the runs; yours did so in "
        f"{one} of {ZERO_RUNS} (chi-square {stat:.1f}, p = {pvalue:.2g}). When every D(x)² is zero, choose "
        f"uniformly among all the points")
