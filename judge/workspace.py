"""``mlj start``: a workspace with the stub, the statement and the public tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from judge.challenge import Challenge


class WorkspaceExists(Exception):
    pass


def create_workspace(challenge: Challenge, directory: Path, *, force: bool = False) -> list[Path]:
    """Write the files a candidate needs; never overwrite their solution unless ``force``."""
    directory.mkdir(parents=True, exist_ok=True)
    solution = directory / challenge.spec.entry.file
    if solution.exists() and not force:
        raise WorkspaceExists(f"{solution} already exists (your work is kept); use --force to start over")
    shutil.copyfile(challenge.stub_path, solution)
    written = [solution]
    statement = directory / "statement.md"
    shutil.copyfile(challenge.statement_path, statement)
    written.append(statement)
    for support in challenge.support_paths:
        shutil.copyfile(support, directory / support.name)
        written.append(directory / support.name)
    tests = directory / "public_tests"
    tests.mkdir(exist_ok=True)
    for test in sorted(challenge.tests_dir("public").glob("*.py")):
        shutil.copyfile(test, tests / test.name)
        written.append(tests / test.name)
    return written
