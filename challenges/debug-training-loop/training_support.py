"""Support code for the debug-training-loop challenge (public: read it, do not edit it).

The judge builds the model and the two DataLoaders with ``make_setup`` and runs your
``train`` through ``run``; you can do the same to try your loop locally::

    import torch, training_support as ts
    from solution import train
    X = torch.randn(64, 6, dtype=torch.float64); y = (X[:, 0] > 0).long()
    setup = ts.make_setup(X, y, X, y, model_seed=0)
    result = ts.run(setup, ts.default_config(epochs=3), train_fn=train)
    print(result["history"], result["probes"]["most_graphs_alive"])

Everything is float64 on the CPU, with one thread and a fixed seed, so the same inputs
give the same numbers every time, in your process and in the judge's.

While ``train`` runs, ``run`` watches it without changing any number:

* the model's ``forward`` records, for every call, which loader the batch came from
  ("train" or "val"), ``model.training`` and ``torch.is_grad_enabled()``;
* each training forward tags its output, so ``run`` can count the autograd graphs of
  earlier steps that are still alive (they should be freed step after step);
* just before every ``optimizer.step()`` it records the learning rate, the total L2 norm
  of the gradients, and how far the gradients differ from the ones produced by the
  backward passes since the previous step.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import math
import sys
import types
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn
from torch.optim.optimizer import Optimizer, register_optimizer_step_pre_hook
from torch.utils.data import DataLoader, Sampler, TensorDataset

HISTORY_KEYS = ("train_loss", "val_loss", "val_accuracy", "lr")


def default_config(**overrides: Any) -> dict[str, Any]:
    """A complete config (every key ``train`` reads); keyword arguments override entries."""
    config: dict[str, Any] = {"epochs": 3, "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4,
                              "clip_norm": None, "step_size": 1, "gamma": 1.0}
    unknown = set(overrides) - set(config)
    if unknown:
        raise KeyError(f"unknown config keys: {sorted(unknown)}")
    config.update(overrides)
    return config


class _GraphToken:
    """A tiny object kept by a training step's autograd graph, watched through a weakref."""

    __slots__ = ("__weakref__",)


class _Tag(torch.autograd.Function):
    """Identity on the logits whose graph node holds a ``_GraphToken`` while the graph lives."""

    @staticmethod
    def forward(ctx: Any, logits: torch.Tensor, token: _GraphToken) -> torch.Tensor:
        ctx.token = token
        return logits.clone()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad, None


def _any_training(model: nn.Module, _modules: Callable[..., Any] = nn.Module.modules,
                  _vars: Callable[[Any], dict[str, Any]] = vars) -> bool:
    """Whether ``model`` or any of its submodules is in training mode, read from each module's own
    ``__dict__`` (a ``training`` property put on a class by a submission is not what dropout and
    batch-norm read)."""
    return any(bool(_vars(m).get("training", False)) for m in _modules(model))


class Monitor:
    """What ``run`` observes while ``train`` runs (see the module docstring)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.phase: str | None = None
        self.train_epochs = 0
        self.forwards: list[tuple[str | None, bool, bool]] = []
        self.graphs: list[weakref.ref] = []
        self.most_graphs_alive = 0
        self.most_graphs_alive_at = -1
        self.fresh: dict[int, torch.Tensor] = {}
        self.steps: list[dict[str, Any]] = []

    def observe(self, model: nn.Module, logits: torch.Tensor, *,
                _grad_enabled: Callable[[], bool] = torch.is_grad_enabled,
                _ref: Callable[[Any], Any] = weakref.ref, _token: type = _GraphToken,
                _tag: Callable[..., torch.Tensor] = _Tag.apply,
                _training: Callable[[nn.Module], bool] = _any_training) -> torch.Tensor:
        # the default arguments are bound at import, before a submission is: replacing torch.is_grad_enabled,
        # weakref.ref, _Tag.apply or a module's `training` attribute later changes nothing here
        self.forwards.append((self.phase, bool(_training(model)), bool(_grad_enabled())))
        if self.phase == "train" and logits.requires_grad:
            self.graphs = [ref for ref in self.graphs if ref() is not None]
            if len(self.graphs) > self.most_graphs_alive:
                self.most_graphs_alive = len(self.graphs)
                self.most_graphs_alive_at = sum(1 for f in self.forwards if f[0] == "train") - 1
            token = _token()
            self.graphs.append(_ref(token))
            logits = _tag(logits, token)
        return logits

    def graphs_alive(self) -> int:
        return sum(1 for ref in self.graphs if ref() is not None)


class Classifier(nn.Module):
    """Linear -> BatchNorm1d -> ReLU -> Dropout -> Linear; returns raw logits (float64)."""

    def __init__(self, n_features: int, n_classes: int, hidden: int = 16, dropout: float = 0.2,
                 batch_norm: bool = True) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_features, hidden, dtype=torch.float64)
        self.bn = nn.BatchNorm1d(hidden, dtype=torch.float64) if batch_norm else nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, n_classes, dtype=torch.float64)
        self.monitor: Monitor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.fc2(self.dropout(torch.relu(self.bn(self.fc1(x)))))
        if self.monitor is not None:
            logits = _observe(self.monitor, self, logits)  # the class's method, bound at import
        return logits


_observe = Monitor.observe


class PhaseLoader(DataLoader):
    """A plain DataLoader that tells the monitor which loader the current batch came from."""

    def __init__(self, dataset: TensorDataset, *, phase: str, monitor: Monitor, **kwargs: Any) -> None:
        super().__init__(dataset, **kwargs)
        self.phase = phase
        self.monitor = monitor

    def __iter__(self) -> Iterator[Any]:
        if self.phase == "train":
            self.monitor.train_epochs += 1
        for batch in super().__iter__():
            self.monitor.phase = self.phase
            yield batch


class OrderSampler(Sampler[int]):
    """The training samples in the order given for each pass: ``order[k]`` is pass ``k``'s permutation."""

    def __init__(self, order: torch.Tensor) -> None:
        self.order = [[int(i) for i in row] for row in order]
        self.passes = 0

    def __len__(self) -> int:
        return len(self.order[0])

    def __iter__(self) -> Iterator[int]:
        if self.passes >= len(self.order):
            raise RuntimeError(f"train_loader was iterated more than {len(self.order)} times: iterate it once per "
                               "epoch")
        self.passes += 1
        return iter(self.order[self.passes - 1])


@contextlib.contextmanager
def optimizer_without_dynamo() -> Iterator[None]:
    """Let ``torch.optim.SGD`` run without importing ``torch._dynamo``; the arithmetic is unchanged.

    ``Optimizer.add_param_group``/``zero_grad`` and ``SGD.step`` import ``torch._dynamo`` on
    first use (more CPU time than importing torch itself) only to mark themselves as graph
    breaks for ``torch.compile``. Nothing is compiled here, so while this is active they skip
    that import. When ``torch._dynamo`` is already loaded, or this torch does not look as
    expected, nothing is patched and the import simply happens.
    """
    if "torch._dynamo" in sys.modules:
        yield
        return
    undo: list[Callable[[], None]] = []
    try:
        import torch._compile as compile_api

        disabled = compile_api._disable_dynamo(lambda: None).__code__
        for fn in list(vars(Optimizer).values()):
            wrapped = getattr(fn, "__wrapped__", None)
            if getattr(fn, "__code__", None) is disabled and wrapped is not None and (
                    getattr(wrapped, "__dynamo_disable", None) is None):
                setattr(wrapped, "__dynamo_disable", wrapped)
                undo.append(functools.partial(delattr, wrapped, "__dynamo_disable"))
        saved = torch.optim.SGD.__dict__["step"]
        real = saved
        while getattr(real, "__wrapped__", None) is not None:
            real = real.__wrapped__
        code = getattr(real, "__code__", None)
        if code is not None and code.co_name == "step" and code.co_filename.endswith("sgd.py"):
            def step(self: Optimizer, *args: Any, _enabled: Callable[[], bool] = torch.is_grad_enabled,
                     _set: Callable[[bool], Any] = torch._C._set_grad_enabled, **kwargs: Any) -> Any:
                # grad mode read and set through torch's C functions bound at import
                previous = _enabled()
                try:
                    _set(bool(self.defaults["differentiable"]))
                    return real(self, *args, **kwargs)
                finally:
                    _set(previous)

            functools.update_wrapper(step, real)
            torch.optim.SGD.step = step  # type: ignore[method-assign]
            undo.append(lambda: setattr(torch.optim.SGD, "step", saved))
    except Exception:  # noqa: BLE001 - an unexpected torch: leave it as it is
        pass
    try:
        yield
    finally:
        for action in reversed(undo):
            action()


def make_setup(X_train: torch.Tensor, y_train: torch.Tensor, X_val: torch.Tensor, y_val: torch.Tensor,
               model_seed: int, *, batch_size: int = 16, val_batch_size: int = 32, hidden: int = 16,
               dropout: float = 0.2, batch_norm: bool = True, state: dict[str, torch.Tensor] | None = None,
               order: torch.Tensor | None = None) -> dict[str, Any]:
    """The model (in training mode) and the loaders, as ``dict(model=, train_loader=, val_loader=)``.

    ``X_*`` are float64 ``(N, n_features)``, ``y_*`` int64 class indices ``(N,)``. The model's weights
    are drawn from ``model_seed``, or loaded from ``state`` (a state_dict) when given. The training
    loader shuffles with its own generator seeded from ``model_seed`` (one new order per pass), or,
    with ``order`` (an int64 ``(passes, N)`` tensor), takes the samples of pass ``k`` in the order
    ``order[k]``. Neither loader uses worker processes. The judge sends ``state`` and ``order``.
    """
    X_train, X_val = X_train.to(torch.float64), X_val.to(torch.float64)
    y_train, y_val = y_train.to(torch.int64), y_val.to(torch.int64)
    n_classes = int(max(int(y_train.max()), int(y_val.max()))) + 1
    monitor = Monitor()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(model_seed)
        model = Classifier(X_train.shape[1], n_classes, hidden, dropout, batch_norm)
    if state is not None:
        model.load_state_dict(state)
    model.monitor = monitor
    shuffle: dict[str, Any] = {"shuffle": True, "generator": torch.Generator().manual_seed(model_seed + 1)}
    if order is not None:
        shuffle = {"sampler": OrderSampler(order)}
    train_loader = PhaseLoader(TensorDataset(X_train, y_train), phase="train", monitor=monitor,
                               batch_size=batch_size, num_workers=0, **shuffle)
    val_loader = PhaseLoader(TensorDataset(X_val, y_val), phase="val", monitor=monitor,
                             batch_size=val_batch_size, shuffle=False, num_workers=0,
                             generator=torch.Generator().manual_seed(model_seed + 2))
    return {"model": model, "train_loader": train_loader, "val_loader": val_loader, "monitor": monitor}


def _history(history: Any) -> tuple[dict[str, list[float]], dict[str, str], str | None, list[str]]:
    """(floats per key, the first entry per key that is not a Python float, the first format problem, the
    keys beyond the four asked for, as text: at most 16)."""
    values: dict[str, list[float]] = {key: [] for key in HISTORY_KEYS}
    not_float: dict[str, str] = {}
    if not isinstance(history, dict):
        return values, not_float, f"train() must return a dict, it returned a {type(history).__name__}", []
    extra = [repr(key)[:100] for key in list(history)[:1000] if key not in HISTORY_KEYS][:16]
    problem = None
    for key in HISTORY_KEYS:
        entries = history.get(key)
        if not isinstance(entries, (list, tuple)):
            problem = problem or f"history[{key!r}] must be a list, got {type(entries).__name__}"
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, float) and key not in not_float:
                not_float[key] = f"history[{key!r}][{i}] is a {type(entry).__module__}.{type(entry).__qualname__}"
            try:
                values[key].append(float(entry.detach() if isinstance(entry, torch.Tensor) else entry))
            except (TypeError, ValueError, RuntimeError):
                problem = problem or f"history[{key!r}][{i}] is not a number ({type(entry).__name__})"
                values[key].append(math.nan)
    return values, not_float, problem, extra


def _bind_run() -> Callable[..., dict[str, Any]]:
    """``run``, with every function it calls bound now (this module is imported before a submission is):
    a submission that later replaces this module's names, or torch's, does not change what ``run`` runs."""
    _history_of, _pre_hook, _fork_rng, _manual_seed = _history, register_optimizer_step_pre_hook, \
        torch.random.fork_rng, torch.manual_seed
    _get_threads, _set_threads, _no_dynamo, _import = torch.get_num_threads, torch.set_num_threads, \
        optimizer_without_dynamo, importlib.import_module
    _reset, _alive, _training, _state_dict = Monitor.reset, Monitor.graphs_alive, _any_training, \
        nn.Module.state_dict

    def run(setup: dict[str, Any], config: dict[str, Any], *, seed: int = 0,
            train_fn: Callable[..., Any] | None = None) -> dict[str, Any]:
        """Call ``train_fn`` (default: ``solution.train``) on ``setup`` and report what happened.

        Returns a dict of plain values: ``history`` (floats per key), ``history_extra`` (keys beyond the
        four, as text), ``history_not_float``
        (the first entry per key that is not a Python float), ``history_problem`` (None, or
        what is wrong with the returned history), ``training`` (``model.training``
        afterwards), ``state`` (the final state_dict), ``steps_per_epoch`` and ``probes``
        (lists per forward pass and per optimizer step, and the graph counts).
        """
        if train_fn is None:
            train_fn = _import("solution").train
        model: Classifier = setup["model"]
        monitor: Monitor = setup["monitor"]
        _reset(monitor)
        params = list(model.parameters())
        owned = {id(p) for p in params}

        def on_grad(index: int) -> Callable[[torch.Tensor], None]:
            def hook(grad: torch.Tensor) -> None:
                previous = monitor.fresh.get(index)
                monitor.fresh[index] = grad.detach().clone() if previous is None else previous + grad.detach()
            return hook

        def before_step(optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
            if not any(id(p) in owned for group in optimizer.param_groups for p in group["params"]):
                return
            squares, relative = 0.0, [0.0]
            for i, p in enumerate(params):
                grad = p.grad.detach() if p.grad is not None else torch.zeros_like(p)
                fresh = monitor.fresh.get(i, torch.zeros_like(p))
                squares += float(grad.pow(2).sum())
                diff = float((grad - fresh).abs().max())  # NaN stays NaN
                relative.append(diff / max(float(fresh.abs().max()), 1e-300) if diff != 0 else 0.0)
            monitor.fresh = {}
            stale = math.nan if any(math.isnan(r) for r in relative) else max(relative)
            monitor.steps.append({"lr": float(optimizer.param_groups[0]["lr"]), "grad_norm": math.sqrt(squares),
                                  "stale_grad": stale, "epoch": monitor.train_epochs - 1})

        handles = [p.register_hook(on_grad(i)) for i, p in enumerate(params)]
        handles.append(_pre_hook(before_step))
        threads = _get_threads()
        _set_threads(1)
        try:
            with _fork_rng(devices=[]), _no_dynamo():
                _manual_seed(seed)
                history = train_fn(model, setup["train_loader"], setup["val_loader"], dict(config))
        finally:
            for handle in handles:
                handle.remove()
            _set_threads(threads)
        alive_after = _alive(monitor)
        values, not_float, problem, extra = _history_of(history)
        del history
        forwards = monitor.forwards
        return {
            "history": values,
            "history_not_float": not_float,
            "history_problem": problem,
            "history_extra": extra,
            "training": _training(model),
            "state": {k: v.detach().clone() for k, v in _state_dict(model).items()},
            "steps_per_epoch": len(setup["train_loader"]),
            "probes": {
                "train_forward_training": [t for phase, t, _ in forwards if phase == "train"],
                "val_forward_training": [t for phase, t, _ in forwards if phase == "val"],
                "val_forward_grad_enabled": [g for phase, _, g in forwards if phase == "val"],
                "most_graphs_alive": monitor.most_graphs_alive,
                "most_graphs_alive_at": monitor.most_graphs_alive_at,
                "graphs_alive_after": alive_after,
                "step_lr": [s["lr"] for s in monitor.steps],
                "step_epoch": [s["epoch"] for s in monitor.steps],
                "step_grad_norm": [s["grad_norm"] for s in monitor.steps],
                "step_stale_grad": [s["stale_grad"] for s in monitor.steps],
            },
        }

    return run


run = _bind_run()


class _Sealed(types.ModuleType):
    """This module as everyone reaches it after its import: the names it defined cannot be replaced or
    deleted through it (``training_support.run = ...`` raises), and reading one gives the object it
    defined, whatever its ``__dict__`` holds by then."""

    def __getattribute__(self, name: str, _frozen: dict[str, Any] | None = None,
                         _get: Callable[[Any, str], Any] = types.ModuleType.__getattribute__) -> Any:
        if _frozen is not None and name in _frozen:  # _frozen: bound by _seal() at import
            return _frozen[name]
        return _get(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{__name__} is the judge's: its names cannot be replaced")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{__name__} is the judge's: its names cannot be deleted")


def _seal() -> None:
    frozen = {k: v for k, v in globals().items() if not k.startswith("__")}
    defaults = list(_Sealed.__getattribute__.__defaults__ or ())
    defaults[0] = frozen
    _Sealed.__getattribute__.__defaults__ = tuple(defaults)
    module = sys.modules.get(__name__)
    if module is not None and module.__dict__ is globals():
        module.__class__ = _Sealed


_seal()
