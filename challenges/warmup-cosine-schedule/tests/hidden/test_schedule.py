"""Hidden tests: lr_at against the float64 reference, each part of the schedule and every boundary.

Every value is compared on the trusted side with ``ref.lr_at`` on the same arguments; random schedules
come from the run's seed, beside fixed ones where a mistake would only show on some draws.
"""

from __future__ import annotations

import pytest
import torch


def draw_int(rng: torch.Generator, lo: int, hi: int) -> int:
    """An int in [lo, hi]."""
    return int(torch.randint(lo, hi + 1, (), generator=rng))


@pytest.mark.group("warmup")
def test_warmup_values(expect, config, rng):
    cfg = config(min_lr=False)
    w = cfg["warmup_steps"]
    for step in sorted({0, 1, w // 2, w - 1, draw_int(rng, 0, w - 1)}):
        expect(step, "warmup: base_lr * step / warmup_steps", **cfg)


@pytest.mark.group("warmup")
@pytest.mark.parametrize("warmup_steps", [1, 3, 10, 1000])
def test_warmup_starts_at_zero(expect, warmup_steps):
    cfg = {"base_lr": 0.5, "warmup_steps": warmup_steps, "total_steps": 2 * warmup_steps + 7}
    expect(0, "the warmup starts at 0.0 at step 0", **cfg)
    if warmup_steps > 1:
        expect(1, "step 1 of the warmup is base_lr / warmup_steps", **cfg)


@pytest.mark.group("boundaries")
@pytest.mark.parametrize("warmup_steps", [1, 2, 10])
def test_warmup_boundary(expect, warmup_steps):
    cfg = {"base_lr": 3e-4, "warmup_steps": warmup_steps, "total_steps": warmup_steps + 20, "min_lr": 1e-5}
    expect(warmup_steps - 1, "the last warmup step, base_lr * (warmup_steps - 1) / warmup_steps", **cfg)
    expect(warmup_steps, "the first decay step is exactly base_lr", **cfg)
    expect(warmup_steps + 1, "the second decay step, at progress = 1 / (total_steps - warmup_steps)", **cfg)


@pytest.mark.group("boundaries")
@pytest.mark.parametrize("decay_steps", [1, 2, 50, 400])
def test_decay_end_boundary(expect, decay_steps):
    cfg = {"base_lr": 0.1, "warmup_steps": 5, "total_steps": 5 + decay_steps, "min_lr": 0.001}
    total = cfg["total_steps"]
    expect(total - 1, "step total_steps - 1 is still above min_lr: the cosine reaches min_lr at total_steps", **cfg)
    expect(total, "step total_steps is min_lr", **cfg)
    expect(total + 1, "after the end: min_lr", **cfg)


@pytest.mark.group("decay")
def test_decay_values(expect, config, rng):
    cfg = config()
    w, total = cfg["warmup_steps"], cfg["total_steps"]
    for step in sorted({w, w + 1, (w + total) // 2, total - 2, draw_int(rng, w, total - 1),
                        draw_int(rng, w, total - 1)}):
        expect(step, "cosine decay over the decay part only, progress = (step - warmup_steps) / "
                     "(total_steps - warmup_steps)", **cfg)


@pytest.mark.group("decay")
def test_halfway_is_the_mean(expect):
    cfg = {"base_lr": 2.0, "warmup_steps": 10, "total_steps": 50, "min_lr": 0.5}
    expect(30, "halfway through the decay: (base_lr + min_lr) / 2", **cfg)


@pytest.mark.group("decay")
def test_whole_run(expect):
    cfg = {"base_lr": 0.3, "warmup_steps": 5, "total_steps": 25, "min_lr": 0.03}
    for step in range(0, 29):
        expect(step, "every step of a run of 25 steps with a warmup of 5", **cfg)


@pytest.mark.group("min_lr")
def test_decays_to_min_lr(expect, config):
    cfg = config()
    w, total = cfg["warmup_steps"], cfg["total_steps"]
    for step in (w + 1, (w + total) // 2, total - 1, total):
        expect(step, "the cosine decays to min_lr, not to 0", **cfg)


@pytest.mark.group("min_lr")
def test_warmup_from_zero_with_min_lr(expect, config):
    cfg = config(warmup=8)
    for step in (0, 1, 4, 7):
        expect(step, "the warmup starts at 0 even when min_lr > 0", **cfg)


@pytest.mark.group("after_total")
@pytest.mark.parametrize("min_lr", [0.0, 0.02])
def test_after_total(expect, min_lr):
    cfg = {"base_lr": 0.2, "warmup_steps": 3, "total_steps": 13, "min_lr": min_lr}
    for step in (13, 14, 18, 23, 26, 33, 10**6):
        expect(step, "every step from total_steps on is min_lr: the cosine does not come back up", **cfg)


@pytest.mark.group("no_warmup")
def test_no_warmup(expect, config):
    cfg = config(warmup=0)
    total = cfg["total_steps"]
    for step in (0, 1, total // 2, total - 1, total, total + 5):
        expect(step, "warmup_steps = 0: no warmup, step 0 is base_lr", **cfg)


@pytest.mark.group("edge_cases")
@pytest.mark.parametrize("steps", [0, 1, 6])
def test_warmup_only(expect, steps):
    cfg = {"base_lr": 0.4, "warmup_steps": steps, "total_steps": steps, "min_lr": 0.1}
    for step in sorted({*range(steps), steps, steps + 1, steps + 10}):
        expect(step, f"warmup_steps == total_steps == {steps}: warmup, then min_lr", **cfg)


@pytest.mark.group("edge_cases")
def test_min_lr_equal_to_base_lr(expect):
    cfg = {"base_lr": 0.01, "warmup_steps": 4, "total_steps": 20, "min_lr": 0.01}
    for step in (0, 2, 4, 9, 19, 20, 30):
        expect(step, "min_lr == base_lr is allowed: a warmup, then a constant rate", **cfg)


@pytest.mark.group("edge_cases")
def test_zero_base_lr(expect):
    cfg = {"base_lr": 0.0, "warmup_steps": 2, "total_steps": 5}
    for step in (0, 1, 2, 4, 5, 9):
        expect(step, "base_lr = 0 is allowed: zeros", **cfg)


@pytest.mark.group("types")
def test_int_arguments_give_floats(expect):
    cfg = {"base_lr": 2, "warmup_steps": 4, "total_steps": 10, "min_lr": 0}
    for step in (0, 2, 4, 7, 10, 11):
        expect(step, "a Python float, also when base_lr and min_lr are ints", **cfg)
