"""The command line, end to end: exit codes, reports, workspaces."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from judge.challenge import CHALLENGES_DIR

SOFTMAX = CHALLENGES_DIR / "softmax-cross-entropy"
REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "softmax_cross_entropy.py"
WRONG = SOFTMAX / "solutions" / "wrong_answer" / "naive_softmax.py"


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        return runner.invoke(cli.main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_list_json():
    result = run("list", "--json")
    assert result.exit_code == 0
    assert "softmax-cross-entropy" in {row["id"] for row in json.loads(result.output)}


def test_list_reports_a_broken_challenge_and_goes_on(tmp_path):
    shutil.copytree(SOFTMAX, tmp_path / "softmax-cross-entropy")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "challenge.yaml").write_text("format: 1\nid: broken\n")
    env = dict(os.environ, MLJ_CHALLENGES_DIR=str(tmp_path), COLUMNS="200")
    proc = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "softmax-cross-entropy" in proc.stdout and "broken challenge.yaml" in proc.stdout


def test_show_renders_the_statement():
    result = run("show", "softmax-cross-entropy")
    assert result.exit_code == 0 and "Numerically stable softmax cross-entropy" in result.output


def test_unknown_challenge_is_a_usage_error():
    result = CliRunner().invoke(cli.main, ["show", "no-such-thing"])
    assert result.exit_code == 2 and "no challenge 'no-such-thing'" in result.output


@pytest.mark.parametrize("command", [["test"], ["submit"], ["grade", "--jobs", "2"]])
def test_an_unknown_challenge_is_reported_before_a_sandbox_is_chosen(command, monkeypatch):
    """A typo in the id says so, even where the sandbox asked for is not there, and starts nothing."""
    import judge.sandbox

    def no_sandbox(*args, **kwargs):
        raise AssertionError("a sandbox was chosen for an unknown challenge")

    monkeypatch.setattr(judge.sandbox, "choose", no_sandbox)
    result = CliRunner().invoke(cli.main, [command[0], "no-such-thing", str(REFERENCE), *command[1:],
                                           "--sandbox", "docker"])
    assert result.exit_code == 2 and "no challenge 'no-such-thing'" in result.output, result.output


def test_start_then_test_the_untouched_stub(tmp_path):
    result = run("start", "softmax-cross-entropy", str(tmp_path / "ws"))
    assert result.exit_code == 0
    assert (tmp_path / "ws" / "solution.py").read_text() == (SOFTMAX / "stub.py").read_text()
    assert (tmp_path / "ws" / "statement.md").exists() and list((tmp_path / "ws" / "public_tests").glob("test_*.py"))
    again = CliRunner().invoke(cli.main, ["start", "softmax-cross-entropy", str(tmp_path / "ws")])
    assert again.exit_code == 2 and "already exists" in again.output
    tested = run("test", "softmax-cross-entropy", "--sandbox", "process", cwd=tmp_path / "ws")
    assert tested.exit_code == 1
    assert "RE" in tested.output and "not implemented yet" in tested.output and "statement.md" in tested.output


def test_grade_writes_json_and_junit_and_exits_1_when_not_all_accepted(tmp_path):
    out_json, out_xml = tmp_path / "report.json", tmp_path / "report.xml"
    result = run("grade", "softmax-cross-entropy", str(REFERENCE), str(WRONG), "--sandbox", "process",
                 "--json", str(out_json), "--junit-xml", str(out_xml))
    assert result.exit_code == 1, result.output
    report = json.loads(out_json.read_text())
    assert report["sandbox"] == "process" and report["judge_version"] and not report["all_accepted"]
    first, second = report["submissions"]
    assert (first["verdict"], second["verdict"]) == ("AC", "WA")
    assert first["score"] == first["max_score"] > 0
    test = first["tests"][0]
    assert {"name", "group", "verdict", "points_possible", "points_earned", "duration", "message",
            "figures"} <= set(test)
    failing = [t for t in second["tests"] if t["verdict"] == "WA"]
    assert failing and "max_abs_err" in failing[0]["figures"] or "NaN" in failing[0]["message"]
    suites = ET.parse(out_xml).getroot()
    assert suites.tag == "testsuites" and len(suites.findall("testsuite")) == 2
    cases = suites.findall("testsuite")[0].findall("testcase")
    assert len(cases) == len(first["tests"])
    assert suites.findall("testsuite")[1].findall("testcase/failure")
    summary = [line for line in result.output.splitlines() if "softmax-cross-entropy" in line]
    assert "2 submissions · 1 accepted" in result.output
    assert any(REFERENCE.name in line and " AC " in line for line in summary), result.output
    assert any(WRONG.name in line and " WA " in line for line in summary), result.output
    assert first["tests"][0]["name"] not in result.output, "many submissions: one line each, not every test"


def test_grade_details_prints_every_test_of_every_submission():
    result = run("grade", "softmax-cross-entropy", str(REFERENCE), str(WRONG), "--sandbox", "process",
                 "--details", "--seed", "3")
    assert result.exit_code == 1
    hidden = sorted(p.stem for p in (SOFTMAX / "tests" / "hidden").glob("test_*.py"))
    assert result.output.count("hidden tests") == 2 and all(name in result.output for name in hidden)


def test_grade_exits_0_when_all_accepted(tmp_path):
    result = run("grade", "softmax-cross-entropy", str(REFERENCE), "--sandbox", "process")
    assert result.exit_code == 0, result.output
    assert "AC" in result.output


_SPY_ON_EARLY_STARTS = """
import json
import sys

import judge.forkserver as forkserver
from judge.sandbox.process import ProcessSandbox

seen = []


def spy(name, real):
    def call(*args, **kwargs):
        if not kwargs.get("spare"):  # the early start; a batch's own prepare(spare=True) comes later
            seen.append((name, [m for m in ("judge.challenge", "pydantic", "torch") if m in sys.modules]))
        return real(*args, **kwargs)
    return call


forkserver.start = spy("fork server", forkserver.start)
ProcessSandbox.prepare = spy("zygote", ProcessSandbox.prepare)
import cli

try:
    cli.main(sys.argv[1:])
except SystemExit as exc:
    from judge.sandbox.process import zygote

    print(json.dumps({"seen": seen, "exit": exc.code, "zygotes": len(zygote._shared)}))
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_grade_starts_what_its_workers_need_before_reading_the_challenges(tmp_path, jobs):
    """The imports of torch are a grading's first seconds: `mlj grade` starts the process backend's zygote
    (and with --jobs 2 the judge processes' fork server) before the command line loads the challenge
    models, which then load beside them."""
    accepted = sorted((SOFTMAX / "solutions" / "accepted").glob("*.py"))[0]
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-c", _SPY_ON_EARLY_STARTS, "grade", "softmax-cross-entropy",
                           str(REFERENCE), str(accepted), "--jobs", str(jobs), "--sandbox", "process", "--json",
                           str(report)], capture_output=True, text=True, timeout=300)
    last = json.loads(proc.stdout.splitlines()[-1])
    assert last["exit"] == 0, proc.stdout[-500:] + proc.stderr[-2000:]
    expected = [["fork server", []], ["zygote", []]] if jobs == 2 else [["zygote", []]]
    assert last["seen"][:len(expected)] == expected, last
    assert jobs == 2 or all(name != "fork server" for name, _ in last["seen"]), last
    assert last["zygotes"] == 1, "the zygote started early is the one the gradings fork from"
    assert [s["verdict"] for s in json.loads(report.read_text())["submissions"]] == ["AC", "AC"]


def test_several_counts_submissions_without_reading_the_challenges(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "a.py").write_text("")
    (tmp_path / "all" / "kmeans").mkdir(parents=True)
    (tmp_path / "all" / "kmeans" / "a.py").write_text("")
    assert not cli._several("kmeans", (tmp_path / "one",))
    assert cli._several("kmeans", (tmp_path / "one", REFERENCE))
    assert not cli._several("all", (tmp_path / "all",))
    (tmp_path / "all" / "kmeans" / "b.py").write_text("")
    assert cli._several("all", (tmp_path / "all",))
