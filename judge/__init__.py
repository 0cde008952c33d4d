"""mlj: the host side of the judge (challenges, grading, sandboxes, reports, server)."""

from __future__ import annotations

import os
from pathlib import Path

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parent.parent
#: MLJ_CHALLENGES_DIR points the judge at another folder of challenge packages.
CHALLENGES_DIR = Path(os.environ.get("MLJ_CHALLENGES_DIR") or ROOT / "challenges")
