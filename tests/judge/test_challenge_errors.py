"""challenge.yaml errors come all at once, missing files included, each with its line, sorted by line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from judge.challenge import ChallengeError, load_challenge

SOFTMAX = Path(__file__).resolve().parents[2] / "challenges" / "softmax-cross-entropy"


def test_schema_errors_and_missing_files_come_together_sorted_by_line(tmp_path):
    package = tmp_path / "softmax-cross-entropy"
    shutil.copytree(SOFTMAX, package)
    text = (package / "challenge.yaml").read_text()
    text = re.sub(r"(?m)^difficulty: .*$", "difficulty: impossible", text)
    text = text.replace("statement: statement.md", "statement: nowhere.md")
    (package / "challenge.yaml").write_text(text)
    with pytest.raises(ChallengeError) as caught:
        load_challenge(package)
    errors = caught.value.errors
    assert any("statement: file nowhere.md does not exist" in e for e in errors), errors
    assert any("difficulty" in e for e in errors), errors
    lines = [int(m.group(1)) for e in errors if (m := re.match(r"line (\d+)", e))]
    assert len(lines) == len(errors) >= 2 and lines == sorted(lines), errors
