"""challenge.yaml: a strict model, every error at once with its line, field path and hint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from judge.challenge import CHALLENGES_DIR, BrokenChallenge, Challenge, ChallengeError, discover, load_challenge

GOOD = CHALLENGES_DIR / "softmax-cross-entropy"


def copy_challenge(tmp_path: Path, name: str = "softmax-cross-entropy") -> Path:
    target = tmp_path / name
    shutil.copytree(GOOD, target)
    return target


def test_every_shipped_challenge_loads():
    found = discover()
    assert found and all(isinstance(c, Challenge) for c in found), [c for c in found if not isinstance(c, Challenge)]


def test_all_errors_at_once_with_lines_paths_and_hints(tmp_path):
    target = copy_challenge(tmp_path)
    yaml_path = target / "challenge.yaml"
    text = yaml_path.read_text()
    text = text.replace("difficulty: medium", "difficulty: impossible")
    text = text.replace("  time_per_test: 3", "  time_per_test: -1")
    text = text.replace("format: 1", "format: 1\ncolour: blue")
    yaml_path.write_text(text)
    with pytest.raises(ChallengeError) as info:
        load_challenge(target)
    errors = info.value.errors
    assert len(errors) == 3, errors
    by_field = {e.split(": ")[1]: e for e in errors}
    assert "line 7" in by_field["difficulty"] and "hint: use one of the values" in by_field["difficulty"]
    assert "limits.time_per_test" in by_field and "greater than 0" in by_field["limits.time_per_test"]
    assert "line 3" in by_field["colour"] and "remove it" in by_field["colour"]


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    target = copy_challenge(tmp_path)
    (target / "challenge.yaml").write_text("format: 1\nid: [unclosed\n")
    with pytest.raises(ChallengeError) as info:
        load_challenge(target)
    assert "YAML syntax error" in info.value.errors[0] and "line 3" in info.value.errors[0]


def test_missing_files_and_unknown_solution_folders_are_reported(tmp_path):
    target = copy_challenge(tmp_path)
    (target / "statement.md").unlink()
    (target / "solutions" / "sometimes_right").mkdir()
    with pytest.raises(ChallengeError) as info:
        load_challenge(target)
    text = "\n".join(info.value.errors)
    assert "statement: file" in text and "does not exist" in text
    assert "solutions/sometimes_right: unknown verdict folder" in text


def test_id_must_match_folder(tmp_path):
    target = copy_challenge(tmp_path, "renamed")
    with pytest.raises(ChallengeError, match="differs from the folder name"):
        load_challenge(target)


def test_discover_reports_a_broken_package_and_carries_on(tmp_path):
    copy_challenge(tmp_path)
    broken = tmp_path / "aaa-broken"
    broken.mkdir()
    (broken / "challenge.yaml").write_text("format: 2\n")
    found = discover(tmp_path)
    assert [type(c) for c in found] == [BrokenChallenge, Challenge]
    assert any("format" in e for e in found[0].errors) and any("id" in e for e in found[0].errors)


def test_a_package_with_its_own_reference_works_from_another_challenges_dir(tmp_path):
    """Adding a challenge is copying one folder: its reference.py inside, MLJ_CHALLENGES_DIR elsewhere."""
    import os
    import subprocess
    import sys

    root = tmp_path / "catalog"
    target = copy_challenge(root, "own-reference")
    yaml_path = target / "challenge.yaml"
    text = yaml_path.read_text().replace("id: softmax-cross-entropy", "id: own-reference")
    yaml_path.write_text(text.replace("reference: softmax_cross_entropy.py", "reference: reference.py"))
    shutil.copyfile(CHALLENGES_DIR.parent / "reference" / "softmax_cross_entropy.py", target / "reference.py")
    shutil.rmtree(target / "solutions" / "time_limit")  # it runs into its limit: seconds, and nothing new here
    challenge = load_challenge(target)
    assert challenge.reference_path == target / "reference.py"
    assert not (CHALLENGES_DIR.parent / "reference" / "reference.py").exists(), "only the package can hold it"

    env = {**os.environ, "MLJ_CHALLENGES_DIR": str(root)}

    def mlj(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cli", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=600)

    listed = mlj("list", "--json")
    assert listed.returncode == 0 and "own-reference" in listed.stdout, listed.stderr
    verified = mlj("verify", "own-reference", "--sandbox", "process", "--seed", "5")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "reference" in verified.stdout and "logsumexp_by_hand" in verified.stdout


def test_a_field_given_twice_is_an_error_with_both_lines(tmp_path):
    target = copy_challenge(tmp_path)
    yaml_path = target / "challenge.yaml"
    text = yaml_path.read_text()
    first = next(i for i, line in enumerate(text.splitlines()) if line.startswith("title:")) + 1
    yaml_path.write_text(text + "title: A second title\n")
    with pytest.raises(ChallengeError) as caught:
        load_challenge(target)
    message = "\n".join(caught.value.errors)
    assert "'title' is given twice" in message and f"first on line {first}" in message, message
    assert f"line {len(text.splitlines()) + 1}" in message, message
