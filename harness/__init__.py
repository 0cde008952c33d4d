"""mlj's harness: exactly what enters the sandbox (the worker, the wire protocol, the guard).

It imports nothing from ``judge``; the trusted end of the wire is ``judge.runner``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: every module of this package; the runner image and the process sandbox's root hold these and no more
WORKER_MODULES = ("__init__", "protocol", "worker", "guard")


def import_file(name: str, path: str | Path) -> Any:
    """Import the Python file at ``path`` as the module ``name``, registered in ``sys.modules``."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def map_leaves(fn: Callable[[Any], Any], value: Any) -> Any:
    """``value`` with every leaf replaced by ``fn(leaf)``: lists, tuples (named ones too) and dicts are
    rebuilt, anything else is a leaf. The one walk over nested results and arguments, both sides of the wire."""
    if isinstance(value, list):
        return [map_leaves(fn, v) for v in value]
    if isinstance(value, tuple):
        items = [map_leaves(fn, v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {k: map_leaves(fn, v) for k, v in value.items()}
    return fn(value)


def leaves(value: Any) -> list[Any]:
    """The leaves of ``value`` in order, as ``map_leaves`` sees them."""
    found: list[Any] = []
    map_leaves(found.append, value)
    return found
