"""Hidden tests: k-means++ seeding (init=None), checked statistically against random initialization."""

from __future__ import annotations

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
