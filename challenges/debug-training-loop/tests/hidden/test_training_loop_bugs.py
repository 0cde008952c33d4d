"""Hidden tests for debug-training-loop: one scoring group per planted bug.

Each group checks its own bug in a configuration where the other bugs change nothing it
looks at: lr=0 freezes the weights (so gradients, clipping and the schedule cannot matter),
one epoch hides what happens in later epochs, clip_norm=None and gamma=1 switch clipping and
decay off, and the monitors of ``training_support`` look at one thing each (the mode of each
forward pass, grad mode during validation, the gradients and learning rate seen by each
optimizer step, the autograd graphs still alive). The data and seeds come from ``rng``.
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
PARAMETERS = ("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias")


def run(sub: Any, ref: Any, ts: Any, rng: torch.Generator, config: dict[str, Any], *, n_train: int, n_val: int = 32,
        reference: bool = False, **setup: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Run the submission's train() in the worker (and the reference here, if asked) on fresh data."""
    data = ref.make_blobs(rng, n_train, n_val)
    model_seed, seed = ref.seeds(rng)
    support = sub.support(SUPPORT)
    handle = support.make_setup.new(*data, model_seed, **setup)
    got = support.run(handle, config, seed=seed)
    want = ref.reference_run(ts, data, config, model_seed=model_seed, seed=seed, **setup) if reference else None
    return got, want


def fail(message: str) -> NoReturn:
    """A wrong answer with this message (the judge runs pytest without its terminal reporter, and
    pytest then loses the message of a failing ``assert a <op> b, message``; this keeps it)."""
    raise AssertionError(message)


def floats(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def assert_history_readable(got: dict[str, Any]) -> None:
    if got["history_problem"] is not None:
        fail(f"the history returned by train() is malformed: {got['history_problem']}")


def assert_step_count(got: dict[str, Any], config: dict[str, Any]) -> None:
    expected = config["epochs"] * got["steps_per_epoch"]
    steps = len(got["probes"]["step_lr"])
    if steps != expected:
        fail(f"optimizer.step() was called {steps} times; expected one call per mini-batch: "
             f"{config['epochs']} epochs x {got['steps_per_epoch']} batches = {expected}")


# -- zero_grad ----------------------------------------------------------------------------------

@pytest.mark.group("zero_grad")
def test_each_step_uses_only_its_own_gradients(sub, ref, ts, rng):
    config = ts.default_config(epochs=2, lr=0.05, momentum=0.9, weight_decay=1e-4)
    got, _ = run(sub, ref, ts, rng, config, n_train=64)
    assert_step_count(got, config)
    stale = got["probes"]["step_stale_grad"]
    bad = [k for k, value in enumerate(stale) if not value <= 1e-9]
    if bad:
        fail(f"at {len(bad)} of {len(stale)} optimizer steps (first: step {bad[0]}) the gradients in the "
             f"parameters' .grad are not the gradients of that step's mini-batch (largest relative difference "
             f"{max(stale[k] for k in bad):.3g}): gradients from earlier steps are still accumulated in them")


# -- loss_function --------------------------------------------------------------------------------

@pytest.mark.group("loss_function")
def test_losses_with_frozen_weights(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=1, lr=0.0)
    got, want = run(sub, ref, ts, rng, config, n_train=96, dropout=0.0, reference=True)
    assert_history_readable(got)
    check(floats(got["history"]["train_loss"]), floats(want["history"]["train_loss"]),
          name="history['train_loss'] with lr=0 (weights frozen), 1 epoch of 6 mini-batches: each value must be "
               "the mean cross-entropy of the model's logits on that mini-batch")


@pytest.mark.group("loss_function")
def test_weights_after_one_sgd_step(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=1, lr=0.1, momentum=0.9, weight_decay=1e-3)
    got, want = run(sub, ref, ts, rng, config, n_train=16, reference=True)
    for name in PARAMETERS:
        check(got["state"][name], want["state"][name], dtype=torch.float64,
              name=f"parameter {name} after a single SGD step (lr=0.1, momentum=0.9, weight_decay=1e-3)")


# -- train_eval_mode ------------------------------------------------------------------------------

@pytest.mark.group("train_eval_mode")
def test_train_and_eval_modes(sub, ref, ts, rng):
    config = ts.default_config(epochs=3, lr=0.02)
    got, _ = run(sub, ref, ts, rng, config, n_train=32)
    training = got["probes"]["train_forward_training"]
    per_epoch = got["steps_per_epoch"]
    if not training:
        fail("the model was never called on a batch from train_loader")
    wrong = [k for k, mode in enumerate(training) if not mode]
    if wrong:
        fail(f"{len(wrong)} of {len(training)} forward passes on training batches ran in eval mode (the first in "
             f"epoch {wrong[0] // per_epoch}): dropout and batch-norm must be in training mode for every training step")
    validation = got["probes"]["val_forward_training"]
    if not validation:
        fail("the model was never called on a batch from val_loader")
    wrong = [k for k, mode in enumerate(validation) if mode]
    if wrong:
        fail(f"{len(wrong)} of {len(validation)} forward passes on validation batches ran in training mode")
    if got["training"] is not False:
        fail("when train() returns, the model must be in eval mode (model.training is True)")


@pytest.mark.group("train_eval_mode")
def test_validation_metrics_with_frozen_weights(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=2, lr=0.0)
    got, want = run(sub, ref, ts, rng, config, n_train=32, n_val=64, dropout=0.3, reference=True)
    assert_history_readable(got)
    for key in ("val_loss", "val_accuracy"):
        check(floats(got["history"][key]), floats(want["history"][key]),
              name=f"history[{key!r}] with lr=0 (weights frozen; only the batch-norm running statistics change), "
                   f"2 epochs")


# -- no_grad_validation ------------------------------------------------------------------------

@pytest.mark.group("no_grad_validation")
def test_validation_runs_without_autograd(sub, ref, ts, rng):
    config = ts.default_config(epochs=2, lr=0.02)
    got, _ = run(sub, ref, ts, rng, config, n_train=32)
    enabled = got["probes"]["val_forward_grad_enabled"]
    if not enabled:
        fail("the model was never called on a batch from val_loader")
    if any(enabled):
        fail(f"{sum(enabled)} of {len(enabled)} forward passes on validation batches ran with autograd "
             f"enabled: validation must not record graphs")


# -- graph_memory ---------------------------------------------------------------------------------

@pytest.mark.group("graph_memory")
def test_memory_does_not_grow_with_steps(sub, ref, ts, rng):
    config = ts.default_config(epochs=2, lr=0.02)
    got, _ = run(sub, ref, ts, rng, config, n_train=128)
    probes = got["probes"]
    steps = len(probes["train_forward_training"])
    if probes["most_graphs_alive"] > 2:
        fail(f"memory grows with the number of steps: at training step {probes['most_graphs_alive_at']} the "
             f"autograd graphs of {probes['most_graphs_alive']} earlier steps were still alive "
             f"({probes['graphs_alive_after']} of {steps} still alive after train() returned): something keeps "
             f"tensors that are attached to the graph")
    if got["history_not_float"]:
        fail("history values must be Python floats: " + "; ".join(got["history_not_float"].values()))


# -- grad_clipping ---------------------------------------------------------------------------------

@pytest.mark.group("grad_clipping")
def test_gradients_are_clipped_before_the_step(sub, ref, ts, rng):
    clip = 0.05
    config = ts.default_config(epochs=2, lr=0.05, clip_norm=clip)
    got, _ = run(sub, ref, ts, rng, config, n_train=64)
    assert_step_count(got, config)
    norms = got["probes"]["step_grad_norm"]
    bad = [k for k, norm in enumerate(norms) if not norm <= clip * (1 + 1e-6)]
    if bad:
        fail(f"clip_norm={clip}, but at {len(bad)} of {len(norms)} optimizer steps the gradients that "
             f"optimizer.step() used had a larger total L2 norm (step {bad[0]}: {norms[bad[0]]:.4g})")


# -- lr_schedule -----------------------------------------------------------------------------------

@pytest.mark.group("lr_schedule")
def test_learning_rate_schedule(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=4, lr=0.08, step_size=2, gamma=0.25)
    got, _ = run(sub, ref, ts, rng, config, n_train=32)
    assert_history_readable(got)
    assert_step_count(got, config)
    per_epoch = ref.expected_lrs(config)
    what = "StepLR(step_size=2, gamma=0.25) from lr=0.08, 4 epochs of 2 mini-batches"
    check(floats(got["history"]["lr"]), floats(per_epoch), name=f"history['lr'] under {what}")
    used = [per_epoch[epoch] if 0 <= epoch < len(per_epoch) else float("nan")
            for epoch in got["probes"]["step_epoch"]]
    check(floats(got["probes"]["step_lr"]), floats(used),
          name=f"the learning rate each optimizer.step() used, under {what}")
