"""Reference solution for debug-training-loop, and the trusted side's helpers for its tests.

``train`` is the fixed loop (it is also graded as a submission by ``mlj verify``, so
this module imports nothing but torch at import time). It is written out plainly, apart from
``train_with`` (the same loop with switches for the mistakes the tests name): ``mlj verify --mutants``
mutates what a submission provides, ``train`` and what it calls, so every mutant is a change of the
fixed loop, never of a mistake's branch that no correct run takes. ``train_with`` with no switch set
is the same loop (tests/challenges/test_debug_training_loop.py compares the two). The helpers below run
only on the trusted side: they make the synthetic data from the test's ``rng`` and run ``train``
through the challenge's own support module (handed to them by the tests), as the worker does.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def evaluate(model: nn.Module, loader: Any, criterion: nn.Module, *, val: str = "samples",
             accuracy: str = "samples") -> tuple[float, float]:
    """Mean loss over all samples and accuracy, in eval mode without autograd. ``val="batch_means"``,
    ``accuracy="batch_means"`` or ``accuracy="percent"``: the mistakes the tests name in their hints."""
    model.eval()
    total, correct, count, means, accuracies = 0.0, 0, 0, [], []
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += criterion(logits, y).item() * y.shape[0]
            means.append(criterion(logits, y).item())
            right = int((logits.argmax(dim=1) == y).sum())
            correct += right
            accuracies.append(right / y.shape[0])
            count += y.shape[0]
    loss = sum(means) / len(means) if val == "batch_means" else total / count
    fraction = sum(accuracies) / len(accuracies) if accuracy == "batch_means" else correct / count
    return loss, 100.0 * fraction if accuracy == "percent" else fraction


def train(model: nn.Module, train_loader: Any, val_loader: Any, config: dict[str, Any]) -> dict[str, list[float]]:
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"],
                                weight_decay=config["weight_decay"])
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=config["step_size"], gamma=config["gamma"])
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_accuracy": [], "lr": []}
    for _ in range(config["epochs"]):
        model.train()
        history["lr"].append(optimizer.param_groups[0]["lr"])
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            if config["clip_norm"] is not None:
                nn.utils.clip_grad_norm_(model.parameters(), config["clip_norm"])
            optimizer.step()
            history["train_loss"].append(loss.item())
        model.eval()
        total, correct, count = 0.0, 0, 0
        with torch.no_grad():
            for x, y in val_loader:
                logits = model(x)
                total += criterion(logits, y).item() * y.shape[0]
                correct += int((logits.argmax(dim=1) == y).sum())
                count += y.shape[0]
        history["val_loss"].append(total / count)
        history["val_accuracy"].append(correct / count)
        scheduler.step()
    return history


def train_with(model: nn.Module, train_loader: Any, val_loader: Any, config: dict[str, Any], *,
               zero: str = "before", softmax: bool = False, loss_mean: str = "batch", mode: str = "each_epoch",
               clip: str = "before", schedule: str = "epoch", lr_record: str = "before", sgd: str = "full",
               val: str = "samples", accuracy: str = "samples", reseed: int | None = None) -> dict[str, list[float]]:
    """The fixed loop, or (trusted side only) the loop with one kind of mistake of each group switched on.

    ``zero``: "before" (correct), "never", "after_backward" (zero_grad between backward and step);
    ``softmax``: softmax before the loss; ``loss_mean``: "batch" (correct: over the batch's own samples) or
    "nominal" (the sum divided by the loader's batch_size); ``mode``: "each_epoch" (correct) or "once"
    (model.train() once before the loop); ``clip``: "before" (correct), "after" the step, or "normalize"
    (rescaled to clip_norm even when the norm is below it); ``schedule``: "epoch" (correct) or "batch";
    ``lr_record``: "before" (correct) or "after" scheduler.step(); ``sgd``: "full" (correct),
    "no_weight_decay" or "no_momentum"; ``val`` and ``accuracy``: see ``evaluate``; ``reseed``: a seed given
    to torch.manual_seed before the loop (the run's own seed is then lost). The hidden tests
    compare a submission's outcome with these runs to name its mistake.
    """
    if reseed is not None:
        torch.manual_seed(reseed)
    criterion = nn.CrossEntropyLoss()
    options = {"momentum": config["momentum"], "weight_decay": config["weight_decay"]}
    if sgd == "no_weight_decay":
        del options["weight_decay"]
    elif sgd == "no_momentum":
        del options["momentum"]
    optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"], **options)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=config["step_size"], gamma=config["gamma"])
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_accuracy": [], "lr": []}
    if mode == "once":
        model.train()
    for _ in range(config["epochs"]):
        if mode == "each_epoch":
            model.train()
        if lr_record == "before":
            history["lr"].append(optimizer.param_groups[0]["lr"])
        for x, y in train_loader:
            if zero == "before":
                optimizer.zero_grad()
            logits = model(x)
            scores = torch.softmax(logits, dim=1) if softmax else logits
            if loss_mean == "nominal":
                loss = nn.functional.cross_entropy(scores, y, reduction="sum") / train_loader.batch_size
            else:
                loss = criterion(scores, y)
            loss.backward()
            if zero == "after_backward":
                optimizer.zero_grad()
            if config["clip_norm"] is not None and clip == "before":
                nn.utils.clip_grad_norm_(model.parameters(), config["clip_norm"])
            if config["clip_norm"] is not None and clip == "normalize":
                grads = [p.grad for p in model.parameters() if p.grad is not None]
                total = torch.sqrt(sum((g * g).sum() for g in grads))
                for g in grads:
                    g.mul_(config["clip_norm"] / (total + 1e-6))
            optimizer.step()
            if config["clip_norm"] is not None and clip == "after":
                nn.utils.clip_grad_norm_(model.parameters(), config["clip_norm"])
            if schedule == "batch":
                scheduler.step()
            history["train_loss"].append(loss.item())
        val_loss, val_accuracy = evaluate(model, val_loader, criterion, val=val, accuracy=accuracy)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        if schedule == "epoch":
            scheduler.step()
        if lr_record == "after":
            history["lr"].append(optimizer.param_groups[0]["lr"])
    return history


# -- trusted-side helpers for the tests ------------------------------------------------------

def make_blobs(rng: torch.Generator, n_train: int, n_val: int, n_features: int = 6, n_classes: int = 3,
               spread: float = 1.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gaussian blobs: float64 features, int64 labels; train and validation share the centres."""
    centres = 2.0 * torch.randn(n_classes, n_features, generator=rng, dtype=torch.float64)

    def draw(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, n_classes, (n,), generator=rng)
        y[:n_classes] = torch.arange(n_classes)  # every class present
        return centres[y] + spread * torch.randn(n, n_features, generator=rng, dtype=torch.float64), y

    X_train, y_train = draw(n_train)
    X_val, y_val = draw(n_val)
    return X_train, y_train, X_val, y_val


def seeds(rng: torch.Generator) -> tuple[int, int]:
    """(model_seed, run seed), drawn from the test's rng."""
    a, b = torch.randint(0, 2**30, (2,), generator=rng).tolist()
    return int(a), int(b)


def inputs(ts: Any, rng: torch.Generator, n_train: int, n_val: int, *, passes: int, n_features: int = 6,
           **setup: Any) -> dict[str, Any]:
    """Everything a run needs, drawn here on the trusted side: the data, the model's initial weights and the
    order of the training samples in each pass (``make_setup``'s ``state`` and ``order``), the run seed."""
    data = make_blobs(rng, n_train, n_val, n_features=n_features)
    model_seed, seed = seeds(rng)
    model = ts.make_setup(*data, model_seed, **setup)["model"]
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    order = torch.stack([torch.randperm(n_train, generator=rng) for _ in range(max(passes, 1))])
    return {"data": data, "model_seed": model_seed, "seed": seed, "state": state, "order": order, "setup": setup}


def reference_run(ts: Any, data: tuple[torch.Tensor, ...], config: dict[str, Any], *, model_seed: int, seed: int,
                  variant: dict[str, Any] | None = None, **setup: Any) -> dict[str, Any]:
    """What the fixed loop (or, with ``variant``, the loop with those mistakes) gives on these inputs, run under
    ``ts``: the challenge's support module as the tests' ``helper`` fixture loads it on the trusted side (the same
    code the worker runs it under)."""
    def fn(*args: Any) -> dict[str, list[float]]:
        return train_with(*args, **(variant or {}))
    return ts.run(ts.make_setup(*data, model_seed, **setup), config, seed=seed, train_fn=fn)


def expected_lrs(config: dict[str, Any]) -> list[float]:
    """The learning rate of each epoch under StepLR stepped once per epoch."""
    return [config["lr"] * config["gamma"] ** (epoch // config["step_size"]) for epoch in range(config["epochs"])]
