"""mlj's harness: the wire, the worker, the guard, the proxy, the comparison and the pytest plugin."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any


def import_file(name: str, path: str | Path) -> Any:
    """Import the Python file at ``path`` as the module ``name``, registered in ``sys.modules``."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
