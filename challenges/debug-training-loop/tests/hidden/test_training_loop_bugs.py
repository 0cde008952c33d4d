"""Hidden tests for debug-training-loop: one scoring group per planted bug.

What decides a group is computed here, on the trusted side, from outcomes: this side draws the data, the
model's initial weights and the order of the training samples, sends them, and compares the weights, the
batch-norm statistics and the history that come back with the reference loop run here on the same inputs
(``ref.reference_run`` under this side's own copy of ``training_support``). A submission that replaces
functions in the worker cannot make wrong weights look right. Memory growth is read from outside the
worker (``worker_memory``). Three properties are visible only inside the worker and rest on the support
module's probes there, bound before the submission is imported: autograd off during validation
(``no_grad_validation``), eval mode when train() returns (``train_eval_mode``) and Python floats in the
history (``graph_memory``).

Each group is tested where the other groups' mistakes do not show, or where the reference loop is run
with those mistakes too and any of them is accepted: lr=0 freezes the weights, one epoch hides what
happens in later ones, clip_norm=None and gamma=1 switch clipping and decay off, no batch-norm and no
dropout make train and eval mode compute the same. A mismatch is named by the known mistake it matches.
"""

from __future__ import annotations

from itertools import product
from typing import Any, NoReturn

import pytest
import torch

SUPPORT = "training_support"
PARAMETERS = ("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias")
BN_STATS = ("bn.running_mean", "bn.running_var", "bn.num_batches_tracked")
RTOL, ATOL = 1e-6, 1e-9  # float64, the same inputs and operations: only summation order may differ


@pytest.fixture
def ts(helper: Any) -> Any:
    """The challenge's support module on the trusted side: the reference loop runs under it."""
    return helper("training_support")


def fail(message: str) -> NoReturn:
    """A wrong answer with this message (kept whole, unlike a failing ``assert a == b, message``)."""
    raise AssertionError(message)


def floats(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def run(sub: Any, ref: Any, ts: Any, rng: torch.Generator, config: dict[str, Any], *, n_train: int,
        n_val: int = 32, n_features: int = 6, case: dict[str, Any] | None = None,
        **setup: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Draw the inputs here (unless ``case`` holds inputs drawn already), run the submission's train() on them
    in the worker, check what came back."""
    if case is None:
        case = ref.inputs(ts, rng, n_train, n_val, passes=config["epochs"], n_features=n_features, **setup)
    setup = case["setup"]
    support = sub.support(SUPPORT)
    handle = support.make_setup.new(*case["data"], case["model_seed"], state=case["state"], order=case["order"],
                                    **setup)
    got = support.run(handle, config, seed=case["seed"])
    return validated(got, case, config), case


def validated(got: Any, case: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """What the worker sent back, checked for kind and shape before any test reads it."""
    if not isinstance(got, dict) or not isinstance(got.get("history"), dict) or not isinstance(got.get("state"), dict):
        fail(f"the worker's run() returned {type(got).__name__}, not the report of a run")
    if got.get("history_problem") is not None:
        fail(f"the history returned by train() is malformed: {got['history_problem']}")
    history = got["history"]
    for key in ("train_loss", "val_loss", "val_accuracy", "lr"):
        values = history.get(key)
        if not isinstance(values, list) or not all(isinstance(v, float) for v in values):
            fail(f"history[{key!r}] is not a list of numbers")
    state = got["state"]
    for name, want in case["state"].items():
        value = state.get(name)
        if not isinstance(value, torch.Tensor) or value.shape != want.shape or value.dtype != want.dtype:
            fail(f"the trained model has no {name} of shape {tuple(want.shape)} {want.dtype}")
    probes = got.get("probes")
    if not isinstance(probes, dict):
        fail("the worker's run() returned no probes")
    return got


def reference(ref: Any, ts: Any, case: dict[str, Any], config: dict[str, Any], **variant: Any) -> dict[str, Any]:
    """The reference loop (with ``variant``'s mistakes, if any) on the same inputs, run here."""
    return ref.reference_run(ts, case["data"], config, model_seed=case["model_seed"], seed=case["seed"],
                             variant=variant, state=case["state"], order=case["order"], **case["setup"])


def telling_case(ref: Any, ts: Any, rng: torch.Generator, config: dict[str, Any], *, n_train: int, n_val: int,
                 mistakes: list[dict[str, Any]], attempts: int = 50, **setup: Any
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Inputs (and the reference loop's run on them) on which the history of the loop with each of ``mistakes``
    differs from the reference's: a test on them fails every one of those mistakes, whatever the seed."""
    for _ in range(attempts):
        case = ref.inputs(ts, rng, n_train, n_val, passes=config["epochs"], **setup)
        want = reference(ref, ts, case, config)
        if all(not same_history(reference(ref, ts, case, config, **m)["history"], want["history"]) for m in mistakes):
            return case, want
    raise RuntimeError(f"no inputs among {attempts} draws tell {mistakes} from the reference loop")


def same_history(got: dict[str, list[float]], want: dict[str, list[float]]) -> bool:
    return all(len(got[k]) == len(want[k]) and torch.allclose(floats(got[k]), floats(want[k]), rtol=RTOL, atol=ATOL)
               for k in want)


def same(got: dict[str, torch.Tensor], want: dict[str, torch.Tensor], names: tuple[str, ...]) -> bool:
    return all(torch.allclose(got[n].double(), want[n].double(), rtol=RTOL, atol=ATOL) for n in names)


def largest_difference(got: dict[str, torch.Tensor], want: dict[str, torch.Tensor], names: tuple[str, ...]) -> str:
    diffs = {n: float((got[n].double() - want[n].double()).abs().max()) for n in names}
    worst = max(diffs, key=lambda n: diffs[n])
    return f"largest difference {diffs[worst]:.3g} in {worst}"


def expect_weights(ref: Any, ts: Any, case: dict[str, Any], config: dict[str, Any], got: dict[str, Any], *,
                   what: str, accept: list[dict[str, Any]], mistakes: list[tuple[dict[str, Any], str]]) -> None:
    """The trained parameters must match the reference loop run with one of ``accept`` (other groups'
    mistakes it tolerates); if they match one of ``mistakes`` instead, say which."""
    names = parameters(case)
    runs = [reference(ref, ts, case, config, **variant) for variant in accept]
    if any(same(got["state"], r["state"], names) for r in runs):
        return
    for variant, words in [*mistakes, *SGD_MISTAKES]:
        for other in accept:
            if same(got["state"], reference(ref, ts, case, config, **{**other, **variant})["state"], names):
                fail(f"{what}: the trained weights are those of a loop in which {words}")
    fail(f"{what}: the trained weights differ from the reference loop's run on the same data, initial weights "
         f"and sample order ({largest_difference(got['state'], runs[0]['state'], names)})")


#: mistakes in building the optimizer or seeding the run, named by any test that compares trained weights
SGD_MISTAKES = [({"sgd": "no_weight_decay"}, "SGD is built without weight_decay=config['weight_decay']"),
                ({"sgd": "no_momentum"}, "SGD is built without momentum=config['momentum']"),
                *(({"reseed": seed}, f"torch.manual_seed({seed}) re-seeds the random generators (the dropout masks "
                                     f"are then not the run's own: do not re-seed)") for seed in (0, 42))]


def parameters(case: dict[str, Any]) -> tuple[str, ...]:
    """The trainable parameters of this run's model (no batch-norm ones where it has none)."""
    return tuple(name for name in PARAMETERS if name in case["state"])


def variants(**choices: tuple[Any, ...]) -> list[dict[str, Any]]:
    keys = list(choices)
    return [dict(zip(keys, values, strict=True)) for values in product(*(choices[k] for k in keys))]


# -- zero_grad ----------------------------------------------------------------------------------

@pytest.mark.group("zero_grad")
def test_each_step_uses_only_its_own_gradients(sub, ref, ts, rng):
    config = ts.default_config(epochs=1, lr=0.05, momentum=0.9, weight_decay=1e-4)
    got, case = run(sub, ref, ts, rng, config, n_train=64)
    expect_weights(ref, ts, case, config, got, what="1 epoch of 4 mini-batches, lr=0.05, momentum=0.9",
                   accept=variants(softmax=(False, True)),
                   mistakes=[({"zero": "never"}, "gradients from earlier steps are still accumulated in .grad "
                                                  "(call optimizer.zero_grad() before every backward())"),
                             ({"zero": "after_backward"}, "optimizer.zero_grad() runs between loss.backward() "
                                                          "and optimizer.step(), so every step gets zero "
                                                          "gradients instead of its mini-batch's")])


# -- loss_function --------------------------------------------------------------------------------

@pytest.mark.group("loss_function")
def test_losses_with_frozen_weights(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=1, lr=0.0)
    got, case = run(sub, ref, ts, rng, config, n_train=90, dropout=0.0)
    want = reference(ref, ts, case, config)
    losses = floats(got["history"]["train_loss"])
    name = ("history['train_loss'] with lr=0 (weights frozen), 1 epoch of 6 mini-batches, the last of 10 samples: "
            "each value must be the mean cross-entropy of the model's logits on that mini-batch")
    if losses.shape == floats(want["history"]["train_loss"]).shape:
        softmax = floats(reference(ref, ts, case, config, softmax=True)["history"]["train_loss"])
        if torch.allclose(losses, softmax, rtol=RTOL, atol=ATOL):
            fail(f"{name}; yours are the cross-entropy of softmax(logits): CrossEntropyLoss takes raw logits "
                 f"(it applies log-softmax itself)")
        nominal = floats(reference(ref, ts, case, config, loss_mean="nominal")["history"]["train_loss"])
        if torch.allclose(losses, nominal, rtol=RTOL, atol=ATOL):
            fail(f"{name}; your last value is the sum of its losses divided by the nominal batch size (16): the "
                 f"loss of a partial last batch is the mean over its own 10 samples")
    elif losses.shape == (config["epochs"],):
        fail(f"{name}; yours has one value per epoch: history['train_loss'] holds one value per optimization "
             f"step")
    check(losses, floats(want["history"]["train_loss"]), name=name)


@pytest.mark.group("loss_function")
def test_weights_after_one_sgd_step(sub, ref, ts, rng):
    config = ts.default_config(epochs=1, lr=0.1, momentum=0.9, weight_decay=1e-3)
    got, case = run(sub, ref, ts, rng, config, n_train=16)
    expect_weights(ref, ts, case, config, got, what="a single SGD step (lr=0.1, momentum=0.9, weight_decay=1e-3)",
                   accept=variants(zero=("before", "after_backward")),
                   mistakes=[({"softmax": True}, "the loss is the cross-entropy of softmax(logits): CrossEntropyLoss "
                                                 "takes raw logits")])


# -- train_eval_mode ------------------------------------------------------------------------------

@pytest.mark.group("train_eval_mode")
def test_train_and_eval_modes(sub, ref, ts, rng):
    config = ts.default_config(epochs=3, lr=0.0)
    got, case = run(sub, ref, ts, rng, config, n_train=32)
    want = reference(ref, ts, case, config)
    if same(got["state"], want["state"], BN_STATS):
        return
    tracked, expected = int(got["state"]["bn.num_batches_tracked"]), int(want["state"]["bn.num_batches_tracked"])
    if same(got["state"], reference(ref, ts, case, config, mode="once")["state"], BN_STATS) or tracked < expected:
        fail(f"the batch-norm statistics after 3 epochs with lr=0 show that forward passes on training batches ran "
             f"in eval mode ({tracked} of {expected} training batches updated them): dropout and batch-norm must be "
             f"in training mode for every training step; call model.train() at the start of every epoch")
    if tracked > expected:
        fail(f"the batch-norm statistics after 3 epochs with lr=0 were updated by {tracked - expected} more forward "
             f"passes than the {expected} training batches: validation batches ran in training mode")
    fail(f"the batch-norm statistics after 3 epochs with lr=0 differ from the reference loop's "
         f"({largest_difference(got['state'], want['state'], BN_STATS[:2])}): the model must see every training "
         f"batch once per epoch, in training mode, and the validation batches in eval mode")


@pytest.mark.group("train_eval_mode")
def test_eval_mode_when_train_returns(sub, ref, ts, rng):
    # in-worker probe: each module's own `training` flag as the support module reads it after train() returns
    got, _ = run(sub, ref, ts, rng, ts.default_config(epochs=2, lr=0.02), n_train=32)
    if got.get("training") is not False:
        fail("when train() returns, the model must be in eval mode (the model or one of its submodules is in "
             "training mode: call model.eval())")


@pytest.mark.group("train_eval_mode")
def test_validation_metrics_with_frozen_weights(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=2, lr=0.0)
    # a last validation batch of one sample: the mean of batch means differs from the mean over samples on
    # every draw; for the accuracy only where neither all 33 samples are right nor all wrong (then a percentage
    # and the batches' mean are right too), so the inputs are drawn until every mistake below shows
    case, want = telling_case(ref, ts, rng, config, n_train=32, n_val=33, dropout=0.3,
                              mistakes=[{"val": "batch_means"}, {"accuracy": "batch_means"}, {"accuracy": "percent"}])
    got, _ = run(sub, ref, ts, rng, config, n_train=32, case=case)
    what = ("with lr=0 (weights frozen; only the batch-norm running statistics change), 2 epochs, 33 validation "
            "samples in batches of 32 and 1")
    losses = floats(got["history"]["val_loss"])
    if losses.shape == (2,):
        batch_means = floats(reference(ref, ts, case, config, val="batch_means")["history"]["val_loss"])
        if torch.allclose(losses, batch_means, rtol=RTOL, atol=ATOL):
            fail(f"history['val_loss'] {what}: yours is the mean of the batch means; it must be the mean over all "
                 f"validation samples (sum of per-sample losses / number of samples), and the last batch is smaller")
    accuracies = floats(got["history"]["val_accuracy"])
    if accuracies.shape == (2,):
        for variant, words in (("batch_means", "the mean of the batches' accuracies; it must be the fraction of all "
                                               "validation samples that are right, and the last batch is smaller"),
                               ("percent", "a percentage; it must be a fraction from 0 to 1")):
            wrong = floats(reference(ref, ts, case, config, accuracy=variant)["history"]["val_accuracy"])
            if torch.allclose(accuracies, wrong, rtol=RTOL, atol=ATOL) and not torch.allclose(
                    wrong, floats(want["history"]["val_accuracy"]), rtol=RTOL, atol=ATOL):
                fail(f"history['val_accuracy'] {what}: yours is {words}")
    for key in ("val_loss", "val_accuracy"):
        check(floats(got["history"][key]), floats(want["history"][key]), name=f"history[{key!r}] {what}")


# -- no_grad_validation ------------------------------------------------------------------------

@pytest.mark.group("no_grad_validation")
def test_validation_runs_without_autograd(sub, ref, ts, rng):
    # in-worker probe: torch.is_grad_enabled() at each validation forward, bound before the submission's import
    got, _ = run(sub, ref, ts, rng, ts.default_config(epochs=2, lr=0.02), n_train=32)
    enabled = got["probes"].get("val_forward_grad_enabled")
    if not isinstance(enabled, list) or not enabled:
        fail("the model was never called on a batch from val_loader")
    if any(enabled):
        fail(f"{sum(bool(e) for e in enabled)} of {len(enabled)} forward passes on validation batches ran with "
             f"autograd enabled: validation must not record graphs")


@pytest.mark.group("no_grad_validation")
def test_val_loader_once_per_epoch(sub, ref, ts, rng):
    # in-worker probe: the support module counts the forward passes on validation batches (a loop that
    # validates twice computes the same numbers, so only the count tells)
    epochs, n_val = 2, 40  # the validation loader's batches of 32: 2 per pass
    got, _ = run(sub, ref, ts, rng, ts.default_config(epochs=epochs, lr=0.02), n_train=32, n_val=n_val)
    passes = got["probes"].get("val_forward_grad_enabled")
    batches = -(-n_val // 32)
    if isinstance(passes, list) and len(passes) > epochs * batches:
        fail(f"the model ran on {len(passes)} validation batches in {epochs} epochs of {batches} validation "
             f"batches: iterate val_loader once per epoch (compute the loss and the accuracy in that one pass)")


# -- graph_memory ---------------------------------------------------------------------------------

@pytest.mark.group("graph_memory")
def test_memory_does_not_grow_with_steps(sub, ref, ts, rng):
    # in-worker probe: each training step's graph holds a token the support module watches through a weakref.
    # What such a graph keeps after its backward pass (nodes, not activations) is too small to read reliably
    # in the worker's resident memory from outside, so this stays inside, bound before the submission's import.
    config = ts.default_config(epochs=2, lr=0.02)
    got, _ = run(sub, ref, ts, rng, config, n_train=128)
    probes = got["probes"]
    most, at = probes.get("most_graphs_alive"), probes.get("most_graphs_alive_at")
    if not isinstance(most, int) or not isinstance(at, int):
        fail("the worker's run() returned no graph counts")
    if most > 2:
        fail(f"memory grows with the number of steps: at training step {at} the autograd graphs of {most} earlier "
             f"steps were still alive: something keeps tensors that are attached to the graph (store loss.item())")


@pytest.mark.group("graph_memory")
def test_history_holds_python_floats(sub, ref, ts, rng):
    # in-worker probe: the type of each history entry as the support module sees it before it is sent
    got, _ = run(sub, ref, ts, rng, ts.default_config(epochs=2, lr=0.02), n_train=32)
    not_float = got.get("history_not_float")
    if not isinstance(not_float, dict):
        fail("the worker's run() returned no history types")
    if not_float:
        fail("history values must be Python floats (a tensor keeps its autograd graph alive): "
             + "; ".join(str(v) for v in not_float.values()))
    extra = got.get("history_extra")
    if extra:
        fail(f"the history returned by train() has keys beyond the four asked for ({', '.join(extra)}): return "
             f"exactly train_loss, val_loss, val_accuracy and lr")


# -- grad_clipping ---------------------------------------------------------------------------------

@pytest.mark.group("grad_clipping")
def test_gradients_are_clipped_before_the_step(sub, ref, ts, rng):
    config = ts.default_config(epochs=1, lr=0.05, clip_norm=0.01)
    got, case = run(sub, ref, ts, rng, config, n_train=64)
    expect_weights(ref, ts, case, config, got, what="clip_norm=0.01, 1 epoch of 4 mini-batches",
                   accept=variants(zero=("before", "never", "after_backward"), softmax=(False, True)),
                   mistakes=[({"clip": "after"}, "the gradients optimizer.step() used had a larger total L2 norm "
                                                 "than clip_norm: they are clipped after optimizer.step() instead "
                                                 "of before it")])


@pytest.mark.group("grad_clipping")
def test_clip_norm_on_each_side_of_the_gradient_norm(sub, ref, ts, rng):
    # one step whose gradient norm the trusted side knows: clip_norm above it must leave the gradients as they
    # are, clip_norm below it must scale them down to clip_norm
    free = ts.default_config(epochs=1, lr=0.1, momentum=0.0, weight_decay=0.0)
    case = ref.inputs(ts, rng, 16, 32, passes=1)
    norm = reference(ref, ts, case, free)["probes"]["step_grad_norm"][0]
    for factor in (2.0, 0.5):
        config = {**free, "clip_norm": factor * norm}
        support = sub.support(SUPPORT)
        handle = support.make_setup.new(*case["data"], case["model_seed"], state=case["state"], order=case["order"])
        got = validated(support.run(handle, config, seed=case["seed"]), case, config)
        side = "above" if factor > 1 else "below"
        expect_weights(ref, ts, case, config, got,
                       what=f"one step whose gradients have a total norm of {norm:.4g}, clip_norm={factor * norm:.4g} "
                            f"({side} it)",
                       accept=variants(zero=("before", "after_backward"), softmax=(False, True)),
                       mistakes=[({"clip": "normalize"}, "the gradients are rescaled to a norm of clip_norm even when "
                                                         "their norm is already below it: clip_grad_norm_ only "
                                                         "scales down"),
                                 ({"clip": "after"}, "the gradients optimizer.step() used had a larger total L2 norm "
                                                     "than clip_norm: they are clipped after optimizer.step() "
                                                     "instead of before it")])


# -- lr_schedule -----------------------------------------------------------------------------------

@pytest.mark.group("lr_schedule")
def test_learning_rate_schedule(sub, ref, ts, rng, check):
    config = ts.default_config(epochs=4, lr=0.08, step_size=2, gamma=0.25)
    got, case = run(sub, ref, ts, rng, config, n_train=32, batch_norm=False, dropout=0.0)
    what = "StepLR(step_size=2, gamma=0.25) from lr=0.08, 4 epochs of 2 mini-batches"
    lrs = floats(got["history"]["lr"])
    late = floats(reference(ref, ts, case, config, lr_record="after")["history"]["lr"])
    if lrs.shape == late.shape and torch.allclose(lrs, late, rtol=RTOL, atol=ATOL):
        fail(f"history['lr'] under {what}: each of yours is the next epoch's learning rate (recorded after "
             f"scheduler.step()); record the learning rate the epoch's steps use, at the start of the epoch")
    check(floats(got["history"]["lr"]), floats(ref.expected_lrs(config)), name=f"history['lr'] under {what}")
    expect_weights(ref, ts, case, config, got, what=what,
                   accept=variants(zero=("before", "never", "after_backward"), softmax=(False, True)),
                   mistakes=[({"schedule": "batch"}, "scheduler.step() runs after every mini-batch: StepLR's "
                                                     "step_size counts epochs, step it once per epoch")])


@pytest.mark.group("lr_schedule")
def test_zero_epochs(sub, ref, ts, rng):
    config = ts.default_config(epochs=0)
    got, case = run(sub, ref, ts, rng, config, n_train=32)
    lengths = {key: len(values) for key, values in got["history"].items()}
    if any(lengths.values()):
        fail(f"epochs=0: train() must make no step and no validation pass and return four empty lists; got lengths "
             f"{lengths}")
    if not same(got["state"], case["state"], PARAMETERS + BN_STATS):
        fail("epochs=0: the model's weights and batch-norm statistics must be left as they were")
