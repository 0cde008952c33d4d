"""Where a batch's submissions are: the one reading of FILES for `mlj grade` (no challenge is loaded here).

``mlj grade ID FILES``: each item is a file, or a folder of ``*.py`` files and ``*.ipynb`` notebooks.
``mlj grade all DIRS``: each folder holds one sub-folder per challenge id
(``DIR/attention/*.py``, ...).
"""

from __future__ import annotations

from pathlib import Path

#: what a folder's submissions are: Python files and notebooks (graded by their code cells)
SOURCE_GLOBS = ("*.py", "*.ipynb")


def submission_files(challenge_id: str, items: tuple[Path, ...]) -> list[tuple[str, Path]]:
    """(challenge id, file) for every submission the items name, in a stable order."""
    pairs: list[tuple[str, Path]] = []
    for item in items:
        if challenge_id == "all":
            for folder in sorted(p for p in item.iterdir() if p.is_dir()) if item.is_dir() else []:
                pairs += [(folder.name, f) for f in _sources(folder)]
        elif item.is_dir():
            pairs += [(challenge_id, f) for f in _sources(item)]
        else:
            pairs.append((challenge_id, item))
    return pairs


def _sources(folder: Path) -> list[Path]:
    return sorted(f for pattern in SOURCE_GLOBS for f in folder.glob(pattern) if f.is_file())
