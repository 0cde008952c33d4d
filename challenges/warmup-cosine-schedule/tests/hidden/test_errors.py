"""Hidden tests: the ValueErrors of the statement, each on its boundary, and the zeros that are allowed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.group("errors")


@pytest.mark.parametrize("warmup_steps,total_steps", [(11, 10), (1, 0), (0, -1)])
def test_warmup_exceeds_total(raises_value_error, warmup_steps, total_steps):
    for step in (0, total_steps + 1, warmup_steps + 1):
        raises_value_error(step, "warmup_steps > total_steps", base_lr=0.1, warmup_steps=warmup_steps,
                           total_steps=total_steps)


@pytest.mark.parametrize("step,config,why", [
    (-1, {"base_lr": 0.1, "warmup_steps": 5, "total_steps": 10}, "a negative step"),
    (-7, {"base_lr": 0.1, "warmup_steps": 0, "total_steps": 10}, "a negative step"),
    (3, {"base_lr": 0.1, "warmup_steps": -1, "total_steps": 10}, "a negative warmup_steps"),
    (3, {"base_lr": -0.1, "warmup_steps": 2, "total_steps": 10}, "a negative base_lr"),
    (3, {"base_lr": -0.1, "warmup_steps": 2, "total_steps": 10, "min_lr": -0.2}, "a negative base_lr and min_lr"),
    (3, {"base_lr": 0.1, "warmup_steps": 2, "total_steps": 10, "min_lr": -1e-6}, "a negative min_lr"),
])
def test_negative_arguments(raises_value_error, step, config, why):
    raises_value_error(step, why, **config)


@pytest.mark.parametrize("step", [0, 3, 8, 12])
def test_min_lr_above_base_lr(raises_value_error, step):
    raises_value_error(step, "min_lr > base_lr", base_lr=0.1, warmup_steps=4, total_steps=10, min_lr=0.10000001)


def test_zeros_are_allowed(accepts):
    accepts(0, "step 0 is allowed", base_lr=0.1, warmup_steps=4, total_steps=10)
    accepts(0, "warmup_steps = 0 is allowed", base_lr=0.1, warmup_steps=0, total_steps=10)
    accepts(2, "total_steps = 0 is allowed (with warmup_steps = 0)", base_lr=0.1, warmup_steps=0, total_steps=0)
    accepts(3, "base_lr = 0 is allowed", base_lr=0.0, warmup_steps=4, total_steps=10)
    accepts(6, "min_lr = 0 is allowed", base_lr=0.1, warmup_steps=4, total_steps=10, min_lr=0.0)
    accepts(6, "min_lr == base_lr is allowed", base_lr=0.1, warmup_steps=4, total_steps=10, min_lr=0.1)
