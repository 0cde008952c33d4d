"""Public tests for debug-training-loop: small runs you can read. Run them with `mlj test debug-training-loop`.

Each test builds the data here, sends it to your code, lets ``training_support.run`` call your
``train`` (the same way the hidden tests do) and compares what comes back with the reference loop.
"""

from __future__ import annotations

from typing import Any, NoReturn

import pytest
import torch

SUPPORT = "training_support"


@pytest.fixture
def ts(helper: Any) -> Any:
    """The challenge's support module on the trusted side: the reference loop runs under it."""
    return helper("training_support")


def run(sub: Any, ref: Any, ts: Any, rng: torch.Generator, config: dict[str, Any], *, n_train: int, n_val: int = 32,
        **setup: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = ref.make_blobs(rng, n_train, n_val, spread=0.7)
    model_seed, seed = ref.seeds(rng)
    support = sub.support(SUPPORT)
    got = support.run(support.make_setup.new(*data, model_seed, **setup), config, seed=seed)
    want = ref.reference_run(ts, data, config, model_seed=model_seed, seed=seed, **setup)
    return got, want


def fail(message: str) -> NoReturn:
    """A wrong answer with this message (kept whole, unlike a failing ``assert a == b, message``)."""
    raise AssertionError(message)


def floats(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def test_history_format(sub, ref, ts, rng):
    config = ts.default_config(epochs=2)
    got, _ = run(sub, ref, ts, rng, config, n_train=32)
    if got["history_problem"] is not None:
        fail(got["history_problem"])
    lengths = {key: len(values) for key, values in got["history"].items()}
    if lengths != {"train_loss": 4, "val_loss": 2, "val_accuracy": 2, "lr": 2}:
        fail(f"2 epochs of 2 mini-batches: expected one train_loss per step and one of each other value per "
             f"epoch, got lengths {lengths}")
    if got["history_not_float"]:
        fail("history values must be Python floats (a tensor keeps its autograd graph alive): "
             + "; ".join(got["history_not_float"].values()))


def test_first_epoch_losses_with_frozen_weights(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=1, lr=0.0)
    got, want = run(sub, ref, ts, rng, config, n_train=48, dropout=0.0)
    check(floats(got["history"]["train_loss"]), floats(want["history"]["train_loss"]),
          name="history['train_loss'] with lr=0: the cross-entropy of the logits on each of 3 mini-batches")


def test_modes(sub, ref, ts, rng):
    got, _ = run(sub, ref, ts, rng, ts.default_config(epochs=2), n_train=32)
    probes = got["probes"]
    if not all(probes["train_forward_training"]):
        fail(f"model.training during the training forward passes, in order: {probes['train_forward_training']} "
             f"(every one must be True)")
    if any(probes["val_forward_training"]):
        fail(f"model.training during the validation forward passes: {probes['val_forward_training']} "
             f"(every one must be False)")
    if any(probes["val_forward_grad_enabled"]):
        fail("validation ran with autograd enabled (torch.is_grad_enabled() was True)")
    if got["training"] is not False:
        fail("when train() returns, the model must be in eval mode")


def test_learns_easy_blobs_like_the_reference(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=4, lr=0.05, momentum=0.9, clip_norm=5.0, step_size=2, gamma=0.5)
    got, want = run(sub, ref, ts, rng, config, n_train=64, n_val=64)
    accuracy = got["history"]["val_accuracy"]
    if not accuracy or accuracy[-1] < 0.9:
        fail(f"validation accuracy per epoch {accuracy}: well-separated blobs should reach 0.9 "
             f"(the reference reaches {want['history']['val_accuracy']})")
    check(floats(got["history"]["train_loss"]), floats(want["history"]["train_loss"]),
          name="history['train_loss'] over 4 epochs x 4 mini-batches")
    for name in ("fc1.weight", "fc2.weight"):
        check(got["state"][name], want["state"][name], name=f"{name} after training")
