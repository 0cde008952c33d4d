"""Public tests: the statement's worked example. Run them with `mlj test warmup-cosine-schedule`."""

import pytest

from judge.runner import RuntimeFault

CONFIG = {"base_lr": 1.0, "warmup_steps": 4, "total_steps": 12, "min_lr": 0.1}


@pytest.mark.parametrize("step,expected", [(0, 0.0), (1, 0.25), (3, 0.75)])
def test_warmup(sub, check, step, expected):
    check(sub.lr_at(step, **CONFIG), expected, name=f"lr_at({step}) of the worked example (warmup)",
          allow_constant=True)


@pytest.mark.parametrize("step", [4, 6, 8, 11, 12, 100])
def test_decay_and_after(sub, ref, check, step):
    check(sub.lr_at(step, **CONFIG), ref.lr_at(step, **CONFIG), name=f"lr_at({step}) of the worked example",
          allow_constant=True)


def test_warmup_longer_than_run_is_an_error(sub):
    try:
        got = sub.lr_at(0, base_lr=1.0, warmup_steps=5, total_steps=4)
    except RuntimeFault as fault:
        assert fault.exc_type == "ValueError", f"expected ValueError, got {fault.message}"
        return
    raise AssertionError(f"lr_at(0, warmup_steps=5, total_steps=4) should raise ValueError, returned {got!r}")
