"""mlj: the host side of the judge (challenges, grading, sandboxes, reports, server)."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

__version__ = "0.1.0"

#: the folder above the ``judge`` package: the repository in a checkout or an editable install,
#: site-packages in an installed wheel
ROOT = Path(__file__).resolve().parent.parent


def _catalog() -> Path:
    """Where ``challenges/``, ``reference/`` and ``docker/`` are: the wheel ships them as package data
    of ``judge`` (``judge/catalog/``, see setup.py); a checkout has them next to the package."""
    shipped = Path(str(files(__name__) / "catalog"))
    return shipped if (shipped / "challenges").is_dir() else ROOT


#: holds ``challenges/``, ``reference/`` and ``docker/``, editable and installed alike
CATALOG = _catalog()
#: MLJ_CHALLENGES_DIR points the judge at another folder of challenge packages.
CHALLENGES_DIR = Path(os.environ.get("MLJ_CHALLENGES_DIR") or CATALOG / "challenges")
#: the built-in references (a challenge package may hold its own)
REFERENCE_DIR = CATALOG / "reference"
#: whether this is an installed copy (no repository around it): caches go to the user's folders then
INSTALLED = CATALOG != ROOT
