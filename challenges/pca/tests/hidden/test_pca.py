"""Hidden tests of pca and transform: components, variances, the projection, errors, inputs, a large case.

Each group checks its own part of the result (the components group the components and the mean, the
variance group the variances and ratios, the transform group transform() given the reference's components),
so that one mistake costs one group. Expected values are the reference's, run here on the same data.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64
EXAMPLE = np.array([[2.0, 5.0], [-1.6, 0.2], [2.4, 2.2], [1.2, 0.6]])


# -- components ----------------------------------------------------------------------------------------------

@pytest.mark.group("components")
@pytest.mark.parametrize("k", [2, 1])
def test_statement_example(pc, sub, ref, check, k):
    case = f"the statement's example, n_components={k}"
    got = pc.call_pca(sub, EXAMPLE.copy(), k, case)
    pc.compare_components(check, got[0], EXAMPLE, np.array([[0.6, 0.8], [0.8, -0.6]])[:k], case)
    check(got[3], np.array([1.0, 2.0]), dtype=F64, name=f"mean ({case})")


@pytest.mark.group("components")
@pytest.mark.parametrize(("n", "d", "k"), [(50, 5, 3), (30, 8, 8), (200, 12, 4)])
def test_components(pc, sub, ref, check, rng, n, d, k):
    X = pc.telling(ref, rng, n, d, k)
    case = f"n={n}, d={d}, n_components={k}"
    got = pc.call_pca(sub, X, k, case)
    want = ref.pca(X, k)
    pc.compare_components(check, got[0], X, want[0], case)
    check(got[3], want[3], dtype=F64, name=f"mean ({case})")


@pytest.mark.group("components")
def test_more_features_than_samples(pc, sub, ref, check, rng):
    n, d, k = 8, 20, 5
    X = pc.telling(ref, rng, n, d, k)
    case = f"d > n: n={n}, d={d}, n_components={k}"
    got = pc.call_pca(sub, X, k, case)
    want = ref.pca(X, k)
    pc.compare_components(check, got[0], X, want[0], case)
    check(got[3], want[3], dtype=F64, name=f"mean ({case})")


# -- variance ------------------------------------------------------------------------------------------------

@pytest.mark.group("variance")
@pytest.mark.parametrize(("n", "d", "k"), [(60, 6, 2), (25, 10, 4), (9, 16, 3)])
def test_variances_and_ratios(pc, sub, ref, check, rng, n, d, k):
    X = pc.data(ref, rng, n, d, k)
    case = f"n={n}, d={d}, n_components={k}"
    got = pc.call_pca(sub, X, k, case)
    want = ref.pca(X, k)
    pc.compare_variances(check, got[1], got[2], X, want[1], want[2], case)


@pytest.mark.group("variance")
def test_statement_example_variances(pc, sub, ref, check):
    for k, var, ratio in ((2, [20 / 3, 4 / 3], [5 / 6, 1 / 6]), (1, [20 / 3], [5 / 6])):
        case = f"the statement's example, n_components={k} (total variance 8)"
        got = pc.call_pca(sub, EXAMPLE.copy(), k, case)
        pc.compare_variances(check, got[1], got[2], EXAMPLE, np.array(var), np.array(ratio), case)


# -- transform -----------------------------------------------------------------------------------------------

def uncentred(got: np.ndarray, X: np.ndarray, comps: np.ndarray, case: str) -> None:
    if np.allclose(got, X @ comps.T, rtol=1e-7, atol=1e-9):
        raise AssertionError(f"{case}: yours is X @ components.T; centre with the training mean first: "
                             f"(X - mean) @ components.T")


@pytest.mark.group("transform")
def test_transform_statement_example(sub, ref, check):
    comps, mean = np.array([[0.6, 0.8], [0.8, -0.6]]), np.array([1.0, 2.0])
    got = sub.transform(EXAMPLE.copy(), comps, mean)
    uncentred(got, EXAMPLE, comps, "transform of the statement's example")
    check(got, np.array([[3.0, -1.0], [-3.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]),
          dtype=F64, name="transform of the statement's example ((X - mean) @ components.T)")


@pytest.mark.group("transform")
@pytest.mark.parametrize(("n", "d", "k", "m"), [(40, 6, 3, 40), (40, 6, 3, 7), (10, 15, 4, 1)])
def test_transform(pc, sub, ref, check, rng, n, d, k, m):
    X = pc.data(ref, rng, n, d, k)
    comps, _, _, mean = ref.pca(X, k)
    new = X if m == n else pc.data(ref, rng, m, d, 1) if m > 1 else X[:1] + 1.5
    case = f"transform of {'the training data' if m == n else f'{m} new rows'}, d={d}, k={k}"
    got = sub.transform(new, comps, mean)
    uncentred(got, new, comps, case)
    check(got, ref.transform(new, comps, mean), dtype=F64,
          name=f"{case} ((X - mean) @ components.T: centre with the training mean first)")


# -- errors --------------------------------------------------------------------------------------------------

@pytest.mark.group("errors")
@pytest.mark.parametrize(("n", "d"), [(10, 4), (5, 9)])
def test_bad_n_components(pc, sub, ref, rng, n, d):
    X = pc.data(ref, rng, n, d, 1)
    for k in (0, min(n, d) + 1, -1):
        what = f"pca(X, {k}) with n={n}, d={d} (1 <= n_components <= min(n, d) = {min(n, d)})"
        try:
            sub.pca(X, k)
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
            continue
        except WrongOutputFault as fault:
            raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
        raise AssertionError(f"{what}: expected ValueError, but the call returned normally")


@pytest.mark.group("errors")
def test_n_components_equal_to_min(pc, sub, ref, check, rng):
    n, d = 12, 4
    X = pc.data(ref, rng, n, d, d)
    case = f"n={n}, d={d}, n_components = min(n, d) = {d} (allowed)"
    got = pc.call_pca(sub, X, d, case)
    want = ref.pca(X, d)
    pc.compare_components(check, got[0], X, want[0], case)
    pc.compare_variances(check, got[1], got[2], X, want[1], want[2], case)


# -- rank deficient ------------------------------------------------------------------------------------------

@pytest.mark.group("rank_deficient")
@pytest.mark.parametrize(("n", "d"), [(6, 15), (5, 5)])
def test_as_many_components_as_samples(pc, sub, ref, check, rng, n, d):
    X = pc.data(ref, rng, n, d, n - 1)
    case = f"n={n}, d={d}, n_components = n = {n}: the centred data has rank {n - 1}"
    comps, var, ratio, mean = pc.call_pca(sub, X, n, case)
    want = ref.pca(X, n)
    pc.compare_components(check, comps[: n - 1], X, want[0][: n - 1], case + ", the first n - 1 components")
    last = comps[n - 1]
    check(np.float64(np.linalg.norm(last)), np.float64(1.0), dtype=F64, name=f"the norm of the last component ({case})")
    check(comps[: n - 1] @ last, np.zeros(n - 1), dtype=F64, allow_constant=True,
          name=f"the last component's dot products with the others ({case}: orthogonal)")
    big = int(np.argmax(np.abs(last)))
    assert last[big] > 0, (f"{case}: the last component's entry of largest absolute value ({last[big]:.6g}, at {big}) "
                           f"must be positive (the sign convention applies to it too)")
    scale = float(want[1][0])
    check(var, want[1], dtype=F64, atol=1e-9 * scale, name=f"explained_variance ({case}: the last is 0)")
    check(ratio, want[2], dtype=F64, atol=1e-9, name=f"explained_variance_ratio ({case}: the last is 0)")


# -- inputs --------------------------------------------------------------------------------------------------

@pytest.mark.group("inputs")
def test_x_is_not_modified(pc, sub, ref, check, rng):
    """X is made inside the worker and handed over as it is (not a copy), then read back.

    This is a probe inside the worker (the statement says so): what it reads is what the array holds there.
    """
    X = pc.data(ref, rng, 30, 5, 3)
    remote = sub.support("pca_probe").keep.new(X)
    comps, _, _, mean = pc.call_pca(sub, remote, 3, "n=30, d=5, n_components=3, X kept in your process")
    check(remote.copy(), X, rtol=0.0, atol=0.0, name="X after pca returned (do not modify X in place)")
    sub.transform(remote, comps, mean)
    check(remote.copy(), X, rtol=0.0, atol=0.0, name="X after transform returned (do not modify X in place)")


# -- large ---------------------------------------------------------------------------------------------------

@pytest.mark.group("large")
def test_large(pc, sub, ref, check, rng):
    n, d, k = 5000, 140, 5
    X = pc.data(ref, rng, n, d, k)
    case = f"n={n}, d={d}, n_components={k}"
    got = pc.call_pca(sub, X, k, case)
    want = ref.pca(X, k)
    pc.compare_components(check, got[0], X, want[0], case)
    pc.compare_variances(check, got[1], got[2], X, want[1], want[2], case)
