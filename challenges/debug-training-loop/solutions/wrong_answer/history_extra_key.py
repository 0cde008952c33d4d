"""Wrong (rule history-keys): the history also has an "epoch" list; the statement asks for a dict with
exactly the four lists."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _clip_(parameters: list[torch.nn.Parameter], max_norm: float) -> None:
    grads = [p.grad for p in parameters if p.grad is not None]
    total = math.sqrt(sum(float(g.pow(2).sum()) for g in grads))
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads:
            g.mul_(scale)


def _validate(model, loader) -> tuple[float, float]:
    model.eval()
    with torch.inference_mode():
        pairs = [(model(inputs), targets) for inputs, targets in loader]
        logits = torch.cat([p[0] for p in pairs])
        targets = torch.cat([p[1] for p in pairs])
        loss = F.cross_entropy(logits, targets, reduction="sum").item() / len(targets)
        accuracy = (logits.argmax(dim=-1) == targets).double().mean().item()
    return loss, accuracy


def train(model, train_loader, val_loader, config):
    parameters = list(model.parameters())
    optimizer = torch.optim.SGD(parameters, lr=config["lr"], momentum=config["momentum"],
                                weight_decay=config["weight_decay"])
    schedule = torch.optim.lr_scheduler.StepLR(optimizer, config["step_size"], gamma=config["gamma"])
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "lr": [], "epoch": []}
    optimizer.zero_grad(set_to_none=True)
    for _epoch in range(config["epochs"]):
        history["lr"].append(float(schedule.get_last_lr()[0]))
        model.train(True)
        for inputs, targets in train_loader:
            loss = F.cross_entropy(model(inputs), targets)
            loss.backward()
            if config.get("clip_norm") is not None:
                _clip_(parameters, config["clip_norm"])
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            history["train_loss"].append(float(loss.detach()))
        val_loss, val_accuracy = _validate(model, val_loader)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        history["epoch"].append(float(_epoch))
        schedule.step()
    return history
