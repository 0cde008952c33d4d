"""Makes the hidden tests' shared modules importable by name (trusted side only).

``kmeans_checks`` (this folder) and ``kmeans_data`` (the challenge's public
support module) are loaded by path under names of their own, so they never
collide with another challenge's helpers in ``sys.modules``; the test files
then just ``import mlj_kmeans_hidden_checks as km``. pytest imports this file
before it collects the tests of this folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness import import_file

HERE = Path(__file__).resolve().parent

for name, path in [("mlj_kmeans_hidden_checks", HERE / "kmeans_checks.py"),
                   ("mlj_kmeans_support_data", HERE.parent.parent / "kmeans_data.py")]:
    if name not in sys.modules:
        import_file(name, path)
