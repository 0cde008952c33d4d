"""Run-time enforcement of a challenge's forbidden APIs, inside the worker.

Three layers, all keyed on "is the submission's code on the call stack":

* a ``TorchFunctionMode`` that sees every call into torch's Python API
  (``torch.*``, ``torch.nn.functional.*``, Tensor methods, ``torch._C._nn``),
  however the function was reached: alias, ``getattr``, method or module;
* a ``TorchDispatchMode`` over aten operators (``torch.ops.aten``, kernels
  reached through ``torch._C``) for the ops a challenge lists;
* an import hook that refuses forbidden modules (sklearn, faiss, ...), and
  wrappers around forbidden non-torch callables and classes.

A violation is recorded before the exception is raised, so a submission that
swallows the exception is still reported.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import importlib.abc
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode


class ForbiddenError(RuntimeError):
    """Raised into the submission when it calls a forbidden API."""


@dataclass
class Violation:
    name: str
    line: int | None

    def describe(self) -> str:
        where = f" at line {self.line}" if self.line else ""
        return f"{self.name} is forbidden in this challenge (called{where})"


class Guard:
    def __init__(self, submission_files: set[str]) -> None:
        self.files = submission_files
        self.violations: list[Violation] = []
        self._callables: dict[int, str] = {}
        self._ops: set[str] = set()
        self._modules: set[str] = set()

    # -- where is the submission? -------------------------------------------
    def submission_line(self) -> int | None:
        """The innermost line of submission code on the stack, or None."""
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename in self.files:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def violate(self, name: str) -> None:
        line = self.submission_line()
        if line is None:
            return
        self.violations.append(Violation(name, line))
        raise ForbiddenError(f"{name} is forbidden in this challenge")

    # -- setup --------------------------------------------------------------
    def install(self, apis: list[str], ops: list[str], modules: list[str]) -> None:
        for name in apis:
            target = _resolve(name)
            if target is None or isinstance(target, type(sys)):
                self._modules.add(name)
            else:
                self._callables[id(target)] = name
                if isinstance(target, type) or not name.startswith("torch."):
                    _wrap_attribute(self, name)
        self._modules.update(modules)
        self._ops.update(op.removeprefix("aten.") for op in ops)
        if self._modules:
            sys.meta_path.insert(0, _ImportBlocker(self))
            _install_import_hook(self)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The torch modes, on while submission code runs (and off for the wire)."""
        with contextlib.ExitStack() as stack:
            if self._callables:
                stack.enter_context(_FunctionGuard(self))
            if self._ops:
                stack.enter_context(_DispatchGuard(self))
            yield

    def blocked_module(self, fullname: str) -> str | None:
        for name in self._modules:
            if fullname == name or fullname.startswith(name + "."):
                return name
        return None


class _FunctionGuard(TorchFunctionMode):
    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        name = self.guard._callables.get(id(func))
        if name is not None:
            self.guard.violate(name)
        return func(*args, **(kwargs or {}))


class _DispatchGuard(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # Otherwise torch wraps __torch_dispatch__ in a dynamo-disable that
        # imports torch._dynamo on first use: seconds, for nothing here.
        return False

    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        packet = func.overloadpacket.__name__
        if packet in self.guard._ops:
            self.guard.violate(f"torch.ops.aten.{packet}")
        return func(*args, **(kwargs or {}))


class _ImportBlocker(importlib.abc.MetaPathFinder):
    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001
        name = self.guard.blocked_module(fullname)
        if name is not None and self.guard.submission_line() is not None:
            self.guard.violate(f"import of {name}")
        return None


def _install_import_hook(guard: Guard) -> None:
    """Also refuse modules that were imported before the submission (already cached)."""
    original = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: ANN001
        if level == 0:
            blocked = guard.blocked_module(name)
            if blocked is not None:
                guard.violate(f"import of {blocked}")
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = guarded_import
    real_import_module = importlib.import_module

    def guarded_import_module(name, package=None):  # noqa: ANN001
        blocked = guard.blocked_module(name)
        if blocked is not None:
            guard.violate(f"import of {blocked}")
        return real_import_module(name, package)

    importlib.import_module = guarded_import_module


def _resolve(dotted: str) -> Any:
    """The object a dotted name points to, or None when it cannot be imported."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                obj = getattr(obj, part)
        except AttributeError:
            return None
        return obj
    return None


def _wrap_attribute(guard: Guard, dotted: str) -> None:
    """Replace a forbidden class or non-torch function with a checking wrapper."""
    owner_name, _, attr = dotted.rpartition(".")
    owner = _resolve(owner_name)
    target = getattr(owner, attr, None)
    if owner is None or target is None:
        return
    if isinstance(target, type):
        original_init = target.__init__

        def checked_init(self, *args, **kwargs):  # noqa: ANN001
            guard.violate(dotted)
            original_init(self, *args, **kwargs)

        target.__init__ = checked_init
        return

    def checked(*args, **kwargs):  # noqa: ANN002, ANN003
        guard.violate(dotted)
        return target(*args, **kwargs)

    guard._callables[id(checked)] = dotted
    try:
        setattr(owner, attr, checked)
    except (AttributeError, TypeError):
        pass


__all__ = ["ForbiddenError", "Guard", "Violation"]
