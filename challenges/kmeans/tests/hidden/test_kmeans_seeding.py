"""Hidden tests: k-means++ seeding (init=None), checked statistically: its quality against random
initialization, and the frequencies of its draws against their exact probabilities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

K = 10  # blobs, and clusters
SPACING = 100.0
SEEDS = 12  # candidate runs with init=None
RANDOM_RUNS = 24  # reference runs from k random data points


def separated_blobs(rng: torch.Generator) -> tuple[np.ndarray, np.ndarray]:
    """K tight blobs of unequal sizes on a shuffled 4x4 grid (spacing 100, unit noise): seeding matters a lot."""
    cells = torch.randperm(16, generator=rng)[:K]
    centers = torch.stack([cells // 4, cells % 4], dim=1).double() * SPACING
    sizes = torch.randint(8, 60, (K,), generator=rng)
    X = torch.cat([c + torch.randn(int(s), 2, generator=rng, dtype=torch.float64) for c, s in zip(centers, sizes)])
    return X[torch.randperm(len(X), generator=rng)].numpy(), centers.numpy()


def run_checked(km, sub, ref, check, X: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, float]:  # noqa: ANN001
    """One init=None run; its labels and inertia must agree with its own centroids."""
    case = f"init=None, seed={seed}, n={len(X)}, d=2, k={K}"
    centroids, labels, inertia, _ = km.unpack(sub.kmeans(X, K, seed=seed), case)
    C = km.centroids_array(centroids, K, 2, case)
    nearest, dist = ref.assign(X, C)
    check(labels, nearest, name=f"labels ({case}: the nearest of your final centroids)")
    check(inertia, torch.tensor(dist.sum(), dtype=torch.float64), dtype=torch.float64,
          name=f"inertia ({case}: the sum of squared distances to your final centroids)")
    return C, km.labels_array(labels, len(X), K, case), float(dist.sum())


@pytest.mark.group("kmeanspp")
def test_kmeanspp_beats_random_init(km, sub, ref, check, rng):
    X, centers = separated_blobs(rng)
    seeds = torch.randint(0, 2**31 - 1, (SEEDS,), generator=rng).tolist()
    ours = [run_checked(km, sub, ref, check, X, s)[2] for s in seeds]
    randoms = [ref.lloyd(X, km.pick_rows(rng, X, K), 100, 1e-4).inertia for _ in range(RANDOM_RUNS)]
    best = ref.lloyd(X, centers, 100, 1e-4).inertia
    mean, random_mean = float(np.mean(ours)), float(np.mean(randoms))
    assert mean <= 0.2 * random_mean, (
        f"k-means++ quality: on {K} well-separated blobs (n={len(X)}, d=2, k={K}) your mean inertia over "
        f"{SEEDS} seeds is {mean:.4g}; random initialization (k random data points) averages "
        f"{random_mean:.4g} and the best clustering has {best:.4g}. k-means++ must do clearly better than "
        f"random (at most a fifth of it): choose each next centroid with probability proportional to "
        f"D(x)², the squared distance to the nearest centroid chosen so far. Your inertias: "
        f"{', '.join(f'{v:.4g}' for v in ours)}")


@pytest.mark.group("kmeanspp")
def test_same_seed_same_result(km, sub, ref, check, rng):
    X, _ = separated_blobs(rng)
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=rng))
    C1, L1, _ = run_checked(km, sub, ref, check, X, seed)
    C2, L2, _ = run_checked(km, sub, ref, check, X, seed)
    case = f"two runs with init=None and the same seed={seed}"
    check(C2, C1, dtype=torch.float64, rtol=0.0, atol=0.0, name=f"centroids of the second run ({case})")
    check(L2, L1, name=f"labels of the second run ({case})")


ORDER_RUNS = 600  # init=None runs of the draw-order test


def four_points(rng: torch.Generator) -> np.ndarray:
    """Two close pairs, in d = 8 and shuffled: (0, 0.05 e0) and (0.15 e1, 0.15 e1 + 0.07 e0), rotated at random.

    Every D² is below 0.03 (their sum is below 1), and the third draw weighs a point near the first
    centroid against a point near the second: a D² that is wrong by a constant factor for some
    centroids and not others, or a threshold scaled wrongly, moves the frequencies far.
    """
    P = np.zeros((4, 8))
    P[1, 0], P[2, 1], P[3, 1], P[3, 0] = 0.05, 0.15, 0.15, 0.07
    Q, _ = torch.linalg.qr(torch.randn(8, 8, generator=rng, dtype=torch.float64))
    return (P @ Q.numpy())[torch.randperm(4, generator=rng).numpy()]


def order_probabilities(X: np.ndarray) -> dict[tuple[int, ...], float]:
    """The exact probability of every order in which k-means++ can draw all n points of X (k = n)."""
    n, probs = len(X), {}
    for order in itertools.permutations(range(n)):
        p, closest = 1.0 / n, ((X - X[order[0]]) ** 2).sum(axis=1)
        for i in order[1:]:
            p *= closest[i] / closest.sum()
            closest = np.minimum(closest, ((X - X[i]) ** 2).sum(axis=1))
        probs[order] = p
    return probs


@pytest.mark.group("kmeanspp")
def test_kmeanspp_draws_in_proportion_to_d2(km, sub, check, rng):
    """With k = n = 4 distinct points Lloyd moves nothing: the centroids come back in the order they were
    drawn, whose exact distribution follows from the rule (first uniform, then each ∝ D²)."""
    X = four_points(rng)
    probs = order_probabilities(X)
    seeds = torch.randint(0, 2**31 - 1, (ORDER_RUNS,), generator=rng).tolist()
    counts = dict.fromkeys(probs, 0)
    for seed in seeds:
        case = f"init=None, k=n=4 distinct points, seed={seed}"
        centroids, _, _, n_iters = km.unpack(sub.kmeans(X, 4, seed=seed), case)
        C = km.centroids_array(centroids, 4, 8, case)
        nearest = ((C[:, None, :] - X[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        check(C, X[nearest], dtype=torch.float64,
              name=f"centroids ({case}: each must be one of the data points, the one it was drawn at)")
        order = tuple(int(i) for i in nearest)
        assert sorted(order) == [0, 1, 2, 3] and n_iters == 1, (
            f"{case}: k-means++ must draw 4 different points (a drawn point has D² = 0, so it is never drawn "
            f"again) and Lloyd then moves nothing (n_iters 1); got the points {list(order)}, n_iters {n_iters}")
        counts[order] += 1
    # orders expected fewer than 5 times are pooled, so that the chi-square p-value is a sound one
    small = [o for o, p in probs.items() if p * ORDER_RUNS < 5]
    cells = [(counts[o], probs[o]) for o in probs if o not in small]
    if small:
        cells.append((sum(counts[o] for o in small), sum(probs[o] for o in small)))
    stat, pvalue = km.chi_square([c for c, _ in cells], [p for _, p in cells])
    worst = sorted(probs, key=lambda o: -abs(counts[o] - ORDER_RUNS * probs[o]) / np.sqrt(ORDER_RUNS * probs[o]))
    table = ", ".join(f"{list(o)}: {counts[o]} (expected {ORDER_RUNS * probs[o]:.1f})" for o in worst[:4])
    assert pvalue >= km.ALPHA, (
        f"k-means++ draw frequencies: over {ORDER_RUNS} seeds with k=n=4 (so the centroids are the points in the "
        f"order drawn), the orders do not follow the rule — the first point uniform, each next one with "
        f"probability proportional to D(x)², its squared distance to the nearest centroid drawn so far (chi-square "
        f"{stat:.1f}, p = {pvalue:.2g}). The orders farthest from their expected counts: {table}")


@pytest.mark.group("kmeanspp")
def test_default_seed_is_0(km, sub, ref, check, rng):
    X, _ = separated_blobs(rng)
    default = sub.kmeans(X, K)
    C0, L0, _ = run_checked(km, sub, ref, check, X, 0)
    case = "kmeans(X, k) against kmeans(X, k, seed=0): seed defaults to 0, so both must give the same result"
    centroids, labels, _, _ = km.unpack(default, case)
    check(centroids, C0, dtype=torch.float64, rtol=0.0, atol=0.0, name=f"centroids ({case})")
    check(labels, L0, name=f"labels ({case})")
