"""Hidden tests of predict_proba and predict: stability on huge scores, the 0.5 threshold, the inputs.

The scores ``z = X @ w + b`` of these tests are built exactly (integers and halves, exact in float64), so
that a score meant to be 0, or 1000, is exactly that whatever order the submission sums in.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

PROBE = "logreg_probe"
HUGE = np.array([-1000.0, -800.0, -745.5, -709.5, -50.0, -1.0, 0.0, 1.0, 50.0, 709.5, 745.5, 800.0, 1000.0])


def scores_input(z: np.ndarray, rng: torch.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """(X, w, b) with X @ w + b == z exactly: X = [z + 2 - c, c] with integer c and w = [1, 1], b = -2."""
    c = torch.randint(-3, 4, (len(z),), generator=rng).double().numpy()
    return np.stack([z + 2.0 - c, c], axis=1), np.array([1.0, 1.0]), -2.0


# -- stability ---------------------------------------------------------------------------------------------

@pytest.mark.group("stability")
def test_extreme_scores(sub, ref, check, rng):
    X, w, b = scores_input(HUGE, rng)
    p = sub.predict_proba(X, w, b)
    case = f"predict_proba at scores z = {HUGE.tolist()}"
    want = ref.predict_proba(X, w, b)
    if np.isnan(p).any():
        bad = HUGE[np.isnan(p)].tolist()
        raise AssertionError(f"{case}: NaN at z = {bad}: exp(z) / (1 + exp(z)) is inf / inf there; use exp(-|z|)")
    ends = np.abs(HUGE) >= 800
    check(p[ends], want[ends], rtol=0.0, atol=0.0, dtype=torch.float64,
          name=f"{case}, at |z| >= 800 (exactly 0.0 and 1.0, what the true values round to)")
    check(p, want, dtype=torch.float64, name=case)


@pytest.mark.group("stability")
def test_fit_with_huge_scores(lg, sub, ref, check, rng):
    # features of size ~300 and lr=1: after the first step the scores are in the tens of thousands
    X, y = lg.data(rng, 60, 3, scale=300.0)
    case = "n=60, d=3, features ~300 (scores reach |z| > 10,000 from the second step), lr=1.0, n_iters=30"
    got = lg.weights(sub.fit(X, y, lr=1.0, n_iters=30))
    if not (np.isfinite(got[0]).all() and np.isfinite(got[1])):
        lg.fail(f"{case}: fit returned NaN or inf: the sigmoid in fit must not overflow either (use exp(-|z|))")
    lg.compare_fit(check, ref, got, X, y, case, lr=1.0, n_iters=30)


@pytest.mark.group("stability")
def test_no_overflow_warning(sub, rng):
    # in-worker probe: logreg_probe.proba_warnings records what NumPy warns while predict_proba runs there
    z = np.array([-1000.0, -750.0, -1.0, 0.0, 1.0, 750.0, 1000.0])
    X, w, b = scores_input(z, rng)
    warned = sub.support(PROBE).proba_warnings(X, w, b)
    if warned:
        raise AssertionError(f"predict_proba at scores z = {z.tolist()} made NumPy warn: {'; '.join(warned[:3])}. "
                             f"1 / (1 + exp(-z)) overflows for z < -709: compute from exp(-|z|), which never "
                             f"exceeds 1")


# -- predict -------------------------------------------------------------------------------------------------

@pytest.mark.group("predict")
def test_threshold_on_its_boundary(sub, ref, check, rng):
    # z exactly 0 (p exactly 0.5) must be labelled 1; z = -2^-30 and +2^-30 (p just below and above 0.5)
    z = np.array([0.0, -(2.0**-30), 2.0**-30, 0.0, -3.0, 3.0])
    X, w, b = scores_input(z, rng)
    case = f"predict at scores z = {z.tolist()} (p >= 0.5 is 1: z = 0, p = 0.5 exactly, is labelled 1)"
    check(sub.predict_proba(X, w, b), ref.predict_proba(X, w, b), dtype=torch.float64,
          name=f"predict_proba at scores z = {z.tolist()}")
    check(sub.predict(X, w, b), np.array([1, 0, 1, 1, 0, 1]), name=case)


@pytest.mark.group("predict")
def test_threshold_on_scores_whose_probability_rounds_to_half(sub, ref, check):
    # the rule is on the probability: sigmoid(-1e-17) is exactly 0.5 in float64, so the label is 1 (a
    # threshold on the score, z >= 0, gives 0)
    # (|z| <= 1e-17: exp(z), exp(-z) and 1 + tanh(z / 2) all round to what gives exactly 0.5, whatever the
    # stable formula)
    X, w, b = np.array([[-1e-17], [1e-17], [-1e-300]]), np.array([1.0]), 0.0
    check(sub.predict_proba(X, w, b), ref.predict_proba(X, w, b), dtype=torch.float64,
          name="predict_proba at scores z = -1e-17, 1e-17, -1e-300")
    check(sub.predict(X, w, b), np.array([1, 1, 1]),
          name="predict at scores z = -1e-17, 1e-17, -1e-300 (each p is exactly 0.5 in float64: labelled 1, the "
               "rule is p >= 0.5, not z >= 0)")


@pytest.mark.group("predict")
def test_predict_matches_reference(lg, sub, ref, check, rng):
    X, y = lg.data(rng, 200, 6)
    w, b = ref.fit(X, y, lr=0.5, n_iters=50)
    far = np.abs(X @ w + b) > 1e-6  # no score so near 0 that the order of the sum could move it across
    X = X[far]
    check(sub.predict_proba(X, w, b), ref.predict_proba(X, w, b), dtype=torch.float64,
          name=f"predict_proba on {len(X)} samples, d=6")
    check(sub.predict(X, w, b), ref.predict(X, w, b), name=f"predict on {len(X)} samples, d=6 (1 where p >= 0.5)")


# -- inputs -------------------------------------------------------------------------------------------------

@pytest.mark.group("inputs")
@pytest.mark.parametrize("labels", ["int64", "float64"])
def test_inputs_not_modified(lg, sub, ref, check, rng, labels):
    """X, y and w are made inside the worker and handed over as they are (not copies), then read back.

    This is a probe inside the worker (the statement says so): what it reads is what the arrays hold there.
    """
    X, y = lg.data(rng, 30, 4, label_dtype=np.dtype(labels))
    keep = sub.support(PROBE).keep
    remote_X, remote_y = keep.new(X), keep.new(y)
    w, b = lg.weights(sub.fit(remote_X, remote_y, lr=0.5, n_iters=20))
    check(remote_y.copy(), y, rtol=0.0, atol=0.0, name=f"y ({labels}) after fit returned (do not modify y in place)")
    check(remote_X.copy(), X, rtol=0.0, atol=0.0, name="X after fit returned (do not modify X in place)")
    remote_w = keep.new(w)
    sub.predict_proba(remote_X, remote_w, b)
    sub.predict(remote_X, remote_w, b)
    check(remote_X.copy(), X, rtol=0.0, atol=0.0, name="X after predict_proba and predict (do not modify X)")
    check(remote_w.copy(), w, rtol=0.0, atol=0.0, name="w after predict_proba and predict (do not modify w)")
