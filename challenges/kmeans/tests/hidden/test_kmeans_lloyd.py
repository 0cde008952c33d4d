"""Hidden tests: Lloyd iterations from given centroids, the stopping rule, labels of the final centroids."""

from __future__ import annotations

import numpy as np
import pytest
import torch


@pytest.mark.group("lloyd")
@pytest.mark.parametrize("n,d,k,centers", [(300, 2, 4, 4), (500, 5, 6, 4), (400, 8, 3, 6), (250, 1, 5, 3)])
def test_lloyd_from_given_init(km, sub, ref, check, rng, n, d, k, centers):
    X = km.blobs(rng, n, d, centers)
    init = km.pick_rows(rng, X, k)
    case = f"Lloyd from the given init, n={n}, d={d}, k={k}, default max_iters and tol"
    km.compare(check, sub.kmeans(X, k, init=init), ref.lloyd(X, init, 100, 1e-4), case)


@pytest.mark.group("lloyd")
def test_statement_example(km, sub, ref, check):
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    init = np.array([[0.0], [1.0]])
    km.compare(check, sub.kmeans(X, 2, init=init), ref.lloyd(X, init, 100, 1e-4),
               "the statement's example X=[[0],[1],[10],[11]], init=[[0],[1]]")


@pytest.mark.group("lloyd")
def test_inertia_is_a_sum_of_squares(km, sub, ref, check):
    X = np.array([[0.0, 0.0], [0.0, 2.0], [5.0, 5.0], [5.0, 9.0]])
    init = np.array([[0.0, 0.0], [5.0, 5.0]])
    km.compare(check, sub.kmeans(X, 2, init=init), ref.lloyd(X, init, 100, 1e-4),
               "X=[[0,0],[0,2],[5,5],[5,9]], init=[[0,0],[5,5]]: centroids (0,1), (5,7), inertia 1+1+4+4 = 10")


def _slow_run(km, rng, n: int = 600):  # noqa: ANN001, ANN202
    """Overlapping blobs and a poor init: Lloyd needs many iterations, with shifts that shrink."""
    X = km.blobs(rng, n, 2, 3, spread=2.0)
    init = km.pick_rows(rng, X, 6)
    return X, init


@pytest.mark.group("convergence")
@pytest.mark.parametrize("when", ["early", "late"])
def test_stops_at_first_shift_within_tol(km, sub, ref, check, rng, when):
    for _ in range(20):
        X, init = _slow_run(km, rng)
        shifts = ref.lloyd(X, init, 500, 0.0).shifts
        # iterations t whose shift is clearly below every earlier one (a factor >= 1.4 either side of tol)
        good = [t for t in range(2, len(shifts) + 1)
                if 0 < shifts[t - 1] < 0.5 * min(shifts[: t - 1])]
        if good:
            break
    else:
        raise RuntimeError("no usable convergence case found")  # a bug in this test, never seen
    t = good[0] if when == "early" else good[-1]
    tol = float(np.sqrt(shifts[t - 1] * min(shifts[: t - 1])))
    want = ref.lloyd(X, init, 500, tol)
    case = (f"tol={tol:.4g}, max_iters=500, n=600, d=2, k=6: the max centroid shift is {shifts[t - 1]:.4g} "
            f"at iteration {t} and above {min(shifts[: t - 1]):.4g} before")
    km.compare(check, sub.kmeans(X, 6, init=init, max_iters=500, tol=tol), want, case, iters_first=True)


@pytest.mark.group("convergence")
@pytest.mark.parametrize("tol,n_iters", [(0.999, 3), (1.0, 2), (1.001, 2)])
def test_stop_rule_on_its_boundary(km, sub, ref, check, tol, n_iters):
    # exact in float64, and no point is ever equally near two centroids: the shifts are 1.5, exactly 1, then 0
    X = np.array([[0.0], [1.0], [3.0], [5.0]])
    init = np.array([[0.0], [1.5]])
    want = ref.lloyd(X, init, 100, tol)
    assert want.n_iters == n_iters and want.shifts[:2] == [1.5, 1.0]  # the case is what it says
    case = (f"X=[[0],[1],[3],[5]], init=[[0],[1.5]]: the max shifts are 1.5, 1, 0; tol={tol:g}: stop after "
            f"{n_iters} iterations (stop when shift <= tol, equality included)")
    km.compare(check, sub.kmeans(X, 2, init=init, tol=tol), want, case, iters_first=True)


@pytest.mark.group("convergence")
@pytest.mark.parametrize("tol,n_iters", [(2.999, 3), (3.0, 2), (3.001, 2)])
def test_stop_rule_on_its_boundary_in_3d(km, sub, ref, check, tol, n_iters):
    # the case above along u = (1, 2, 2), |u| = 3: every value is exact in float64 and the shifts are 4.5,
    # exactly 3, then 0 — over all three coordinates (a shift over one coordinate, or a mean over them, is less)
    u = np.array([1.0, 2.0, 2.0])
    X = np.array([[0.0], [1.0], [3.0], [5.0]]) * u
    init = np.array([[0.0], [1.5]]) * u
    want = ref.lloyd(X, init, 100, tol)
    assert want.n_iters == n_iters and want.shifts[:2] == [4.5, 3.0]  # the case is what it says
    case = (f"X = [0, 1, 3, 5] * (1, 2, 2), init = [0, 1.5] * (1, 2, 2): the max shifts are 4.5, 3, 0 (the Euclidean "
            f"norm over all d = 3 coordinates); tol={tol:g}: stop after {n_iters} iterations (stop when "
            f"shift <= tol, equality included)")
    km.compare(check, sub.kmeans(X, 2, init=init, tol=tol), want, case, iters_first=True)


@pytest.mark.group("convergence")
def test_shift_is_euclidean_not_squared(km, sub, ref, check):
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    init = np.array([[0.0], [0.1]])
    want = ref.lloyd(X, init, 100, 0.2)
    case = ("the statement's example scaled by 0.1, tol=0.2: the max shifts are 0.633, 0.317, 0, so 3 iterations "
            "(the shift is the Euclidean distance; its square 0.1 would stop after 2)")
    km.compare(check, sub.kmeans(X, 2, init=init, tol=0.2), want, case, iters_first=True)


@pytest.mark.group("convergence")
@pytest.mark.parametrize("max_iters", [1, 3])
def test_max_iters_caps_the_iterations(km, sub, ref, check, rng, max_iters):
    X, init = _slow_run(km, rng)
    want = ref.lloyd(X, init, max_iters, 0.0)
    km.compare(check, sub.kmeans(X, 6, init=init, max_iters=max_iters, tol=0.0), want,
               f"max_iters={max_iters}, tol=0 (stop after exactly {max_iters} iteration(s)), n=600, d=2, k=6",
               iters_first=True)


@pytest.mark.group("convergence")
def test_converged_init_takes_one_iteration(km, sub, ref, check, rng):
    X = km.blobs(rng, 300, 3, 4)
    C = ref.lloyd(X, km.pick_rows(rng, X, 4), 100, 0.0).centroids  # a fixed point of Lloyd
    want = ref.lloyd(X, C, 100, 1e-4)
    km.compare(check, sub.kmeans(X, 4, init=C), want,
               "init = centroids that Lloyd does not move: one iteration, shift 0", iters_first=True)


@pytest.mark.group("final_labels")
def test_labels_after_last_move_small(km, sub, ref, check):
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    init = np.array([[0.0], [1.0]])
    km.compare(check, sub.kmeans(X, 2, init=init, max_iters=1), ref.lloyd(X, init, 1, 1e-4),
               "max_iters=1 on the statement's example: the centroids move to [[0], [22/3]], then the labels "
               "must be recomputed for them: [0, 0, 1, 1]")


@pytest.mark.group("final_labels")
@pytest.mark.parametrize("max_iters", [1, 2, 4])
def test_labels_after_last_move(km, sub, ref, check, rng, max_iters):
    for _ in range(20):
        X, init = _slow_run(km, rng, n=400)
        before = ref.lloyd(X, init, max_iters - 1, 0.0).centroids if max_iters > 1 else init
        want = ref.lloyd(X, init, max_iters, 0.0)
        changed = int((ref.assign(X, before)[0] != want.labels).sum())
        if changed:
            break
    else:
        raise RuntimeError("no case where the last move changes labels")  # a bug in this test, never seen
    case = (f"max_iters={max_iters}, tol=0, n=400, d=2, k=6; the last centroid move changes the nearest "
            f"centroid of {changed} point(s)")
    km.compare(check, sub.kmeans(X, 6, init=init, max_iters=max_iters, tol=0.0), want, case)


@pytest.mark.group("convergence")
def test_default_max_iters_is_100(km, sub, ref, check, rng):
    """1000 points uniform on [0, 100), k = 20 centroids started at the 20 leftmost: Lloyd creeps, each
    iteration moving the centroids by ~0.3, far above the default tol, for well over 100 iterations."""
    n, k = 1000, 20
    for _ in range(20):
        X = torch.rand(n, 1, generator=rng, dtype=torch.float64).numpy() * 100
        init = np.sort(X, axis=0)[:k].copy()
        want = ref.lloyd(X, init, 100, 1e-4)
        if want.n_iters == 100 and min(want.shifts[-2:]) > 1e-2 and _no_near_ties(ref, X, init, 100):
            break
    else:
        raise RuntimeError("no slow case found")  # a bug in this test, never seen
    case = (f"n={n}, d=1, k={k}, init = the {k} leftmost points, default max_iters and tol: the shift is still "
            f"{want.shifts[-1]:.2g} at iteration 100, so it must stop there: max_iters defaults to 100")
    km.compare(check, sub.kmeans(X, k, init=init), want, case, iters_first=True)


def _no_near_ties(ref, X, C, iters: int) -> bool:  # noqa: ANN001
    """No point is nearly as near its second-nearest centroid as its nearest, in any of ``iters`` iterations."""
    for _ in range(iters):
        d2 = np.sort((X[:, None, :] - C[None, :, :]) ** 2 @ np.ones(X.shape[1]), axis=1)
        if (d2[:, 1] - d2[:, 0]).min() < 1e-6:
            return False
        labels, dist = ref.assign(X, C)
        C = ref.update(X, labels, dist, C.shape[0])
    return True
