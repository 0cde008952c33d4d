# Hostile: forges the support module's gradient and mode probes by replacing its functions from the submission.
"""Gradients are never zeroed (each step applies the sum of all gradients so far), and the support module's
names are replaced (through the module, then through its __dict__) with versions that report clean
steps. The trained weights are compared on the trusted side: WA in zero_grad."""

from __future__ import annotations

import sys
from typing import Any

import torch
import torch.optim.optimizer as _optimizer_module
from torch import nn


def _forge() -> None:
    ts = sys.modules.get("training_support")
    if ts is None:
        return

    def no_hook(hook):  # noqa: ANN001, ANN202 - the step probe never sees a step
        class Handle:
            def remove(self) -> None:
                pass
        return Handle()

    def observe(self, model, logits, **_):  # noqa: ANN001, ANN202
        self.forwards.append((self.phase, self.phase == "train", False))
        return logits

    for name, value in (("register_optimizer_step_pre_hook", no_hook), ("_pre_hook", no_hook)):
        try:
            setattr(ts, name, value)
        except AttributeError:
            pass
        vars(ts)[name] = value
    _optimizer_module.register_optimizer_step_pre_hook = no_hook
    ts.Monitor.observe = observe


_forge()


def evaluate(model: nn.Module, loader: Any, criterion: nn.Module) -> tuple[float, float]:
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += criterion(logits, y).item() * y.shape[0]
            correct += (logits.argmax(dim=1) == y).sum().item()
            count += y.shape[0]
    return total_loss / count, correct / count


def train(model: nn.Module, train_loader: Any, val_loader: Any, config: dict[str, Any]) -> dict[str, list]:
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"],
                                weight_decay=config["weight_decay"])
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=config["step_size"], gamma=config["gamma"])
    history: dict[str, list] = {"train_loss": [], "val_loss": [], "val_accuracy": [], "lr": []}
    for _ in range(config["epochs"]):
        model.train()
        history["lr"].append(optimizer.param_groups[0]["lr"])
        for x, y in train_loader:
            logits = model(x)
            loss = criterion(logits, y)
            loss.backward()
            if config["clip_norm"] is not None:
                nn.utils.clip_grad_norm_(model.parameters(), config["clip_norm"])
            optimizer.step()
            history["train_loss"].append(loss.item())
        val_loss, val_accuracy = evaluate(model, val_loader, criterion)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        scheduler.step()
    return history
