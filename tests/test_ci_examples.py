"""The example CI workflows (examples/ci/) run: their mlj commands, read from the YAML, grade a folder."""

from __future__ import annotations

import csv
import os
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "softmax_cross_entropy.py"


def _commands(path: Path) -> list[str]:
    """Every shell line of the workflow's steps (GitHub ``run:``, GitLab ``script:``)."""
    data = yaml.safe_load(path.read_text())
    lines: list[str] = []
    for job in data.get("jobs", {}).values():
        for step in job.get("steps", []):
            lines += str(step.get("run", "")).splitlines()
    for key, job in data.items():
        if isinstance(job, dict) and "script" in job:
            lines += [str(line) for line in job["script"]]
    return [line.strip() for line in lines if line.strip()]


@pytest.mark.parametrize("workflow", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_workflow_installs_mlj_and_grades_with_reports(workflow, tmp_path):
    commands = _commands(ROOT / "examples" / "ci" / workflow)
    assert any("pip install" in c and "torch==2.13.0" in c and "/whl/cpu" in c for c in commands)
    assert any("pip install" in c and "mlj" in c for c in commands)
    graders = [c for c in commands if c.startswith("mlj ")]
    assert graders, commands
    (tmp_path / "submissions").mkdir()
    (tmp_path / "submissions" / "alice.py").write_text(EXAMPLE.read_text())
    (tmp_path / "submissions" / "bob.py").write_text("def log_softmax(x, dim=-1)\n")  # a compile error
    summary = tmp_path / "step-summary.md"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary), MLJ_DATA_DIR=str(tmp_path / "data"))
    for command in graders:
        args = [os.path.expandvars(a.replace("$GITHUB_STEP_SUMMARY", str(summary))) for a in shlex.split(command)]
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 1, proc.stderr[-2000:]  # one submission is not accepted
    reports = tmp_path / "reports"
    suites = ET.parse(reports / "junit.xml").getroot().findall("testsuite")
    assert len(suites) == 2 and suites[1].findall("testcase/error")
    rows = list(csv.DictReader((reports / "grades.csv").open()))
    assert [(r["submission"], r["verdict"]) for r in rows] == [("submissions/alice.py", "AC"),
                                                              ("submissions/bob.py", "CE")]
    markdown = (summary if workflow.startswith("github") else reports / "summary.md").read_text()
    assert "1 of 2 submissions accepted" in markdown and "`submissions/bob.py`" in markdown
