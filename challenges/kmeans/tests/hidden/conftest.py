"""Makes the hidden tests' shared modules importable by name (trusted side only).

``kmeans_checks`` (this folder) and ``kmeans_data`` (the challenge's public
support module) are loaded by path under names of their own, so they never
collide with another challenge's helpers in ``sys.modules``; the test files
then just ``import mlj_kmeans_hidden_checks as km``. pytest imports this file
before it collects the tests of this folder.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> None:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


_load("mlj_kmeans_hidden_checks", HERE / "kmeans_checks.py")
_load("mlj_kmeans_support_data", HERE.parent.parent / "kmeans_data.py")
