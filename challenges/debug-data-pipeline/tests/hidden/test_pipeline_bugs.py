"""Hidden tests for debug-data-pipeline: one scoring group per planted bug.

Each group judges its own rule from what comes back, on the rows the submission put in each split
(``pipeline_checks.run`` traces every returned row to the row of X it came from): the other bugs either
do not show in its check or are judged on those same rows, so every fix earns its points on its own.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

F64 = torch.float64
SEED_RANGE = 2**31 - 1


def draw_seed(rng: torch.Generator) -> int:
    return int(torch.randint(0, SEED_RANGE, (1,), generator=rng))


# -- split_size ----------------------------------------------------------------------------------------------

@pytest.mark.group("split_size")
@pytest.mark.parametrize("n", [39, 40, 41, 30])
def test_split_sizes(dp, sub, rng, n):
    # val_fraction * n = 9.75, 10 exactly, 10.25 and 7.5: on the ceil boundary and on each side of it
    fraction, seed = 0.25, draw_seed(rng)
    X, y = dp.data(rng, n, fraction, seed)
    got = dp.run(sub, X, y, fraction, seed)
    want = dp.n_val_of(n, fraction)
    product = fraction * n
    if len(got.val_ids) != want or len(got.train_ids) != n - want:
        words = " (rounded down: round UP, math.ceil)" if len(got.val_ids) == int(product) else ""
        dp.fail(f"n={n}, val_fraction={fraction}: X_val has {len(got.val_ids)} rows and X_train "
                f"{len(got.train_ids)}; expected n_val = ceil({fraction} * {n}) = ceil({product:g}) = {want} and "
                f"n_train = {n - want}{words}")


# -- leakage -------------------------------------------------------------------------------------------------

@pytest.mark.group("leakage")
@pytest.mark.parametrize("n", [30, 48])
def test_validation_rows_are_not_training_rows(dp, sub, rng, n):
    fraction, seed = 0.25, draw_seed(rng)
    X, y = dp.data(rng, n, fraction, seed)
    got = dp.run(sub, X, y, fraction, seed)
    both = np.intersect1d(got.train_ids, got.val_ids)
    if both.size:
        dp.fail(f"n={n}: {both.size} of the {len(got.val_ids)} validation rows are also in X_train (leakage): the "
                f"training rows are the rest of the SAME permutation, perm[n_val:], not a separate draw")
    if len(np.unique(got.train_ids)) != len(got.train_ids):
        dp.fail(f"n={n}: X_train holds some row of X more than once")
    perm, m = dp.permutation(n, seed), len(got.val_ids)
    if not (np.array_equal(got.val_ids, perm[:m]) and np.array_equal(got.train_ids, perm[m:])):
        dp.fail(f"n={n}, seed={seed}: the rows are not split as perm = np.random.default_rng(seed).permutation(n) "
                f"orders them: X_val must be the rows perm[:n_val] and X_train the rows perm[n_val:], in that order")


# -- labels --------------------------------------------------------------------------------------------------

@pytest.mark.group("labels")
@pytest.mark.parametrize("n", [30, 41])
def test_labels_follow_their_rows(dp, sub, check, rng, n):
    fraction, seed = 0.25, draw_seed(rng)
    X, y = dp.data(rng, n, fraction, seed)
    got = dp.run(sub, X, y, fraction, seed)
    for name, labels, ids in (("y_train", got.y_train, got.train_ids), ("y_val", got.y_val, got.val_ids)):
        wrong = int((labels != y[ids]).sum())
        if wrong:
            dp.fail(f"n={n}: {wrong} of the {len(ids)} labels in {name} are not the labels of their rows (y[i] must "
                    f"stay with X[i]: shuffle X and y with the same permutation)")
        check(labels, y[ids], name=f"{name} (n={n}: the label of each returned row)")


# -- train_stats ---------------------------------------------------------------------------------------------

@pytest.mark.group("train_stats")
@pytest.mark.parametrize("n", [30, 41])
def test_normalisation_is_fitted_on_training_rows(dp, sub, check, rng, n):
    fraction, seed = 0.25, draw_seed(rng)
    X, y = dp.data(rng, n, fraction, seed)
    got = dp.run(sub, X, y, fraction, seed)
    mean, std, _ = dp.expected_stats(X, got.train_ids)
    every_mean, every_std, _ = dp.expected_stats(X, np.arange(n))
    if np.allclose(got.stats["mean"], every_mean) and np.allclose(got.stats["std"], every_std):
        dp.fail(f"n={n}: stats['mean'] and stats['std'] are those of all {n} rows, validation rows included: fit the "
                f"normalisation on the training rows only (the validation rows must not leak into it)")
    check(got.stats["mean"], mean, dtype=F64,
          name=f"stats['mean'] (n={n}: the mean of each feature over X_train's rows)")
    check(got.stats["std"], std, dtype=F64,
          name=f"stats['std'] (n={n}: the std, ddof=0, of each feature over X_train's rows)")


# -- categories ----------------------------------------------------------------------------------------------

@pytest.mark.group("categories")
@pytest.mark.parametrize("n", [30, 41])
def test_one_hot_categories_come_from_training_rows(dp, sub, check, rng, n):
    fraction, seed = 0.25, draw_seed(rng)
    X, y = dp.data(rng, n, fraction, seed)
    got = dp.run(sub, X, y, fraction, seed)
    _, _, categories = dp.expected_stats(X, got.train_ids)
    seen_val = np.unique(X[got.val_ids, -1])
    if not np.array_equal(categories, seen_val) and np.array_equal(got.stats["categories"], seen_val):
        dp.fail(f"n={n}: stats['categories'] = {got.stats['categories'].tolist()} are the categories of the "
                f"validation rows; the encoding is fitted on the training rows: {categories.tolist()}")
    check(got.stats["categories"], categories, dtype=F64,
          name=f"stats['categories'] (n={n}: the sorted distinct categories of X_train's rows)")
    d = X.shape[1] - 1
    for name, part, ids in (("X_train", got.X_train, got.train_ids), ("X_val", got.X_val, got.val_ids)):
        hot = (X[ids, -1][:, None] == categories[None, :]).astype(np.float64)
        check(part[:, d:], hot, dtype=F64, allow_constant=True,
              name=f"the one-hot columns of {name} (n={n}; a category not seen in training is all zeros)")


# -- zero_std ------------------------------------------------------------------------------------------------

@pytest.mark.group("zero_std")
@pytest.mark.parametrize("constant", ["all", "train"])
def test_constant_feature_is_divided_by_one(dp, sub, check, rng, constant):
    n, fraction, seed = 30, 0.25, draw_seed(rng)
    X, y = dp.data(rng, n, fraction, seed, constant=constant)
    X_train, _, X_val, _, stats = sub.prepare(X, y, fraction, seed)
    where = "every row" if constant == "all" else "every training row"
    if stats["std"].shape != (3,):
        dp.fail(f"stats['std'] has shape {stats['std'].shape}; there are 3 numeric features")
    for name, part in (("X_train", X_train), ("X_val", X_val), ("stats['std']", stats["std"])):
        if not np.isfinite(part).all():
            dp.fail(f"feature 2 is 3.0 on {where}, so its std there is 0: {name} holds NaN or inf. Where the std "
                    f"is 0, divide by 1 (stats['std'] is 1 there)")
    if constant == "all":  # constant on every row: whichever rows the statistics come from, its std is 0
        check(stats["std"][2], np.float64(1.0), dtype=F64, name="stats['std'] of feature 2 (3.0 on every row: 1)")
        for name, part in (("X_train", X_train), ("X_val", X_val)):
            check(part[:, 2], np.zeros(len(part)), dtype=F64, allow_constant=True,
                  name=f"feature 2 of {name} (3.0 on every row: x - mean = 0, divided by 1)")
