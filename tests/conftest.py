"""Shared fixtures for the project's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.challenge import Challenge, find
from judge.sandbox.process import ProcessSandbox

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def softmax() -> Challenge:
    return find("softmax-cross-entropy")


@pytest.fixture(scope="session")
def process_sandbox() -> ProcessSandbox:
    return ProcessSandbox()


def expected_verdict(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path} must start with '# expect: VERDICT'"
    return first.removeprefix("# expect: ").strip()


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            todo += [int(c) for c in children.read_text().split()]
    return found
